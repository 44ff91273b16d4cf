"""Record-level sources: measures computed from one row per incident, crime or case.

A record-sources file (``records.yaml``, see ``docs/framework.md``) names a framework,
the tables of records (CSV or Parquet files, or a table in PostgreSQL) and, for each
measure, which records it counts::

    framework: framework.yaml
    sources:
      incidents:
        files: [data/incidents.csv]
        unit: unit
        timestamp: reported_at
    measures:
      - measure: EMERGENCY_IN_TARGET
        source: incidents
        where: [{column: grade, equals: emergency}]
        numerator: [{column: response_minutes, at_most: 15}]

The same Ibis expression runs on DuckDB (the default), PostgreSQL or Spark. The backend
only counts records per unit and calendar month; the months are then gathered into the
measure's periods and the values computed here, in Polars, from whole-number counts, so
every backend gives exactly the same figures. The result is an ordinary frame of
observations (unit, measure, period, value, numerator, denominator, source) that goes
through the same checks and store as a file import, with its lineage.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import polars as pl
from pydantic import Field, ValidationError, model_validator

from pmf.core import periods
from pmf.core.framework import (
    CODE_PATTERN,
    Framework,
    FrameworkError,
    Problem,
    Strict,
    validation_problems,
)
from pmf.core.periods import PeriodKind
from pmf.core.yamlsource import YamlError, load_located
from pmf.sources.examples import OBSERVATION_COLUMNS
from pmf.sources.frameworks import read_framework_file

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

Backend = Literal["duckdb", "postgres", "spark"]
BACKENDS: tuple[Backend, ...] = ("duckdb", "postgres", "spark")
# Timestamps without a zone are UK local time as written; zoned ones are read in UK time.
TIME_ZONE = "Europe/London"
LAYOUT = "records"
SHOWN_PROBLEMS = 5
KINDS = (
    PeriodKind.MONTH,
    PeriodKind.QUARTER,
    PeriodKind.FINANCIAL_QUARTER,
    PeriodKind.FINANCIAL_YEAR,
    PeriodKind.YEAR,
)


class RecordsError(ValueError):
    """Raise when records cannot be read or counted; the message names file, row and column."""


# ------------------------------------------------------------------------------------------
# The record-sources file
# ------------------------------------------------------------------------------------------

Scalar = str | int | float | bool


class Condition(Strict):
    """One test on a column of a record; a record passes when the test is true (null: false)."""

    column: str = Field(min_length=1, max_length=200)
    equals: Scalar | None = None
    is_in: tuple[Scalar, ...] | None = Field(default=None, min_length=1)
    at_most: float | None = None
    less_than: float | None = None
    at_least: float | None = None
    more_than: float | None = None
    is_null: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [name for name in TESTS if getattr(self, name) is not None]
        if len(tests) != 1:
            raise ValueError(f"give exactly one of {', '.join(TESTS)} (found {len(tests)})")
        return self

    @property
    def test(self) -> str:
        """Return the name of the test this condition makes."""
        return next(name for name in TESTS if getattr(self, name) is not None)

    def __str__(self) -> str:
        value = getattr(self, self.test)
        words = {
            "equals": "=",
            "is_in": "in",
            "at_most": "<=",
            "less_than": "<",
            "at_least": ">=",
            "more_than": ">",
        }
        if self.test == "is_null":
            return f"{self.column} is {'' if value else 'not '}empty"
        shown = ", ".join(str(v) for v in value) if self.test == "is_in" else value
        return f"{self.column} {words[self.test]} {shown}"


TESTS = ("equals", "is_in", "at_most", "less_than", "at_least", "more_than", "is_null")
NUMERIC_TESTS = ("at_most", "less_than", "at_least", "more_than")


class RecordSource(Strict):
    """A table of records: files (DuckDB, Spark) or a database table (PostgreSQL)."""

    files: tuple[str, ...] = ()
    table: str | None = Field(default=None, min_length=1, max_length=200)
    unit: str = Field(min_length=1, max_length=200)
    timestamp: str = Field(min_length=1, max_length=200)
    sql: str | None = Field(default=None, min_length=1)


class RecordMeasure(Strict):
    """Which records one measure counts: ``where`` for all of them, ``numerator`` for the part."""

    measure: str = Field(pattern=CODE_PATTERN, max_length=64)
    source: str = Field(min_length=1, max_length=200)
    where: tuple[Condition, ...] = ()
    numerator: tuple[Condition, ...] = ()


class RecordsModel(Strict):
    """A record-sources file: the framework, the sources and the record-level measures."""

    framework: str = Field(min_length=1)
    sources: dict[str, RecordSource] = Field(min_length=1)
    measures: tuple[RecordMeasure, ...] = Field(min_length=1)


@dataclass(frozen=True)
class RecordSources:
    """A validated record-sources file with its framework; paths are resolved from its folder."""

    path: Path
    model: RecordsModel
    framework: Framework
    sha256: str

    def files(self, name: str) -> list[Path]:
        """Return the files of source ``name`` as paths."""
        return [self.path.parent / file for file in self.model.sources[name].files]


def load_record_sources(path: Path) -> RecordSources:
    """Read and check a record-sources file and its framework; raise ``FrameworkError``."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise FrameworkError([Problem(name, 0, "", f"cannot be read: {error.strerror}")]) from None
    try:
        located = load_located(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FrameworkError([Problem(name, 0, "", "is not UTF-8 text")]) from None
    except YamlError as error:
        raise FrameworkError([Problem(name, error.line, "", error.message)]) from None
    if not isinstance(located.data, dict):
        message = "expected a mapping with framework, sources and measures"
        raise FrameworkError([Problem(name, 1, "", message)])
    try:
        model = RecordsModel.model_validate(located.data)
    except ValidationError as error:
        raise FrameworkError(validation_problems(error, located, name)) from None
    framework = read_framework_file(path.parent / model.framework)
    problems = [
        Problem(name, located.line_of(where), ".".join(str(p) for p in where), message)
        for where, message in _references(model, framework)
    ]
    if problems:
        raise FrameworkError(problems)
    return RecordSources(path, model, framework, hashlib.sha256(raw).hexdigest())


def _references(
    model: RecordsModel, framework: Framework
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    measures = {measure.code: measure for measure in framework.measures}
    for name, source in model.sources.items():
        if not source.files and source.table is None:
            yield ("sources", name), "give files (CSV or Parquet) or a table (PostgreSQL)"
        suffixes = {Path(file).suffix.lower() for file in source.files}
        if suffixes - {".csv", ".parquet"} or len(suffixes) > 1:
            yield ("sources", name, "files"), "must all be .csv or all be .parquet files"
    seen: set[str] = set()
    for index, item in enumerate(model.measures):
        where: tuple[str | int, ...] = ("measures", index)
        measure = measures.get(item.measure)
        if item.source not in model.sources:
            allowed = ", ".join(sorted(model.sources))
            yield (*where, "source"), f"{item.source!r} is not one of {allowed}"
        if item.measure in seen:
            yield (*where, "measure"), f"{item.measure!r} is computed twice"
        seen.add(item.measure)
        if measure is None:
            yield (*where, "measure"), f"{item.measure!r} is not a measure of the framework"
            continue
        if measure.frequency not in KINDS:
            yield (
                (*where, "measure"),
                f"{item.measure} is reported by {measure.frequency.value}; records are counted "
                "by month, quarter, financial_quarter, financial_year or year",
            )
        if measure.denominator and not item.numerator:
            yield (*where, "numerator"), f"{item.measure} is a ratio: say which records count"
        if not measure.denominator and item.numerator:
            yield (
                (*where, "numerator"),
                f"{item.measure} has no denominator in the framework: it counts the records "
                "of where; leave numerator out",
            )


# ------------------------------------------------------------------------------------------
# Backends
# ------------------------------------------------------------------------------------------


def spark_session(master: str = "local[*]") -> Any:
    """Return a Spark session that reads timestamps as written (no zone) and has no web UI."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("pmf-records")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", TIME_ZONE)
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )


def connect(backend: Backend, *, database: str | None = None, spark: Any = None) -> BaseBackend:
    """Return an Ibis connection to ``backend``, its session set to UK time.

    ``database`` is a PostgreSQL URL (postgres); ``spark`` an existing session (spark).
    """
    import ibis

    if backend == "duckdb":
        con = ibis.duckdb.connect()
        con.raw_sql(f"SET TimeZone = '{TIME_ZONE}'")
        return con
    if backend == "postgres":
        if not database:
            raise RecordsError("the postgres backend needs a database URL (--database)")
        try:
            con = ibis.connect(database)
        except Exception as error:  # the driver raises its own kinds
            raise RecordsError(f"cannot connect to {safe_url(database)}: {error}") from None
        con.raw_sql(f"SET TIME ZONE '{TIME_ZONE}'")
        return con
    if backend == "spark":
        return ibis.pyspark.connect(spark if spark is not None else spark_session())
    raise RecordsError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")


def safe_url(url: str) -> str:
    """Return a database URL without its password, fit for messages and lineage.

    >>> safe_url("postgres://pmf:secret@db.example:5432/pmf")
    'postgres://pmf@db.example:5432/pmf'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


# ------------------------------------------------------------------------------------------
# Counting
# ------------------------------------------------------------------------------------------


@dataclass
class SourceLineage:
    """Where one source's records came from: files and digests, or a table, and how many."""

    name: str
    where: str
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, sha256)
    records: int = 0


@dataclass
class Computed:
    """Observations computed from records, and the lineage to keep with them."""

    observations: pl.DataFrame
    backend: str
    sources: list[SourceLineage]
    expressions: dict[str, str]  # measure code -> the SQL the backend ran
    records_file: Path
    records_sha256: str

    @property
    def sha256(self) -> str:
        """Return one digest of the record-sources file and every file read."""
        digest = hashlib.sha256(self.records_sha256.encode())
        for source in self.sources:
            for _, sha in source.files:
                digest.update(sha.encode())
        return digest.hexdigest()

    def lineage(self) -> str:
        """Return the lineage of the computation for an import batch, as text for people."""
        lines = [f"Computed from records on {self.backend} by {self.records_file.name}"]
        for source in self.sources:
            lines.append(f"{source.name}: {source.records:,} records from {source.where}")
            lines += [f"  {path} sha256 {sha}" for path, sha in source.files]
        for measure, sql in self.expressions.items():
            lines.append(f"{measure}:\n{sql}")
        return "\n".join(lines)


def compute(
    sources: RecordSources,
    backend: Backend = "duckdb",
    *,
    database: str | None = None,
    spark: Any = None,
    measures: Sequence[str] | None = None,
) -> Computed:
    """Count the records of each measure per unit and period, and return the observations.

    Raise ``RecordsError`` naming the file (or table), row and column of any bad record;
    nothing is computed then.
    """
    con = connect(backend, database=database, spark=spark)
    model = sources.model
    chosen = [m for m in model.measures if measures is None or m.measure in measures]
    unknown = set(measures or ()) - {m.measure for m in model.measures}
    if unknown:
        raise RecordsError(f"{sources.path}: no record-level measure {sorted(unknown)[0]!r}")
    tables: dict[str, ir.Table] = {}
    lineages: dict[str, SourceLineage] = {}
    for name in sorted({m.source for m in chosen}):
        conditions = [c for m in chosen if m.source == name for c in (*m.where, *m.numerator)]
        table, lineage = _open(sources, name, con, backend, database)
        tables[name] = _checked(table, lineage.where, sources, name, conditions, backend)
        lineages[name] = lineage
    frames = []
    expressions = {}
    for item in chosen:
        source = model.sources[item.source]
        measure = sources.framework.measure(item.measure)
        expression = _monthly_counts(tables[item.source], source, item)
        expressions[item.measure] = _sql(expression)
        monthly = _polars(expression)
        origin = lineages[item.source]
        text = f"records: {origin.where} ({backend})"
        frames.append(_observations(monthly, measure, text))
    for name, table in tables.items():
        lineages[name].records = int(_scalar(table.count()))
    observations = (
        pl.concat(frames)
        if frames
        else pl.DataFrame(schema=dict.fromkeys(OBSERVATION_COLUMNS, pl.String))
    )
    return Computed(
        observations.sort("measure", "unit", "period"),
        backend,
        list(lineages.values()),
        expressions,
        sources.path,
        sources.sha256,
    )


def _open(
    sources: RecordSources, name: str, con: BaseBackend, backend: Backend, database: str | None
) -> tuple[ir.Table, SourceLineage]:
    source = sources.model.sources[name]
    view = f"pmf_{name}"
    if backend == "postgres":
        if source.table is None:
            raise RecordsError(f"{sources.path}: source {name} names no table for postgres")
        try:
            table = con.table(source.table)
        except Exception:  # Ibis raises the driver's own kinds
            raise RecordsError(
                f"{safe_url(database or '')}: there is no table {source.table!r}"
            ) from None
        lineage = SourceLineage(name, f"table {source.table} in {safe_url(database or '')}")
    else:
        paths = sources.files(name)
        if not paths:
            raise RecordsError(f"{sources.path}: source {name} names no files for {backend}")
        files = []
        for path in paths:
            try:
                files.append((str(path), _sha256(path)))
            except OSError as error:
                raise RecordsError(f"{path}: cannot be read: {error.strerror}") from None
        shown = ", ".join(path.name for path in paths)
        lineage = SourceLineage(name, shown, files)
        table = _read_files(con, backend, paths, view, shown)
    if source.sql:
        # The file's own query, written in DuckDB's dialect, over the source by its name.
        con.create_view(name, table, overwrite=True)
        try:
            table = con.sql(source.sql, dialect="duckdb")
        except Exception as error:  # parse and bind errors of each engine
            raise RecordsError(f"{sources.path}: sources.{name}.sql: {error}") from None
        lineage.where += f" through the query {' '.join(source.sql.split())!r}"
    return table, lineage


def _read_files(
    con: BaseBackend, backend: Backend, paths: list[Path], view: str, shown: str
) -> Any:
    parquet = paths[0].suffix.lower() == ".parquet"
    names = [str(path) for path in paths]
    try:
        if backend == "spark":
            reader = con._session.read
            if parquet:
                frame = reader.parquet(*names)
            else:
                frame = reader.csv(names, header=True, inferSchema=True)
            frame.createOrReplaceTempView(view)
            return con.table(view)
        if parquet:
            return con.read_parquet(names, table_name=view)
        return con.read_csv(names, table_name=view)
    except Exception as error:  # each engine has its own read errors
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RecordsError(f"{shown}: cannot be read as a table: {first}") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(
    table: ir.Table,
    where: str,
    sources: RecordSources,
    name: str,
    conditions: list[Condition],
    backend: Backend,
) -> ir.Table:
    """Return the table with its timestamp and compared columns typed, or raise naming rows."""
    import ibis

    source = sources.model.sources[name]
    columns = list(table.columns)
    for column in [source.unit, source.timestamp, *(c.column for c in conditions)]:
        if column not in columns:
            raise RecordsError(
                f"{where}: there is no column {column!r}; the columns are {', '.join(columns)}"
            )
    original = table
    numbering = _row_numbers(sources, name, backend)

    def refuse(column: str, reason: str, bad: Any) -> None:
        _refuse(original, numbering, column, bad, where, reason)

    ts = source.timestamp
    kind = original[ts].type()
    refuse(ts, "is empty; every record needs a date and time", lambda t: t[ts].isnull())
    if kind.is_string():
        _no_text(where, ts, "timestamp", backend)
        refuse(
            ts,
            "is not a date and time",
            lambda t: t[ts].try_cast("timestamp").isnull() & t[ts].notnull(),
        )
        table = table.mutate(**{ts: table[ts].try_cast("timestamp")})
    elif kind.is_date():
        table = table.mutate(**{ts: table[ts].cast("timestamp")})
    elif kind.is_timestamp():
        if kind.timezone is not None:
            # A zoned instant becomes UK local time: the session's time zone is UK time.
            table = table.mutate(**{ts: table[ts].cast(ibis.dtype("timestamp"))})
    else:
        raise RecordsError(f"{where}: column {ts!r} holds {kind}, not dates and times")
    for condition in conditions:
        column = condition.column
        kind = original[column].type()
        if condition.test in NUMERIC_TESTS and not kind.is_numeric():
            if not kind.is_string():
                raise RecordsError(
                    f"{where}: column {column!r} holds {kind}; {condition.test} needs numbers"
                )
            _no_text(where, column, "numeric", backend)
            refuse(
                column,
                "is not a number",
                lambda t, c=column: t[c].try_cast("float64").isnull() & t[c].notnull(),
            )
            table = table.mutate(**{column: table[column].try_cast("float64")})
    unit = source.unit
    refuse(unit, "is empty; every record needs a unit", lambda t: t[unit].isnull())
    codes = [u.code for u in sources.framework.units]
    refuse(
        unit,
        f"is not a unit code of {sources.framework.organisation.code}",
        lambda t: t[unit].notnull() & ~t[unit].cast("string").isin(codes),
    )
    return table


def _no_text(where: str, column: str, wanted: str, backend: Backend) -> None:
    # PostgreSQL has no TRY_CAST: a database table must hold the column with its own type.
    if backend == "postgres":
        raise RecordsError(
            f"{where}: column {column!r} holds text; give it the type {wanted} in the database"
        )


def _row_numbers(sources: RecordSources, name: str, backend: Backend) -> tuple[int, str] | None:
    """Return how rows are numbered in messages: CSV rows as a spreadsheet shows them."""
    source = sources.model.sources[name]
    if backend != "duckdb" or not source.files or source.sql:
        return None
    if Path(source.files[0]).suffix.lower() == ".csv":
        return (2, "row")
    return (1, "record")


def _refuse(
    table: ir.Table,
    numbering: tuple[int, str] | None,
    column: str,
    bad: Any,
    where: str,
    reason: str,
) -> None:
    """Raise naming the first bad records when ``bad(table)`` holds for any; count first."""
    import ibis

    count = int(_scalar(table.filter(bad(table)).count()))
    if not count:
        return
    if numbering is not None:
        # DuckDB reads one file in order: the row number is the record's place in it.
        first, word = numbering
        numbered = table.mutate(__row=ibis.row_number() + first)
        shown = numbered.filter(bad(numbered))[["__row", column]].order_by("__row")
        found = _polars(shown.limit(SHOWN_PROBLEMS)).rows()
        lines = [
            f"  {word} {row}, column {column!r}, value {_show(v)}: {reason}" for row, v in found
        ]
    else:
        values = _polars(table.filter(bad(table))[[column]].distinct().limit(SHOWN_PROBLEMS))
        lines = [
            f"  column {column!r}, value {_show(v)}: {reason}" for v in values.to_series().to_list()
        ]
    more = f" (the first {len(lines)} shown)" if count > len(lines) else ""
    raise RecordsError(
        f"{where}: {count:,} bad record{'s' if count != 1 else ''}{more}; nothing was computed.\n"
        + "\n".join(lines)
    )


def _show(value: object) -> str:
    return "(empty)" if value is None else repr(str(value))


def _test(table: ir.Table, condition: Condition) -> Any:
    value = table[condition.column]
    wanted = getattr(condition, condition.test)
    if condition.test == "is_null":
        return value.isnull() if wanted else value.notnull()
    if condition.test in ("equals", "is_in"):
        values = list(wanted) if condition.test == "is_in" else [wanted]
        if value.type().is_string():
            values = [str(v) for v in values]
        return value.isin(values)
    compare = {
        "at_most": operator.le,
        "less_than": operator.lt,
        "at_least": operator.ge,
        "more_than": operator.gt,
    }[condition.test]
    return compare(value, wanted)


def _all(table: ir.Table, conditions: Sequence[Condition]) -> Any:
    import ibis

    # A test on an empty cell is unknown in SQL; unknown counts as not passing.
    tests = [_test(table, condition).fill_null(False) for condition in conditions]
    if not tests:
        return ibis.literal(True)
    return functools.reduce(operator.and_, tests)


def _monthly_counts(table: ir.Table, source: RecordSource, item: RecordMeasure) -> ir.Table:
    """Return the Ibis expression: records and numerator records per unit, year and month."""
    import ibis

    chosen = table.filter(_all(table, item.where))
    at = chosen[source.timestamp]
    counted = chosen.select(
        unit=chosen[source.unit].cast("string"),
        year=at.year().cast("int32"),
        month=at.month().cast("int32"),
        passed=ibis.ifelse(_all(chosen, item.numerator), 1, 0),
    )
    return (
        counted.group_by("unit", "year", "month")
        .agg(records=counted.count().cast("int64"), passed=counted.passed.sum().cast("int64"))
        .order_by("unit", "year", "month")
    )


def _sql(expression: Any) -> str:
    import ibis

    try:
        return str(ibis.to_sql(expression))
    except Exception:  # a backend without a SQL compiler of its own
        return repr(expression)


def _polars(expression: Any) -> pl.DataFrame:
    # From an Arrow table Polars makes a DataFrame; its annotation also allows a Series.
    return pl.from_arrow(expression.to_pyarrow())  # type: ignore[return-value]


def _scalar(expression: Any) -> Any:
    return expression.execute()


def period_of(kind: PeriodKind, year: int, month: int) -> str:
    """Return the code of the period of ``kind`` that holds the month.

    >>> period_of(PeriodKind.FINANCIAL_YEAR, 2024, 3), period_of(PeriodKind.QUARTER, 2024, 4)
    ('2023/24', '2024 Q2')
    """
    if kind is PeriodKind.MONTH:
        return periods.month(year, month).code
    if kind is PeriodKind.QUARTER:
        return periods.quarter(year, (month - 1) // 3 + 1).code
    start = year if month >= 4 else year - 1
    if kind is PeriodKind.FINANCIAL_YEAR:
        return periods.financial_year(start).code
    if kind is PeriodKind.FINANCIAL_QUARTER:
        return periods.financial_quarter(start, (month - 4) % 12 // 3 + 1).code
    if kind is PeriodKind.YEAR:
        return periods.year(year).code
    raise RecordsError(f"records are not counted by {kind.value}")


def _observations(monthly: pl.DataFrame, measure: Any, source: str) -> pl.DataFrame:
    """Gather monthly counts into the measure's periods and compute each value."""
    pairs = monthly.select("year", "month").unique()
    codes = pairs.with_columns(
        pl.Series(
            "period",
            [period_of(measure.frequency, y, m) for y, m in pairs.iter_rows()],
            dtype=pl.String,
        )
    )
    counted = (
        monthly.join(codes, on=["year", "month"])
        .group_by("unit", "period")
        .agg(pl.col("records").sum(), pl.col("passed").sum())
    )
    if measure.denominator:
        # Whole-number counts, divided once here: every backend gives the same float.
        value = pl.col("passed") / pl.col("records") * measure.multiplier
        numerator = pl.col("passed").cast(pl.Float64)
        denominator = pl.col("records").cast(pl.Float64)
    else:
        value = pl.col("records").cast(pl.Float64)
        numerator = denominator = pl.lit(None, dtype=pl.Float64)
    return counted.select(
        "unit",
        pl.lit(measure.code).alias("measure"),
        "period",
        value.alias("value"),
        numerator.alias("numerator"),
        denominator.alias("denominator"),
        pl.lit(source).alias("source"),
    )
