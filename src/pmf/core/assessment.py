"""Assess every measure for every unit at a point in time: value, standard, RAG, direction.

The assessment is the one place where a figure is judged. It takes the
framework and a frame of observations and returns a frame with one row per unit
and measure; the command line, pages and reports only read that frame.

For each unit and measure the figure assessed is the latest one whose period
ends on or before the cut-off date, so a scorecard "as at July 2019" shows
monthly measures for July 2019 and annual ones for their latest year. A later
figure of one measure moves nothing else: each row stands at its own period, and
its peers are compared at the latest period the peer group has figures for. A
figure for a period that has not begun is never assessed; its row names it in
``future_period``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from enum import StrEnum

import polars as pl

from pmf.core.baseline import framework_chart_points
from pmf.core.forecast import against_budget, year_end_forecast
from pmf.core.framework import (
    BudgetStandard,
    Framework,
    ImprovementStandard,
    InspectionStandard,
    Measure,
    Polarity,
    Standard,
    TargetStandard,
    Unit,
    UnitOfMeasure,
    ZeroStandard,
)
from pmf.core.intervals import byar, compare_with_value, wilson
from pmf.core.membership import keep_members, members_at
from pmf.core.peers import compare_with_peers, peer_links
from pmf.core.periods import PeriodKind, parse_period, read_period
from pmf.core.rollup import roll_up
from pmf.core.text import format_value
from pmf.core.trend import Direction, deterioration_runs, direction
from pmf.core.wording import (
    SIGNIFICANCE_CODES,
    phrase_column,
    position_words,
    significance_words,
    standard_phrase,
    trend_words,
)

__all__ = ["ASSESSMENT_COLUMNS", "Direction", "Rag", "assess", "describe_standard"]


class Rag(StrEnum):
    """Red, amber or green against the standard."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


# A single worse step is a change; this many in a row is a trend worth a sentence.
MIN_DETERIORATING_STEPS = 2

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
    "previous_cycle_period",
    "previous_cycle_value",
    "direction_previous_cycle",
    "peer_group",
    "peer_period",
    "peer_average",
    "pooled_average",
    "group_size",
    "rank",
    "gap",
    "gap_percent",
    "position",
    "deteriorating_since",
    "deteriorating_steps",
    "trend",
    "forecast",
    "forecast_method",
    "budget_variance",
    "budget_position",
    "significance",
    "national_value",
    "national_comparison",
    "variation",
    "assurance",
    "spc_points",
    "trial_limits",
    "future_period",
    # The comparisons as data, from which the words above are written (``pmf.core.wording``).
    "significance_code",
    "national_code",
)

# Confidence of the interval compared with the peer average.
SIGNIFICANCE_CONFIDENCE = 0.95


def assess(
    framework: Framework,
    observations: pl.DataFrame,
    *,
    units: Sequence[str] | None = None,
    cut: dt.date | None = None,
    previous_cut: dt.date | None = None,
    today: dt.date | None = None,
) -> pl.DataFrame:
    """Return the assessment of ``units`` (default: every internal unit) at ``cut``.

    ``observations`` needs columns unit, measure, period, value, numerator and
    denominator. Without ``cut`` the latest period end among the units' figures
    is used. Figures for periods beginning after ``today`` (default: the date
    today) are not assessed: each unit and measure's latest such period is named in
    ``future_period``, and they never set the cut-off. ``previous_cut`` is the
    cut-off of the previous cycle, for the direction of travel since then. The
    result has the columns in ``ASSESSMENT_COLUMNS``, one row per unit and measure
    that has a figure, in framework order.
    """
    chosen = (
        list(units) if units is not None else [u.code for u in framework.units if not u.external]
    )
    known = _known(framework, observations)
    periods = _period_table(known["period"])
    today = today or dt.date.today()
    # Every measure's periods held, whoever holds them: the peer comparison looks back over
    # these (a parent's rolled-up periods are among its children's).
    held_periods = (
        known.select("measure", "period")
        .unique()
        .join(periods, on="period", how="left")
        .filter(pl.col("period_start") <= today)
    )
    # Only the units the assessment reads are rolled up: those assessed, their peers and the
    # national comparator, each with the units below it.
    needed = sorted(units_read(framework, chosen))
    rolled = roll_up(framework, known.filter(pl.col("unit").is_in(needed)), units=needed)
    rolled = rolled.join(periods, on="period", how="left")
    future = _future(rolled.filter(pl.col("unit").is_in(chosen)), today)
    # A unit is judged only on the periods it is in the framework (pmf.core.membership); the
    # roll-up above has already added its figures to its parent's.
    rolled = keep_members(framework, rolled.filter(pl.col("period_start") <= today))
    if cut is None:
        ends = rolled.filter(pl.col("unit").is_in(chosen))["period_end"]
        if ends.len() == 0:
            return _empty()
        # Polars types a Series' max as any scalar or None; here a date, as ends is not empty.
        cut = ends.max()  # type: ignore[assignment]
    # A unit that has left, or not yet joined, by the cut-off is not assessed.
    chosen = members_at(framework, chosen, cut) if cut is not None else chosen
    history = rolled.filter(pl.col("period_end") <= cut)
    held_periods = held_periods.filter(pl.col("period_end") <= cut)
    current = _latest(history.filter(pl.col("unit").is_in(chosen)))
    if current.height == 0:
        return _empty()
    measures = _measure_table(framework)
    values = rolled.select("unit", "measure", "period", "value")
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
        _previous_cycle(history, chosen, previous_cut), on=["unit", "measure"], how="left"
    )
    current = current.join(
        _peers(framework, history, current, chosen, measures, held_periods),
        on=["unit", "measure"],
        how="left",
    )
    # From here on one lazy plan: the joins and judgements run in one collect.
    plan = current.lazy().join(measures.lazy(), on="measure", how="left")
    plan = plan.join(_standard_table(framework, chosen).lazy(), on=["unit", "measure"], how="left")
    plan = _apply_targets(plan, framework, chosen)
    plan = plan.join(_runs(history, chosen, measures).lazy(), on=["unit", "measure"], how="left")
    plan = plan.join(
        _forecasts(framework, history, chosen).lazy(), on=["unit", "measure"], how="left"
    )
    plan = plan.join(
        _spc(history, chosen, framework).lazy(),
        on=["unit", "measure"],
        how="left",
    )
    national, national_name = _national(framework, history)
    plan = plan.join(national.lazy(), on=["measure", "period"], how="left")
    judged = _significance(
        _judge(plan).collect(),
        "peer_average",
        "significance",
        "significance_code",
        None,
        fraction=("peer_numerator", "peer_denominator"),
    )
    judged = _significance(
        judged, "national_value", "national_comparison", "national_code", national_name
    )
    order = _order(framework)
    return (
        judged.lazy()
        .join(future.lazy(), on=["unit", "measure"], how="left")
        .with_columns(
            pl.col("unit")
            .replace_strict(order["units"], default=len(order["units"]))
            .alias("_unit_order"),
            pl.col("measure")
            .replace_strict(order["measures"], default=len(order["measures"]))
            .alias("_measure_order"),
        )
        .sort("_unit_order", "_measure_order")
        .select(ASSESSMENT_COLUMNS)
        .collect()
    )


def assessment_roots(framework: Framework, units: Collection[str]) -> set[str]:
    """Return the units whose subtrees an assessment of ``units`` reads.

    The units, their peer-group members and the national comparator; with every unit below
    them (``units_read``) they are the figures the assessment rolls up and compares.
    """
    wanted = set(units)
    for code in units:
        peers = framework.peers(code)
        if peers is not None:
            wanted.update(peers.members)
    if framework.organisation.national:
        wanted.add(framework.organisation.national)
    return wanted


def units_read(framework: Framework, units: Collection[str]) -> set[str]:
    """Return the units whose figures an assessment of ``units`` reads, and those below them.

    A parent's figures are rolled up from its children's.
    """
    wanted = assessment_roots(framework, units)
    for code in list(wanted):
        wanted.update(unit.code for unit in framework.descendants(code))
    return wanted


def _latest(rolled: pl.DataFrame) -> pl.DataFrame:
    return (
        rolled.lazy()
        .sort("period_end")
        .group_by("unit", "measure", maintain_order=True)
        .last()
        .collect()
    )


def _future(rolled: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Return each unit and measure's latest period that has not begun by ``today``.

    A period under way (this month's risk register count) is not in the future.
    """
    ahead = rolled.filter(pl.col("period_start") > today)
    return _latest(ahead).select("unit", "measure", pl.col("period").alias("future_period"))


_PEER_SCHEMA = {
    "unit": pl.String,
    "measure": pl.String,
    "peer_period": pl.String,
    "peer_group": pl.String,
    "peer_average": pl.Float64,
    "pooled_average": pl.Float64,
    "group_size": pl.Int64,
    "rank": pl.Int64,
    "gap": pl.Float64,
    "gap_percent": pl.Float64,
    "position": pl.String,
    "peer_value": pl.Float64,
    "peer_numerator": pl.Float64,
    "peer_denominator": pl.Float64,
}
# How many of a measure's latest periods are searched for one the peer group has figures for.
PEER_LOOKBACK = 12


def _peers(
    framework: Framework,
    history: pl.DataFrame,
    current: pl.DataFrame,
    units: list[str],
    measures: pl.DataFrame,
    held_periods: pl.DataFrame,
) -> pl.DataFrame:
    """Return each unit's peer comparison at the latest period its group has figures for.

    That period is at or before the unit's own and is the latest at which the unit and at
    least half of the members in the group average have figures, so one borough's early
    December figure neither empties its group's comparison nor compares it with two peers.
    The position sentence names the period when it is not the unit's own.
    """
    links = peer_links(framework, units)
    if links.height == 0:
        return pl.DataFrame(schema=_PEER_SCHEMA)
    ends = held_periods.select("measure", "period", "period_end")
    expected = links.group_by("unit").agg(pl.col("in_average").sum().alias("_expected"))
    own = current.select(
        "unit", "measure", pl.col("period").alias("_own"), pl.col("period_end").alias("_own_end")
    )

    def latest_with_observations(periods: pl.DataFrame, among: pl.DataFrame) -> pl.DataFrame:
        """Compare the units ``among`` at ``periods`` and keep each one's latest good period."""
        compared = compare_with_peers(
            history.join(periods, on=["measure", "period"], how="semi"),
            links.join(among.select("unit").unique(), on="unit", how="semi"),
            measures,
        )
        return (
            compared.lazy()
            .with_columns(pl.col("unit", "measure", "period", "peer_group").cast(pl.String))
            .join(expected.lazy(), on="unit")
            .filter(pl.col("peers_reporting") * 2 >= pl.col("_expected"))
            .join(ends.lazy(), on=["measure", "period"])
            .join(among.lazy(), on=["unit", "measure"])
            .filter(pl.col("period_end") <= pl.col("_own_end"))
            .sort("period_end")
            .group_by("unit", "measure", maintain_order=True)
            .last()
            .collect()
        )

    # Most units' groups have figures for their own period: compare at those periods first,
    # and look further back only for the units whose own period their group lacks.
    first = latest_with_observations(current.select("measure", "period").unique(), own).filter(
        pl.col("period") == pl.col("_own")
    )
    behind = own.join(first, on=["unit", "measure"], how="anti")
    chosen = first
    if behind.height:
        latest_end = behind.group_by("measure").agg(pl.col("_own_end").max().alias("_latest"))
        candidates = (
            ends.join(latest_end, on="measure")
            .filter(pl.col("period_end") <= pl.col("_latest"))
            .sort("period_end", descending=True)
            .group_by("measure", maintain_order=True)
            .head(PEER_LOOKBACK)
            .select("measure", "period")
        )
        chosen = pl.concat([first, latest_with_observations(candidates, behind)], how="diagonal")
    chosen = chosen.join(
        history.select(
            "unit",
            "measure",
            "period",
            pl.col("value").alias("peer_value"),
            pl.col("numerator").alias("peer_numerator"),
            pl.col("denominator").alias("peer_denominator"),
        ),
        on=["unit", "measure", "period"],
        how="left",
    )
    # The position names the peers' period when it is not the unit's own; the gap is said to
    # 0.1%, so rounding first leaves few distinct phrases to write.
    other = pl.when(pl.col("period") != pl.col("_own")).then(pl.col("period")).alias("_other")
    chosen = phrase_column(
        chosen.with_columns(other, pl.col("gap_percent").round(1).alias("_gap")),
        ["rank", "_gap", "_other"],
        _position,
        "position",
    )
    return chosen.select(
        "unit",
        "measure",
        pl.col("period").alias("peer_period"),
        "peer_group",
        "peer_average",
        "pooled_average",
        "group_size",
        "rank",
        "gap",
        "gap_percent",
        "position",
        "peer_value",
        "peer_numerator",
        "peer_denominator",
    )


def _position(rank: int | None, gap_percent: float | None, other: str | None) -> str | None:
    """Return the English position column's words (see ``pmf.core.wording``)."""
    if rank is None or gap_percent is None:
        return None
    return position_words(rank, gap_percent, other, english=True)


def _trend(since: str | None) -> str | None:
    """Return the English trend column's words (see ``pmf.core.wording``)."""
    return None if since is None else trend_words(since, english=True)


def _previous_cycle(
    history: pl.DataFrame, units: list[str], previous_cut: dt.date | None
) -> pl.DataFrame:
    schema = {
        "unit": pl.String,
        "measure": pl.String,
        "previous_cycle_period": pl.String,
        "previous_cycle_value": pl.Float64,
    }
    if previous_cut is None:
        return pl.DataFrame(schema=schema)
    before = history.filter(pl.col("unit").is_in(units) & (pl.col("period_end") <= previous_cut))
    return _latest(before).select(
        "unit",
        "measure",
        pl.col("period").alias("previous_cycle_period"),
        pl.col("value").alias("previous_cycle_value"),
    )


def _runs(history: pl.DataFrame, units: list[str], measures: pl.DataFrame) -> pl.DataFrame:
    series = history.filter(pl.col("unit").is_in(units)).join(
        measures.select("measure", "polarity", "decimals"), on="measure"
    )
    runs = deterioration_runs(
        series.select("unit", "measure", "period", "period_end", "value", "polarity", "decimals")
    )
    # One worse step is a change; two or more in a row is a trend worth a sentence.
    words = phrase_column(runs, ["deteriorating_since"], _trend, "_trend")["_trend"]
    return runs.with_columns(
        pl.when(pl.col("deteriorating_steps") >= MIN_DETERIORATING_STEPS).then(words).alias("trend")
    )


def _spc(history: pl.DataFrame, units: list[str], framework: Framework) -> pl.DataFrame:
    """Return each series' SPC variation and assurance, as Making Data Count shows them.

    The chart's type and rules, window, baselines, rebases and targets are those of the
    measure page and the board paper (``pmf.core.baseline``), so the three agree: the
    variation is that of the last charted point, the assurance compares the target in force
    at it with the last segment's limits (its last point's, where they vary with the
    denominator), and ``spc_points`` counts the last segment's points.
    """
    schema = {
        "unit": pl.String,
        "measure": pl.String,
        "variation": pl.String,
        "assurance": pl.String,
        "spc_points": pl.Int64,
        "trial_limits": pl.Boolean,
    }
    fractions = [name for name in ("numerator", "denominator") if name in history.columns]
    series = (
        history.filter(pl.col("unit").is_in(units))
        # A p, p′, u or u′ chart is computed from the numerators and denominators.
        .select("unit", "measure", "period", "period_end", "value", *fractions)
        # A chart needs at least two points: one moving range.
        .filter(pl.len().over("unit", "measure") >= MIN_SPC_POINTS)
    )
    if series.height == 0:
        return pl.DataFrame(schema=schema)
    _, segments = framework_chart_points(framework, series)
    return (
        segments.group_by("series", maintain_order=True)
        .last()
        .select(
            pl.col("series")
            .str.split_exact("\x1f", 1)
            .struct.rename_fields(["unit", "measure"])
            .alias("_keys"),
            pl.col("variation"),
            pl.col("assurance"),
            pl.col("points").alias("spc_points"),
            pl.col("trial").alias("trial_limits"),
        )
        .unnest("_keys")
        .select(list(schema))
    )


# A chart needs one moving range, so two points; fewer than 20 in a baseline give trial limits.
MIN_SPC_POINTS = 2


def _forecasts(framework: Framework, history: pl.DataFrame, units: list[str]) -> pl.DataFrame:
    budgets = [
        (measure.code, standard.budget)
        for measure in framework.measures
        if measure.frequency is PeriodKind.MONTH
        for standard in measure.standard
        if isinstance(standard, BudgetStandard)
    ]
    schema = {
        "unit": pl.String,
        "measure": pl.String,
        "forecast": pl.Float64,
        "forecast_method": pl.String,
        "forecast_year": pl.String,
    }
    if not budgets:
        return pl.DataFrame(schema=schema)
    monthly = history.filter(
        pl.col("unit").is_in(units) & pl.col("measure").is_in([code for code, _ in budgets])
    ).select("unit", "measure", "period", "value")
    latest = (
        year_end_forecast(monthly)
        .sort("financial_year")
        .group_by("unit", "measure", maintain_order=True)
        .last()
    )
    return latest.select(
        "unit",
        "measure",
        "forecast",
        pl.col("method").alias("forecast_method"),
        pl.col("financial_year").alias("forecast_year"),
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
        rows.append(
            (
                code,
                period.start,
                period.end,
                period.previous().code,
                period.same_period_last_year().code,
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "period_start": pl.Date,
            "period_end": pl.Date,
            "previous_period": pl.String,
            "last_year_period": pl.String,
        },
        orient="row",
    )


def _measure_table(framework: Framework) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "measure": [m.code for m in framework.measures],
            "area": [m.area for m in framework.measures],
            "kind": [m.kind.value for m in framework.measures],
            "polarity": [m.polarity.value for m in framework.measures],
            "decimals": [m.decimals for m in framework.measures],
            "multiplier": [m.multiplier for m in framework.measures],
            "unit_of_measure": [m.unit_of_measure.value for m in framework.measures],
        },
        schema={
            "measure": pl.String,
            "area": pl.String,
            "kind": pl.String,
            "polarity": pl.String,
            "decimals": pl.Int64,
            "multiplier": pl.Float64,
            "unit_of_measure": pl.String,
        },
    )


def _standard_table(framework: Framework, units: Iterable[str]) -> pl.DataFrame:
    rows = []
    for code in units:
        unit = framework.unit(code)
        for measure in framework.measures:
            standard = measure.standard_for(unit)
            if standard is not None:
                rows.append(
                    (*_standard_row(unit, measure, standard), framework.peers(code) is not None)
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
            "has_peers": pl.Boolean,
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


def _apply_targets(current: pl.LazyFrame, framework: Framework, units: list[str]) -> pl.LazyFrame:
    """Judge each figure against the target running in its period, where there is one.

    A target for the unit itself wins over one for every unit; among equals, the later in
    the framework wins (targets set later come later).
    """
    rows = []
    count = len(framework.model.targets)
    for position, target in enumerate(framework.model.targets):
        measure = framework.measure(target.measure)
        standard = target.standard(measure)
        starts = read_period(target.starts, measure.frequency).start
        ends = read_period(target.ends, measure.frequency).end if target.ends else dt.date.max
        for code in [target.unit] if target.unit else units:
            if code in units:
                rows.append(
                    (
                        code,
                        target.measure,
                        starts,
                        ends,
                        position + count if target.unit else position,
                        describe_standard(measure, standard),
                        standard.comparison,
                        standard.value,
                        standard.amber_within,
                    )
                )
    if not rows:
        return current
    targets = pl.LazyFrame(
        rows,
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "_starts": pl.Date,
            "_ends": pl.Date,
            "_rank": pl.Int64,
            "_standard": pl.String,
            "_comparison": pl.String,
            "_target": pl.Float64,
            "_amber_within": pl.Float64,
        },
        orient="row",
    )
    running = (
        current.select("unit", "measure", "period_end")
        .join(targets, on=["unit", "measure"])
        .filter(pl.col("period_end").is_between(pl.col("_starts"), pl.col("_ends")))
        .sort("_rank")
        .group_by("unit", "measure", maintain_order=True)
        .last()
        .drop("period_end", "_starts", "_ends", "_rank")
    )
    has_target = pl.col("_target").is_not_null()
    return (
        current.join(running, on=["unit", "measure"], how="left")
        .with_columns(
            pl.when(has_target)
            .then(pl.lit("target"))
            .otherwise("standard_type")
            .alias("standard_type"),
            pl.when(has_target).then("_standard").otherwise("standard").alias("standard"),
            pl.when(has_target).then("_comparison").otherwise("comparison").alias("comparison"),
            pl.when(has_target).then("_target").otherwise("target").alias("target"),
            pl.when(has_target)
            .then("_amber_within")
            .otherwise("amber_within")
            .alias("amber_within"),
            pl.when(has_target).then(None).otherwise("against").alias("against"),
        )
        .drop("_standard", "_comparison", "_target", "_amber_within")
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
        return f"{symbol} {format_value(standard.value, measure, english=True)}"
    # In English, from the messages a reader's language words them with (standard_words).
    if isinstance(standard, BudgetStandard):
        budget = format_value(standard.budget, measure, english=True)
        return standard_phrase(standard.type, budget=budget, english=True)
    if isinstance(standard, InspectionStandard):
        return standard_phrase(standard.type, grade=standard.minimum.value, english=True)
    if isinstance(standard, ImprovementStandard):
        return standard_phrase(standard.against, english=True)
    return standard_phrase(standard.type, english=True)


def _judge(frame: pl.LazyFrame) -> pl.LazyFrame:
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
    # A within-budget standard on monthly spending judges the forecast outturn, not the month.
    judged_value = (
        pl.when((kind == "within_budget") & pl.col("forecast").is_not_null())
        .then(pl.col("forecast"))
        .when((kind == "peer_average") & pl.col("peer_value").is_not_null())
        .then(pl.col("peer_value"))
        .otherwise(pl.col("value"))
    )
    frame = frame.with_columns(reference.alias("reference"), judged_value.alias("_judged"))
    variance, position = against_budget(pl.col("forecast"), pl.col("target"))
    frame = frame.with_columns(
        pl.when((kind == "within_budget") & pl.col("forecast").is_not_null())
        .then(variance)
        .alias("budget_variance"),
        pl.when((kind == "within_budget") & pl.col("forecast").is_not_null())
        .then(position)
        .alias("budget_position"),
    )
    ref = pl.col("reference")
    value = pl.col("_judged")
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
    # Compared at the precision shown, as the direction of travel is: a figure shown as the
    # MSG average meets it, and one shown as last year's is not better than it.
    scale = pl.lit(10.0).pow(pl.col("decimals"))
    shown, ref_shown = (value * scale).round(0), (ref * scale).round(0)
    better_or_equal = pl.when(higher).then(shown >= ref_shown).otherwise(shown <= ref_shown)
    better = pl.when(higher).then(shown > ref_shown).otherwise(shown < ref_shown)
    met = (
        pl.when(kind.is_null() | ref.is_null())
        .then(None)
        .when(kind == "peer_average")
        .then(better_or_equal)
        .when(kind == "improvement")
        .then(better)
        .otherwise(by_comparison)
    )
    not_assessed = (
        pl.when(kind.is_null())
        .then(pl.lit("no standard"))
        .when((kind == "peer_average") & ~pl.col("has_peers"))
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
        direction("value", "previous_value").alias("direction_previous"),
        direction("value", "last_year_value").alias("direction_last_year"),
        direction("value", "previous_cycle_value").alias("direction_previous_cycle"),
    )


def _significance(
    frame: pl.DataFrame,
    reference: str,
    output: str,
    code: str,
    benchmark: str | None,
    *,
    fraction: tuple[str, str] = ("numerator", "denominator"),
) -> pl.DataFrame:
    """Say whether each figure differs significantly from the value in column ``reference``.

    The figure's 95 % confidence interval is compared with it: Wilson's for a percentage
    with a numerator and denominator, Byar's (exact below 10 events) for a rate. The answer
    goes into ``code`` (similar, better, worse; higher, lower where neither is better) and
    into ``output`` in English words naming ``benchmark`` ("England"; None: the MSG average).
    ``fraction`` names the numerator and denominator columns of the figure compared (the peer
    period's, for the MSG average).
    """
    numerator, denominator = pl.col(fraction[0]), pl.col(fraction[1])
    usable = (
        pl.col(reference).is_not_null()
        & numerator.is_not_null()
        & denominator.is_not_null()
        & (denominator > 0)
        & (numerator >= 0)
    )
    percent = (pl.col("unit_of_measure") == UnitOfMeasure.PERCENT.value) & (
        numerator <= denominator
    )
    rate = pl.col("unit_of_measure").is_in([UnitOfMeasure.RATE.value, UnitOfMeasure.RATIO.value])
    marked = frame.with_row_index("_row").with_columns(
        pl.when(usable & percent)
        .then(pl.lit("wilson"))
        .when(usable & rate)
        .then(pl.lit("byar"))
        .alias("_method")
    )
    parts = []
    for method in ("wilson", "byar"):
        rows = marked.filter(pl.col("_method") == method)
        if rows.height == 0:
            continue
        top, bottom = rows[fraction[0]].to_numpy(), rows[fraction[1]].to_numpy()
        if method == "wilson":
            lower, upper = wilson(top, bottom, SIGNIFICANCE_CONFIDENCE)
        else:
            lower, upper = byar(top, SIGNIFICANCE_CONFIDENCE)
            lower, upper = lower / bottom, upper / bottom
        scale = rows["multiplier"].to_numpy()
        found = compare_with_value(lower * scale, upper * scale, rows[reference].to_numpy())
        parts.append(rows.select("_row", pl.Series("_answer", found.tolist(), dtype=pl.String)))
    answers = (
        pl.concat(parts)
        if parts
        else pl.DataFrame(schema={"_row": pl.UInt32, "_answer": pl.String})
    )
    answer = pl.col("_answer")
    sense = pl.col("polarity")
    good = (answer == "Higher") == (sense == Polarity.HIGHER_IS_BETTER.value)
    answered = (
        pl.when(answer.is_null())
        .then(None)
        .when(answer == "Similar")
        .then(pl.lit("similar"))
        .when(~answer.is_in(["Higher", "Lower"]))
        .then(None)
        .when(sense == Polarity.NEITHER.value)
        .then(answer.str.to_lowercase())
        .when(good)
        .then(pl.lit("better"))
        .otherwise(pl.lit("worse"))
    )
    # The English words of each code, from the one message a reader's sentence also uses.
    words = {key: significance_words(key, benchmark, english=True) for key in SIGNIFICANCE_CODES}
    return (
        marked.join(answers, on="_row", how="left")
        .with_columns(answered.alias(code))
        .with_columns(pl.col(code).replace_strict(words, default=None).alias(output))
        .drop("_row", "_method", "_answer")
    )


def _national(framework: Framework, history: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """Return the national unit's figures by measure and period, and the unit's English name.

    The name goes into the English column ``national_comparison``, whichever language the
    framework shows: a reader's page names the unit in their language (``national_name``).
    """
    code = framework.organisation.national
    schema = {"measure": pl.String, "period": pl.String, "national_value": pl.Float64}
    if code is None:
        return pl.DataFrame(schema=schema), ""
    rolled = history.filter(pl.col("unit") == code).select(
        "measure", "period", pl.col("value").alias("national_value")
    )
    return rolled, framework.unit(code).english_name


def _order(framework: Framework) -> dict[str, dict[str, int]]:
    return {
        "units": {u.code: i for i, u in enumerate(framework.units)},
        "measures": {m.code: i for i, m in enumerate(framework.measures)},
    }


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={column: pl.String for column in ASSESSMENT_COLUMNS})
