"""Measures computed from record-level data on the command line: ``pmf record compute``.

The records are counted on DuckDB (the default), PostgreSQL or local Spark by
``pmf.sources.records``; with ``--import`` the figures go through the ordinary import
(``import_frame``: every check, all or nothing) with the records' lineage.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pmf.cli import base
from pmf.cli.base import EXIT_OK, CommandError, Needs, actions, command, open_database, register

if TYPE_CHECKING:
    from pmf.sources.records import Computed


def _record_arguments(record: argparse.ArgumentParser) -> None:
    group = actions(record)
    compute = command(
        group,
        "compute",
        "Count each measure's records per unit and period; print, write or import the figures.",
        "pmf record compute examples/records/records.yaml --backend duckdb --out figures.csv",
    )
    compute.add_argument("file", type=Path, help="a record-sources file (records.yaml)")
    compute.add_argument(
        "--backend",
        choices=["duckdb", "postgres", "spark"],
        default="duckdb",
        help="where the records are counted (default duckdb: the CSV or Parquet files)",
    )
    compute.add_argument(
        "--database",
        metavar="URL",
        help="postgres: the database holding the tables (default: DATABASE_URL)",
    )
    compute.add_argument(
        "--spark-master",
        default="local[*]",
        metavar="MASTER",
        help="spark: the master of the Spark session (default local[*])",
    )
    compute.add_argument(
        "--measure",
        action="append",
        metavar="CODE",
        help="compute only this measure (repeatable; default: every measure in the file)",
    )
    compute.add_argument(
        "--out", type=Path, metavar="FILE", help="write the figures to this CSV file"
    )
    compute.add_argument(
        "--import",
        dest="store",
        action="store_true",
        help="store the figures as observations of the framework's organisation",
    )
    compute.add_argument(
        "--accept-warnings",
        metavar="REASON",
        help="store figures with plausibility warnings, recording REASON in the audit trail",
    )


# Counting needs no database; --import opens it itself.
@register(
    "record",
    "Compute measures from record-level data on DuckDB, PostgreSQL or Spark.",
    "pmf record compute examples/records/records.yaml --import",
    arguments=_record_arguments,
    aliases=["records"],
    description="Compute measures from record-level data (incidents, crimes) on DuckDB, "
    "PostgreSQL or Spark.",
    needs=Needs.NOTHING,
)
def record(args: argparse.Namespace) -> int:
    """Run ``pmf record compute``."""
    from pmf.core.framework import FrameworkError
    from pmf.core.text import plural
    from pmf.sources.records import RecordsError, compute, load_record_sources, spark_session

    try:
        sources = load_record_sources(args.file)
    except FrameworkError as error:
        raise CommandError(str(error)) from None
    database = args.database or os.environ.get("DATABASE_URL")
    if args.backend == "postgres" and not (database or "").startswith(("postgres", "postgresql")):
        raise CommandError("--backend postgres needs --database postgres://... or DATABASE_URL")
    spark = spark_session(args.spark_master) if args.backend == "spark" else None
    try:
        computed = compute(
            sources, args.backend, database=database, spark=spark, measures=args.measure
        )
    except RecordsError as error:
        raise CommandError(str(error)) from None
    finally:
        if spark is not None:
            spark.stop()
    counted = computed.observations
    for source in computed.sources:
        print(f"{source.name}: {source.records:,} records from {source.where}")
    print(
        f"{plural(counted.height, 'figure')} of {plural(counted['measure'].n_unique(), 'measure')}"
        f" for {plural(counted['unit'].n_unique(), 'unit')}, counted on {args.backend}."
    )
    if args.out:
        counted.write_csv(args.out)
        print(f"Wrote them to {args.out}.")
    if args.store:
        return _store(sources.framework.organisation.code, computed, args.accept_warnings)
    return EXIT_OK


def _store(code: str, computed: Computed, accept_warnings: str | None = None) -> int:
    from pmf.sources.records import LAYOUT

    open_database()
    from pmf.web.observations.services import import_frame

    organisation = base.organisation(code)
    try:
        summary = import_frame(
            organisation,
            computed.observations,
            file_name=computed.records_file.name,
            source="",
            sha256=computed.sha256,
            layout=LAYOUT,
            lineage=computed.lineage(),
            accept_warnings=accept_warnings,
        )
    except ValueError as error:
        raise CommandError(str(error)) from None
    print(f"{computed.records_file.name}: {summary}")
    return EXIT_OK
