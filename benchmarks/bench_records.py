"""Benchmark: monthly measures per unit from 50 million incident records, against pandas.

Writes synthetic incident records shaped like police emergency incidents (incident id, unit,
reported at, grade, response minutes) as Parquet with DuckDB into a temporary folder, then
computes two monthly measures per unit (emergency incidents attended within 15 minutes, as a
percentage, and all incidents) three ways in the same run:

- pmf on DuckDB: ``pmf.sources.records.compute``, the path ``pmf record compute`` runs
  (checks of every record, counting, periods, values, lineage digests);
- baseline: pandas reading the needed columns in row groups and doing the same counts;
- pmf on local Spark, on the first ``--spark-rows`` records (default 5 million).

Run it with ``make bench-records`` or::

    .venv/bin/python benchmarks/bench_records.py --rows 50000000

``--sample DIR`` writes the small synthetic sample shipped in ``examples/records/data``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

UNITS = 100
MINUTES_IN_TARGET = 15


def incident_query(rows: int, units: list[str], start: str, months: int) -> str:
    """Return DuckDB SQL for ``rows`` synthetic incidents, the same on every run (hashes)."""
    codes = ", ".join(f"'{code}'" for code in units)
    return f"""
        SELECT
          i + 1 AS incident_id,
          list_element([{codes}], 1 + (hash(i, 1) % {len(units)})::INTEGER) AS unit,
          TIMESTAMP '{start}' + to_microseconds(
            (hash(i, 2) % (epoch_us(TIMESTAMP '{start}' + INTERVAL {months} MONTH)
                           - epoch_us(TIMESTAMP '{start}')))::BIGINT
          ) AS reported_at,
          CASE WHEN hash(i, 3) % 100 < 12 THEN 'emergency'
               WHEN hash(i, 3) % 100 < 50 THEN 'priority' ELSE 'scheduled' END AS grade,
          CASE WHEN hash(i, 4) % 40 = 0 THEN NULL
               WHEN hash(i, 3) % 100 < 12 THEN round(3 + (hash(i, 5) % 1800) / 100.0, 1)
               ELSE round((hash(i, 5) % 24000) / 100.0, 1) END AS response_minutes
        FROM range({rows}) AS t(i)
    """


def crime_query(rows: int, units: list[str], start: str, months: int) -> str:
    """Return DuckDB SQL for ``rows`` synthetic crimes with their outcomes."""
    codes = ", ".join(f"'{code}'" for code in units)
    outcomes = (
        "['charged', 'cautioned', 'community_resolution', 'no_suspect', "
        "'evidential_difficulties', 'evidential_difficulties', 'no_suspect', 'no_suspect', "
        "'under_investigation']"
    )
    offences = "['burglary', 'robbery', 'violence_with_injury', 'theft', 'criminal_damage']"
    return f"""
        SELECT
          i + 1 AS crime_id,
          list_element([{codes}], 1 + (hash(i, 11) % {len(units)})::INTEGER) AS unit,
          TIMESTAMP '{start}' + to_microseconds(
            (hash(i, 12) % (epoch_us(TIMESTAMP '{start}' + INTERVAL {months} MONTH)
                            - epoch_us(TIMESTAMP '{start}')))::BIGINT
          ) AS recorded_at,
          list_element({offences}, 1 + (hash(i, 13) % 5)::INTEGER) AS offence,
          list_element({outcomes}, 1 + (hash(i, 14) % 9)::INTEGER) AS outcome
        FROM range({rows}) AS t(i)
    """


def write_sample(folder: Path) -> None:
    """Write the small synthetic sample of ``examples/records/data`` (CSV and Parquet)."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    units = ["NORTH", "EAST", "SOUTH", "WEST"]
    con = duckdb.connect()
    incidents = incident_query(3000, units, "2024-04-01", 12)
    crimes = crime_query(1500, units, "2024-04-01", 12)
    for name, query in (("incidents", incidents), ("crimes", crimes)):
        ordered = f"SELECT * FROM ({query}) ORDER BY 1"
        csv = f"'{folder / name}.csv' (HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')"
        con.execute(f"COPY ({ordered}) TO {csv}")
    parquet = f"'{folder / 'incidents.parquet'}' (FORMAT parquet)"
    con.execute(f"COPY (SELECT * FROM ({incidents}) ORDER BY 1) TO {parquet}")


def framework_text(units: list[str]) -> str:
    """Return a framework with one force, its units and the two record-level measures."""
    lines = [
        "organisation: {code: BENCH, name: Benchmark Force}",
        "areas: [{code: SERVICE_USER, name: SERVICE USER}]",
        "units:",
        "  - {code: F, name: Force, type: force}",
        *(f"  - {{code: {code}, name: Unit {code}, type: command, parent: F}}" for code in units),
        "measures:",
        "  - {code: EMERGENCY_IN_TARGET, name: Emergencies attended in 15 minutes, "
        "area: SERVICE_USER, kind: kpi, polarity: higher_is_better, unit_of_measure: percent, "
        "frequency: month, multiplier: 100, numerator: attended in 15 minutes, "
        "denominator: emergency incidents, rollup: pooled_ratio}",
        "  - {code: INCIDENTS, name: Incidents, area: SERVICE_USER, kind: context, "
        "polarity: neither, unit_of_measure: count, frequency: month, rollup: sum}",
    ]
    return "\n".join(lines) + "\n"


RECORDS = """framework: framework.yaml
sources:
  incidents:
    files: [{file}]
    unit: unit
    timestamp: reported_at
measures:
  - measure: EMERGENCY_IN_TARGET
    source: incidents
    where: [{{column: grade, equals: emergency}}]
    numerator: [{{column: response_minutes, at_most: 15}}]
  - measure: INCIDENTS
    source: incidents
"""


def pandas_baseline(path: Path) -> tuple[object, int]:
    """Count the same measures with pandas, reading three columns one row group at a time."""
    import pandas as pd
    import pyarrow.parquet as pq

    parts = []
    rows = 0
    parquet = pq.ParquetFile(path)
    for group in range(parquet.num_row_groups):
        frame = parquet.read_row_group(
            group, columns=["unit", "reported_at", "grade", "response_minutes"]
        ).to_pandas()
        rows += len(frame)
        frame["year"] = frame["reported_at"].dt.year
        frame["month"] = frame["reported_at"].dt.month
        emergency = frame["grade"] == "emergency"
        frame["in_target"] = emergency & (frame["response_minutes"] <= MINUTES_IN_TARGET)
        frame["emergency"] = emergency
        parts.append(
            frame.groupby(["unit", "year", "month"]).agg(
                incidents=("grade", "size"),
                emergency=("emergency", "sum"),
                in_target=("in_target", "sum"),
            )
        )
    total = pd.concat(parts).groupby(level=[0, 1, 2]).sum()
    total["value"] = total["in_target"] / total["emergency"] * 100
    return total, rows


def timed(label: str, rows: int, run: object) -> tuple[float, object]:
    """Run ``run()`` and print its time and throughput."""
    started = time.perf_counter()
    result = run()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"{label:<44}{seconds:8.2f} s {rows / seconds:14,.0f} records/s", flush=True)
    return seconds, result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures for benchmarks/README.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000, help="incident records")
    parser.add_argument("--spark-rows", type=int, default=5_000_000, help="records for Spark")
    parser.add_argument("--months", type=int, default=24, help="months the records span")
    parser.add_argument("--no-spark", action="store_true", help="leave out the Spark run")
    parser.add_argument("--sample", type=Path, metavar="DIR", help="write the example sample")
    args = parser.parse_args(argv)
    if args.sample:
        write_sample(args.sample)
        print(f"Wrote the synthetic sample to {args.sample}")
        return 0

    import duckdb
    import polars as pl

    from pmf.sources.records import compute, load_record_sources, spark_session

    units = [f"U{i:03d}" for i in range(UNITS)]
    with tempfile.TemporaryDirectory(prefix="pmf-bench-records-") as folder:
        root = Path(folder)
        (root / "framework.yaml").write_text(framework_text(units), encoding="utf-8")
        started = time.perf_counter()
        con = duckdb.connect()
        query = incident_query(args.rows, units, "2024-01-01", args.months)
        con.execute(f"COPY ({query}) TO '{root / 'incidents.parquet'}' (FORMAT parquet)")
        spark_rows = min(args.spark_rows, args.rows)
        con.execute(
            f"COPY (SELECT * FROM read_parquet('{root / 'incidents.parquet'}') "
            f"WHERE incident_id <= {spark_rows}) TO '{root / 'spark.parquet'}' (FORMAT parquet)"
        )
        con.close()
        size = (root / "incidents.parquet").stat().st_size
        print(
            f"records: {args.rows:,} over {args.months} months and {UNITS} units "
            f"({size / 1e6:,.0f} MB of Parquet, written in {time.perf_counter() - started:.1f} s)"
        )
        for name in ("incidents", "spark"):
            text = RECORDS.format(file=f"{name}.parquet")
            (root / f"{name}.yaml").write_text(text, encoding="utf-8")

        sources = load_record_sources(root / "incidents.yaml")
        pmf_seconds, computed = timed(
            "pmf records on DuckDB", args.rows, lambda: compute(sources, "duckdb")
        )
        base_seconds, (baseline, read) = timed(  # type: ignore[misc]
            "baseline: pandas by row group",
            args.rows,
            lambda: pandas_baseline(root / "incidents.parquet"),
        )
        assert read == args.rows
        # The two must agree before their speeds mean anything.
        ours = computed.observations.filter(pl.col("measure") == "EMERGENCY_IN_TARGET")
        theirs = pl.from_pandas(baseline.reset_index())  # type: ignore[attr-defined]
        assert ours.height == theirs.height, (ours.height, theirs.height)
        assert ours["numerator"].sum() == theirs["in_target"].sum()
        assert ours["denominator"].sum() == theirs["emergency"].sum()
        print(
            f"ratio (pmf on DuckDB records/s ÷ pandas records/s): {base_seconds / pmf_seconds:.1f}x"
        )

        if not args.no_spark:
            small = load_record_sources(root / "spark.yaml")
            spark = spark_session("local[*]")
            spark.sparkContext.setLogLevel("ERROR")
            timed(f"pmf records on DuckDB, {spark_rows:,}", spark_rows, lambda: compute(small))
            timed(
                f"pmf records on local Spark, {spark_rows:,}",
                spark_rows,
                lambda: compute(small, "spark", spark=spark),
            )
            spark.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{dt.date.today()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"peak {peak:,.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
