"""Assess every measure for every unit at a point in time: value, standard, RAG, direction.

The assessment is the one place where a figure is judged. It takes the
framework and a frame of observations and returns a frame with one row per unit
and measure; the command line, pages and reports only read that frame.

For each unit and measure the figure assessed is the latest one whose period
ends on or before the cut-off date, so a scorecard "as at July 2019" shows
monthly measures for July 2019 and annual ones for their latest year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum

import polars as pl

from pmf.core.framework import (
    BudgetStandard,
    Framework,
    ImprovementStandard,
    InspectionGrade,
    InspectionStandard,
    Measure,
    PeerAverageStandard,
    Polarity,
    Standard,
    TargetStandard,
    Unit,
    ZeroStandard,
)
from pmf.core.periods import parse_period
from pmf.core.rollup import roll_up
from pmf.core.text import format_value


class Direction(StrEnum):
    """Direction of travel of a figure against an earlier one."""

    IMPROVING = "improving"
    DETERIORATING = "deteriorating"
    NO_CHANGE = "no change"
    HIGHER = "higher"  # for measures where neither direction is better
    LOWER = "lower"


class Rag(StrEnum):
    """Red, amber or green against the standard."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


ASSESSMENT_COLUMNS = (
    "unit",
    "area",
    "measure",
    "kind",
    "period",
    "value",
    "numerator",
    "denominator",
    "origin",
    "standard",
    "reference",
    "met",
    "rag",
    "not_assessed",
    "previous_period",
    "previous_value",
    "direction_previous",
    "last_year_period",
    "last_year_value",
    "direction_last_year",
)


def assess(
    framework: Framework,
    observations: pl.DataFrame,
    *,
    units: Sequence[str] | None = None,
    cut: dt.date | None = None,
) -> pl.DataFrame:
    """Return the assessment of ``units`` (default: every internal unit) at ``cut``.

    ``observations`` needs columns unit, measure, period, value, numerator and
    denominator. Without ``cut`` the latest period end among the units' figures
    is used. The result has the columns in ``ASSESSMENT_COLUMNS``, one row per
    unit and measure that has a figure, in framework order.
    """
    chosen = (
        list(units) if units is not None else [u.code for u in framework.units if not u.external]
    )
    figures = roll_up(framework, _known(framework, observations))
    figures = figures.join(_period_table(figures["period"]), on="period", how="left")
    if cut is None:
        ends = figures.filter(pl.col("unit").is_in(chosen))["period_end"]
        if ends.len() == 0:
            return _empty()
        cut = ends.max()  # type: ignore[assignment]
    current = (
        figures.filter(pl.col("unit").is_in(chosen) & (pl.col("period_end") <= cut))
        .sort("period_end")
        .group_by("unit", "measure", maintain_order=True)
        .last()
    )
    if current.height == 0:
        return _empty()
    values = figures.select("unit", "measure", "period", "value")
    current = current.join(
        values.rename({"period": "previous_period", "value": "previous_value"}),
        on=["unit", "measure", "previous_period"],
        how="left",
    ).join(
        values.rename({"period": "last_year_period", "value": "last_year_value"}),
        on=["unit", "measure", "last_year_period"],
        how="left",
    )
    current = current.join(
        _peer_averages(framework, chosen, figures), on=["unit", "measure", "period"], how="left"
    )
    current = current.join(_measure_table(framework), on="measure", how="left")
    current = current.join(_standard_table(framework, chosen), on=["unit", "measure"], how="left")
    judged = _judge(current)
    order = _order(framework)
    return (
        judged.with_columns(
            pl.col("unit")
            .replace_strict(order["units"], default=len(order["units"]))
            .alias("_unit_order"),
            pl.col("measure")
            .replace_strict(order["measures"], default=len(order["measures"]))
            .alias("_measure_order"),
        )
        .sort("_unit_order", "_measure_order")
        .select(ASSESSMENT_COLUMNS)
    )


def _known(framework: Framework, observations: pl.DataFrame) -> pl.DataFrame:
    measures = [m.code for m in framework.measures]
    units = [u.code for u in framework.units]
    columns = ["unit", "measure", "period", "value", "numerator", "denominator"]
    return (
        observations.select(columns)
        .filter(pl.col("measure").is_in(measures) & pl.col("unit").is_in(units))
        .with_columns(pl.col("numerator", "denominator").cast(pl.Float64))
    )


def _period_table(codes: pl.Series) -> pl.DataFrame:
    rows = []
    for code in codes.unique().drop_nulls().to_list():
        period = parse_period(code)
        rows.append((code, period.end, period.previous().code, period.same_period_last_year().code))
    return pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "period_end": pl.Date,
            "previous_period": pl.String,
            "last_year_period": pl.String,
        },
        orient="row",
    )


def _peer_averages(
    framework: Framework, units: Iterable[str], figures: pl.DataFrame
) -> pl.DataFrame:
    pairs: list[tuple[str, str, str]] = []
    for code in units:
        peers = framework.peers(code)
        if peers is not None:
            pairs.extend((code, member, peers.name) for member in peers.averaged)
    schema = {"unit": pl.String, "peer": pl.String, "peer_group": pl.String}
    links = pl.DataFrame(pairs, schema=schema, orient="row")
    values = figures.select(pl.col("unit").alias("peer"), "measure", "period", "value")
    return (
        links.join(values, on="peer")
        .group_by("unit", "measure", "period")
        .agg(
            pl.col("value").mean().alias("peer_average"),
            pl.len().alias("peers_reporting"),
        )
    )


def _measure_table(framework: Framework) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "measure": [m.code for m in framework.measures],
            "area": [m.area for m in framework.measures],
            "kind": [m.kind.value for m in framework.measures],
            "polarity": [m.polarity.value for m in framework.measures],
            "decimals": [m.decimals for m in framework.measures],
        },
        schema={
            "measure": pl.String,
            "area": pl.String,
            "kind": pl.String,
            "polarity": pl.String,
            "decimals": pl.Int64,
        },
    )


def _standard_table(framework: Framework, units: Iterable[str]) -> pl.DataFrame:
    rows = []
    for code in units:
        unit = framework.unit(code)
        for measure in framework.measures:
            standard = measure.standard_for(unit)
            if standard is not None:
                peers = framework.peers(code)
                rows.append(
                    (*_standard_row(unit, measure, standard), peers.name if peers else None)
                )
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "standard_type": pl.String,
            "standard": pl.String,
            "comparison": pl.String,
            "target": pl.Float64,
            "amber_within": pl.Float64,
            "against": pl.String,
            "peer_group": pl.String,
        },
        orient="row",
    )


def _standard_row(unit: Unit, measure: Measure, standard: Standard) -> tuple[object, ...]:
    comparison: str | None = None
    target: float | None = None
    amber: float | None = getattr(standard, "amber_within", None)
    against: str | None = None
    if isinstance(standard, TargetStandard):
        comparison, target = standard.comparison, standard.value
    elif isinstance(standard, BudgetStandard):
        comparison, target = "<=", standard.budget
    elif isinstance(standard, InspectionStandard):
        comparison, target = "<=", float(standard.minimum.rank)
    elif isinstance(standard, ZeroStandard):
        comparison, target = "==", 0.0
    elif isinstance(standard, ImprovementStandard):
        against = standard.against
    return (
        unit.code,
        measure.code,
        standard.type,
        describe_standard(measure, standard),
        comparison,
        target,
        amber,
        against,
    )


def describe_standard(measure: Measure, standard: Standard) -> str:
    """Return the standard in words, as a scorecard shows it.

    >>> from pmf.core.framework import TargetStandard
    >>> m = Measure(code="ER", name="Emergency response", area="FOCUS", kind="redline",
    ...             polarity="higher_is_better", unit_of_measure="percent", frequency="month")
    >>> describe_standard(m, TargetStandard(type="target", comparison=">=", value=80))
    '≥ 80.0%'
    """
    if isinstance(standard, TargetStandard):
        symbol = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}[standard.comparison]
        return f"{symbol} {format_value(standard.value, measure)}"
    if isinstance(standard, PeerAverageStandard):
        return "v. MSG average"
    if isinstance(standard, ZeroStandard):
        return "no items"
    if isinstance(standard, BudgetStandard):
        return f"within budget ({format_value(standard.budget, measure)})"
    if isinstance(standard, InspectionStandard):
        return f"at least {standard.minimum.value.replace('_', ' ').capitalize()}"
    if standard.against == "same_period_last_year":
        return "better than same period last year"
    return "better than previous period"


def _judge(frame: pl.DataFrame) -> pl.DataFrame:
    value = pl.col("value")
    kind = pl.col("standard_type")
    higher = pl.col("polarity") == Polarity.HIGHER_IS_BETTER.value
    improvement_reference = (
        pl.when(pl.col("against") == "same_period_last_year")
        .then(pl.col("last_year_value"))
        .otherwise(pl.col("previous_value"))
    )
    reference = (
        pl.when(kind == "peer_average")
        .then(pl.col("peer_average"))
        .when(kind == "improvement")
        .then(improvement_reference)
        .otherwise(pl.col("target"))
    )
    frame = frame.with_columns(reference.alias("reference"))
    ref = pl.col("reference")
    comparison = pl.col("comparison")
    by_comparison = (
        pl.when(comparison == ">=")
        .then(value >= ref)
        .when(comparison == ">")
        .then(value > ref)
        .when(comparison == "<=")
        .then(value <= ref)
        .when(comparison == "<")
        .then(value < ref)
        .otherwise(value == ref)
    )
    better_or_equal = pl.when(higher).then(value >= ref).otherwise(value <= ref)
    met = (
        pl.when(kind.is_null() | ref.is_null())
        .then(None)
        .when(kind.is_in(["peer_average", "improvement"]))
        .then(better_or_equal)
        .otherwise(by_comparison)
    )
    not_assessed = (
        pl.when(kind.is_null())
        .then(pl.lit("no standard"))
        .when((kind == "peer_average") & pl.col("peer_group").is_null())
        .then(pl.lit("no peer group"))
        .when((kind == "peer_average") & ref.is_null())
        .then(pl.lit("no peer figures for this period"))
        .when((kind == "improvement") & ref.is_null())
        .then(pl.lit("no figure for the comparison period"))
    )
    frame = frame.with_columns(met.alias("met"), not_assessed.alias("not_assessed"))
    near = (value - ref).abs() <= pl.col("amber_within")
    rag = (
        pl.when(pl.col("met").is_null())
        .then(None)
        .when(pl.col("met"))
        .then(pl.lit(Rag.GREEN.value))
        .when(pl.col("amber_within").is_not_null() & near)
        .then(pl.lit(Rag.AMBER.value))
        .otherwise(pl.lit(Rag.RED.value))
    )
    return frame.with_columns(
        rag.alias("rag"),
        _direction("previous_value").alias("direction_previous"),
        _direction("last_year_value").alias("direction_last_year"),
    )


def _direction(other: str) -> pl.Expr:
    # Compare at the precision shown, so that 71.94 v. 71.91 shown as 71.9 is "no change".
    scale = pl.lit(10.0).pow(pl.col("decimals"))
    now = (pl.col("value") * scale).round(0)
    then = (pl.col(other) * scale).round(0)
    polarity = pl.col("polarity")
    return (
        pl.when(pl.col(other).is_null())
        .then(None)
        .when(now == then)
        .then(pl.lit(Direction.NO_CHANGE.value))
        .when(polarity == Polarity.NEITHER.value)
        .then(
            pl.when(now > then)
            .then(pl.lit(Direction.HIGHER.value))
            .otherwise(pl.lit(Direction.LOWER.value))
        )
        .when((now > then) == (polarity == Polarity.HIGHER_IS_BETTER.value))
        .then(pl.lit(Direction.IMPROVING.value))
        .otherwise(pl.lit(Direction.DETERIORATING.value))
    )


def _order(framework: Framework) -> dict[str, dict[str, int]]:
    return {
        "units": {u.code: i for i, u in enumerate(framework.units)},
        "measures": {m.code: i for i, m in enumerate(framework.measures)},
    }


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={column: pl.String for column in ASSESSMENT_COLUMNS})


def grade_label(grade: InspectionGrade) -> str:
    """Return an inspection grade as people write it: ``Requires improvement``."""
    return grade.value.replace("_", " ").capitalize()
