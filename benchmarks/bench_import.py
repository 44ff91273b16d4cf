"""Benchmark: import one million observation rows from CSV, against a plain baseline.

Both sides write the same rows into the same observation table (made by pmf's
migrations) in a fresh database of their own, in two steps:

- **first**: every figure into an empty table;
- **revise**: a second file into the database the first step left, revising a tenth of the
  figures (each becomes a new revision, the old one marked superseded) and adding ten more
  months of figures.

The baseline checks nothing; on SQLite it is the ``csv`` module, a dict lookup of unit and
measure ids, ``float()`` and ``sqlite3.executemany``; on PostgreSQL (when ``DATABASE_URL``
names one, as under ``scripts/postgres.sh``) the same with psycopg's ``executemany``. For
the second file it does the same work in plain SQL: an ``UPDATE`` marking the figure held
superseded, then an ``INSERT`` of the next revision, per row. pmf runs ``pmf import``'s own
path (read the file, check every row against the framework and the figures held, store in
one transaction with revisions and the audit trail).

Each side runs in its own process so that its peak memory (max RSS) is its own.
Run it with ``make bench`` or::

    .venv/bin/python benchmarks/bench_import.py --rows 1000000
    scripts/postgres.sh .venv/bin/python benchmarks/bench_import.py --rows 1000000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

HERE = Path(__file__).resolve().parent
MEASURES = 10
MONTHS = 100
NEW_MONTHS = 10  # months the second file adds
REVISED = 10  # one figure in this many is revised by the second file


def framework_text(units: int) -> str:
    """Return a framework with one force, ``units`` districts and ten monthly measures."""
    lines = [
        "organisation: {code: BENCH, name: Benchmark Force}",
        "areas: [{code: FOCUS, name: FOCUS}]",
        "units:",
        "  - {code: F, name: Force, type: force}",
    ]
    lines += [
        f"  - {{code: D{i:05d}, name: District {i}, type: district, parent: F}}"
        for i in range(units)
    ]
    lines.append("measures:")
    lines += [
        f"  - {{code: M{m}, name: Measure {m}, area: FOCUS, kind: kpi, "
        "polarity: lower_is_better, unit_of_measure: count, frequency: month, rollup: sum}"
        for m in range(MEASURES)
    ]
    return "\n".join(lines) + "\n"


def month(i: int) -> str:
    """Return the code of the ``i``-th month from January 2010."""
    return f"{2010 + (i // 12)}-{i % 12 + 1:02d}"


def figures(units: int, months: list[str]) -> pl.DataFrame:
    """Return a whole count for every unit, measure and month, units outermost."""
    return (
        pl.DataFrame({"unit": [f"D{i:05d}" for i in range(units)]})
        .join(pl.DataFrame({"measure": [f"M{m}" for m in range(MEASURES)]}), how="cross")
        .join(pl.DataFrame({"period": months}), how="cross")
        .with_row_index("n")
        # Whole counts from 500 to 599: no month differs from the last by an implausible amount.
        .with_columns((500 + (pl.col("n") * 7919) % 100).alias("value"))
        .drop("n")
    )


def write_csv(path: Path, units: int) -> int:
    """Write the long-format CSV of every unit, measure and month; return the row count."""
    frame = figures(units, [month(i) for i in range(MONTHS)])
    frame.write_csv(path)
    return frame.height


def write_second_csv(path: Path, units: int) -> tuple[int, int]:
    """Write a file revising every tenth figure and adding new months; return both counts."""
    revised = (
        figures(units, [month(i) for i in range(MONTHS)])
        .gather_every(REVISED)
        .with_columns(pl.col("value") + 1)
    )
    added = figures(units, [month(MONTHS + i) for i in range(NEW_MONTHS)])
    pl.concat([revised, added]).write_csv(path)
    return revised.height, added.height


TABLE = "observations_observation"
COUNTS = f"SELECT COUNT(*), COUNT(*) FILTER (WHERE superseded_at IS NULL) FROM {TABLE}"


def database_url(variant: str, work: Path) -> str:
    """Return a fresh database's URL for one side: a file, or a new PostgreSQL database."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        return f"sqlite:///{work / f'{variant}.sqlite3'}"
    import psycopg

    name = f"bench_import_{variant}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def connect(url: str) -> Any:
    """Return a DB-API connection to ``url`` (sqlite3, or psycopg for PostgreSQL)."""
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url)


def prepare_database(url: str, framework: Path) -> None:
    """Create the schema and load the framework with pmf itself, in a child process."""
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "pmf.cli", "framework", "load", str(framework)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def run_baseline(url: str, csv_path: Path, step: str) -> None:
    """Store every row with csv + executemany, as a hand-written script would."""
    connection = connect(url)
    sqlite = isinstance(connection, sqlite3.Connection)
    units = dict(connection.execute("SELECT code, id FROM frameworks_unit").fetchall())
    measures = dict(connection.execute("SELECT code, id FROM frameworks_measure").fetchall())
    now: Any = dt.datetime.now(dt.UTC)
    if sqlite:
        now = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    rows = []
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for unit, measure, period, value in reader:
            rows.append((measures[measure], units[unit], period, float(value)))
    # Table and column names are ours; every value is a parameter.
    insert = (
        f"INSERT INTO {TABLE} (measure_id, unit_id, period, value, status, "
        "revision, recorded_at, source, note, warnings, warnings_reason) "
        "VALUES (%s, %s, %s, %s, 'provisional', 1, %s, '', '', '', '')"
    )
    statements: list[tuple[str, list[tuple[Any, ...]]]] = [(insert, [(*row, now) for row in rows])]
    if step == "revise":
        # Mark the figure held superseded, then insert the next revision (1 for a new one).
        supersede = (
            f"UPDATE {TABLE} SET superseded_at = %s WHERE measure_id = %s "
            "AND unit_id = %s AND period = %s AND superseded_at IS NULL"
        )
        revise = (
            f"INSERT INTO {TABLE} (measure_id, unit_id, period, value, status, "
            "revision, recorded_at, source, note, warnings, warnings_reason) "
            "SELECT %s, %s, %s, %s, 'provisional', COALESCE(MAX(revision), 0) + 1, %s, "
            f"'', '', '', '' FROM {TABLE} WHERE measure_id = %s AND unit_id = %s AND period = %s"
        )
        statements = [
            (supersede, [(now, *row[:3]) for row in rows]),
            (revise, [(*row, now, *row[:3]) for row in rows]),
        ]
    with connection:
        cursor = connection.cursor()
        for sql, values in statements:
            cursor.executemany(sql.replace("%s", "?") if sqlite else sql, values)
    connection.close()


def run_pmf(url: str, csv_path: Path) -> None:
    """Import the file through pmf's own import path."""
    os.environ["DATABASE_URL"] = url
    from pmf.cli import main

    status = main(["import", str(csv_path), "--organisation", "BENCH"])
    if status != 0:
        raise SystemExit(status)


def child(variant: str, url: str, csv_path: Path, step: str) -> None:
    """Run one side's step and print its seconds, peak memory and rows held as JSON."""
    started = time.perf_counter()
    if variant == "baseline":
        run_baseline(url, csv_path, step)
    else:
        run_pmf(url, csv_path)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    connection = connect(url)
    stored, current = connection.execute(COUNTS).fetchone()
    connection.close()
    result = {"seconds": seconds, "peak_mib": peak_kib / 1024, "stored": stored}
    print(json.dumps({**result, "current": current}))


def measure(variant: str, work: Path, framework: Path) -> dict[str, dict[str, float]]:
    """Prepare a fresh database and time one side's two steps, each in its own process."""
    url = database_url(variant, work)
    prepare_database(url, framework)
    results = {}
    for step in ("first", "revise"):
        command = [sys.executable, __file__, "--child", variant, "--url", url]
        command += ["--csv", str(work / f"{step}.csv"), "--step", step]
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
        results[step] = json.loads(output.strip().splitlines()[-1])
    return results


def main() -> None:
    """Run both sides and print rows per second, the ratios and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to import (approx.)")
    parser.add_argument("--child", choices=["baseline", "pmf"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--step", choices=["first", "revise"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.csv, args.step)
        return
    units = max(1, args.rows // (MEASURES * MONTHS))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        framework = work / "framework.yaml"
        framework.write_text(framework_text(units))
        rows = write_csv(work / "first.csv", units)
        revised, added = write_second_csv(work / "revise.csv", units)
        results = {variant: measure(variant, work, framework) for variant in ("baseline", "pmf")}
    expected = {
        "first": (rows, rows),
        "revise": (rows + revised + added, rows + added),
    }
    for variant, steps in results.items():
        for step, result in steps.items():
            if (result["stored"], result["current"]) != expected[step]:
                raise SystemExit(f"{variant} {step}: held {result}, expected {expected[step]}")
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    backend = "PostgreSQL" if postgres else "SQLite"
    baseline = f"csv + {'psycopg' if backend == 'PostgreSQL' else 'sqlite3'}.executemany"
    print(f"{backend}; rows: {rows:,} ({units} units x {MEASURES} measures x {MONTHS} months)")
    counts = {"first": rows, "revise": revised + added}
    for step in ("first", "revise"):
        what = (
            "first file, into an empty table"
            if step == "first"
            else f"second file: {revised:,} revised, {added:,} added"
        )
        print(f"{step}: {what} ({counts[step]:,} rows)")
        base, ours = results["baseline"][step], results["pmf"][step]
        for name, result in ((f"baseline ({baseline})", base), ("pmf import", ours)):
            print(
                f"  {name:38} {result['seconds']:7.2f} s  "
                f"{counts[step] / result['seconds']:>10,.0f} rows/s  "
                f"peak {result['peak_mib']:,.0f} MiB"
            )
        print(f"  ratio (pmf rows/s ÷ baseline rows/s): {base['seconds'] / ours['seconds']:.2f}x")


if __name__ == "__main__":
    main()
