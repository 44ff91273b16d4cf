"""Benchmark: import one million observation rows from CSV, against a plain baseline.

Both sides write the same rows into the same observation table (made by pmf's
migrations) in a fresh SQLite file:

- baseline: the ``csv`` module, a dict lookup of unit and measure ids, ``float()``
  and ``sqlite3.executemany`` in one transaction, with no checking at all;
- pmf: ``pmf import``'s own path (read the file, check every row against the
  framework, store in one transaction with revision handling).

Each side runs in its own process so that its peak memory (max RSS) is its own.
Run it with ``make bench`` or::

    .venv/bin/python benchmarks/bench_import.py --rows 1000000
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

HERE = Path(__file__).resolve().parent
MEASURES = 10
MONTHS = 100


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


def write_csv(path: Path, units: int) -> int:
    """Write the long-format CSV of every unit, measure and month; return the row count."""
    import polars as pl

    months = [f"{2010 + (i // 12)}-{i % 12 + 1:02d}" for i in range(MONTHS)]
    frame = (
        pl.DataFrame({"unit": [f"D{i:05d}" for i in range(units)]})
        .join(pl.DataFrame({"measure": [f"M{m}" for m in range(MEASURES)]}), how="cross")
        .join(pl.DataFrame({"period": months}), how="cross")
        .with_row_index("n")
        .with_columns(((pl.col("n") * 7919) % 1000).alias("value"))
        .drop("n")
    )
    frame.write_csv(path)
    return frame.height


def prepare_database(db: Path, framework: Path) -> None:
    """Create the schema and load the framework with pmf itself, in a child process."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run(
        [sys.executable, "-m", "pmf.cli", "framework", "load", str(framework)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def run_baseline(db: Path, csv_path: Path) -> None:
    """Insert every row with csv + sqlite3.executemany, as a hand-written script would."""
    connection = sqlite3.connect(db)
    units = dict(connection.execute("SELECT code, id FROM frameworks_unit"))
    measures = dict(connection.execute("SELECT code, id FROM frameworks_measure"))
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rows = []
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for unit, measure, period, value in reader:
            row = (measures[measure], units[unit], period, float(value), "provisional", 1, now)
            rows.append(row)
    with connection:
        connection.executemany(
            "INSERT INTO observations_observation (measure_id, unit_id, period, value, status, "
            "revision, recorded_at, source, note) VALUES (?, ?, ?, ?, ?, ?, ?, '', '')",
            rows,
        )
    connection.close()


def run_pmf(db: Path, csv_path: Path) -> None:
    """Import the file through pmf's own import path."""
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    from pmf.cli import main

    status = main(["import", str(csv_path), "--organisation", "BENCH"])
    if status != 0:
        raise SystemExit(status)


def child(variant: str, db: Path, csv_path: Path) -> None:
    """Run one side and print its seconds and peak memory as JSON."""
    started = time.perf_counter()
    if variant == "baseline":
        run_baseline(db, csv_path)
    else:
        run_pmf(db, csv_path)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    count = sqlite3.connect(db).execute("SELECT COUNT(*) FROM observations_observation").fetchone()
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "stored": count[0]}))


def measure(variant: str, work: Path, csv_path: Path, framework: Path) -> dict[str, float]:
    """Prepare a fresh database and time one side in its own process."""
    db = work / f"{variant}.sqlite3"
    prepare_database(db, framework)
    output = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--db", str(db), "--csv", str(csv_path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    """Run both sides and print rows per second, the ratio and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to import (approx.)")
    parser.add_argument("--child", choices=["baseline", "pmf"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db, args.csv)
        return
    units = max(1, args.rows // (MEASURES * MONTHS))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        framework = work / "framework.yaml"
        framework.write_text(framework_text(units))
        csv_path = work / "observations.csv"
        rows = write_csv(csv_path, units)
        results = {
            variant: measure(variant, work, csv_path, framework) for variant in ("baseline", "pmf")
        }
    for variant, result in results.items():
        if result["stored"] != rows:
            raise SystemExit(f"{variant} stored {result['stored']} rows, expected {rows}")
    base, ours = results["baseline"], results["pmf"]
    print(f"rows: {rows:,} ({units} units x {MEASURES} measures x {MONTHS} months)")
    for name, result in (("baseline (csv + sqlite3.executemany)", base), ("pmf import", ours)):
        print(
            f"{name:38} {result['seconds']:7.2f} s  {rows / result['seconds']:>10,.0f} rows/s  "
            f"peak {result['peak_mib']:,.0f} MiB"
        )
    print(f"ratio (pmf rows/s ÷ baseline rows/s): {base['seconds'] / ours['seconds']:.2f}x")


if __name__ == "__main__":
    main()
