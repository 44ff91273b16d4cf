"""Choose the points an SPC chart shows and the points each of its sets of limits comes from.

Making Data Count asks for limits from a stable baseline, recalculated only at a known,
sustained change, and for charts annotated with what happened. pmf does that here, once,
for the measure page, the board paper and the scorecard's variation and assurance alike,
so that they cannot disagree:

* the **display window** is the last ``window`` periods of the series (by default 36
  months, 12 quarters, 10 years: ``DEFAULT_WINDOWS``), or every period from the
  baseline's ``from`` period when one is given; earlier figures are not charted and set
  nothing;
* the window is cut into **segments** at each **rebase** inside it (a period where a new
  baseline starts, with its reason); a rebase before the window has nothing to cut;
* each segment has its own mean and limits (``pmf.core.spc`` with a ``rebase`` column, as
  NHSRplotthedots' ``rebase``), computed from its **baseline**: its first
  ``baseline_points`` points (20 by default, ``fix_after_n_points``), or for the first
  segment the periods ``from`` to ``to`` when they are given. A segment with fewer points
  in its baseline than ``baseline_points`` has **trial limits**, and says so;
* **events** (a period and a short text) are carried to the points they belong to;
* the **target in force** in each period is carried too, and each segment's assurance is
  judged against the target in force at its last point;
* the **chart type and rules** are the measure's (``spc: {chart:, rules:}``): an XmR chart
  with Making Data Count's rules unless the framework says otherwise. A p, p′, u or u′
  chart is computed from each figure's numerator and denominator and drawn in the
  measure's units (times its ``multiplier``); its limits vary with each denominator, and a
  segment's assurance compares the target with its last point's limits. A series with a
  charted figure that has no numerator or denominator is drawn as an XmR chart instead,
  and says so (``chart`` and ``fallback``).

The result is a frame of points and a frame of segments; :func:`describe_limits` says in
words which periods each segment's limits come from.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import polars as pl

from pmf.core.framework import Framework, Measure, TargetStandard
from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop
from pmf.core.membership import keep_members
from pmf.core.periods import PeriodKind, parse_period, read_period
from pmf.core.spc import (
    CONSISTENT_FAIL,
    CONSISTENT_PASS,
    INCONSISTENT,
    Improvement,
    SpcOptions,
    SpcTrialLimitsWarning,
    spc_points,
)
from pmf.core.text import period_name

__all__ = [
    "CHART_WORDS",
    "DEFAULT_BASELINE_POINTS",
    "DEFAULT_WINDOWS",
    "RATIO_CHARTS",
    "RULES_WORDS",
    "ChartSettings",
    "Event",
    "Rebase",
    "SeriesChart",
    "chart_points",
    "chart_series",
    "chart_settings",
    "chart_title",
    "describe_limits",
    "framework_chart_points",
    "targets_in_force",
]

# Enough periods to see a process settle and change, few enough that old behaviour does not
# set today's limits: three years of months, three of quarters, ten years, a year of weeks
# and a quarter of days (about 90 daily points: enough, with 20 in the baseline, to see a
# shift of a few weeks without a year of days, whose seasons would blur the limits).
DEFAULT_WINDOWS: Final[Mapping[PeriodKind, int]] = {
    PeriodKind.MONTH: 36,
    PeriodKind.QUARTER: 12,
    PeriodKind.FINANCIAL_QUARTER: 12,
    PeriodKind.FINANCIAL_YEAR: 10,
    PeriodKind.YEAR: 10,
    PeriodKind.ROLLING: 36,
    PeriodKind.MULTI_YEAR: 10,
    PeriodKind.WEEK: 52,
    PeriodKind.DAY: 91,
}
# Making Data Count: limits are best from 20 or more points; fewer give trial limits.
DEFAULT_BASELINE_POINTS: Final = 20

# What each chart type is called on pages and papers, and what its rules are called.
CHART_WORDS: Final[Mapping[str, str]] = {
    "i": "XmR chart",
    "mr": "moving range (mR) chart",
    "run": "run chart",
    "p": "p chart (proportion)",
    "pp": "p′ chart (proportion, Laney)",
    "u": "u chart (rate)",
    "up": "u′ chart (rate, Laney)",
    "c": "c chart (count)",
    "g": "g chart (cases between events)",
    "t": "t chart (time between events)",
}
RULES_WORDS: Final[Mapping[str, str]] = {
    "mdc": "Making Data Count rules",
    "anhoej": "Anhøj rules (runs analysis)",
}
# The charts of a numerator over a denominator: computed from both, drawn times the multiplier.
RATIO_CHARTS: Final = frozenset({"p", "pp", "u", "up"})

# How many periods the limits come from, and which: one whole message per kind of period and
# number (one or many), so that a language may word each as its grammar needs; the article
# ("the") is the sentence's (``_LIMITS``).
_SPAN_MANY: Final[Mapping[PeriodKind, str]] = {
    PeriodKind.MONTH: gettext_noop("{count} months {first} to {last}"),
    PeriodKind.QUARTER: gettext_noop("{count} quarters {first} to {last}"),
    PeriodKind.FINANCIAL_QUARTER: gettext_noop("{count} quarters {first} to {last}"),
    PeriodKind.FINANCIAL_YEAR: gettext_noop("{count} years {first} to {last}"),
    PeriodKind.YEAR: gettext_noop("{count} years {first} to {last}"),
    PeriodKind.ROLLING: gettext_noop("{count} periods {first} to {last}"),
    PeriodKind.MULTI_YEAR: gettext_noop("{count} periods {first} to {last}"),
    PeriodKind.WEEK: gettext_noop("{count} weeks {first} to {last}"),
    PeriodKind.DAY: gettext_noop("{count} days {first} to {last}"),
}
_SPAN_ONE: Final[Mapping[PeriodKind, str]] = {
    PeriodKind.MONTH: gettext_noop("month {first}"),
    PeriodKind.QUARTER: gettext_noop("quarter {first}"),
    PeriodKind.FINANCIAL_QUARTER: gettext_noop("quarter {first}"),
    PeriodKind.FINANCIAL_YEAR: gettext_noop("year {first}"),
    PeriodKind.YEAR: gettext_noop("year {first}"),
    PeriodKind.ROLLING: gettext_noop("period {first}"),
    PeriodKind.MULTI_YEAR: gettext_noop("period {first}"),
    PeriodKind.WEEK: gettext_noop("week {first}"),
    PeriodKind.DAY: gettext_noop("day {first}"),
}
# (first segment, trial limits): where a segment's limits come from, as a whole clause.
_LIMITS: Final[Mapping[tuple[bool, bool], str]] = {
    (True, False): gettext_noop("Limits from the {span}"),
    (True, True): gettext_noop("Trial limits (fewer than {points} points) from the {span}"),
    (False, False): gettext_noop("from {period} (rebased: {reason}), limits from the {span}"),
    (False, True): gettext_noop(
        "from {period} (rebased: {reason}), trial limits (fewer than {points} points) from the "
        "{span}"
    ),
}


@dataclass(frozen=True)
class Rebase:
    """A period (its code) where a new baseline starts, and why."""

    period: str
    reason: str


@dataclass(frozen=True)
class Event:
    """Something that happened in a period (its code), drawn on the chart."""

    period: str
    text: str


@dataclass(frozen=True)
class ChartSettings:
    """Say which periods a series' SPC chart shows and where its limits come from.

    ``window``: periods shown (the last ones); ``baseline_points``: points at the start of
    each segment that set its limits; ``baseline_from`` and ``baseline_to``: period codes of
    the first segment's baseline (the chart then starts at ``baseline_from``);
    ``rebases`` and ``events``: in any order; ``improvement``: which way is better;
    ``chart`` and ``rules``: the chart type and rule set (``pmf.core.spc``); ``multiplier``:
    what a p, p′, u or u′ chart's proportion or rate is multiplied by to be in the
    measure's units (100 for a percentage).

    >>> ChartSettings(window=36).baseline_points
    20
    """

    window: int = DEFAULT_WINDOWS[PeriodKind.MONTH]
    baseline_points: int = DEFAULT_BASELINE_POINTS
    baseline_from: str | None = None
    baseline_to: str | None = None
    rebases: tuple[Rebase, ...] = ()
    events: tuple[Event, ...] = ()
    improvement: Improvement = "increase"
    chart: str = "i"
    rules: str = "mdc"
    multiplier: float = 1.0

    def __post_init__(self) -> None:
        """Reject a window, baseline, chart or rules the method cannot use."""
        for name in ("window", "baseline_points"):
            number = getattr(self, name)
            if isinstance(number, bool) or not isinstance(number, int) or number < 2:
                raise ValueError(f"{name} must be a whole number of at least 2, not {number!r}")
        if self.chart not in CHART_WORDS:
            raise ValueError(f"chart must be one of {', '.join(CHART_WORDS)}, not {self.chart!r}")
        if self.rules not in RULES_WORDS:
            raise ValueError(f"rules must be one of {', '.join(RULES_WORDS)}, not {self.rules!r}")
        if not self.multiplier > 0:
            raise ValueError(f"multiplier must be more than 0, not {self.multiplier!r}")


def chart_title(chart: str, rules: str) -> str:
    """Say which chart and which rules, as a caption does.

    >>> chart_title("p", "mdc")
    'p chart (proportion), Making Data Count rules'
    """
    return f"{CHART_WORDS[chart]}, {RULES_WORDS[rules]}"


def chart_settings(
    framework: Framework,
    measure: Measure,
    unit: str,
    *,
    rebases: Sequence[Rebase] = (),
    events: Sequence[Event] = (),
) -> ChartSettings:
    """Return the SPC settings of one unit's series of ``measure`` from the framework.

    The unit's own window or baseline (``spc.units``) wins over the measure's, which wins
    over the framework's window for the frequency (``spc.windows``) and ``DEFAULT_WINDOWS``.
    Rebases and events for every unit and for this unit are combined, with ``rebases`` and
    ``events`` given here (kept elsewhere, such as the web application's); of two rebases in
    one period the unit's own (or the later given) reason is kept.
    """
    from pmf.core.framework import Polarity

    defaults = framework.model.spc
    spc = measure.spc
    window = (
        spc.window or defaults.windows.get(measure.frequency) or DEFAULT_WINDOWS[measure.frequency]
    )
    baseline = spc.baseline
    for own in spc.units:
        if own.unit == unit:
            window = own.window or window
            baseline = own.baseline or baseline
    points = baseline.points if baseline and baseline.points else defaults.baseline_points
    found: dict[str, Rebase] = {}
    for item in sorted(spc.rebases, key=lambda item: item.unit is not None):
        if item.unit in (None, unit):
            code = read_period(item.period, measure.frequency).code
            found[code] = Rebase(code, item.reason)
    for given in rebases:
        found[read_period(given.period, measure.frequency).code] = given
    notes = [
        Event(read_period(item.period, measure.frequency).code, item.text)
        for item in spc.events
        if item.unit in (None, unit)
    ]
    notes.extend(events)
    improvement: Improvement = {
        Polarity.HIGHER_IS_BETTER: "increase",
        Polarity.LOWER_IS_BETTER: "decrease",
    }.get(measure.polarity, "neutral")  # type: ignore[assignment]  # the dict widens to str
    return ChartSettings(
        window=window,
        baseline_points=points,
        baseline_from=baseline.starts if baseline else None,
        baseline_to=baseline.ends if baseline else None,
        rebases=tuple(sorted(found.values(), key=lambda item: parse_period(item.period))),
        events=tuple(sorted(notes, key=lambda item: parse_period(item.period))),
        improvement=improvement,
        chart=spc.chart,
        rules=spc.rules or defaults.rules,
        multiplier=measure.multiplier,
    )


POINT_SCHEMA: Final = {
    "series": pl.String,
    "period": pl.String,
    "period_end": pl.Date,
    "value": pl.Float64,
    "segment": pl.Int64,
    "in_baseline": pl.Boolean,
    "mean": pl.Float64,
    "lpl": pl.Float64,
    "upl": pl.Float64,
    "point_type": pl.String,
    "outside_limits": pl.Boolean,
    "run": pl.Boolean,
    "trend": pl.Boolean,
    "two_in_three": pl.Boolean,
    "trial": pl.Boolean,
    "target": pl.Float64,
    "rebase": pl.String,
    "event": pl.String,
    "lpl_2sigma": pl.Float64,
    "upl_2sigma": pl.Float64,
    "plotted": pl.Float64,
    "chart": pl.String,
    "rules": pl.String,
    "fallback": pl.String,
}
SEGMENT_SCHEMA: Final = {
    "series": pl.String,
    "segment": pl.Int64,
    "first_period": pl.String,
    "last_period": pl.String,
    "points": pl.Int64,
    "baseline_first": pl.String,
    "baseline_last": pl.String,
    "baseline_points": pl.Int64,
    "mean": pl.Float64,
    "lpl": pl.Float64,
    "upl": pl.Float64,
    "trial": pl.Boolean,
    "target": pl.Float64,
    "variation": pl.String,
    "assurance": pl.String,
    "reason": pl.String,
    "limits_vary": pl.Boolean,
    "chart": pl.String,
    "rules": pl.String,
}


def chart_points(
    series: pl.DataFrame,
    settings: Mapping[str, ChartSettings],
    *,
    default: ChartSettings | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the charted points and the segments of many series at once.

    ``series`` has columns ``series`` (a key), ``period`` (a period code), ``period_end``
    (its last day) and ``value``, and optionally ``target`` (the target in force in the
    period). ``settings`` maps a key to its settings; keys not in it use ``default`` (plain
    ``ChartSettings()`` when None).

    The points frame has the columns of ``POINT_SCHEMA``, one row per charted point; the
    segments frame those of ``SEGMENT_SCHEMA``, one row per segment, in order.

    >>> import datetime as dt
    >>> frame = pl.DataFrame({"series": "a", "period": [f"2024-{m:02d}" for m in range(1, 13)],
    ...     "period_end": [dt.date(2024, m, 28) for m in range(1, 13)],
    ...     "value": [5.0, 6, 5, 6, 5, 6, 9, 10, 9, 10, 9, 10]})
    >>> rules = ChartSettings(window=10, rebases=(Rebase("2024-07", "new rules"),))
    >>> points, segments = chart_points(frame, {"a": rules})
    >>> points.height, segments["first_period"].to_list(), segments["mean"].to_list()
    (10, ['2024-03', '2024-07'], [5.5, 9.5])
    >>> segments["trial"].to_list()
    [True, True]
    """
    fallback = default or ChartSettings()
    if "target" not in series.columns:
        series = series.with_columns(pl.lit(None, pl.Float64).alias("target"))
    for name in ("numerator", "denominator"):
        if name not in series.columns:
            series = series.with_columns(pl.lit(None, pl.Float64).alias(name))
    frame = series.select(
        pl.col("series").cast(pl.String),
        pl.col("period").cast(pl.String),
        pl.col("period_end").cast(pl.Date),
        pl.col("value").cast(pl.Float64),
        pl.col("target").cast(pl.Float64),
        pl.col("numerator").cast(pl.Float64),
        pl.col("denominator").cast(pl.Float64),
    ).sort("series", "period_end")
    if frame.height == 0:
        return pl.DataFrame(schema=POINT_SCHEMA), pl.DataFrame(schema=SEGMENT_SCHEMA)
    keys = frame["series"].unique(maintain_order=True).to_list()
    chosen = {key: settings.get(key, fallback) for key in keys}
    table = pl.DataFrame(
        {
            "series": keys,
            "_window": [chosen[key].window for key in keys],
            "_points": [chosen[key].baseline_points for key in keys],
            "_from": [_end_of_start(chosen[key].baseline_from) for key in keys],
            "_to": [_end(chosen[key].baseline_to) for key in keys],
            "_improvement": [chosen[key].improvement for key in keys],
            "_chart": [chosen[key].chart for key in keys],
            "rules": [chosen[key].rules for key in keys],
            "_multiplier": [float(chosen[key].multiplier) for key in keys],
        },
        schema={
            "series": pl.String,
            "_window": pl.Int64,
            "_points": pl.Int64,
            "_from": pl.Date,
            "_to": pl.Date,
            "_improvement": pl.String,
            "_chart": pl.String,
            "rules": pl.String,
            "_multiplier": pl.Float64,
        },
    )
    marks = _marks(chosen)
    position = pl.int_range(pl.len()).over("series")
    # One lazy plan from the window to the baseline flags: a single collect.
    plan = (
        frame.lazy()
        .join(table.lazy(), on="series", how="left", maintain_order="left")
        .filter(
            pl.when(pl.col("_from").is_not_null())
            .then(pl.col("period_end") >= pl.col("_from"))
            .otherwise(position >= pl.len().over("series") - pl.col("_window"))
        )
        .join(marks["rebases"].lazy(), on=["series", "period"], how="left", maintain_order="left")
        .join(marks["events"].lazy(), on=["series", "period"], how="left", maintain_order="left")
    )
    # A rebase on the first charted point starts nothing new: the window starts a baseline.
    first = pl.int_range(pl.len()).over("series") == 0
    plan = plan.with_columns(
        pl.when(first).then(None).otherwise(pl.col("rebase")).alias("rebase")
    ).with_columns(pl.col("rebase").is_not_null().alias("_rebase"))
    plan = plan.with_columns(
        pl.col("_rebase").cast(pl.Int64).cum_sum().over("series").alias("segment")
    )
    in_segment = pl.int_range(pl.len()).over("series", "segment")
    counted = in_segment < pl.col("_points")
    plan = plan.with_columns(
        pl.when((pl.col("segment") == 0) & pl.col("_to").is_not_null())
        .then(pl.col("period_end") <= pl.col("_to"))
        .otherwise(counted)
        .alias("_baseline"),
        counted.alias("_counted"),
    )
    # A segment whose given baseline holds no charted point falls back to its first points.
    shown = plan.with_columns(
        pl.when(pl.col("_baseline").any().over("series", "segment"))
        .then(pl.col("_baseline"))
        .otherwise(pl.col("_counted"))
        .alias("in_baseline")
    ).collect()
    if shown.height == 0:
        # Every series' window starts after its last figure (a baseline ``from`` to come).
        return pl.DataFrame(schema=POINT_SCHEMA), pl.DataFrame(schema=SEGMENT_SCHEMA)
    shown = _chosen_chart(shown)
    computed = [
        _computed(part, str(improvement), str(chart), str(rules))
        for (improvement, chart, rules), part in shown.group_by(
            "_improvement", "chart", "rules", maintain_order=True
        )
    ]
    baseline_size = pl.col("in_baseline").sum().over("series", "segment")
    points = (
        shown.lazy()
        .join(pl.concat(computed).lazy(), on=["series", "period_end"], how="left")
        .sort("series", "period_end")
        .with_columns((baseline_size < pl.col("_points")).alias("trial"))
    )
    charted = points.collect()
    return charted.select(list(POINT_SCHEMA)), _segments(charted.lazy()).collect()


# The columns each chart adds to a charted point (null where a chart has none).
_COMPUTED: Final = {
    "mean": pl.Float64,
    "lpl": pl.Float64,
    "upl": pl.Float64,
    "point_type": pl.String,
    "outside_limits": pl.Boolean,
    "run": pl.Boolean,
    "trend": pl.Boolean,
    "two_in_three": pl.Boolean,
    "lpl_2sigma": pl.Float64,
    "upl_2sigma": pl.Float64,
}
_SCALED: Final = ("mean", "lpl", "upl", "lpl_2sigma", "upl_2sigma", "plotted")


def _chosen_chart(shown: pl.DataFrame) -> pl.DataFrame:
    """Add each series' chart: its own, or XmR where a ratio chart lacks a numerator or denominator.

    A p, p′, u or u′ chart needs a numerator and a positive denominator for every charted
    figure; a series with one that has none is drawn as an XmR chart, and ``fallback`` says
    why.
    """
    if not shown["_chart"].is_in(list(RATIO_CHARTS)).any():
        # No ratio chart (the usual case): every series is drawn as it chose.
        return shown.with_columns(
            pl.col("_chart").alias("chart"), pl.lit(None, pl.String).alias("fallback")
        )
    ratio = pl.col("_chart").is_in(list(RATIO_CHARTS))
    lacking = (
        pl.col("numerator").is_null()
        | pl.col("denominator").is_null()
        | (pl.col("denominator") <= 0)
    )
    missing = (ratio & lacking).sum().over("series")
    named = pl.col("_chart").replace_strict(dict(CHART_WORDS), return_dtype=pl.String)
    return shown.with_columns(
        pl.when(missing > 0).then(pl.lit("i")).otherwise(pl.col("_chart")).alias("chart"),
        pl.when(missing > 0)
        .then(
            pl.format(
                "drawn as an XmR chart: {} of the {} figures charted {} no numerator and "
                "denominator for a {}",
                missing,
                pl.len().over("series"),
                pl.when(missing == 1).then(pl.lit("has")).otherwise(pl.lit("have")),
                named,
            )
        )
        .otherwise(pl.lit(None, pl.String))
        .alias("fallback"),
    )


def _computed(part: pl.DataFrame, improvement: str, chart: str, rules: str) -> pl.DataFrame:
    """Return the centre, limits and signals of the series of one chart, rules and direction.

    ``plotted`` is what the chart plots: the figure, or for an mR chart the moving range; a
    p, p′, u or u′ chart's proportion or rate, and its centre and limits, are multiplied by
    the series' multiplier, so that they are in the measure's units.
    """
    plain = chart == "i" and rules == "mdc"
    ratio = chart in RATIO_CHARTS
    with warnings.catch_warnings():
        # Trial limits are marked below, against the baseline the settings ask for.
        warnings.simplefilter("ignore", SpcTrialLimitsWarning)
        if plain:
            # The XmR chart with Making Data Count's rules: as pmf has always drawn it.
            result = spc_points(
                part,
                value="value",
                date="period_end",
                group="series",
                rebase="_rebase",
                baseline="in_baseline",
                # The column holds only the Improvement words that _improvement wrote.
                options=SpcOptions(improvement=improvement),  # type: ignore[arg-type]
            )
        else:
            # A moving range is neither better high nor low: its signals are neutral.
            direction = "neutral" if chart == "mr" else improvement
            options: dict[str, Any] = {"improvement": direction, "chart": chart, "rules": rules}
            result = spc_points(
                part,
                value="value",
                numerator="numerator" if ratio else None,
                denominator="denominator" if ratio else None,
                date="period_end",
                group="series",
                rebase="_rebase",
                baseline="in_baseline",
                options=SpcOptions(**options),
            )
    columns = [
        pl.col(name) if name in result.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in _COMPUTED.items()
    ]
    found = result.select(
        pl.col("group").alias("series"),
        pl.col("date").alias("period_end"),
        *columns,
        pl.col("value").cast(pl.Float64).alias("plotted"),
    )
    if not ratio:
        return found
    multiplier = part.select("series", "period_end", "_multiplier")
    return (
        found.join(multiplier, on=["series", "period_end"], how="left")
        .with_columns(pl.col(name) * pl.col("_multiplier") for name in _SCALED)
        .drop("_multiplier")
    )


def _segments(points: pl.LazyFrame) -> pl.LazyFrame:
    """Summarise each segment: its periods, baseline, limits, target, variation, assurance."""
    in_baseline = pl.col("in_baseline")
    grouped = points.group_by("series", "segment", maintain_order=True).agg(
        pl.col("period").first().alias("first_period"),
        pl.col("period").last().alias("last_period"),
        pl.len().cast(pl.Int64).alias("points"),
        pl.col("period").filter(in_baseline).first().alias("baseline_first"),
        pl.col("period").filter(in_baseline).last().alias("baseline_last"),
        in_baseline.sum().cast(pl.Int64).alias("baseline_points"),
        pl.col("mean").first(),
        # An XmR segment has one pair of limits; where they vary with the denominator, the
        # last point's are the segment's, and its assurance is judged against them.
        pl.col("lpl").last(),
        pl.col("upl").last(),
        pl.col("trial").first(),
        pl.col("target").last(),
        pl.col("point_type").last().alias("variation"),
        pl.col("rebase").first().alias("reason"),
        pl.col("_improvement").first(),
        ((pl.col("lpl").n_unique() > 1) | (pl.col("upl").n_unique() > 1)).alias("limits_vary"),
        pl.col("chart").first(),
        pl.col("rules").first(),
    )
    target = pl.col("target")
    increase = pl.col("_improvement") == "increase"
    # As NHSRplotthedots: a target beyond a limit is always met or never; on or between, or
    # with limits that cannot be computed, sometimes.
    # A run chart has no limits, and an mR chart's are not in the figures' units: no assurance.
    assurance = (
        pl.when(
            target.is_null()
            | (pl.col("_improvement") == "neutral")
            | pl.col("chart").is_in(["run", "mr"])
        )
        .then(pl.lit(None, pl.String))
        .when(target > pl.col("upl"))
        .then(pl.when(increase).then(pl.lit(CONSISTENT_FAIL)).otherwise(pl.lit(CONSISTENT_PASS)))
        .when(target < pl.col("lpl"))
        .then(pl.when(increase).then(pl.lit(CONSISTENT_PASS)).otherwise(pl.lit(CONSISTENT_FAIL)))
        .otherwise(pl.lit(INCONSISTENT))
    )
    return grouped.with_columns(assurance.alias("assurance")).select(list(SEGMENT_SCHEMA))


def _end(code: str | None) -> dt.date | None:
    return parse_period(code).end if code else None


def _end_of_start(code: str | None) -> dt.date | None:
    # A period is in the window when it ends on or after the first day of ``from``.
    return parse_period(code).start if code else None


def _marks(chosen: Mapping[str, ChartSettings]) -> dict[str, pl.DataFrame]:
    """Return each series' rebases and events as frames keyed by series and period end."""
    rebases: list[tuple[str, str, str]] = []
    events: dict[tuple[str, str], list[str]] = {}
    for key, settings in chosen.items():
        for rebase in settings.rebases:
            rebases.append((key, parse_period(rebase.period).code, rebase.reason))
        for event in settings.events:
            events.setdefault((key, parse_period(event.period).code), []).append(event.text)
    schema = {"series": pl.String, "period": pl.String}
    return {
        "rebases": pl.DataFrame(
            rebases, schema={**schema, "rebase": pl.String}, orient="row"
        ).unique(["series", "period"], keep="last", maintain_order=True),
        "events": pl.DataFrame(
            [(key, end, "; ".join(texts)) for (key, end), texts in events.items()],
            schema={**schema, "event": pl.String},
            orient="row",
        ),
    }


@dataclass(frozen=True)
class SeriesChart:
    """One series' SPC chart: the points shown, its segments and what it leaves out.

    ``points`` and ``segments`` are rows of ``chart_points``' frames (dictionaries);
    ``hidden`` is how many earlier figures the window leaves out.
    """

    points: tuple[dict[str, Any], ...]
    segments: tuple[dict[str, Any], ...]
    hidden: int
    settings: ChartSettings = field(default_factory=ChartSettings)

    @property
    def summary(self) -> dict[str, Any] | None:
        """Return the last segment, whose variation and assurance a scorecard shows."""
        return self.segments[-1] if self.segments else None

    @property
    def chart(self) -> str:
        """Return the chart drawn: the settings' own, or ``i`` where it fell back to XmR."""
        return str(self.points[-1]["chart"]) if self.points else self.settings.chart

    @property
    def fallback(self) -> str | None:
        """Return why the chart is XmR rather than the one chosen, or None when it is that one."""
        return self.points[-1]["fallback"] if self.points else None

    @property
    def title(self) -> str:
        """Say which chart is drawn and with which rules: ``p chart (proportion), ...``."""
        return chart_title(self.chart, self.settings.rules)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Return the charted events: each period and its text."""
        return [
            {"period": point["period"], "text": point["event"]}
            for point in self.points
            if point["event"]
        ]


def chart_series(
    periods: Sequence[str],
    values: Sequence[float],
    settings: ChartSettings,
    *,
    targets: Sequence[float | None] | None = None,
    numerators: Sequence[float | None] | None = None,
    denominators: Sequence[float | None] | None = None,
) -> SeriesChart:
    """Return the SPC chart of one series: ``periods`` (codes) and their ``values``.

    ``targets`` is the target in force in each period (None where there is none);
    ``numerators`` and ``denominators`` each figure's, for a p, p′, u or u′ chart.

    >>> chart = chart_series([f"2024-{m:02d}" for m in range(1, 13)], [4.0, 6.0] * 6,
    ...                      ChartSettings(window=12))
    >>> chart.summary["mean"], chart.summary["trial"], chart.hidden
    (5.0, True, 0)
    """
    nothing = [None] * len(periods)
    frame = pl.DataFrame(
        {
            "series": ["series"] * len(periods),
            "period": list(periods),
            "period_end": [parse_period(code).end for code in periods],
            "value": [float(value) for value in values],
            "target": list(targets) if targets is not None else nothing,
            "numerator": list(numerators) if numerators is not None else nothing,
            "denominator": list(denominators) if denominators is not None else nothing,
        },
        schema={
            "series": pl.String,
            "period": pl.String,
            "period_end": pl.Date,
            "value": pl.Float64,
            "target": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
    )
    points, segments = chart_points(frame, {"series": settings})
    return SeriesChart(
        points=tuple(points.drop("series").to_dicts()),
        segments=tuple(segments.drop("series").to_dicts()),
        hidden=frame.height - points.height,
        settings=settings,
    )


def describe_limits(chart: SeriesChart, frequency: PeriodKind) -> str:
    """Say in one sentence which periods each segment's mean and limits come from.

    >>> chart = chart_series([f"2024-{m:02d}" for m in range(1, 13)], [4.0, 6.0] * 6,
    ...                      ChartSettings(window=12))
    >>> describe_limits(chart, PeriodKind.MONTH)
    'Trial limits (fewer than 20 points) from the 12 months January 2024 to December 2024.'
    """
    parts = []
    for index, segment in enumerate(chart.segments):
        count = segment["baseline_points"]
        first = _label(segment["baseline_first"])
        span = (
            _(_SPAN_MANY[frequency]).format(
                count=count, first=first, last=_label(segment["baseline_last"])
            )
            if count != 1
            else _(_SPAN_ONE[frequency]).format(first=first)
        )
        parts.append(
            _(_LIMITS[(index == 0, bool(segment["trial"]))]).format(
                span=span,
                points=chart.settings.baseline_points,
                period=_label(segment["first_period"]),
                reason=segment["reason"],
            )
        )
    return "; ".join(parts) + "." if parts else ""


def _label(code: str | None) -> str:
    """Return a period's name in the reader's language (its label, in English)."""
    return period_name(code) if code else ""


def targets_in_force(
    framework: Framework, frame: pl.DataFrame, *, unit: str = "unit", measure: str = "measure"
) -> pl.Series:
    """Return the target in force for each row of ``frame`` (unit, measure, period_end).

    A framework target running in the period wins (the unit's own over every unit's, the
    later in the framework over the earlier, as ``pmf.core.assessment`` judges); otherwise
    the measure's fixed target standard for the unit, if it has one; otherwise null.
    """
    present_units = set(frame[unit].unique().to_list())
    present_measures = set(frame[measure].unique().to_list())
    fixed = []
    for measure_item in framework.measures:
        if measure_item.code not in present_measures:
            continue
        for unit_item in framework.units:
            if unit_item.code not in present_units:
                continue
            standard = measure_item.standard_for(unit_item)
            if isinstance(standard, TargetStandard):
                fixed.append((unit_item.code, measure_item.code, standard.value))
    count = len(framework.model.targets)
    spans = []
    for position, target in enumerate(framework.model.targets):
        kind = framework.measure(target.measure).frequency
        starts = read_period(target.starts, kind).start
        ends = read_period(target.ends, kind).end if target.ends else dt.date.max
        spans.append(
            (
                target.unit,
                target.measure,
                starts,
                ends,
                position + count if target.unit else position,
                target.value,
            )
        )
    rows = frame.select(
        pl.int_range(pl.len()).alias("_row"),
        pl.col(unit).cast(pl.String).alias("unit"),
        pl.col(measure).cast(pl.String).alias("measure"),
        pl.col("period_end").cast(pl.Date),
    )
    fixed_frame = pl.DataFrame(
        fixed,
        schema={"unit": pl.String, "measure": pl.String, "_fixed": pl.Float64},
        orient="row",
    )
    span_frame = pl.DataFrame(
        spans,
        schema={
            "_for": pl.String,
            "measure": pl.String,
            "_starts": pl.Date,
            "_ends": pl.Date,
            "_rank": pl.Int64,
            "_value": pl.Float64,
        },
        orient="row",
    )
    running = (
        rows.join(span_frame, on="measure")
        .filter(
            (pl.col("_for").is_null() | (pl.col("_for") == pl.col("unit")))
            & pl.col("period_end").is_between(pl.col("_starts"), pl.col("_ends"))
        )
        .sort("_rank")
        .group_by("_row")
        .agg(pl.col("_value").last())
    )
    return (
        rows.join(fixed_frame, on=["unit", "measure"], how="left")
        .join(running, on="_row", how="left")
        .sort("_row")
        .select(pl.coalesce("_value", "_fixed").alias("target"))
        .to_series()
    )


def framework_chart_points(
    framework: Framework, history: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the charted points and segments of every unit's series of every measure.

    ``history`` has columns ``unit``, ``measure``, ``period``, ``period_end`` and ``value``,
    and ``numerator`` and ``denominator`` for the measures charted as p, p′, u or u′ charts;
    each (unit, measure) is one series, keyed ``"unit\\x1fmeasure"`` in the result's
    ``series`` column, charted with the settings the framework gives it (``chart_settings``:
    its chart type and rules among them) and the target in force in each period. The
    scorecard (``pmf.core.assessment``) and the corporate dashboard read their SPC from
    here, so they agree with the measure page.
    """
    fractions = [name for name in ("numerator", "denominator") if name in history.columns]
    # A unit is charted only from the period it joined the framework (pmf.core.membership).
    series = keep_members(framework, history).select(
        "unit", "measure", "period", "period_end", "value", *fractions
    )
    if series.height == 0:
        return pl.DataFrame(schema=POINT_SCHEMA), pl.DataFrame(schema=SEGMENT_SCHEMA)
    series = series.with_columns(
        targets_in_force(framework, series),
        pl.concat_str("unit", "measure", separator="\x1f").alias("series"),
    )
    settings: dict[str, ChartSettings] = {}
    shared: dict[str, ChartSettings] = {}
    for unit, code in series.select("unit", "measure").unique().iter_rows():
        measure = framework.measure(code)
        spc = measure.spc
        # Most measures have no unit of their own in their settings: work them out once.
        own = [item.unit for item in spc.rebases] + [item.unit for item in spc.events]
        if spc.units or any(own):
            chosen = chart_settings(framework, measure, unit)
        else:
            if code not in shared:
                shared[code] = chart_settings(framework, measure, unit)
            chosen = shared[code]
        settings[f"{unit}\x1f{code}"] = chosen
    return chart_points(series, settings)
