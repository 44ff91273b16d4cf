"""Store checked observations as revisions, and read the figures held at any time.

Writing goes through ``store_observations`` only. It runs in one transaction:
either every row of a file is stored or none is. A figure that is already held
unchanged is skipped, a changed figure becomes a new revision and the old one
is marked superseded (never deleted or overwritten).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmf.core import plausibility
from pmf.core.assessment import assess, assessment_roots, units_read
from pmf.core.framework import Framework
from pmf.core.observations import OBSERVATION_SCHEMA
from pmf.core.periods import Period
from pmf.core.scorecard import Scorecard, build_scorecard
from pmf.core.text import plural
from pmf.sources.examples import Example
from pmf.web.audit.services import Conflict, Kind, record, record_observations
from pmf.web.cache import cached, data_version, record_changes
from pmf.web.frameworks.models import Measure, Organisation, Unit
from pmf.web.observations.models import ImportBatch, Observation

COMPARED = ("value", "numerator", "denominator", "status", "note")
_CHUNK = 900  # stays under SQLite's limit on the number of parameters in one statement
_JSON_CHUNK = 50_000
_COPY_CHUNK = 100_000  # rows of CSV text handed to COPY at a time
_PROGRESS_CHUNK = 10_000  # rows inserted between two progress reports
INSERTED = (
    "measure_id",
    "unit_id",
    "period",
    "value",
    "numerator",
    "denominator",
    "status",
    "source",
    "note",
    "revision",
    "warnings",
    "warnings_reason",
)


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: rows read, figures added, revised and already held."""

    rows: int
    added: int
    revised: int
    unchanged: int
    batch_id: int | None
    accepted: int = 0  # figures stored with plausibility warnings someone accepted
    calculated: int = 0  # figures of calculated measures stored (computed again) with them

    def __str__(self) -> str:
        if not self.added and not self.revised:
            return ngettext(
                "{count} row read; nothing changed: every figure was already held.",
                "{count} rows read; nothing changed: every figure was already held.",
                self.rows,
            ).format(count=f"{self.rows:,}")
        sentences = [
            ngettext(
                "{count} row read: {added} added, {revised} revised (earlier values kept), "
                "{unchanged} already held.",
                "{count} rows read: {added} added, {revised} revised (earlier values kept), "
                "{unchanged} already held.",
                self.rows,
            ).format(
                count=f"{self.rows:,}",
                added=f"{self.added:,}",
                revised=f"{self.revised:,}",
                unchanged=f"{self.unchanged:,}",
            )
        ]
        if self.accepted:
            sentences.append(
                ngettext(
                    "{count} figure stored with warnings accepted.",
                    "{count} figures stored with warnings accepted.",
                    self.accepted,
                ).format(count=f"{self.accepted:,}")
            )
        if self.calculated:
            sentences.append(
                ngettext(
                    "{count} calculated figure computed again from them.",
                    "{count} calculated figures computed again from them.",
                    self.calculated,
                ).format(count=f"{self.calculated:,}")
            )
        return " ".join(sentences)


class WarningsHeld(ValueError):
    """Raise when figures have plausibility warnings nobody accepted; nothing was stored.

    ``figures`` has unit, measure, period, value, row (the file's row, null where there is
    none) and warnings (one per line) for each figure held back.
    """

    def __init__(self, warned: pl.DataFrame, file_name: str = "") -> None:
        self.warned = warned
        self.file_name = file_name
        super().__init__(describe_warnings(warned, file_name))

    @property
    def problems(self) -> list[str]:
        """Return one line per warning: where the figure is, and what is unlikely about it."""
        return warning_lines(self.warned)


def warning_lines(warned: pl.DataFrame, limit: int | None = None) -> list[str]:
    """Return one line per warning of ``warned`` (as ``WarningsHeld.warned``)."""
    lines = []
    for row in warned.head(limit).iter_rows(named=True) if limit else warned.iter_rows(named=True):
        for text in row["warnings"].splitlines():
            values = {
                "row": row.get("row"),
                "unit": row["unit"],
                "measure": row["measure"],
                "period": row["period"],
                "warning": text,
            }
            lines.append(
                (
                    _("row {row}, {unit} {measure} {period}: {warning}")
                    if row.get("row") is not None
                    else _("{unit} {measure} {period}: {warning}")
                ).format(**values)
            )
    return lines


def describe_warnings(warned: pl.DataFrame, file_name: str = "", limit: int = 50) -> str:
    """Return a report of the figures held back by warnings, and how to accept them."""
    head = f"{file_name}: " if file_name else ""
    lines = [
        f"{head}{plural(warned.height, 'figure')} with plausibility warnings; nothing was "
        "stored. Check each against its source; if they are right, accept the warnings with a "
        "reason (--accept-warnings REASON on the command line, the tick and reason on the "
        "page, accept_warnings in the API)."
    ]
    shown = warning_lines(warned, limit)
    lines += [f"  {line}" for line in shown]
    if warned.height > limit:
        lines.append(f"  ... and more for {warned.height - limit} more figures")
    return "\n".join(lines)


def store_observations(
    organisation: Organisation,
    observations: pl.DataFrame,
    *,
    file_name: str,
    sha256: str,
    layout: str,
    source: str = "",
    user: User | AnonymousUser | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    expected: Mapping[tuple[str, str, str], int] | None = None,
    accept_warnings: str | None = None,
    check_warnings: bool = True,
    revise_unchanged: bool = False,
    calculate: bool = True,
) -> ImportSummary:
    """Store checked observations in one transaction and return what changed.

    Figures that would change are checked against the figures held for plausibility
    warnings (``pmf.core.plausibility.warnings``). When any has a warning and
    ``accept_warnings`` gives no reason, ``WarningsHeld`` is raised and nothing is stored;
    with a reason, each such figure is stored with its warnings and the reason, and the
    acceptance (who, the reason, how many figures) goes into the audit trail.
    ``check_warnings`` false skips the check, for figures pmf computes itself.

    Every changed figure is recorded in the audit trail in the same transaction.
    ``expected``, if given, maps (unit, measure, period) to the revision the person saw when
    they opened the form (0: none was held). The units' rows are locked first, so two people
    saving the same figure take turns; a figure that someone else revised meanwhile raises
    ``Conflict`` and nothing is stored. Figures not in ``expected`` are not checked.

    ``progress``, if given, is called as ``progress(done, total)`` with the rows dealt with so
    far (figures already held count as done at once) after each chunk of rows stored. It runs
    inside the transaction: record progress where other connections can see it (not in this
    database, whose writes nobody sees before the commit).

    Calculated measures that use any measure stored are computed again for the units and
    periods stored, in the same transaction (``pmf.web.observations.calculations``);
    ``calculate`` false leaves them, and ``revise_unchanged`` makes a figure held unchanged a
    new revision too: both for the calculation's own writes (a calculated figure whose inputs
    were revised is a new revision with new lineage, even at the same value).
    """
    now = now or timezone.now()
    units = dict(Unit.objects.filter(organisation=organisation).values_list("code", "id"))
    measures = dict(Measure.objects.filter(organisation=organisation).values_list("code", "id"))
    incoming = observations.with_columns(
        pl.col("unit").replace_strict(units, return_dtype=pl.Int64).alias("unit_id"),
        pl.col("measure").replace_strict(measures, return_dtype=pl.Int64).alias("measure_id"),
    )
    with transaction.atomic():
        if expected is not None:
            # Lock the units' rows (they exist even where no figure is held yet): a second
            # save of the same unit waits here, then reads what the first one stored.
            list(Unit.objects.select_for_update().filter(pk__in=set(units.values())))
        held = _held(sorted(set(incoming["measure_id"].to_list())))
        joined = incoming.join(
            held, on=["measure_id", "unit_id", "period"], how="left", suffix="_held"
        )
        is_new = pl.col("id_held").is_null()
        differs = pl.any_horizontal(
            pl.col(column).ne_missing(pl.col(f"{column}_held")) for column in COMPARED
        )
        if revise_unchanged:
            differs = pl.lit(True)
        new = joined.filter(is_new)
        revised = joined.filter(~is_new & differs)
        unchanged = joined.height - new.height - revised.height
        if expected is not None:
            _check_expected(organisation, pl.concat([new, revised]), expected)
        reason = (accept_warnings or "").strip()
        new, revised, warned = _warn(
            organisation, new, revised, held, units, measures, check_warnings, reason
        )
        if warned.height and not reason:
            raise WarningsHeld(warned, file_name)
        if not new.height and not revised.height:
            if progress is not None:
                progress(joined.height, joined.height)
            return ImportSummary(joined.height, 0, 0, unchanged, None)
        batch = ImportBatch.objects.create(
            organisation=organisation,
            file_name=file_name,
            sha256=sha256,
            layout=layout,
            source=source,
            rows=joined.height,
            added=new.height,
            revised=revised.height,
            unchanged=unchanged,
            recorded_at=now,
            recorded_by=user if user is not None and user.is_authenticated else None,
        )
        _supersede(revised["id_held"].to_list(), now)
        rows = pl.concat(
            [
                new.with_columns(pl.lit(1, dtype=pl.Int64).alias("revision")),
                revised.with_columns((pl.col("revision_held") + 1).alias("revision")),
            ],
            how="diagonal_relaxed",
        ).sort("measure_id", "unit_id", "period")
        action, what = _ACTIONS.get(layout, ("import", f"Imported from {file_name}"))
        if warned.height:
            _record_acceptance(organisation, warned, reason, file_name, user, now)
        record_observations(
            organisation,
            rows,
            action=action,
            what=what,
            batch_id=batch.pk,
            user=user,
            at=now,
        )
        if progress is None:
            _insert(rows, batch.pk, user, now, _JSON_CHUNK)
        else:
            progress(unchanged, joined.height)
            for start in range(0, rows.height, _PROGRESS_CHUNK):
                chunk = rows.slice(start, _PROGRESS_CHUNK)
                _insert(chunk, batch.pk, user, now, _PROGRESS_CHUNK)
                progress(unchanged + start + chunk.height, joined.height)
        # The pages that read these figures have a new data version from this commit on.
        record_changes(organisation, rows.select("unit_id", "measure_id").unique().iter_rows())
        calculated = _recalculate(organisation, rows, user=user, now=now) if calculate else 0
    return ImportSummary(
        joined.height, new.height, revised.height, unchanged, batch.pk, warned.height, calculated
    )


def _recalculate(
    organisation: Organisation,
    rows: pl.DataFrame,
    *,
    user: User | AnonymousUser | None,
    now: dt.datetime,
) -> int:
    """Compute again the calculated figures that use the figures just stored; return how many.

    Only the units and periods stored are computed; nothing is read when no formula uses
    the measures stored.
    """
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.calculations import recalculate

    framework = framework_of(organisation)
    formulas = framework.formulas()
    stored = set(rows["measure"].unique().to_list())
    if not formulas or not any(stored & set(f.inputs) for f in formulas.values()):
        return 0
    keys = (
        rows.filter(pl.col("measure").is_in([code for f in formulas.values() for code in f.inputs]))
        .select("unit", "period")
        .unique()
    )
    done = recalculate(
        organisation, changed=stored, keys=keys, user=user, now=now, framework=framework
    )
    return done.total


def _warn(
    organisation: Organisation,
    new: pl.DataFrame,
    revised: pl.DataFrame,
    held: pl.DataFrame,
    units: Mapping[str, int],
    measures: Mapping[str, int],
    check: bool,
    reason: str,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return the new and revised figures with their warnings and reason, and those warned.

    Only a figure whose value is new or changes is judged: a revision of its status or note
    alone keeps the warnings (and reason) its value was stored with.
    """
    from pmf.web.frameworks.services import framework_of

    same = pl.col("value").eq_missing(pl.col("value_held"))
    kept = revised.filter(same).with_columns(
        pl.col("warnings_held").fill_null("").alias("warnings"),
        pl.col("warnings_reason_held").fill_null("").alias("warnings_reason"),
    )
    revised = revised.filter(~same)
    columns = ("unit", "measure", "period", "value")
    changing = pl.concat([new.select(columns), revised.select(columns)], how="vertical_relaxed")
    found = (
        plausibility.warnings(
            changing, _held_codes(held, units, measures), framework_of(organisation)
        )
        if check and changing.height
        else pl.Series("warnings", [""] * changing.height, dtype=pl.String)
    )
    marked = [
        part.with_columns(
            found.slice(offset, part.height).alias("warnings"),
        ).with_columns(
            pl.when(pl.col("warnings") != "")
            .then(pl.lit(reason))
            .otherwise(pl.lit(""))
            .alias("warnings_reason")
        )
        for part, offset in ((new, 0), (revised, new.height))
    ]
    every = pl.concat(marked, how="diagonal_relaxed") if changing.height else marked[0]
    if "row" not in every.columns:
        every = every.with_columns(pl.lit(None, dtype=pl.Int64).alias("row"))
    warned = every.filter(pl.col("warnings") != "").select(
        "unit", "measure", "period", "value", pl.col("row").cast(pl.Int64), "warnings"
    )
    return marked[0], pl.concat([marked[1], kept], how="diagonal_relaxed"), warned


def _held_codes(
    held: pl.DataFrame, units: Mapping[str, int], measures: Mapping[str, int]
) -> pl.DataFrame:
    unit_codes = {pk: code for code, pk in units.items()}
    measure_codes = {pk: code for code, pk in measures.items()}
    return held.filter(pl.col("unit_id").is_in(list(unit_codes))).select(
        pl.col("unit_id").replace_strict(unit_codes, return_dtype=pl.String).alias("unit"),
        pl.col("measure_id").replace_strict(measure_codes, return_dtype=pl.String).alias("measure"),
        "period",
        pl.col("value_held").alias("value"),
    )


def _record_acceptance(
    organisation: Organisation,
    warned: pl.DataFrame,
    reason: str,
    file_name: str,
    user: User | AnonymousUser | None,
    now: dt.datetime,
) -> None:
    """Record who accepted the warnings of how many figures, and why, in the audit trail."""
    count = plural(warned.height, "figure")
    units = warned["unit"].unique().to_list()
    record(
        organisation,
        kind=Kind.OBSERVATION,
        action="accept warnings",
        label=f"Plausibility warnings accepted for {count} from {file_name}: {reason}",
        object_id=file_name,
        # The figures' unit when there is one, so members scoped to it see the event too.
        unit_code=units[0] if len(units) == 1 else "",
        after={
            "reason": reason,
            "figures": warned.height,
            "warnings": {
                f"{unit} {measure} {period}": text
                for unit, measure, period, text in warned.head(1000)
                .select("unit", "measure", "period", "warnings")
                .iter_rows()
            },
        },
        note=reason,
        user=user,
        at=now,
    )


def find_warnings(organisation: Organisation, observations: pl.DataFrame) -> pl.DataFrame:
    """Return the checked figures that would be held back by warnings, with their warnings.

    What ``store_observations`` would find, without storing anything: for a dry run or a
    preview. Columns as ``WarningsHeld.warned``.
    """
    units = dict(Unit.objects.filter(organisation=organisation).values_list("code", "id"))
    measures = dict(Measure.objects.filter(organisation=organisation).values_list("code", "id"))
    incoming = observations.with_columns(
        pl.col("unit").replace_strict(units, return_dtype=pl.Int64).alias("unit_id"),
        pl.col("measure").replace_strict(measures, return_dtype=pl.Int64).alias("measure_id"),
    )
    held = _held(sorted(set(incoming["measure_id"].to_list())))
    joined = incoming.join(held, on=["measure_id", "unit_id", "period"], how="left", suffix="_held")
    is_new = pl.col("id_held").is_null()
    differs = pl.any_horizontal(
        pl.col(column).ne_missing(pl.col(f"{column}_held")) for column in COMPARED
    )
    new = joined.filter(is_new)
    revised = joined.filter(~is_new & differs)
    return _warn(organisation, new, revised, held, units, measures, True, "")[2]


# The audit trail's action and wording for each way in; anything else is a file import.
_ACTIONS = {
    "form": ("enter", "Entered"),
    "api": ("api upsert", "Sent through the API"),
    "formula": ("calculate", "Calculated by formula"),
}


def _check_expected(
    organisation: Organisation,
    changing: pl.DataFrame,
    expected: Mapping[tuple[str, str, str], int],
) -> None:
    """Raise ``Conflict`` for the first changing figure revised since the person saw it."""
    for unit, measure, period, held_id, held_revision in changing.select(
        "unit", "measure", "period", "id_held", "revision_held"
    ).iter_rows():
        seen = expected.get((unit, measure, period))
        if seen is None or seen == (held_revision or 0):
            continue
        current = (
            Observation.objects.select_related("recorded_by", "measure", "batch")
            .filter(pk=held_id)
            .first()
        )
        what = _("The figure for {measure} in {unit} for {period}").format(
            measure=measure, unit=unit, period=period
        )
        if current is None:  # it was held when the person looked, and a revision is never lost
            raise Conflict(what, _("someone else"), None, _("no figure"))
        by = (
            current.recorded_by.get_username()
            if current.recorded_by is not None
            else (current.batch.source if current.batch is not None else _("an import"))
        )
        raise Conflict(
            what,
            by,
            current.recorded_at,
            _("{value} (revision {revision})").format(
                value=f"{current.value:g}", revision=current.revision
            ),
        )


def _held(measure_ids: Sequence[int]) -> pl.DataFrame:
    schema = {
        "id": pl.Int64,
        "measure_id": pl.Int64,
        "unit_id": pl.Int64,
        "period": pl.String,
        "value": pl.Float64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "status": pl.String,
        "note": pl.String,
        "revision": pl.Int64,
        "warnings": pl.String,
        "warnings_reason": pl.String,
    }
    table = Observation._meta.db_table
    kept = (*COMPARED, "id", "revision", "warnings", "warnings_reason")
    if connection.vendor == "postgresql":
        held = _copy_out(table, schema, list(measure_ids))
        return held.rename({column: f"{column}_held" for column in kept})
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(list(measure_ids), _CHUNK):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {', '.join(schema)} FROM {table} "  # noqa: S608 - names are ours
                f"WHERE superseded_at IS NULL AND measure_id IN ({marks})",
                chunk,
            )
            rows.extend(cursor.fetchall())
    held = pl.DataFrame(rows, schema=schema, orient="row")
    return held.rename({column: f"{column}_held" for column in kept})


def _copy_out(table: str, schema: Mapping[str, Any], measure_ids: list[int]) -> pl.DataFrame:
    """Return the current figures of ``measure_ids`` on PostgreSQL, read with ``COPY TO``.

    An import into a database that holds millions of figures compares with all of them.
    """
    # Every value is a literal integer from our own tables.
    ids = ", ".join(str(int(pk)) for pk in measure_ids) or "NULL"
    sql = (
        f"SELECT {', '.join(schema)} FROM {table} "  # noqa: S608 - names are ours
        f"WHERE superseded_at IS NULL AND measure_id IN ({ids})"
    )
    return _copied(sql, [], schema)


def _supersede(ids: list[int], now: dt.datetime) -> None:
    stamp = connection.ops.adapt_datetimefield_value(now)
    table = Observation._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement with the ids as one array, however many figures are revised.
            cursor.execute(
                f"UPDATE {table} SET superseded_at = %s WHERE id = ANY(%s)",  # noqa: S608
                [stamp, ids],
            )
            return
        for chunk in _chunks(ids, _CHUNK):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET superseded_at = %s WHERE id IN ({marks})",  # noqa: S608
                [stamp, *chunk],
            )


def _insert(
    rows: pl.DataFrame,
    batch_id: int,
    user: User | AnonymousUser | None,
    now: dt.datetime,
    chunk_rows: int,
) -> None:
    stamp = connection.ops.adapt_datetimefield_value(now)
    user_id = user.pk if user is not None and user.is_authenticated else None
    frame = rows.select(INSERTED)
    table = Observation._meta.db_table
    names = [*INSERTED, "recorded_at", "superseded_at", "recorded_by_id", "batch_id"]
    constant = [stamp, None, user_id, batch_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, rows, names, now, user_id, batch_id)
            return
        if connection.vendor == "sqlite":
            # Binding a million rows one by one from Python costs more than SQLite's own work:
            # hand it each chunk as one JSON array of rows and let json_each unpack it in C.
            # Each row is an array, not an object: json_extract finds "$[3]" at once, where
            # "$.value" is a search through the object's keys.
            selected = ", ".join(f"json_extract(j.value, '$[{i}]')" for i in range(len(INSERTED)))
            sql = (
                f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608 - names are ours
                f"SELECT {selected}, %s, %s, %s, %s FROM json_each(%s) AS j"
            )
            for start in range(0, frame.height, chunk_rows):
                cursor.execute(sql, [*constant, _json_rows(frame.slice(start, chunk_rows))])
            return
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608 - names are ours
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        values = [frame[column].to_list() for column in INSERTED]
        cursor.executemany(sql, [(*row, *constant) for row in zip(*values, strict=True)])


def _json_rows(frame: pl.DataFrame) -> str:
    """Return ``frame`` as the text of one JSON array holding an array of values per row."""

    def encoded(column: str) -> pl.Expr:
        # Polars writes the JSON value (escapes, floats that read back exactly, null): encode
        # {"k": value} and keep the value.
        text = pl.struct(pl.col(column).alias("k")).struct.json_encode()
        return text.str.slice(5, text.str.len_chars() - 6)

    if frame.is_empty():
        return "[]"
    joined = frame.select(
        pl.concat_str([encoded(column) for column in frame.columns], separator=",").str.join("],[")
    ).item()
    return f"[[{joined}]]"


def _copy(
    cursor: Any,
    rows: pl.DataFrame,
    names: Sequence[str],
    now: dt.datetime,
    user_id: int | None,
    batch_id: int,
) -> None:
    """Store ``rows`` on PostgreSQL with one ``COPY``, as CSV text written by Polars.

    ``COPY`` runs in the import's transaction: a row the table refuses (a foreign key, the
    one-current-figure constraint) fails the whole import, which then stores nothing.
    """
    frame = rows.select(
        *INSERTED,
        pl.lit(now.astimezone(dt.UTC).isoformat()).alias("recorded_at"),
        pl.lit(None, dtype=pl.String).alias("superseded_at"),
        pl.lit(user_id, dtype=pl.Int64).alias("recorded_by_id"),
        pl.lit(batch_id, dtype=pl.Int64).alias("batch_id"),
    )
    table = Observation._meta.db_table
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)"
    # In CSV an empty field is null and a quoted empty field ("") an empty string, which is
    # how Polars writes them; its floats are written so that they read back exactly.
    # Django's error wrapper turns the driver's errors into its own (IntegrityError, ...).
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for start in range(0, frame.height, _COPY_CHUNK):
            copy.write(frame.slice(start, _COPY_CHUNK).write_csv(include_header=False))


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def held_observations(
    organisation: Organisation,
    *,
    as_at: dt.datetime | None = None,
    units: Collection[str] | None = None,
    measures: Collection[str] | None = None,
) -> pl.DataFrame:
    """Return the figures held for an organisation, now or as they stood at ``as_at``.

    ``units`` and ``measures`` (codes) limit the figures read to those units and measures.
    Columns: unit, measure, period, value, numerator, denominator, status, revision.
    """
    observation = Observation._meta.db_table
    unit = Unit._meta.db_table
    measure = Measure._meta.db_table
    where = "o.superseded_at IS NULL"
    params: list[Any] = []
    if as_at is not None:
        stamp = connection.ops.adapt_datetimefield_value(as_at)
        where = "o.recorded_at <= %s AND (o.superseded_at IS NULL OR o.superseded_at > %s)"
        params = [stamp, stamp]
    where += " AND m.organisation_id = %s"
    params.append(organisation.pk)
    for column, codes in (("u.code", units), ("m.code", measures)):
        if codes is not None:
            chosen = sorted(set(codes)) or [""]
            where += f" AND {column} IN ({', '.join(['%s'] * len(chosen))})"
            params.extend(chosen)
    # Table names are ours; every value is a parameter.
    sql = (
        "SELECT u.code, m.code, o.period, "  # noqa: S608
        "o.value, o.numerator, o.denominator, o.status, o.revision "
        f"FROM {observation} o JOIN {unit} u ON u.id = o.unit_id "
        f"JOIN {measure} m ON m.id = o.measure_id WHERE {where}"
    )
    if connection.vendor == "postgresql":
        return _copied(sql, params, HELD_SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=HELD_SCHEMA, orient="row", strict=False)


HELD_SCHEMA: dict[str, type[pl.DataType]] = {
    **OBSERVATION_SCHEMA,
    "status": pl.String,
    "revision": pl.Int64,
}


def _copied(sql: str, params: list[Any], schema: Mapping[str, Any]) -> pl.DataFrame:
    """Return the rows of ``sql`` read by PostgreSQL's ``COPY ... TO STDOUT`` as CSV.

    One buffer of text parsed by Polars instead of a Python tuple per row: on the
    organisation's own connection, so that it sees what the transaction has written. A
    ``float8`` is written with the fewest digits that read back to the same number
    (PostgreSQL 12 and later), and in PostgreSQL's CSV a null is an empty field and an empty
    string is quoted (""), which Polars reads back the same way: every value is the one stored.
    """
    buffer = bytearray()
    # The raw psycopg cursor (Django's wrapper has no COPY); Django's error wrapper turns the
    # driver's errors into its own.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy,
    ):
        for block in copy:
            buffer += block
    if not buffer:
        return pl.DataFrame(schema=dict(schema))
    return pl.read_csv(
        bytes(buffer), has_header=False, new_columns=list(schema), schema=dict(schema)
    )


# Counts each assessment of figures the cached pages make, by the number of measures in it:
# tests and benchmarks read it to see what a write made pmf compute again.
ASSESSMENTS: dict[str, int] = {"whole": 0, "part": 0}


def assessed_by_measure(
    organisation: Organisation,
    framework: Framework,
    units: Sequence[str],
    cut: dt.date | None = None,
    previous_cut: dt.date | None = None,
) -> pl.DataFrame:
    """Return ``assess`` of the units' figures, assessing again only the measures written.

    Each measure's rows are kept under a version of that measure's figures in the units
    the assessment reads (``pmf.web.cache.measure_versions``): after a write to one
    measure only its rows are assessed again, from its figures alone. A row stands at its
    own period (``pmf.core.assessment``): a measure's rows do not depend on any other
    measure's figures, so the rows put together are those of one assessment of all.
    """
    from pmf.core.calculation import with_rollup_inputs
    from pmf.web.cache import cached_parts, measure_version, measure_versions

    wanted = units_read(framework, units)
    versions = measure_versions(organisation, assessment_roots(framework, units))
    every = [measure.code for measure in framework.measures]
    key = (tuple(units), cut, previous_cut)
    empty: list[pl.DataFrame] = []

    def compute(stale: list[str]) -> dict[str, pl.DataFrame]:
        chosen = None if len(stale) == len(every) else stale
        ASSESSMENTS["whole" if chosen is None else "part"] += 1
        # A rollup: formula measure's parents need its inputs' figures (pmf.core.calculation).
        read = None if chosen is None else with_rollup_inputs(framework, chosen)
        held = held_observations(organisation, units=wanted, measures=read)
        frame = assess(framework, held, units=list(units), cut=cut, previous_cut=previous_cut)
        if not frame.height:
            empty.append(frame)
        parts = frame.partition_by("measure", as_dict=True, maintain_order=True)
        return {code: parts.get((code,), frame.clear()) for code in stale}

    parts = cached_parts(
        {
            code: (measure_version(versions, code), "measure-assessment", (*key, code))
            for code in every
        },
        compute,
    )
    found = [parts[code] for code in every if parts[code].height]
    if not found:
        # No unit has a figure: the frame an assessment of nothing gives, columns and all.
        if empty:
            return empty[0]
        none = held_observations(organisation, units=[], measures=[])
        return assess(framework, none, units=list(units), cut=cut, previous_cut=previous_cut)
    try:
        together = pl.concat(found, how="vertical")
    except (pl.exceptions.SchemaError, pl.exceptions.ShapeError):
        # Parts assessed apart typed a column differently: assess them together instead.
        ASSESSMENTS["whole"] += 1
        held = held_observations(organisation, units=wanted)
        return assess(framework, held, units=list(units), cut=cut, previous_cut=previous_cut)
    if len(units) == 1:
        return together
    order = {code: index for index, code in enumerate(u.code for u in framework.units)}
    return (
        together.with_row_index("_row")
        .with_columns(pl.col("unit").replace_strict(order, default=len(order)).alias("_unit_order"))
        .sort("_unit_order", "_row")
        .drop("_unit_order", "_row")
    )


def revisions(
    organisation: Organisation, unit: str, measure: str, period: str
) -> list[Observation]:
    """Return every revision of one figure, oldest first, with who recorded it and from what."""
    return list(
        Observation.objects.filter(
            measure__organisation=organisation,
            unit__code=unit,
            measure__code=measure,
            period=period,
        )
        .select_related("batch", "recorded_by")
        .order_by("revision")
    )


def import_frame(
    organisation: Organisation,
    frame: pl.DataFrame,
    *,
    file_name: str,
    source: str,
    sha256: str | None = None,
    layout: str | None = None,
    lineage: str | None = None,
    accept_warnings: str | None = None,
    check_warnings: bool = True,
) -> ImportSummary:
    """Import a frame of figures built in code through the same checks as a user's file.

    ``sha256``, ``layout`` and ``lineage`` (the import batch's source) default to the
    frame's digest, the layout found and ``source``. Raise ``ValueError`` with the report
    when any row is bad, and ``WarningsHeld`` (a ``ValueError``) when figures have warnings
    and ``accept_warnings`` gives no reason; nothing is stored then.
    """
    from pmf.sources.importer import check_table, describe
    from pmf.sources.readers import ROW_NUMBER, Table
    from pmf.web.frameworks.services import framework_of

    text = frame.with_columns(pl.all().cast(pl.String)).with_row_index(ROW_NUMBER, offset=2)
    table = Table(file_name, list(frame.columns), text)
    result = check_table(table, framework_of(organisation), source=source)
    if not result.ok:
        raise ValueError(describe(result.problems, file_name))
    digest = sha256 or hashlib.sha256(frame.write_csv().encode("utf-8")).hexdigest()
    return store_observations(
        organisation,
        result.observations,
        file_name=file_name,
        sha256=digest,
        layout=layout or result.layout,
        source=lineage if lineage is not None else source,
        accept_warnings=accept_warnings,
        check_warnings=check_warnings,
    )


# The reason recorded when an example's figures are stored with plausibility warnings.
EXAMPLE_REASON = "example data"


def load_example(example: Example) -> ImportSummary:
    """Store an example's framework and import its observations (again: unchanged rows skip)."""
    from pmf.sources.frameworks import read_framework_file
    from pmf.web import examples
    from pmf.web.cycles.services import record_history
    from pmf.web.frameworks.services import store_framework

    framework = read_framework_file(example.framework_path)
    organisation = store_framework(framework, str(example.framework_path))
    summary = import_frame(
        organisation,
        examples.with_statuses(example, example.observations()),
        file_name=f"examples/{example.name}",
        source=framework.organisation.source,
        accept_warnings=EXAMPLE_REASON,
    )
    examples.prepare(example, organisation, summary.batch_id)
    record_history(organisation, example.cycles)
    examples.fill_registers(example, organisation)
    return summary


def scorecard_for(
    organisation: Organisation,
    *,
    unit: str | None = None,
    period: Period | None = None,
    previous: Period | None = None,
    areas: list[str] | None = None,
    kinds: list[str] | None = None,
    exceptions_only: bool = False,
    framework: Framework | None = None,
    observations: pl.DataFrame | None = None,
) -> Scorecard:
    """Assess one unit (default: the organisation's top unit) as at ``period`` (default: latest).

    ``framework`` and ``observations`` may be given by a caller that has read them already;
    otherwise only the figures the unit's assessment needs are read, and the assessment is
    kept in the cache until the next write. Raise ``LookupError`` naming what is unknown.
    """
    from pmf.web.frameworks.services import framework_of

    given = framework is not None or observations is not None
    framework = framework or framework_of(organisation)
    if unit is None:
        roots = framework.roots()
        if not roots:
            raise LookupError(f"{organisation.code} has no units")
        unit = roots[0].code
    codes = {u.code for u in framework.units}
    if unit not in codes:
        raise LookupError(f"no unit {unit!r} in {organisation.code}")
    for area in areas or []:
        if area not in {a.code for a in framework.areas}:
            allowed = ", ".join(a.code for a in framework.areas)
            raise LookupError(f"no area {area!r} in {organisation.code}; choose from {allowed}")
    cut = period.end if period is not None else None
    previous_cut = previous.end if previous is not None else None
    chosen = unit

    if given:
        # What a caller gives was read before any version, so an assessment of it is not kept.
        held = observations
        if held is None:
            held = held_observations(organisation, units=units_read(framework, [chosen]))
        assessment = assess(framework, held, units=[chosen], cut=cut, previous_cut=previous_cut)
    else:
        # The version first, then the framework and figures: what is read after it is at
        # least as new as it says. Only the unit, its peers, the national comparator and the
        # units below them count: a write anywhere else leaves the assessment as it is.
        version = data_version(organisation, lambda found: assessment_roots(found, [chosen]))
        framework = framework_of(organisation)
        current = framework
        # "unit-assessment": the frame gained columns (peer_period, future_period) in issue 14.
        key = (unit, cut, previous_cut)
        assessment = cached(
            version,
            "unit-assessment",
            key,
            lambda: assessed_by_measure(organisation, current, [chosen], cut, previous_cut),
        )
    from pmf.web.observations.marks import marks_for

    mine = assessment.filter(pl.col("unit") == unit)
    return build_scorecard(
        framework,
        assessment,
        unit,
        areas=areas,
        kinds=kinds,
        exceptions_only=exceptions_only,
        as_at=period.label if period is not None else None,
        previous=previous.label if previous is not None else None,
        # Only the periods the scorecard shows, of the unit and the units summed into it.
        marks=marks_for(
            organisation,
            framework,
            units=[unit, *(below.code for below in framework.descendants(unit))],
            periods=set(mine["period"].to_list()),
        ),
    )
