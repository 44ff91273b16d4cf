# The two commands of the quickstart: `make demo` and `make test`. Both set everything up first.
.PHONY: demo test setup check pytest pytest-postgres bench bench-web bench-records bench-load clean

PY := .venv/bin

setup:
	@scripts/bootstrap.sh

demo: setup
	$(PY)/pmf demo

check: setup
	$(PY)/ruff check src tests benchmarks
	$(PY)/ruff format --check src tests benchmarks
	$(PY)/mypy
	$(PY)/lint-imports
	DJANGO_SETTINGS_MODULE=pmf.web.settings $(PY)/django-admin makemigrations --check --dry-run

pytest: setup
	scripts/chromium.sh
	$(PY)/pytest

# The storage layer again on a real PostgreSQL server, started and stopped for the run.
pytest-postgres: setup
	scripts/postgres.sh $(PY)/pytest -q -p no:cacheprovider tests/web tests/test_cli.py \
		tests/sources/test_import_golden.py tests/sources/test_records.py -m "not spark"

test: check pytest pytest-postgres

bench: setup bench-web
	$(PY)/python benchmarks/bench_import.py
	$(PY)/python benchmarks/bench_assess.py
	$(PY)/python benchmarks/bench_paper.py

# 50 million synthetic incident records on DuckDB against pandas, and 5 million on local Spark.
bench-records: setup
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
