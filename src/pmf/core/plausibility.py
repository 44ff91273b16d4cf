"""Plausibility of figures: rules a figure must keep, and warnings a person must accept.

Each measure's ``valid:`` block in the framework file (``pmf.core.framework.Validity``) sets
its rules; what it leaves out takes the default for the measure's unit of measure
(``DEFAULTS``). Two kinds of check come out of them (``docs/methods.md``, "Plausibility
checks"):

- ``refusals``: what cannot be true. A value below ``min`` or above ``max`` (a percentage
  0 to 100, a count or rate not negative), a count that is not whole, a numerator above its
  denominator (or below 0) for a proportion, a period that starts after today for a measure
  that is not a forecast. A breach is an error: nothing of the file is stored.
- ``warnings``: what is possible but unlikely, judged against the figures already held. A
  change of more than ``max_change`` per cent from the figure held for the same period (a
  correction) or from the one held for the period before; a value outside the series' own
  SPC process limits widened by ``limits_margin`` per cent of their distance from the mean;
  a value more than ``target_scale`` times its target, or less than its target divided by
  it. Figures with warnings are stored only when someone accepts them with a reason.

Both work on whole columns with Polars; text is only built for the rows that are flagged.
"""

from __future__ import annotations

import datetime as dt
import warnings as python_warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from pmf.core.baseline import targets_in_force
from pmf.core.framework import Framework, Measure, UnitOfMeasure
from pmf.core.periods import ParseError, parse_period
from pmf.core.spc import SpcTrialLimitsWarning, spc_points, spc_summary

# (min, max, whole) for each unit of measure when the measure's valid block does not say.
DEFAULTS: dict[UnitOfMeasure, tuple[float | None, float | None, bool]] = {
    UnitOfMeasure.COUNT: (0.0, None, True),
    UnitOfMeasure.PERCENT: (0.0, 100.0, False),
    UnitOfMeasure.RATE: (0.0, None, False),
    UnitOfMeasure.RATIO: (0.0, None, False),
    UnitOfMeasure.DAYS: (0.0, None, False),
    UnitOfMeasure.HOURS: (0.0, None, False),
    UnitOfMeasure.MINUTES: (0.0, None, False),
    UnitOfMeasure.YEARS: (0.0, None, False),
    UnitOfMeasure.GBP: (None, None, False),
    UnitOfMeasure.SCORE: (None, None, False),
    UnitOfMeasure.GRADE: (1.0, 4.0, True),
}
DEFAULT_MAX_CHANGE = 50.0  # per cent of the figure before
DEFAULT_LIMITS_MARGIN = 50.0  # per cent of the distance from the mean to a process limit
DEFAULT_TARGET_SCALE = 10.0  # times the target, or the target divided by it
# Fewer held points than this give trial limits, too loose or too tight to warn by.
MINIMUM_HISTORY = 13


@dataclass(frozen=True)
class Rules:
    """A measure's plausibility rules with the defaults filled in; a warning of 0 is off."""

    minimum: float | None
    maximum: float | None
    whole: bool
    proportion: bool
    forecast: bool
    max_change: float
    limits_margin: float
    target_scale: float


def rules_for(measure: Measure) -> Rules:
    """Return the rules of ``measure``: its ``valid:`` block over its unit of measure's defaults.

    >>> from pmf.core.framework import Measure
    >>> measure = Measure.model_validate({"code": "M", "name": "M", "area": "A", "kind": "kpi",
    ...     "polarity": "neither", "unit_of_measure": "percent", "frequency": "month",
    ...     "valid": {"max_change": "25%"}})
    >>> rules = rules_for(measure)
    >>> rules.minimum, rules.maximum, rules.proportion, rules.max_change
    (0.0, 100.0, True, 25.0)
    """
    valid = measure.valid
    minimum, maximum, whole = DEFAULTS[measure.unit_of_measure]
    given = valid.model_fields_set
    return Rules(
        minimum=valid.minimum if "minimum" in given else minimum,
        maximum=valid.maximum if "maximum" in given else maximum,
        whole=whole if valid.whole is None else valid.whole,
        proportion=(
            measure.unit_of_measure is UnitOfMeasure.PERCENT
            if valid.proportion is None
            else valid.proportion
        ),
        forecast=valid.forecast,
        max_change=DEFAULT_MAX_CHANGE if valid.max_change is None else valid.max_change,
        limits_margin=DEFAULT_LIMITS_MARGIN if valid.limits_margin is None else valid.limits_margin,
        target_scale=DEFAULT_TARGET_SCALE if valid.target_scale is None else valid.target_scale,
    )


def _rule_columns(framework: Framework, measures: Iterable[str]) -> pl.DataFrame:
    wanted = set(measures)
    rows = []
    for measure in framework.measures:
        if measure.code in wanted:
            rules = rules_for(measure)
            rows.append((measure.code, *rules.__dict__.values()))
    return pl.DataFrame(
        rows,
        schema={
            "measure": pl.String,
            "_min": pl.Float64,
            "_max": pl.Float64,
            "_whole": pl.Boolean,
            "_proportion": pl.Boolean,
            "_forecast": pl.Boolean,
            "_max_change": pl.Float64,
            "_limits_margin": pl.Float64,
            "_target_scale": pl.Float64,
        },
        orient="row",
    )


def _with_rules(frame: pl.DataFrame, framework: Framework) -> pl.DataFrame:
    """Return ``frame`` (with a ``measure`` column) with its measure's rules, in its order."""
    rules = _rule_columns(framework, frame["measure"].drop_nulls().unique().to_list())
    return (
        frame.with_row_index("_order")
        .join(rules, on="measure", how="left")
        .sort("_order")
        .drop("_order")
    )


def refusals(frame: pl.DataFrame, framework: Framework, *, today: dt.date) -> pl.DataFrame:
    """Return why each row of ``frame`` cannot be true, by field; null where it may be.

    ``frame`` has the columns measure (a code of ``framework``), period_start (a date),
    value, numerator and denominator (numbers, null where not given). The result has one
    row per row of ``frame``, in its order, with the columns value, numerator and period:
    the reason that field is refused (several joined by "; "), or null.

    >>> from pmf.core.framework import load_framework
    >>> framework = load_framework(
    ...     "organisation: {code: T, name: T}\\nareas: [{code: A, name: A}]\\n"
    ...     "units: [{code: U, name: U, type: force}]\\nmeasures: [{code: P, name: P, area: A,"
    ...     " kind: kpi, polarity: neither, unit_of_measure: percent, frequency: year}]")
    >>> frame = pl.DataFrame({"measure": ["P", "P"], "period_start": [dt.date(2024, 1, 1)] * 2,
    ...     "value": [250.0, 50.0], "numerator": [None, 1.0], "denominator": [None, 2.0]})
    >>> refusals(frame, framework, today=dt.date(2025, 6, 1))["value"].to_list()
    ['is more than 100, the most P can be (valid: max)', None]
    """
    value = pl.col("value")
    numerator = pl.col("numerator")
    denominator = pl.col("denominator")
    checked = _with_rules(
        frame.select("measure", "period_start", value, numerator, denominator), framework
    )
    value_reasons = [
        pl.when(value < pl.col("_min")).then(
            pl.format(
                "is less than {}, the least {} can be (valid: min)", _shown("_min"), "measure"
            )
        ),
        pl.when(value > pl.col("_max")).then(
            pl.format("is more than {}, the most {} can be (valid: max)", _shown("_max"), "measure")
        ),
        pl.when(pl.col("_whole") & ((value - value.round(0)).abs() > 1e-9)).then(
            pl.format("is not a whole number; {} counts whole things (valid: whole)", "measure")
        ),
    ]
    numerator_reasons = [
        pl.when(pl.col("_proportion") & (numerator < 0)).then(
            pl.format("is negative; {} is a proportion (valid: proportion)", "measure")
        ),
        pl.when(pl.col("_proportion") & (numerator > denominator)).then(
            pl.format(
                "is more than the denominator ({}); {} is a proportion, a part of a whole "
                "(valid: proportion)",
                _shown("denominator"),
                "measure",
            )
        ),
    ]
    period_reasons = [
        pl.when(~pl.col("_forecast") & (pl.col("period_start") > pl.lit(today))).then(
            pl.lit(
                f"starts after today ({today.isoformat()}); only a forecast may have figures for "
                "periods to come (valid: forecast)"
            )
        ),
    ]
    return checked.select(
        _joined(value_reasons).alias("value"),
        _joined(numerator_reasons).alias("numerator"),
        _joined(period_reasons).alias("period"),
    )


def _joined(reasons: Sequence[pl.Expr]) -> pl.Expr:
    text = pl.concat_str(reasons, separator="; ", ignore_nulls=True)
    return pl.when(text != "").then(text).otherwise(None)


def _shown(column: str) -> pl.Expr:
    # 100.0 is shown as 100, 0.5 as 0.5.
    number = pl.col(column)
    return (
        pl.when(number == number.round(0))
        .then(number.cast(pl.Int64, strict=False).cast(pl.String))
        .otherwise(number.round(6).cast(pl.String))
    )


def number_text(number: float) -> str:
    """Return a number as a person reads it: 683, 0.85, 12,345.5.

    >>> number_text(683.0), number_text(0.85), number_text(12345.5)
    ('683', '0.85', '12,345.5')
    """
    text = f"{number:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _starts(codes: Iterable[str]) -> pl.DataFrame:
    rows = []
    for code in set(codes):
        try:
            rows.append((code, parse_period(code).start))
        except ParseError:
            continue
    return pl.DataFrame(rows, schema={"period": pl.String, "_start": pl.Date}, orient="row")


def warnings(incoming: pl.DataFrame, held: pl.DataFrame, framework: Framework) -> pl.Series:
    """Return the warnings of each incoming figure against the figures held, one per line.

    ``incoming`` has unit, measure, period (codes) and value; ``held`` has the figures held
    now (unit, measure, period, value). The result has one string per incoming row, in its
    order: its warnings, one per line, or "" when it has none.
    """
    if incoming.is_empty():
        return pl.Series("warnings", [], dtype=pl.String)
    key = ["unit", "measure", "period"]
    starts = _starts([*incoming["period"].to_list(), *held["period"].to_list()])
    rows = _with_rules(incoming.select(*key, pl.col("value").cast(pl.Float64)), framework)
    rows = rows.with_row_index("_row").join(starts, on="period", how="left")
    history = (
        held.select(
            *[pl.col(name).cast(pl.String) for name in key], pl.col("value").cast(pl.Float64)
        )
        .join(starts, on="period", how="inner")
        .join(rows.select("unit", "measure").unique(), on=["unit", "measure"], how="semi")
    )
    same = history.select(*key, pl.col("value").alias("_same"))
    rows = rows.join(same, on=key, how="left")
    # The figure held for the latest period before each incoming one, in the same series.
    earlier = history.select(
        "unit",
        "measure",
        pl.col("_start").alias("_earlier_start"),
        pl.col("period").alias("_earlier_period"),
        pl.col("value").alias("_earlier"),
    ).sort("_earlier_start")
    dated = rows.filter(pl.col("_start").is_not_null()).sort("_start")
    rows = rows.join(
        dated.join_asof(
            earlier,
            left_on="_start",
            right_on="_earlier_start",
            by=["unit", "measure"],
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,  # sorted by _start above, as join_asof needs
        ).select("_row", "_earlier_period", "_earlier"),
        on="_row",
        how="left",
    )
    rows = rows.join(_limits(history, rows.select(key)), on=["unit", "measure"], how="left")
    ends = _ends(rows["period"].unique().to_list())
    end_dates = rows.select("unit", "measure", "period").join(
        ends, on="period", how="left", maintain_order="left"
    )
    rows = rows.with_columns(targets_in_force(framework, end_dates).alias("_target"))
    rows = rows.with_columns(
        _change("_same").fill_null(False).alias("_flag_same"),
        _change("_earlier").fill_null(False).alias("_flag_earlier"),
        _beyond_limits().fill_null(False).alias("_flag_limits"),
        _off_target_scale().fill_null(False).alias("_flag_target"),
    )
    flagged = rows.filter(
        pl.any_horizontal("_flag_same", "_flag_earlier", "_flag_limits", "_flag_target")
    )
    texts = [""] * incoming.height
    for row in flagged.iter_rows(named=True):
        texts[row["_row"]] = "\n".join(_texts(row))
    return pl.Series("warnings", texts, dtype=pl.String)


def _ends(codes: Iterable[str]) -> pl.DataFrame:
    rows: list[tuple[str, dt.date | None]] = []
    for code in set(codes):
        try:
            rows.append((code, parse_period(code).end))
        except ParseError:
            rows.append((code, None))
    return pl.DataFrame(rows, schema={"period": pl.String, "period_end": pl.Date}, orient="row")


def _change(reference: str) -> pl.Expr:
    ref = pl.col(reference)
    return (
        (pl.col("_max_change") > 0)
        & ref.is_not_null()
        & (ref != 0)
        & ((pl.col("value") - ref).abs() / ref.abs() * 100 > pl.col("_max_change"))
    )


def _beyond_limits() -> pl.Expr:
    margin = pl.col("_limits_margin") / 100
    high = pl.col("_upl") + margin * (pl.col("_upl") - pl.col("_mean"))
    low = pl.col("_lpl") - margin * (pl.col("_mean") - pl.col("_lpl"))
    return (
        (pl.col("_limits_margin") > 0)
        & pl.col("_upl").is_not_null()
        & pl.col("_lpl").is_not_null()
        & ((pl.col("value") > high) | (pl.col("value") < low))
    )


def _off_target_scale() -> pl.Expr:
    scale = pl.col("_target_scale")
    target = pl.col("_target")
    value = pl.col("value")
    return (
        (scale > 1)
        & target.is_not_null()
        & (target > 0)
        & (value != 0)
        & ((value > target * scale) | (value < target / scale))
    )


def _texts(row: dict[str, Any]) -> list[str]:
    value = float(row["value"])
    shown = number_text(value)
    found = []
    for flag, reference, whose in (
        ("_flag_same", row["_same"], "the figure held for this period"),
        ("_flag_earlier", row["_earlier"], f"the figure held for {row['_earlier_period']}"),
    ):
        if row[flag]:
            before = float(reference)
            change = (value - before) / abs(before) * 100
            found.append(
                f"{shown} is a change of {change:+.0f} % from {number_text(before)}, {whose}: "
                f"more than the {number_text(row['_max_change'])} % expected (valid: max_change)"
            )
    if row["_flag_limits"]:
        margin = float(row["_limits_margin"]) / 100
        mean, lower, upper = (float(row[name]) for name in ("_mean", "_lpl", "_upl"))
        found.append(
            f"{shown} is outside {number_text(lower - margin * (mean - lower))} to "
            f"{number_text(upper + margin * (upper - mean))}: the series' process limits "
            f"({number_text(lower)} to {number_text(upper)}) widened by "
            f"{number_text(margin * 100)} % (valid: limits_margin)"
        )
    if row["_flag_target"]:
        scale = float(row["_target_scale"])
        target = float(row["_target"])
        side = (
            f"more than {number_text(scale)} times"
            if value > target
            else f"less than 1/{number_text(scale)} of"
        )
        found.append(
            f"{shown} is {side} the target ({number_text(target)}); is it in the measure's "
            "units? (valid: target_scale)"
        )
    return found


def _limits(history: pl.DataFrame, wanted: pl.DataFrame) -> pl.DataFrame:
    """Return the mean and process limits of each held series with enough points."""
    schema = {
        "unit": pl.String,
        "measure": pl.String,
        "_mean": pl.Float64,
        "_lpl": pl.Float64,
        "_upl": pl.Float64,
    }
    series = history.join(
        wanted.select("unit", "measure").unique(), on=["unit", "measure"], how="semi"
    )
    counts = series.group_by("unit", "measure").len()
    enough = counts.filter(pl.col("len") >= MINIMUM_HISTORY).select("unit", "measure")
    series = series.join(enough, on=["unit", "measure"], how="semi")
    if series.is_empty():
        return pl.DataFrame(schema=schema)
    points_in = series.select(
        pl.concat_str("unit", "measure", separator="\x1f").alias("_series"),
        pl.col("_start").alias("date"),
        "value",
    )
    with python_warnings.catch_warnings():
        python_warnings.simplefilter("ignore", SpcTrialLimitsWarning)
        points = spc_points(points_in, group="_series")
    summary = spc_summary(points).filter(~pl.col("trial_limits"))
    return summary.select(
        pl.col("group").str.split_exact("\x1f", 1).struct.rename_fields(["unit", "measure"]),
        pl.col("mean").alias("_mean"),
        pl.col("lpl").alias("_lpl"),
        pl.col("upl").alias("_upl"),
    ).unnest("group")
