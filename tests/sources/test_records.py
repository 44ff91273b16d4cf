"""Record-level measures: the same figures from DuckDB (CSV, Parquet), PostgreSQL and Spark."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pmf.core.framework import FrameworkError
from pmf.sources.examples import EXAMPLES_DIR
from pmf.sources.records import RecordsError, compute, load_record_sources, spark_session

EXAMPLE = EXAMPLES_DIR / "records"

FRAMEWORK = """\
organisation: {code: T, name: Test force}
areas: [{code: A, name: A}]
units:
  - {code: F, name: Force, type: force}
  - {code: N, name: North, type: command, parent: F}
  - {code: S, name: South, type: command, parent: F}
measures:
  - {code: IN_TARGET, name: In target, area: A, kind: kpi, polarity: higher_is_better,
     unit_of_measure: percent, frequency: month, multiplier: 100, numerator: in target,
     denominator: emergencies, rollup: pooled_ratio}
  - {code: FY_IN_TARGET, name: In target by year, area: A, kind: kpi,
     polarity: higher_is_better, unit_of_measure: percent, frequency: financial_year,
     multiplier: 100, numerator: in target, denominator: emergencies}
  - {code: COUNT, name: Incidents, area: A, kind: context, polarity: neither,
     unit_of_measure: count, frequency: month, rollup: sum}
"""

RECORDS = """\
framework: framework.yaml
sources:
  incidents:
    files: [{file}]
    unit: unit
    timestamp: reported_at
measures:
  - measure: IN_TARGET
    source: incidents
    where: [{{column: grade, equals: emergency}}]
    numerator: [{{column: minutes, at_most: 15}}]
  - measure: FY_IN_TARGET
    source: incidents
    where: [{{column: grade, is_in: [emergency]}}]
    numerator: [{{column: minutes, at_most: 15}}]
  - measure: COUNT
    source: incidents
"""

# Boundaries: the last second of March and of a financial year, the first of April, the
# clocks going forward (31 March 2024, 01:00 to 02:00), an empty response time, 15.0 exactly.
INCIDENTS = """\
id,unit,reported_at,grade,minutes
1,N,2024-03-31 23:59:59,emergency,15.0
2,N,2024-04-01 00:00:00,emergency,15.1
3,N,2024-03-31 01:30:00,emergency,
4,S,2024-03-01 00:00:00,emergency,3
5,S,2024-03-15 12:00:00,priority,200
6,S,2025-03-31 23:59:59,emergency,14
7,N,2024-04-30 23:59:59,emergency,2
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def sources_csv(tmp_path: Path) -> Path:
    _write(tmp_path, "framework.yaml", FRAMEWORK)
    _write(tmp_path, "incidents.csv", INCIDENTS)
    return _write(tmp_path, "records.yaml", RECORDS.format(file="incidents.csv"))


def _parquet(folder: Path) -> Path:
    pl.read_csv(folder / "incidents.csv", try_parse_dates=True).write_parquet(
        folder / "incidents.parquet"
    )
    return _write(folder, "parquet.yaml", RECORDS.format(file="incidents.parquet"))


def _figures(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    return frame.drop("source").sort("measure", "unit", "period").rows()


def test_boundaries_nulls_and_periods_on_duckdb(sources_csv: Path) -> None:
    figures = compute(load_record_sources(sources_csv)).observations
    by_key = {
        (m, u, p): (v, n, d)
        for u, m, p, v, n, d in figures.select(
            "unit", "measure", "period", "value", "numerator", "denominator"
        ).iter_rows()
    }
    # March 2024 for N: 23:59:59 at 15.0 minutes (in target) and 01:30 with no time (not).
    assert by_key[("IN_TARGET", "N", "2024-03")] == (50.0, 1.0, 2.0)
    # 1 April at midnight is April; 15.1 minutes is outside the target.
    assert by_key[("IN_TARGET", "N", "2024-04")] == (50.0, 1.0, 2.0)
    assert by_key[("IN_TARGET", "S", "2024-03")] == (100.0, 1.0, 1.0)
    # The financial year ends on 31 March: March 2024 is in 2023/24.
    assert by_key[("FY_IN_TARGET", "N", "2023/24")] == (50.0, 1.0, 2.0)
    assert by_key[("FY_IN_TARGET", "S", "2023/24")] == (100.0, 1.0, 1.0)
    assert by_key[("FY_IN_TARGET", "S", "2024/25")] == (100.0, 1.0, 1.0)
    # A count measure counts every record and has no numerator or denominator.
    assert by_key[("COUNT", "S", "2024-03")] == (2.0, None, None)
    # A month without emergencies has no figure, not a zero.
    assert ("IN_TARGET", "S", "2024-04") not in by_key


def test_csv_and_parquet_give_the_same_figures(sources_csv: Path) -> None:
    from_csv = compute(load_record_sources(sources_csv))
    from_parquet = compute(load_record_sources(_parquet(sources_csv.parent)))
    assert _figures(from_csv.observations) == _figures(from_parquet.observations)
    assert from_csv.sources[0].records == from_parquet.sources[0].records == 7
    assert from_csv.sha256 != from_parquet.sha256


def test_lineage_names_files_digests_backend_and_sql(sources_csv: Path) -> None:
    computed = compute(load_record_sources(sources_csv))
    text = computed.lineage()
    assert "on duckdb by records.yaml" in text
    assert "incidents: 7 records from incidents.csv" in text
    import hashlib

    digest = hashlib.sha256((sources_csv.parent / "incidents.csv").read_bytes()).hexdigest()
    assert digest in text
    assert "'emergency'" in text and "<= 15" in text
    assert set(computed.observations["source"]) == {"records: incidents.csv (duckdb)"}


def _problem(folder: Path, records: str | None = None, incidents: str | None = None) -> str:
    if incidents is not None:
        _write(folder, "incidents.csv", incidents)
    if records is not None:
        _write(folder, "records.yaml", records)
    with pytest.raises(RecordsError) as raised:
        compute(load_record_sources(folder / "records.yaml"))
    return str(raised.value)


def test_unknown_unit_names_the_row(sources_csv: Path) -> None:
    message = _problem(sources_csv.parent, incidents=INCIDENTS + "8,WEST,2024-05-01,priority,4\n")
    assert "incidents.csv: 1 bad record" in message
    assert "row 9, column 'unit', value 'WEST': is not a unit code of T" in message


def test_timestamps_that_do_not_parse_name_the_row(sources_csv: Path) -> None:
    bad = INCIDENTS + "8,N,31/02/2024 10:00,priority,4\n9,N,,priority,4\n"
    message = _problem(sources_csv.parent, incidents=bad)
    assert "row 10, column 'reported_at', value (empty): is empty" in message
    bad = INCIDENTS + "8,N,31/02/2024 10:00,priority,4\n"
    message = _problem(sources_csv.parent, incidents=bad)
    assert "row 9, column 'reported_at', value '31/02/2024 10:00': is not a date and time" in (
        message
    )


def test_a_number_column_with_text_names_the_row(sources_csv: Path) -> None:
    message = _problem(sources_csv.parent, incidents=INCIDENTS + "8,N,2024-05-01,emergency,n/a\n")
    assert "row 9, column 'minutes', value 'n/a': is not a number" in message


def test_missing_column_and_missing_file_are_named(sources_csv: Path) -> None:
    folder = sources_csv.parent
    message = _problem(
        folder, records=RECORDS.format(file="incidents.csv").replace("grade", "kind")
    )
    assert "incidents.csv: there is no column 'kind'" in message
    assert "the columns are id, unit, reported_at, grade, minutes" in message
    message = _problem(folder, records=RECORDS.format(file="missing.csv"))
    assert "missing.csv: cannot be read: No such file or directory" in message


def test_a_bad_records_file_names_line_and_field(sources_csv: Path) -> None:
    text = RECORDS.format(file="incidents.csv").replace("at_most: 15", "at_most: 15, equals: 3")
    _write(sources_csv.parent, "records.yaml", text.replace("measure: COUNT", "measure: NONE"))
    with pytest.raises(FrameworkError) as raised:
        load_record_sources(sources_csv)
    message = str(raised.value)
    assert "records.yaml:11 measures[0].numerator[0]: " in message
    assert "give exactly one of equals" in message


def test_unknown_measure_and_ratio_without_numerator_are_refused(sources_csv: Path) -> None:
    text = RECORDS.format(file="incidents.csv").replace("measure: COUNT", "measure: NONE")
    text = text.replace(
        "    numerator: [{column: minutes, at_most: 15}]\n  - measure: FY", "  - measure: FY"
    )
    _write(sources_csv.parent, "records.yaml", text)
    with pytest.raises(FrameworkError) as raised:
        load_record_sources(sources_csv)
    message = str(raised.value)
    assert "measures.0.numerator: IN_TARGET is a ratio: say which records count" in message
    assert "measures.2.measure: 'NONE' is not a measure of the framework" in message


def test_the_shipped_example_is_small_and_synthetic() -> None:
    data = EXAMPLE / "data"
    assert sum(path.stat().st_size for path in data.iterdir()) < 1_000_000
    assert "synthetic" in (EXAMPLE / "README.md").read_text(encoding="utf-8").lower()
    computed = compute(load_record_sources(EXAMPLE / "records.yaml"))
    assert set(computed.observations["measure"]) == {
        "EMERGENCY_IN_TARGET",
        "INCIDENTS",
        "SOLVED_RATE",
    }
    # Every incident is counted once in INCIDENTS.
    assert computed.observations.filter(pl.col("measure") == "INCIDENTS")["value"].sum() == 3000


# --------------------------------------------------------------------------------------------
# The same figures on PostgreSQL and Spark
# --------------------------------------------------------------------------------------------

POSTGRES = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(
    not POSTGRES.startswith("postgres"),
    reason="needs DATABASE_URL=postgres://... (scripts/postgres.sh)",
)
def test_postgres_table_gives_the_same_figures_as_duckdb(sources_csv: Path) -> None:
    import psycopg

    text = RECORDS.format(file="incidents.csv").replace(
        "    unit: unit\n", "    table: pmf_test_incidents\n    unit: unit\n"
    )
    _write(sources_csv.parent, "records.yaml", text)
    frame = pl.read_csv(sources_csv.parent / "incidents.csv", try_parse_dates=True)
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS pmf_test_incidents")
        connection.execute(
            "CREATE TABLE pmf_test_incidents (id integer, unit text, "
            "reported_at timestamp, grade text, minutes numeric)"
        )
        with connection.cursor().copy(
            "COPY pmf_test_incidents (id, unit, reported_at, grade, minutes) FROM STDIN"
        ) as copy:
            for row in frame.iter_rows():
                copy.write_row(row)
        try:
            sources = load_record_sources(sources_csv)
            on_postgres = compute(sources, "postgres", database=POSTGRES)
            on_duckdb = compute(sources)
            assert _figures(on_postgres.observations) == _figures(on_duckdb.observations)
            assert "table pmf_test_incidents in postgres://" in on_postgres.lineage()
            # A unit that is not in the framework is refused, by value.
            connection.execute(
                "INSERT INTO pmf_test_incidents VALUES (8, 'WEST', '2024-05-01', 'priority', 4)"
            )
            with pytest.raises(RecordsError, match="column 'unit', value 'WEST': is not a unit"):
                compute(sources, "postgres", database=POSTGRES)
        finally:
            connection.execute("DROP TABLE pmf_test_incidents")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        if os.environ.get("CI"):  # make test installs Java: in CI a missing one is a failure
            pytest.fail("Spark needs Java 17: scripts/java.sh did not install it")
        pytest.skip("Spark needs Java 17 (scripts/java.sh)")
    session = spark_session("local[1]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_gives_the_same_figures_as_duckdb(sources_csv: Path, spark: Any) -> None:
    sources = load_record_sources(sources_csv)
    on_spark = compute(sources, "spark", spark=spark)
    assert _figures(on_spark.observations) == _figures(compute(sources).observations)
    parquet = load_record_sources(_parquet(sources_csv.parent))
    assert _figures(compute(parquet, "spark", spark=spark).observations) == _figures(
        on_spark.observations
    )
    assert "on spark by records.yaml" in on_spark.lineage()


@pytest.mark.spark
def test_spark_refuses_an_unknown_unit_by_value(sources_csv: Path, spark: Any) -> None:
    _write(sources_csv.parent, "incidents.csv", INCIDENTS + "8,WEST,2024-05-01,priority,4\n")
    with pytest.raises(RecordsError) as raised:
        compute(load_record_sources(sources_csv), "spark", spark=spark)
    assert "column 'unit', value 'WEST': is not a unit code of T" in str(raised.value)


# --------------------------------------------------------------------------------------------
# Through the import path, with lineage on the measure page
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_keeps_lineage_and_the_measure_page_shows_it() -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    from pmf.cli import main
    from pmf.web.accounts.models import Membership
    from pmf.web.frameworks.models import Organisation
    from pmf.web.observations.models import ImportBatch, Observation

    assert main(["framework", "load", str(EXAMPLE / "framework.yaml")]) == 0
    records = str(EXAMPLE / "records.yaml")
    assert main(["records", "compute", records, "--measure", "SOLVED_RATE", "--import"]) == 0
    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.layout, batch.added) == ("records.yaml", "records", 16)
    assert "crimes: 1,500 records from crimes.csv" in batch.source
    assert "'charged'" in batch.source
    # Counting again changes nothing: the figures are already held.
    assert main(["records", "compute", records, "--measure", "SOLVED_RATE", "--import"]) == 0
    assert ImportBatch.objects.count() == 1
    figure = Observation.objects.get(unit__code="NORTH", period="2025 Q1")
    assert figure.value == pytest.approx(figure.numerator / figure.denominator * 100)

    organisation = Organisation.objects.get(code="EXAMPLE_FORCE")
    user = User.objects.create_user("analyst", password="correct horse battery staple")
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ANALYST)
    client = Client()
    client.force_login(user)
    data = client.get("/EXAMPLE_FORCE/units/NORTH/measures/SOLVED_RATE.json").json()
    latest = data["revisions"][-1]
    assert latest["source"] == "records: crimes.csv (duckdb)"
    assert latest["computed_from"].startswith("Computed from records on duckdb by records.yaml")
    page = client.get("/EXAMPLE_FORCE/units/NORTH/measures/SOLVED_RATE/").content.decode()
    assert "How revision 1 was computed from records" in page


def test_records_compute_refuses_bad_records_and_stores_nothing(
    sources_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    _write(sources_csv.parent, "incidents.csv", INCIDENTS + "8,WEST,2024-05-01,priority,4\n")
    out = sources_csv.parent / "figures.csv"
    assert main(["records", "compute", str(sources_csv), "--out", str(out)]) == 1
    assert "row 9, column 'unit', value 'WEST'" in capsys.readouterr().err
    assert not out.exists()
