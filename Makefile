# The two commands of the quickstart: `make demo` and `make test`. Both set up what they need
# first: `make demo` what pmf needs to run, `make test` that and the tests' own tools.
.PHONY: demo test setup test-tools check docs pytest pytest-postgres bench bench-web bench-records \
	bench-load clean accessibility

PY := .venv/bin

# uv, the virtual environment, the front-end files and the libraries for PDF documents.
setup:
	@scripts/bootstrap.sh

# What only the tests need: PDF tools (poppler-utils), Java 17 for Spark, Chromium.
test-tools: setup
	@scripts/test-tools.sh

demo: setup
	$(PY)/pmf demo

check: setup
	$(PY)/ruff check src tests benchmarks scripts
	$(PY)/ruff format --check src tests benchmarks scripts
	$(PY)/mypy
	$(PY)/lint-imports
	DJANGO_SETTINGS_MODULE=pmf.web.config.settings $(PY)/django-admin makemigrations --check --dry-run
	$(PY)/python scripts/docs_outputs.py --check

# Write the command outputs pasted in the docs (help, framework checks, stats) from pmf itself.
docs: setup
	$(PY)/python scripts/docs_outputs.py

pytest: test-tools
	$(PY)/pytest

# Write again the axe-core results the accessibility statement is written from (ADR 0054):
# the browser tests, each storing what it found in src/pmf/web/accessibility/axe-results.json.
accessibility: test-tools
	PMF_AXE_UPDATE=1 $(PY)/pytest -q -p no:cacheprovider -m browser tests/browser

# The storage layer again on a real PostgreSQL server, started and stopped for the run.
pytest-postgres: test-tools
	scripts/postgres.sh $(PY)/pytest -q -p no:cacheprovider tests/web tests/cli/test_cli.py \
		tests/cli/test_schedule_commands.py tests/sources/test_import_golden.py \
		tests/sources/test_records.py -m "not spark"

# The SQLite run and the PostgreSQL run side by side, a core each (CI's machine has two), each
# line of their output labelled with its run.
test: check test-tools
	@scripts/side-by-side.sh

bench: test-tools bench-web
	$(PY)/python benchmarks/bench_import.py
	$(PY)/python benchmarks/bench_assess.py
	$(PY)/python benchmarks/bench_paper.py

# 50 million synthetic incident records on DuckDB against pandas, and 5 million on local Spark.
bench-records: test-tools
	$(PY)/python benchmarks/bench_records.py --rows 50000000

# The pages against a trivial view, on a throwaway PostgreSQL server.
bench-web: setup
	scripts/postgres.sh $(PY)/python benchmarks/bench_web.py

# 200 readers and 20 writers for five minutes against pmf serve, on a throwaway PostgreSQL server.
# The short version runs in make pytest-postgres (tests/web/test_load.py).
bench-load: setup
	scripts/postgres.sh $(PY)/python benchmarks/bench_load.py

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache pmf.sqlite3*
