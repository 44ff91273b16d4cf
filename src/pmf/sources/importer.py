"""Check a table of figures against a framework, all rows at once.

The checking is pure: a table and a framework go in, and either clean
observations or every problem (row, column, value, reason) come out. Storing
them is ``pmf.web.observations.services.store_observations``, which takes the
clean frame in one transaction. Work is done on whole columns with Polars; the
only per-value Python is parsing each distinct period text once.

Two layouts are accepted:

- long: one row per figure, columns unit, measure, period, value and optionally
  numerator, denominator, status, note, source;
- wide: one row per unit and measure and one column per period, as in the
  London Datastore's crime files (``201004``, ``201005`` ...).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from pmf.core import plausibility
from pmf.core.framework import Framework, Status
from pmf.core.i18n import gettext as _
from pmf.core.periods import ParseError, Period, PeriodKind, parse_period
from pmf.core.text import plural
from pmf.sources.readers import ROW_NUMBER, Table
from pmf.sources.roles import ROLES
from pmf.sources.standardise import standardise_age_bands

# Every spelling of a status the import reads (after lower-casing): "Signed off" is signed_off.
STATUS_SPELLINGS: dict[str, str] = {
    **{status.value: status.value for status in Status},
    "signed off": Status.SIGNED_OFF.value,
    "signed-off": Status.SIGNED_OFF.value,
}


def status_code(text: str | None) -> str | None:
    """Return the status ``text`` means, read as the import reads it, or None if it means none.

    Every path that checks a status (the import, the entry form, the API) reads it here, so
    that no spelling the import stores slips past a check made on another spelling.

    >>> status_code(" Signed Off "), status_code("SIGNED_OFF"), status_code("done")
    ('signed_off', 'signed_off', None)
    """
    return STATUS_SPELLINGS.get((text or "").strip().lower())


REQUIRED_LONG = ("unit", "measure", "period", "value")
# Column names read as the period when no column is named period (daily and weekly files).
PERIOD_ALIASES = ("date", "day", "week")
REQUIRED_WIDE = ("unit", "measure")
MAX_PROBLEMS = 10_000

# A number as people type it: 1234, -1.5, 1,234.5, 1e3. Thousands commas are removed first.
_THOUSANDS = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"
# Far beyond any figure of a public service (a budget in pence is 10^13), far below where
# sums and squares of figures overflow: numbers larger than this are typing slips.
MAX_MAGNITUDE = 1e15
# Notes and sources are a sentence or a paragraph, not a document.
MAX_TEXT_CHARS = 2_000
# Problems show at most this much of a value: enough to find it, not a whole pasted page.
SHOWN_CHARS = 200
# Characters refused in notes and sources: control characters other than tab and line feed,
# and the bidirectional overrides and isolates that make text show in an order other than
# the one stored (CVE-2021-42574, "Trojan Source").
_FORBIDDEN = [
    *range(0x00, 0x09),
    *range(0x0B, 0x20),
    *range(0x7F, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_FORBIDDEN_PATTERN = "[" + "".join(f"\\x{{{code:x}}}" for code in _FORBIDDEN) + "]"
_FORBIDDEN_NAMES = {chr(code): f"U+{code:04X}" for code in _FORBIDDEN}
FREE_TEXT = ("note", "source")


@dataclass(frozen=True)
class Problem:
    """One bad cell or row."""

    row: int
    column: str
    value: str | None
    reason: str

    def __str__(self) -> str:
        shown = _("(empty)") if self.value is None else repr(self.value)
        if self.row:
            text = _("row {row}, column {column}, value {value}: {reason}")
        else:
            text = _("file, column {column}, value {value}: {reason}")
        return text.format(row=self.row, column=repr(self.column), value=shown, reason=self.reason)


def _format(template: str, **values: pl.Expr) -> pl.Expr:
    """Fill ``template``'s named placeholders row by row with ``values``, as ``pl.format`` does.

    The template is a translated message, so its placeholders may come in any order.
    """
    parts = re.split(r"\{(\w+)\}", template)
    pieces = [
        values[part].cast(pl.String) if index % 2 else pl.lit(part)
        for index, part in enumerate(parts)
        if index % 2 or part
    ]
    return pl.concat_str(pieces)


@dataclass
class CheckResult:
    """Clean observations, or the problems that stop the whole file."""

    file: str
    layout: str
    observations: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when nothing is wrong and the observations may be stored."""
        return not self.problems


class MappingError(ValueError):
    """Raise when the columns of a file do not match what the import needs."""


def check_table(
    table: Table,
    framework: Framework,
    *,
    mapping: Mapping[str, str] | None = None,
    layout: str = "auto",
    source: str = "",
    ignore: tuple[str, ...] = (),
    today: dt.date | None = None,
) -> CheckResult:
    """Check every row of ``table`` against ``framework`` and return clean observations.

    ``mapping`` maps a role (unit, measure, period, value, ...) to a column of the
    file; columns named like a role need no mapping. The returned frame has the
    columns unit, measure, period, period_start, period_end, value, numerator,
    denominator, status, note, source and row. Figures that break their measure's
    plausibility rules (``pmf.core.plausibility``) are problems; ``today`` (by default the
    date today) is the last day a figure of a measure that is not a forecast may be about.
    """
    columns = _resolve_columns(table, mapping or {}, ignore)
    period_columns = [c for c in table.columns if c not in columns.values() and c not in ignore]
    chosen = _layout(layout, columns, period_columns, table.file)
    if chosen == "wide":
        frame = _unpivot(table, columns, period_columns)
    else:
        unexpected = period_columns
        if unexpected:
            raise MappingError(
                _(
                    "{file}: row 1: unexpected column {column}; expected {required} and "
                    "optionally numerator, denominator, status, note, source. Map it with --map "
                    "ROLE=COLUMN or leave it out with --ignore COLUMN"
                ).format(
                    file=table.file,
                    column=repr(unexpected[0]),
                    required=", ".join(REQUIRED_LONG),
                )
            )
        frame = table.frame.select(
            pl.col(ROW_NUMBER).alias("row"),
            *[pl.col(column).alias(role) for role, column in columns.items()],
        )
    for role in ROLES:
        if role not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(role))
    if "age_band" in columns:
        # Rows by age band become one standardised figure each (pmf.sources.standardise).
        if chosen == "wide":
            raise MappingError(
                _("{file}: row 1: figures by age band need the long layout").format(file=table.file)
            )
        frame, found = standardise_age_bands(
            frame, framework, {role: columns.get(role, role) for role in ROLES}
        )
        if found:
            problems = [Problem(row, column, value, reason) for row, column, value, reason in found]
            return CheckResult(table.file, chosen, frame.clear(), sorted(problems, key=_place))
    names = {role: pl.lit(columns.get(role, role)) for role in ROLES}
    if chosen == "wide":
        # In a wide file the period and its value sit in the column headed by the period.
        names["period"] = names["value"] = pl.col("period")
    return _check(
        frame,
        framework,
        table.file,
        chosen,
        names,
        today or dt.date.today(),
        source,
        decimal_comma=table.delimiter == ";",
    )


def _resolve_columns(
    table: Table, mapping: Mapping[str, str], ignore: tuple[str, ...]
) -> dict[str, str]:
    for role, column in mapping.items():
        if role not in ROLES:
            raise MappingError(f"--map {role}={column}: {role!r} is not one of {', '.join(ROLES)}")
        if column not in table.columns:
            raise MappingError(
                _(
                    "{file}: row 1: there is no column {column} to map to {role}; the columns "
                    "are {columns}"
                ).format(
                    file=table.file,
                    column=repr(column),
                    role=role,
                    columns=", ".join(table.columns),
                )
            )
    for column in ignore:
        if column not in table.columns:
            raise MappingError(
                _("{file}: row 1: there is no column {column} to ignore").format(
                    file=table.file, column=repr(column)
                )
            )
    by_lower = {column.lower(): column for column in table.columns}
    columns = dict(mapping)
    for role in ROLES:
        # A column named like a role holds it, unless it is left out or mapped to another role.
        named = by_lower.get(role)
        if role not in columns and named and named not in ignore and named not in mapping.values():
            columns[role] = named
    if "period" not in columns:
        # A daily or weekly file dates its figures: a date (or week, or day) column holds the
        # period, read as the measure's frequency says.
        for alias in PERIOD_ALIASES:
            named = by_lower.get(alias)
            if named and named not in ignore and named not in columns.values():
                columns["period"] = named
                break
    return columns


def _layout(layout: str, columns: dict[str, str], others: list[str], file: str) -> str:
    if layout not in ("auto", "long", "wide"):
        raise MappingError(f"layout {layout!r} is not one of auto, long, wide")
    if layout == "auto":
        layout = "long" if "period" in columns or "value" in columns else "wide"
    required = REQUIRED_LONG if layout == "long" else REQUIRED_WIDE
    missing = [role for role in required if role not in columns]
    if layout == "long" and "value" in missing and {"numerator", "denominator"} <= columns.keys():
        missing.remove("value")
    if missing:
        raise MappingError(
            _(
                "{file}: row 1: no {role} column; the columns are {columns}. Name it {role} or "
                "map it with --map {role}=COLUMN"
            ).format(file=file, role=missing[0], columns=", ".join([*columns.values(), *others]))
        )
    if layout == "wide":
        not_periods = []
        for column in others:
            try:
                parse_period(column)
            except ParseError:
                not_periods.append(column)
        if not_periods:
            raise MappingError(
                _(
                    "{file}: row 1: column {column} is neither mapped nor a period; in a wide file "
                    "every column other than unit and measure must be a period such as 201907 or "
                    "2019-07. Leave it out with --ignore COLUMN"
                ).format(file=file, column=repr(not_periods[0]))
            )
        if not others:
            raise MappingError(
                _("{file}: row 1: a wide file needs at least one period column").format(file=file)
            )
        _same_periods(others, file)
    return layout


def _same_periods(columns: list[str], file: str) -> None:
    """Refuse period columns that name one period twice, as ``202512`` and ``2025-12`` do."""
    by_period: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for column in columns:
        period = parse_period(column)
        by_period.setdefault(period.code, []).append(column)
        labels[period.code] = period.label
    repeated = [
        _(
            "{file}: row 1: columns {columns} both name {period}; keep one, or leave the others "
            "out with --ignore COLUMN"
        ).format(
            file=file,
            columns=_(" and ").join(repr(c) for c in same),
            period=labels[code],
        )
        for code, same in by_period.items()
        if len(same) > 1
    ]
    if repeated:
        raise MappingError("\n".join(repeated))


def _unpivot(table: Table, columns: dict[str, str], period_columns: list[str]) -> pl.DataFrame:
    ids = [pl.col(ROW_NUMBER).alias("row")] + [
        pl.col(column).alias(role) for role, column in columns.items()
    ]
    wide = table.frame.select(*ids, *[pl.col(column) for column in period_columns])
    long = wide.unpivot(
        index=["row", *columns.keys()],
        on=period_columns,
        variable_name="period",
        value_name="value",
    )
    # An empty cell in a wide file means "no figure for that period", not an error.
    return long.filter(pl.col("value").is_not_null())


def _check(
    frame: pl.DataFrame,
    framework: Framework,
    file: str,
    layout: str,
    names: dict[str, pl.Expr],
    today: dt.date,
    source: str = "",
    *,
    decimal_comma: bool = False,
) -> CheckResult:
    problems: list[pl.DataFrame] = []
    # Each cell's place in the file, first to last: a wide row holds one figure per column.
    frame = frame.with_row_index("cell")

    def flag(condition: pl.Expr, role: str, reason: pl.Expr | str) -> None:
        bad = frame.filter(condition)
        if bad.height:
            value = pl.col(role).cast(pl.String)
            problems.append(
                bad.select(
                    pl.col("row").cast(pl.Int64),
                    names[role].cast(pl.String).alias("column"),
                    pl.when(value.str.len_chars() > SHOWN_CHARS)
                    .then(value.str.slice(0, SHOWN_CHARS) + "…")
                    .otherwise(value)
                    .alias("value"),
                    (pl.lit(reason) if isinstance(reason, str) else reason).alias("reason"),
                )
            )

    unit_codes = _lookup(
        [(unit.code, unit.code) for unit in framework.units]
        + [(unit.name, unit.code) for unit in framework.units]
        # The English names too, when the framework is shown in Welsh (``name_cy``).
        + [(unit.english_name, unit.code) for unit in framework.units]
    )
    measure_codes = _lookup(
        [(measure.code, measure.code) for measure in framework.measures]
        + [(measure.name, measure.code) for measure in framework.measures]
        + [(measure.english_name, measure.code) for measure in framework.measures]
    )
    organisation = framework.organisation.code
    frame = _join_code(frame, "unit", unit_codes)
    frame = _join_code(frame, "measure", measure_codes)
    for role in ("unit", "measure", "period"):
        flag(pl.col(role).is_null(), role, _("is empty"))
    flag(
        pl.col("unit").is_not_null() & pl.col("unit_code").is_null(),
        "unit",
        _("is not a unit of {organisation} (by code or name)").format(organisation=organisation),
    )
    flag(
        pl.col("measure").is_not_null() & pl.col("measure_code").is_null(),
        "measure",
        _("is not a measure of {organisation} (by code or name)").format(organisation=organisation),
    )
    calculated = {m.code: m.formula for m in framework.measures if m.formula is not None}
    if calculated:
        # A calculated measure's figures are pmf's to compute (and revise) from its inputs.
        flag(
            pl.col("measure_code").is_in(list(calculated)),
            "measure",
            _format(
                _(
                    "is calculated by its formula ({formula}); pmf computes its figures from its "
                    "inputs' figures: give those instead"
                ),
                formula=pl.col("measure_code").replace_strict(calculated, default=""),
            ),
        )

    frame = _join_periods(frame, framework)
    flag(pl.col("period_problem").is_not_null(), "period", pl.col("period_problem"))

    frame = frame.with_columns(
        *(_number(role, decimal_comma) for role in ("value", "numerator", "denominator"))
    )
    for role in ("value", "numerator", "denominator"):
        if decimal_comma:
            flag(
                pl.col(role).str.contains(",", literal=True),
                role,
                _(
                    "has a comma; in a file with ';' between fields a comma may be a decimal "
                    "point or a thousands separator: write 1.5 or 1500, with no comma"
                ),
            )
        flag(
            pl.col(role).is_not_null()
            & pl.col(f"{role}_number").is_null()
            & ~(pl.lit(decimal_comma) & pl.col(role).str.contains(",", literal=True)),
            role,
            _("is not a number"),
        )
        flag(
            pl.col(f"{role}_number").is_infinite() | pl.col(f"{role}_number").is_nan(),
            role,
            _("is not a finite number; give a number such as 12.5"),
        )
        flag(
            pl.col(f"{role}_number").is_finite() & (pl.col(f"{role}_number").abs() > MAX_MAGNITUDE),
            role,
            _("is too large; pmf takes numbers up to {limit} either side of zero").format(
                limit=f"{MAX_MAGNITUDE:,.0f}"
            ),
        )
    flag(
        pl.col("denominator_number") == 0,
        "denominator",
        _("is zero; a ratio needs a denominator"),
    )
    flag(pl.col("denominator_number") < 0, "denominator", _("is negative"))
    frame = frame.join(
        pl.DataFrame(
            {
                "measure_code": [m.code for m in framework.measures],
                "multiplier": [m.multiplier for m in framework.measures],
            },
            schema={"measure_code": pl.String, "multiplier": pl.Float64},
        ),
        on="measure_code",
        how="left",
    )
    computed = pl.col("numerator_number") / pl.col("denominator_number") * pl.col("multiplier")
    frame = frame.with_columns(
        pl.when(pl.col("value").is_null() & (pl.col("denominator_number") != 0))
        .then(computed)
        .otherwise(pl.col("value_number"))
        .alias("value_number")
    )
    flag(
        pl.col("value").is_null()
        & ~(pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()),
        "value",
        _("is empty; give a value, or a numerator and a denominator"),
    )
    # Two sound numbers can still make a value that is not one: 1 / 1e-300 is beyond any figure
    # (and 1e308 / 1e-308 overflows to infinity, which no database column stores).
    sound = pl.col("numerator_number").abs().le(MAX_MAGNITUDE) & pl.col(
        "denominator_number"
    ).abs().le(MAX_MAGNITUDE)
    flag(
        pl.col("value").is_null()
        & sound
        & (pl.col("denominator_number") > 0)
        & ~pl.col("value_number").abs().le(MAX_MAGNITUDE),
        "numerator",
        _format(
            _(
                "divided by the denominator ({denominator}) and multiplied by {multiplier} gives "
                "a value too large to store (more than {limit}); check the numerator and the "
                "denominator"
            ),
            denominator=pl.col("denominator"),
            multiplier=pl.col("multiplier").map_batches(_thousands, return_dtype=pl.String),
            limit=pl.lit(f"{MAX_MAGNITUDE:,.0f}"),
        ),
    )
    # A value that disagrees with its own numerator and denominator is a typing slip.
    mismatch = (
        pl.col("value").is_not_null()
        & pl.col("numerator_number").is_not_null()
        & pl.col("denominator_number").is_not_null()
        & (pl.col("denominator_number") != 0)
        & ((pl.col("value_number") - computed).abs() > 1e-6 * (1 + computed.abs()) + 0.005)
    )
    flag(
        mismatch,
        "value",
        _format(
            _("does not equal numerator / denominator × multiplier ({computed})"),
            computed=computed.round(4).cast(pl.String),
        ),
    )

    for role in FREE_TEXT:
        text = pl.col(role)
        flag(
            text.str.len_chars() > MAX_TEXT_CHARS,
            role,
            _format(
                _("is {length} characters long; a {field} may have at most {limit} characters"),
                length=text.str.len_chars().map_batches(_thousands, return_dtype=pl.String),
                field=pl.lit(role),
                limit=pl.lit(f"{MAX_TEXT_CHARS:,}"),
            ),
        )
        flag(
            text.str.contains(_FORBIDDEN_PATTERN),
            role,
            _format(
                _(
                    "holds the control character {character}; a {field} may not hold control or "
                    "text-direction characters, which can make text show in an order other than "
                    "the one stored: remove it"
                ),
                character=text.str.extract(f"({_FORBIDDEN_PATTERN})").replace_strict(
                    _FORBIDDEN_NAMES, default="?", return_dtype=pl.String
                ),
                field=pl.lit(role),
            ),
        )

    frame = frame.with_columns(
        pl.col("status")
        .str.to_lowercase()
        .replace_strict(STATUS_SPELLINGS, default=None, return_dtype=pl.String)
        .alias("status_code")
    )
    flag(
        pl.col("status").is_not_null() & pl.col("status_code").is_null(),
        "status",
        _("is not one of provisional, validated, signed_off"),
    )

    # What cannot be true (a count below zero, 250 %, a period to come) is refused here.
    refused = plausibility.refusals(
        frame.select(
            pl.col("measure_code").alias("measure"),
            "period_start",
            # A number already refused as not finite or too large is judged by nothing more.
            *[
                pl.when(
                    pl.col(f"{role}_number").is_finite()
                    & (pl.col(f"{role}_number").abs() <= MAX_MAGNITUDE)
                )
                .then(pl.col(f"{role}_number"))
                .alias(role)
                for role in ("value", "numerator", "denominator")
            ],
        ),
        framework,
        today=today,
    )
    frame = frame.with_columns(refused.select(pl.all().name.prefix("refused_")))
    for role in refused.columns:
        flag(pl.col(f"refused_{role}").is_not_null(), role, pl.col(f"refused_{role}"))

    key = ["unit_code", "measure_code", "period_code"]
    keyed = frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
    duplicates = keyed.filter(pl.struct(key).is_duplicated()).sort("row", "cell")
    if duplicates.height:
        first = duplicates.group_by(key, maintain_order=True).agg(
            pl.col("row").first().alias("first_row"),
            pl.col("cell").first().alias("first_cell"),
            names["period"].cast(pl.String).first().alias("first_column"),
        )
        repeated = duplicates.join(first, on=key).filter(pl.col("cell") != pl.col("first_cell"))
        fields = {
            "unit": pl.col("unit_code"),
            "measure": pl.col("measure_code"),
            "period": pl.col("period_code"),
        }
        problems.append(
            repeated.select(
                pl.col("row").cast(pl.Int64),
                names["period"].cast(pl.String).alias("column"),
                pl.col("period").cast(pl.String).alias("value"),
                pl.when(pl.col("row") == pl.col("first_row"))
                .then(
                    _format(
                        _(
                            "repeats column '{column}' of this row: {unit} {measure} {period} is "
                            "given twice"
                        ),
                        column=pl.col("first_column"),
                        **fields,
                    )
                )
                .otherwise(
                    _format(
                        _("repeats row {row}: {unit} {measure} {period} is given twice"),
                        row=pl.col("first_row"),
                        **fields,
                    )
                )
                .alias("reason"),
            )
        )

    found = _problem_list(problems)
    if found:
        return CheckResult(file, layout, frame.clear(), found)
    observations = frame.select(
        pl.col("unit_code").alias("unit"),
        pl.col("measure_code").alias("measure"),
        pl.col("period_code").alias("period"),
        "period_start",
        "period_end",
        pl.col("value_number").alias("value"),
        pl.col("numerator_number").alias("numerator"),
        pl.col("denominator_number").alias("denominator"),
        pl.col("status_code").fill_null(Status.PROVISIONAL.value).alias("status"),
        pl.col("note").fill_null(""),
        pl.col("source").fill_null(source),
        "row",
    )
    return CheckResult(file, layout, observations)


def _place(problem: Problem) -> tuple[int, str]:
    return problem.row, problem.column


def _lookup(pairs: list[tuple[str, str]]) -> pl.DataFrame:
    # Codes win over names: a name is only used where no code has the same spelling.
    seen: dict[str, str] = {}
    for text, code in pairs:
        seen.setdefault(text.strip().lower(), code)
    return pl.DataFrame(
        {"key": list(seen.keys()), "code": list(seen.values())},
        schema={"key": pl.String, "code": pl.String},
    )


def _join_code(frame: pl.DataFrame, role: str, lookup: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.with_columns(pl.col(role).str.to_lowercase().alias("_key"))
        .join(lookup.rename({"code": f"{role}_code"}), left_on="_key", right_on="key", how="left")
        .drop("_key")
    )


def _join_periods(frame: pl.DataFrame, framework: Framework) -> pl.DataFrame:
    pairs = frame.select("measure_code", "period").unique().drop_nulls()
    codes: list[str | None] = []
    starts: list[object] = []
    ends: list[object] = []
    reasons: list[str | None] = []
    for measure_code, text in pairs.iter_rows():
        measure = framework.measure(measure_code)
        try:
            # Read the text as the measure's own kind first: "2011-12" is 2011/12 for a
            # financial-year measure and December 2011 for a monthly one.
            period = _parse_for(text, measure.frequency)
        except ParseError as error:
            codes.append(None)
            starts.append(None)
            ends.append(None)
            reasons.append(str(error))
            continue
        reason = None
        if period.kind is not measure.frequency:
            reason = _("is a {kind}, but {measure} is reported by {frequency}").format(
                kind=_kind_words(period.kind),
                measure=measure.code,
                frequency=_kind_words(measure.frequency),
            )
        elif measure.window_months is not None and period.months != measure.window_months:
            reason = _("covers {months} months, but {measure} covers {window}").format(
                months=period.months, measure=measure.code, window=measure.window_months
            )
        codes.append(None if reason else period.code)
        starts.append(period.start)
        ends.append(period.end)
        reasons.append(reason)
    periods = pairs.with_columns(
        pl.Series("period_code", codes, dtype=pl.String),
        pl.Series("period_start", starts, dtype=pl.Date),
        pl.Series("period_end", ends, dtype=pl.Date),
        pl.Series("period_problem", reasons, dtype=pl.String),
    )
    return frame.join(periods, on=["measure_code", "period"], how="left")


def _parse_for(text: str, kind: PeriodKind) -> Period:
    try:
        return parse_period(text, kind)
    except ParseError:
        return parse_period(text)


def _kind_words(kind: PeriodKind) -> str:
    return {
        PeriodKind.MONTH: _("month"),
        PeriodKind.QUARTER: _("calendar quarter"),
        PeriodKind.FINANCIAL_QUARTER: _("financial-year quarter"),
        PeriodKind.FINANCIAL_YEAR: _("financial year"),
        PeriodKind.YEAR: _("calendar year"),
        PeriodKind.ROLLING: _("rolling window"),
        PeriodKind.MULTI_YEAR: _("span of years"),
        PeriodKind.WEEK: _("week"),
        PeriodKind.DAY: _("day"),
    }[kind]


def _number(role: str, decimal_comma: bool = False) -> pl.Expr:
    text = pl.col(role).str.strip_chars()
    if not decimal_comma:
        text = (
            pl.when(text.str.contains(_THOUSANDS))
            .then(text.str.replace_all(",", ""))
            .otherwise(text)
        )
    return text.cast(pl.Float64, strict=False).alias(f"{role}_number")


def _thousands(numbers: pl.Series) -> pl.Series:
    """Write numbers as people read them: 2,500 and 1,000 rather than 2500 and 1000.0."""
    return pl.Series(
        [None if n is None else f"{n:,.0f}" if n == int(n) else f"{n:,}" for n in numbers],
        dtype=pl.String,
    )


def _problem_list(frames: list[pl.DataFrame]) -> list[Problem]:
    if not frames:
        return []
    every = pl.concat(frames).sort("row", "column").head(MAX_PROBLEMS)
    return [Problem(row, column, value, reason) for row, column, value, reason in every.iter_rows()]


def describe(problems: list[Problem], file: str, limit: int = 50) -> str:
    """Return a report of the problems for a person: one line each, the first ``limit`` shown."""
    lines = [f"{file}: {plural(len(problems), 'problem')}; nothing was stored."]
    lines += [f"  {problem}" for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"  ... and {len(problems) - limit} more (write them all with --errors FILE)")
    if len(problems) >= MAX_PROBLEMS:
        lines.append(f"  (checking stopped counting at {MAX_PROBLEMS} problems)")
    return "\n".join(lines)


def columns_of(
    table: Table, mapping: Mapping[str, str] | None = None, ignore: tuple[str, ...] = ()
) -> dict[str, str]:
    """Return the column holding each role, as ``check_table`` reads them: mapped, or so named.

    Raise ``MappingError`` for a mapping or a column left out that the file does not have.
    """
    return _resolve_columns(table, mapping or {}, ignore)
