"""Start-up: each command imports what it uses, and nothing it does not.

Each case runs ``pmf`` in a fresh interpreter, as a user does, and reads the modules it
imported from ``sys.modules`` at exit. Django, Polars, NumPy and SciPy each take a tenth of a
second or more to import: the help, the Django-free statistics and Django's own start-up
must not pay for what they never use. Speed itself is measured in benchmarks/bench_cli.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import FIGURES, GOOD

# Runs ``pmf ARGS`` (through ``main``, as the ``pmf`` script does) and writes the names of
# the imported modules as JSON to the file named by PMF_TEST_MODULES, whatever the outcome.
HARNESS = """
import atexit, json, os, sys
atexit.register(
    lambda: open(os.environ["PMF_TEST_MODULES"], "w").write(json.dumps(sorted(sys.modules)))
)
from pmf.cli.app import main
sys.exit(main(sys.argv[1:]))
"""

# The libraries a command pays for only when it uses them.
HEAVY = ("django", "polars", "numpy", "scipy", "pydantic", "ibis", "pandas", "duckdb")


def imported(
    folder: Path, *args: str, expect: int = 0
) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Run ``pmf ARGS`` in ``folder``; return the modules it imported and the process."""
    record = folder / "modules.json"
    record.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'pmf.sqlite3'}",
        "PMF_CACHE_DIR": str(folder / "cache"),
        "PMF_UPLOAD_DIR": str(folder / "uploads"),
        "PMF_TEST_MODULES": str(record),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", HARNESS, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == expect, done.stderr
    return set(json.loads(record.read_text())), done


def migrations(modules: set[str]) -> list[str]:
    """Return the migrations (of pmf's apps and Django's) among the modules."""
    return sorted(
        name
        for name in modules
        if name.rpartition(".")[0].endswith(".migrations") and not name.startswith("django.db.")
    )


def heavy(modules: set[str]) -> list[str]:
    """Return which of the heavy libraries were imported."""
    return [name for name in HEAVY if name in modules]


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["stats", "--help"],
        ["stats", "spc", "--help"],
        ["import", "--help"],
        ["assess", "--help"],
        ["national", "--help"],
        ["record", "--help"],
    ],
    ids=lambda args: " ".join(args),
)
def test_help_imports_no_heavy_library(tmp_path: Path, args: list[str]) -> None:
    modules, done = imported(tmp_path, *args)
    assert "Example" in done.stdout
    assert heavy(modules) == []


def test_a_confidence_interval_needs_neither_django_nor_polars(tmp_path: Path) -> None:
    modules, done = imported(tmp_path, "stats", "interval", "--method", "byar", "--numerator", "5")
    assert done.stdout.count(",") == 1
    assert [name for name in ("django", "polars", "pydantic") if name in modules] == []
    assert not (tmp_path / "pmf.sqlite3").exists()


def test_verifying_a_published_site_needs_no_database_nor_django(tmp_path: Path) -> None:
    # A reader's machine has the site and pmf, no database: verify reads files only.
    modules, done = imported(tmp_path, "keys", "new", "--output", str(tmp_path / "keys"))
    assert "SHA-256 fingerprint: " in done.stdout
    assert heavy(modules) == []
    (tmp_path / "site").mkdir()
    modules, done = imported(tmp_path, "verify", str(tmp_path / "site"), expect=1)
    assert "manifest.json: missing from" in done.stdout
    assert heavy(modules) == []
    assert not (tmp_path / "pmf.sqlite3").exists()


def test_an_spc_chart_from_a_file_needs_polars_but_neither_django_nor_scipy(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("month,value\n" + "".join(f"2020-{m:02d},{m}\n" for m in range(1, 13)))
    args = ["stats", "spc", str(source), "--value", "value", "--date", "month"]
    modules, done = imported(tmp_path, *args, "--output", str(tmp_path / "out.csv"))
    assert "Wrote 12 rows" in done.stdout
    assert "polars" in modules
    assert [name for name in ("django", "scipy", "pydantic") if name in modules] == []


def test_setting_django_up_imports_no_polars_numpy_or_scipy(tmp_path: Path) -> None:
    # Every app's ready() runs here: a command that only reads a table pays for no more.
    script = (
        "import sys\n"
        "from pmf.web.setup import setup_django\n"
        "setup_django()\n"
        "print(','.join(m for m in ('polars', 'numpy', 'scipy', 'ibis', 'pandas') "
        "if m in sys.modules))\n"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'pmf.sqlite3'}"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""


def test_a_command_on_an_up_to_date_database_imports_no_migration(tmp_path: Path) -> None:
    (tmp_path / "framework.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "figures.csv").write_text(FIGURES, encoding="utf-8")
    # The first command creates the tables: Django's migrate reads every migration.
    first, _ = imported(tmp_path, "framework", "load", "framework.yaml")
    assert "pmf.web.frameworks.migrations.0001_initial" in migrations(first)
    imported(tmp_path, "import", "figures.csv")
    modules, done = imported(tmp_path, "assess", "--unit", "N", "--period", "2019-07")
    assert "scorecard of North (N), as at July 2019" in done.stdout
    assert migrations(modules) == []
