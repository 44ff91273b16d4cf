"""Compute XmR statistical process control the way NHSRplotthedots 0.2 does.

This is the NHS England "Making Data Count" method as implemented by the R
package NHSRplotthedots (CRAN 0.2.0; GitHub 0.2.2 computes the same), run over
many series at once over whole columns (Polars expressions, and NumPy for the
baseline means): no Python loop over rows or series.

Within each series (``group``) and each baseline (``rebase_group``):

* the mean is the mean of the values, and the mean moving range the mean of
  ``|x[i] - x[i-1]|``; with ``fix_after_n_points = n`` only the first ``n``
  points of the baseline set them;
* moving ranges of ``3.267`` times the mean moving range or more are dropped
  and the mean moving range taken again (``screen_outliers``, on by default;
  the Making Data Count Excel tool does not screen);
* the process limits are ``mean ± 2.66 × mean moving range``; the two-sigma
  lines ``mean ± 2 × (2.66 / 3) × mean moving range`` serve the two-in-three rule;
* a point is special cause when it is outside the limits, part of a run of 7
  on one side of the mean (a point on the mean breaks a run), part of a trend
  of 7 points each strictly above (or below) the one before (a tie breaks a
  trend), or one of two-in-three points between the two-sigma line and the
  limit with all three on the same side of the mean; every point of a run or
  trend is flagged, not only the seventh;
* the rule that sets the point's direction is, in order: outside the limits,
  trend (its direction), two-in-three, run (the side of the mean).

See the SPC section of ``docs/methods.md`` for the formulas and each
deliberate difference from the R package with the option that removes it.

The other chart types of qicharts2 0.8 (``SpcOptions.chart``: run, mr, p, pp, u, up,
c, g, t) take their centre lines and limits from :mod:`pmf.core.spc_charts` and go
through the same rules, each point against its own limits; ``SpcOptions.rules =
"anhoej"`` replaces the rules with qicharts2's runs analysis ("Control chart types"
in ``docs/methods.md``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import polars as pl

from pmf.core.spc_charts import RATIO_CHARTS, Segments, attribute_limits, runs_analysis
from pmf.core.spc_input import (
    SpcInputError,
    check_counts,
    check_frame,
    check_sorted,
    sorted_base,
    sorted_by,
)

__all__ = [
    "ANHOEJ_COLUMNS",
    "ASSURANCE_TYPES",
    "CHART_TYPES",
    "POINT_TYPES",
    "RATIO_CHARTS",
    "ChartType",
    "Rules",
    "SpcInputError",
    "SpcOptions",
    "SpcTrialLimitsWarning",
    "sigmas_from_mean",
    "spc_points",
    "spc_summary",
]

COMMON_CAUSE: Final = "common_cause"
IMPROVEMENT: Final = "special_cause_improvement"
CONCERN: Final = "special_cause_concern"
NEUTRAL_HIGH: Final = "special_cause_neutral_high"
NEUTRAL_LOW: Final = "special_cause_neutral_low"
POINT_TYPES: Final = (COMMON_CAUSE, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW)

CONSISTENT_PASS: Final = "consistent_pass"  # noqa: S105 - a label, not a password
CONSISTENT_FAIL: Final = "consistent_fail"
INCONSISTENT: Final = "inconsistent"
ASSURANCE_TYPES: Final = (CONSISTENT_PASS, CONSISTENT_FAIL, INCONSISTENT)

Improvement = Literal["increase", "decrease", "neutral"]
ChartType = Literal["run", "i", "mr", "p", "pp", "u", "up", "c", "g", "t"]
Rules = Literal["mdc", "anhoej"]
CHART_TYPES: Final = ("run", "i", "mr", "p", "pp", "u", "up", "c", "g", "t")
RULES: Final = ("mdc", "anhoej")
MDC_MULTIPLIER: Final = 2.66
"""The XmR limits' multiplier of the mean moving range in Making Data Count (3 / 1.128, rounded)."""
QICHARTS2_MULTIPLIER: Final = 3 / 1.128
"""The same in qicharts2 0.8: sigma is the mean moving range over d2 = 1.128."""
_DIRECTION: Final[dict[str, int]] = {"increase": 1, "neutral": 0, "decrease": -1}

POINT_COLUMNS: Final = (
    "group",
    "date",
    "value",
    "rebase_group",
    "mean",
    "lpl",
    "upl",
    "moving_range",
    "mean_moving_range",
    "outside_limits",
    "run",
    "trend",
    "two_in_three",
    "point_type",
    "trial_limits",
)
ANHOEJ_COLUMNS: Final = (
    "sigma_signal",
    "runs_signal",
    "longest_run",
    "longest_run_max",
    "crossings",
    "crossings_min",
)


class SpcTrialLimitsWarning(UserWarning):
    """Warn that some baselines have too few points for anything but trial limits."""


@dataclass(frozen=True)
class SpcOptions:
    """Hold the settings of a control chart; the defaults are NHSRplotthedots 0.2's XmR chart.

    - ``chart``: the chart type, one of ``CHART_TYPES`` (qicharts2 0.8's names): ``i``
      (XmR, the default), ``run``, ``mr``, ``p``, ``pp`` (Laney p'), ``u``, ``up``
      (Laney u'), ``c``, ``g``, ``t``.
    - ``rules``: ``"mdc"`` (Making Data Count: astronomical point, run, trend,
      two-in-three; the default) or ``"anhoej"`` (qicharts2's runs analysis and
      points strictly outside the 3-sigma limits).

    - ``improvement``: which way is better, ``"increase"``, ``"decrease"`` or
      ``"neutral"``; ``"increase"`` by default, as in the R package.
    - ``screen_outliers``: drop moving ranges of ``screen_multiplier`` (3.267)
      times the mean moving range or more, then average again (R's default);
      false reproduces the Making Data Count Excel tool.
    - ``fix_after_n_points``: only the first n points of each baseline set its
      mean and limits (R accepts 12 or more; pmf 2 or more).
    - ``run_length``, ``trend_length``: points in a run or trend (7 in R).
    - ``two_in_three``: apply the two-in-three rule (NHSRplotthedots 0.2 does).
    - ``minimum_points``: baselines with fewer points have trial limits. 13,
      because R's ``short_group_warning`` is ``n() < 13`` (its option default)
      although its message says "n < 12"; 13 points is also where the Making
      Data Count tool starts to show limits.
    - ``limits_multiplier``: the mean moving ranges between the centre line and each
      3-sigma limit of the charts whose sigma comes from moving ranges (``i``, ``t``,
      and the z-scores of ``pp`` and ``up``); the two-sigma lines are at 2/3 of it.
      None (the default) takes the rule set's: 2.66 with ``mdc`` (Making Data Count,
      NHSRplotthedots), 3 / 1.128 with ``anhoej`` (qicharts2).

    >>> SpcOptions(improvement="increase").run_length
    7
    """

    improvement: Improvement = "increase"
    screen_outliers: bool = True
    fix_after_n_points: int | None = None
    run_length: int = 7
    trend_length: int = 7
    two_in_three: bool = True
    minimum_points: int = 13
    limits_multiplier: float | None = None
    screen_multiplier: float = 3.267
    chart: ChartType = "i"
    rules: Rules = "mdc"

    @property
    def multiplier(self) -> float:
        """Return the limits multiplier in use: the one given, else the rule set's."""
        if self.limits_multiplier is not None:
            return float(self.limits_multiplier)
        return MDC_MULTIPLIER if self.rules == "mdc" else QICHARTS2_MULTIPLIER

    def __post_init__(self) -> None:
        """Reject settings the method cannot use."""
        if self.improvement not in _DIRECTION:
            raise SpcInputError(
                f"improvement must be 'increase', 'decrease' or 'neutral', not {self.improvement!r}"
            )
        fix = self.fix_after_n_points
        if fix is not None and (isinstance(fix, bool) or not isinstance(fix, int) or fix < 2):
            raise SpcInputError(
                f"fix_after_n_points must be None or a whole number of at least 2, not {fix!r}"
            )
        for name in ("run_length", "trend_length", "minimum_points"):
            number = getattr(self, name)
            if isinstance(number, bool) or not isinstance(number, int) or number < 2:
                raise SpcInputError(f"{name} must be a whole number of at least 2, not {number!r}")
        if self.chart not in CHART_TYPES:
            raise SpcInputError(
                f"chart must be one of {', '.join(CHART_TYPES)}, not {self.chart!r}"
            )
        if self.rules not in RULES:
            raise SpcInputError(f"rules must be 'mdc' or 'anhoej', not {self.rules!r}")
        for name in ("limits_multiplier", "screen_multiplier"):
            number = getattr(self, name)
            if number is None and name == "limits_multiplier":
                continue
            if isinstance(number, bool) or not isinstance(number, int | float) or not number > 0:
                raise SpcInputError(f"{name} must be a positive number, not {number!r}")


def spc_points(
    frame: pl.DataFrame,
    *,
    value: str = "value",
    numerator: str | None = None,
    denominator: str | None = None,
    date: str = "date",
    group: str | None = None,
    rebase: str | None = None,
    target: str | None = None,
    baseline: str | None = None,
    options: SpcOptions = SpcOptions(),
) -> pl.DataFrame:
    """Compute the centre line, limits and special-cause flags of every point of every series.

    ``options.chart`` chooses the chart (the XmR ``i`` chart by default). The ``run``,
    ``i``, ``mr``, ``g`` and ``t`` charts read ``value``; ``p``, ``pp``, ``u`` and ``up``
    need ``numerator`` and ``denominator`` (positive; for ``p`` and ``pp`` no numerator
    above its denominator); ``c`` reads ``numerator`` if given, else ``value``. The
    result's ``value`` is what the chart plots (the proportion, the rate, the moving
    range), ``mean`` its centre line, ``lpl``/``upl`` its 3-sigma limits and
    ``lpl_2sigma``/``upl_2sigma`` its 2-sigma lines (per point: they vary with each
    point's denominator). With ``options.rules == "anhoej"`` the columns in
    ``ANHOEJ_COLUMNS`` follow (see :func:`pmf.core.spc_charts.runs_analysis`).

    Under Making Data Count rules a point's ``point_type`` is as for the XmR chart,
    against the point's own limits and 2-sigma lines (as PowerBI-SPC applies the rules
    to every chart type). Under Anhoej's rules ``outside_limits`` and ``sigma_signal``
    mark points strictly outside the 3-sigma limits, ``run`` the points of a run longer
    than ``longest_run_max``, ``trend`` and ``two_in_three`` are false; the point type
    takes the side of the centre line of a point outside the limits, else of the
    too-long run it belongs to; every other point, and every point of a baseline whose
    only signal is too few crossings (no side to give), is common cause. ``runs_signal``
    and the counts belong to the whole baseline and are repeated on each of its points.

    ``frame`` has one row per point: ``value`` (numeric, no nulls), ``date``
    (a date, datetime or integer, unique within a series), optionally
    ``group`` (one series per value), ``rebase`` (a boolean column, true at the
    first point of a new baseline; null counts as false) and ``target`` (numeric, one value per
    series, carried into the result for :func:`spc_summary`) and ``baseline`` (a
    boolean column, true at the points that set their baseline's mean and limits; a
    moving range counts when both its points do; every baseline needs at least one
    such point). ``baseline`` generalises ``fix_after_n_points`` (both may be given:
    a point then counts only if it passes both).

    The result has one row per input row, sorted by group then date, with the
    columns in ``POINT_COLUMNS``, ``lpl_2sigma``, ``upl_2sigma``, the anhoej columns
    with those rules, and ``target`` when one is given. Limits
    are null where the R package gives NaN: a baseline of one point, or one
    whose moving ranges are all zero when outliers are screened; the
    ``outside_limits`` and ``two_in_three`` flags are then null too.

    >>> from datetime import date
    >>> values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    >>> frame = pl.DataFrame({"date": pl.date_range(date(2021, 3, 22), date(2021, 4, 8),
    ...                                             eager=True), "value": values})
    >>> points = spc_points(frame, options=SpcOptions(improvement="increase"))
    >>> points.select(pl.col("mean", "lpl", "upl").round(2)).row(0)
    (1.94, -0.72, 4.6)
    >>> points["point_type"][4]
    'special_cause_improvement'
    """
    chart = options.chart
    if chart in RATIO_CHARTS and (numerator is None or denominator is None):
        raise SpcInputError(f"a {chart} chart needs a numerator and a denominator column")
    if chart not in (*RATIO_CHARTS, "c") and (numerator is not None or denominator is not None):
        raise SpcInputError(f"a {chart} chart reads a value column, not a numerator or denominator")
    if chart == "c" and denominator is not None:
        raise SpcInputError("a c chart counts: it takes a numerator (or value) but no denominator")
    if numerator is not None:
        value = numerator
    check_frame(
        frame, value=value, date=date, group=group, rebase=rebase, target=target, baseline=baseline
    )
    check_counts(frame, chart=chart, value=value, denominator=denominator)
    base = sorted_base(
        frame,
        denominator=denominator,
        value=value,
        date=date,
        group=group,
        rebase=rebase,
        target=target,
        baseline=baseline,
    )
    check_sorted(base, group=group, target=target)
    short = _compute(base, options)
    if short.height and short["trial_limits"].any():
        count = short.filter(pl.col("trial_limits")).select(
            pl.struct("group", "rebase_group").n_unique()
        )
        warnings.warn(
            f"{count.item()} baseline(s) have fewer than {options.minimum_points} points: "
            "their limits are trial limits, revised with each new point until "
            "fix_after_n_points is reached.",
            SpcTrialLimitsWarning,
            stacklevel=2,
        )
    columns = [*POINT_COLUMNS, "lpl_2sigma", "upl_2sigma"]
    if options.rules == "anhoej":
        columns += ANHOEJ_COLUMNS
    if target is not None:
        columns.append("target")
    return short.select(columns)


def spc_summary(
    points: pl.DataFrame,
    *,
    target: float | Mapping[object, float | None] | str | None = None,
    options: SpcOptions = SpcOptions(),
    all_rebase_groups: bool = False,
) -> pl.DataFrame:
    """Summarise each series' last baseline: its limits, variation type and assurance type.

    ``points`` is the result of :func:`spc_points`. ``target`` is one number
    for every series, a mapping from group value to number, the name of a
    column of ``points`` (its last value in each series is used), or None to
    use the ``target`` column of ``points`` if there is one. ``options`` must
    have the same ``improvement`` the points were computed with.

    One row per group (per group and baseline with ``all_rebase_groups``, as
    R's ``summary()`` gives; assurance is then only on each group's last
    baseline). ``variation_type`` is the point type of the baseline's last
    point; ``assurance_type`` compares the target with the last baseline's
    limits at its last point (they vary with the denominator on p and u charts):
    outside them the process consistently passes or fails, between them
    (inclusive) it is ``inconsistent``, as it is without limits (a run chart);
    null with no target or a neutral improvement direction. Every chart type works;
    under Anhoej's rules the variation type comes from the point types as
    :func:`spc_points` defines them for those rules.

    >>> from datetime import date
    >>> frame = pl.DataFrame({"date": pl.date_range(date(2020, 1, 1), date(2020, 1, 20),
    ...                                             eager=True), "value": [4.0, 6.0] * 10})
    >>> options = SpcOptions(improvement="increase")
    >>> summary = spc_summary(spc_points(frame, options=options), target=12.0, options=options)
    >>> summary.select("n", "mean", "variation_type", "assurance_type").row(0)
    (20, 5.0, 'common_cause', 'consistent_fail')
    >>> round(summary["upl"][0], 2)
    10.32
    """
    missing = [c for c in POINT_COLUMNS if c not in points.columns]
    if missing:
        raise SpcInputError(f"points is missing column(s) {missing}: pass the result of spc_points")
    frame = sorted_by(points, ["group", "rebase_group", "date"])
    frame = frame.with_columns(_target_expression(frame, target).alias("_target"))

    # Baselines are runs of rows with one group and rebase group; summarise each from its
    # first row (limits), its last row (variation type, target) and its point-type counts.
    first_row = pl.int_range(pl.len()) == 0
    new_group = first_row | pl.col("group").ne_missing(pl.col("group").shift(1))
    marks = frame.select(
        new_group.alias("group"),
        (new_group | (pl.col("rebase_group") != pl.col("rebase_group").shift(1))).alias("start"),
    )
    starts_at = marks["start"]
    starts = np.flatnonzero(starts_at.to_numpy())
    ends = np.append(starts[1:], frame.height)[: starts.size] - 1
    point_type = frame["point_type"]
    counts = {
        name: np.add.reduceat(flag.to_numpy().view(np.int8), starts, dtype=np.int64)
        if frame.height
        else np.zeros(0, dtype=np.int64)
        for name, flag in (
            ("common_cause", point_type == COMMON_CAUSE),
            ("special_cause_improvement", point_type == IMPROVEMENT),
            ("special_cause_concern", point_type == CONCERN),
            ("special_cause_neutral", point_type.is_in([NEUTRAL_HIGH, NEUTRAL_LOW])),
        )
    }
    first = frame[starts]
    last = frame[ends]
    per_baseline = pl.DataFrame(
        {
            "group": first["group"],
            "rebase_group": first["rebase_group"],
            "n": pl.Series(ends - starts + 1, dtype=pl.Int64),
            "mean": first["mean"],
            # The last point's limits: on p and u charts they vary with the denominator.
            "lpl": last["lpl"],
            "upl": last["upl"],
            "variation_type": last["point_type"],
            "target": last["_target"],
            "trial_limits": first["trial_limits"],
            **{name: pl.Series(values, dtype=pl.Int64) for name, values in counts.items()},
        }
    )
    # The last baseline of a group is followed by another group or nothing.
    is_last = np.append(marks["group"].to_numpy()[starts[1:]], True)[: starts.size]
    direction = _DIRECTION[options.improvement]
    if direction == 0:
        assurance = pl.lit(None, pl.String)
    else:
        above, below = (
            (CONSISTENT_FAIL, CONSISTENT_PASS)
            if direction > 0
            else (CONSISTENT_PASS, CONSISTENT_FAIL)
        )
        # As R: a target on a limit, or limits that cannot be computed, are "inconsistent".
        assurance = (
            pl.when(pl.col("target").is_null())
            .then(pl.lit(None, pl.String))
            .when(pl.col("target") > pl.col("upl"))
            .then(pl.lit(above))
            .when(pl.col("target") < pl.col("lpl"))
            .then(pl.lit(below))
            .otherwise(pl.lit(INCONSISTENT))
        )
    result = per_baseline.with_columns(
        pl.when(pl.Series(is_last)).then(assurance).otherwise(None).alias("assurance_type")
    )
    if not all_rebase_groups:
        result = result.filter(pl.Series(is_last))
    return result.select(
        "group",
        "rebase_group",
        "n",
        "mean",
        "lpl",
        "upl",
        "variation_type",
        "assurance_type",
        "target",
        "trial_limits",
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral",
    )


def sigmas_from_mean(
    value: float, mean: float, upper_limit: float | None, lower_limit: float | None = None
) -> float | None:
    """Return how far a point lies from its mean in sigma units, or None without limits.

    Sigma is a third of the distance from the mean to the process limits (they are three
    sigma from the mean: 2.66 mean moving ranges on an XmR chart). Where one limit is cut
    short (a p chart's upper limit at 100 %, a count's lower limit at 0) the other, wider,
    side gives it. The dashboard orders its special-cause concerns by it, furthest first.

    >>> sigmas_from_mean(7.0, 10.0, 16.0), sigmas_from_mean(7.0, 10.0, None)
    (1.5, None)
    >>> round(sigmas_from_mean(0.9, 0.96, 1.0, 0.84), 9)  # the upper limit cut at 1
    1.5
    """
    if upper_limit is None:
        return None
    reach = upper_limit - mean
    if lower_limit is not None:
        reach = max(reach, mean - lower_limit)
    sigma = reach / 3
    return abs(value - mean) / sigma if sigma else None


def _target_expression(
    frame: pl.DataFrame, target: float | Mapping[object, float | None] | str | None
) -> pl.Expr:
    """Turn spc_summary's ``target`` argument into a float expression over the points."""
    if isinstance(target, str):
        if target not in frame.columns:
            raise SpcInputError(f"target column {target!r} is not in points")
        if not frame.schema[target].is_numeric():
            raise SpcInputError(f"target column {target!r} must be numeric")
        return pl.col(target).cast(pl.Float64)
    if isinstance(target, Mapping):
        values = [None if v is None else float(v) for v in target.values()]
        keys = pl.Series(list(target.keys()), dtype=frame.schema["group"], strict=False)
        return pl.col("group").replace_strict(
            keys, pl.Series(values, dtype=pl.Float64), default=None, return_dtype=pl.Float64
        )
    if target is None:
        if "target" in frame.columns:
            return pl.col("target").cast(pl.Float64)
        return pl.lit(None, pl.Float64)
    if isinstance(target, int | float) and not isinstance(target, bool):
        return pl.lit(float(target), pl.Float64)
    raise SpcInputError(f"target must be a number, a mapping, a column name or None: {target!r}")


# --- the method --------------------------------------------------------------------------------


def _forward_any(flag: pl.Expr, width: int) -> pl.Expr:
    """Say, for each row, whether ``flag`` is true in it or any of the next ``width - 1`` rows."""
    running = flag.cast(pl.UInt32).cum_sum()
    ahead = running.shift(-(width - 1)).fill_null(running.last())
    before = running.shift(1).fill_null(0)
    return (ahead - before) > 0


def _ends_streak(indicator: pl.Expr, width: int, position: pl.Expr) -> pl.Expr:
    """Say whether ``indicator`` holds for this row and the ``width - 1`` rows before it."""
    filled = indicator.fill_null(False).cast(pl.UInt32)
    window = filled.rolling_sum(window_size=width).fill_null(0)
    return (window == width) & (position >= width - 1)


_BASELINE_FLOATS: Final = ("moving_range", "mean", "mean_moving_range")
_LIMIT_FLOATS: Final = ("lpl", "upl", "lpl_2sigma", "upl_2sigma")
_CHART_FLOATS: Final = ("value", *_BASELINE_FLOATS, *_LIMIT_FLOATS)
_RUNS_INTEGERS: Final = ("longest_run", "longest_run_max", "crossings", "crossings_min")


def _baselines(base: pl.DataFrame, options: SpcOptions) -> pl.DataFrame:
    """Add each point's position in its baseline and the baseline's mean and moving range."""
    size = base.height
    chart = options.chart
    if size == 0:
        names = [] if chart == "i" else _LIMIT_FLOATS
        empty_runs = (
            [
                *(pl.Series(name, [], dtype=pl.Int64) for name in _RUNS_INTEGERS),
                pl.Series("runs_signal", [], dtype=pl.Boolean),
                pl.Series("_in_long_run", [], dtype=pl.Boolean),
                pl.Series("_run_side", [], dtype=pl.Int8),
            ]
            if options.rules == "anhoej"
            else []
        )
        return base.with_columns(
            pl.Series("_pos", [], dtype=pl.Int64),
            pl.Series("rebase_group", [], dtype=pl.Int64),
            *(pl.Series(name, [], dtype=pl.Float64) for name in (*_BASELINE_FLOATS, *names)),
            pl.Series("_seg_len", [], dtype=pl.UInt32),
            *empty_runs,
        )
    new_group = base["_new_group"].to_numpy()
    rebase = base["_rebase"].to_numpy()
    segments = Segments(np.flatnonzero(new_group | rebase), size)
    position = np.arange(size, dtype=np.int64) - segments.broadcast(segments.starts)
    # A baseline's number within its series: baselines since the series' first (a rebase
    # never falls on a series' first point), per baseline, then given to its rows.
    number = np.arange(segments.starts.size, dtype=np.int64)
    series_first = np.maximum.accumulate(np.where(new_group[segments.starts], number, 0))
    values = base["value"].to_numpy()
    per_baseline = pl.DataFrame(
        [
            pl.Series("rebase_group", number - series_first),
            pl.Series("_seg_len", segments.lengths, dtype=pl.UInt32),
        ]
    )
    common = [
        pl.Series("_pos", position),
        *per_baseline.select(pl.all().gather(segments.ids_series())).get_columns(),
    ]
    if chart == "i":
        xmr_columns, mean = _xmr_baselines(values, base, segments, position, options)
        columns: list[pl.Series | pl.Expr] = [*common, *xmr_columns]
        centre = segments.broadcast(mean) if options.rules == "anhoej" else values
    else:
        use = base["_baseline"].to_numpy().copy()
        if options.fix_after_n_points is not None:
            use &= position < options.fix_after_n_points
        denominators = base["_n"].to_numpy() if "_n" in base.columns else None
        limits = attribute_limits(
            chart,
            values,
            denominators,
            use,
            segments,
            multiplier=options.multiplier,
            screen=options.screen_outliers,
        )
        values = limits.rows["value"]
        centre = limits.centre(segments) if options.rules == "anhoej" else values
        lines = pl.DataFrame(
            [pl.Series(name, line, nan_to_null=True) for name, line in limits.lines.items()]
        )
        columns = [
            *common,
            *(pl.Series(name, row, nan_to_null=True) for name, row in limits.rows.items()),
            *lines.select(pl.all().gather(segments.ids_series())).get_columns(),
            *(
                pl.lit(None, dtype=pl.Float64).alias(name)
                for name in _CHART_FLOATS
                if name not in limits.rows and name not in limits.lines
            ),
        ]
    if options.rules == "anhoej":
        side = np.subtract(values, centre)
        with np.errstate(invalid="ignore"):
            np.sign(side, out=side)
        runs = runs_analysis(side, segments)
        del side
        signal, in_long_run, run_side = runs.runs_signal, runs.in_long_run, runs.run_side
        if chart == "mr":
            # qicharts2 analyses the moving ranges' runs but never signals on them.
            signal = np.zeros_like(signal)
            in_long_run = np.zeros_like(in_long_run)
            run_side = np.zeros_like(run_side)
        per_baseline = pl.DataFrame(
            [
                *(_counts(name, getattr(runs, name)) for name in _RUNS_INTEGERS),
                pl.Series("runs_signal", signal),
            ]
        )
        columns += [
            *per_baseline.select(pl.all().gather(segments.ids_series())).get_columns(),
            pl.Series("_in_long_run", in_long_run),
            pl.Series("_run_side", run_side),
        ]
    return base.with_columns(columns)


def _counts(name: str, counts: np.ndarray) -> pl.Series:
    """Return whole-number counts as a column, null where negative (no useful point)."""
    column = pl.Series(name, counts, dtype=pl.Int64)
    if (counts < 0).any():
        column = pl.select(pl.when(column >= 0).then(column)).to_series().alias(name)
    return column


def _xmr_baselines(
    values: np.ndarray,
    base: pl.DataFrame,
    segments: Segments,
    position: np.ndarray,
    options: SpcOptions,
) -> tuple[list[pl.Series], np.ndarray]:
    """Return the XmR chart's moving ranges, mean and mean moving range per row, and the means.

    The means are one per baseline (NaN where there is none).
    """
    size = base.height
    ranges = np.empty(size, dtype=np.float64)
    ranges[0] = np.nan
    np.subtract(values[1:], values[:-1], out=ranges[1:])
    np.abs(ranges, out=ranges)
    ranges[segments.starts] = np.nan  # no moving range at the first point of a baseline
    moving_range = ranges
    if options.fix_after_n_points is not None:
        # Only the first n points of a baseline, and the ranges between them, count.
        later = position >= options.fix_after_n_points
        values = np.where(later, np.nan, values)
        ranges = np.where(later, np.nan, ranges)
    chosen = base["_baseline"].to_numpy()
    if not chosen.all():
        # Only the points marked as the baseline, and the ranges between two of them, count.
        pair = chosen & np.concatenate(([False], chosen[:-1]))
        values = np.where(chosen, values, np.nan)
        ranges = np.where(pair, ranges, np.nan)
    mean = segments.means(values)
    mean_range = segments.means(ranges)
    if options.screen_outliers:
        # R keeps a moving range only if it is strictly below the screening bound.
        bound = float(options.screen_multiplier) * segments.broadcast(mean_range)
        with np.errstate(invalid="ignore"):
            mean_range = segments.means(np.where(ranges < bound, ranges, np.nan))
    lines = pl.DataFrame(
        [
            pl.Series("mean", mean, nan_to_null=True),
            pl.Series("mean_moving_range", mean_range, nan_to_null=True),
        ]
    )
    columns = [
        pl.Series("moving_range", moving_range, nan_to_null=True),
        *lines.select(pl.all().gather(segments.ids_series())).get_columns(),
    ]
    return columns, mean


def _compute(base: pl.DataFrame, options: SpcOptions) -> pl.DataFrame:
    """Add the limits, flags and point types to a sorted base frame."""
    limit = options.multiplier
    close = 2 * (limit / 3)
    position = pl.col("_pos")
    y = pl.col("value")
    mean = pl.col("mean")
    amr = pl.col("mean_moving_range")
    side = pl.col("_side")
    step_sign = pl.col("_step_sign")
    frame = _baselines(base, options).lazy()
    if options.chart == "i":
        frame = frame.with_columns(
            (mean - limit * amr).alias("lpl"),
            (mean + limit * amr).alias("upl"),
            (mean - close * amr).alias("lpl_2sigma"),
            (mean + close * amr).alias("upl_2sigma"),
        )
    frame = (
        frame.with_columns(
            (y - mean).sign().cast(pl.Int8).alias("_side"),
            pl.when(position > 0)
            .then((y - y.shift(1)).sign())
            .otherwise(0.0)
            .cast(pl.Int8)
            .alias("_step_sign"),
        )
        .with_columns(
            ((y > pl.col("upl")) | (y < pl.col("lpl"))).alias("outside_limits"),
        )
        .with_columns(
            (~pl.col("outside_limits") & ((y < pl.col("lpl_2sigma")) | (y > pl.col("upl_2sigma"))))
            .fill_null(False)
            .alias("_close"),
        )
    )
    # A run (trend) ends at a point if it and the points before it, all in its baseline, are
    # on one side of the mean (each above or below the one before); every point of it is
    # flagged, so a point is in one if a run (trend) ends at it or within the next points.
    run_n = options.run_length
    trend_n = options.trend_length
    mdc = options.rules == "mdc"
    ends = [
        (
            _ends_streak(side == 1, run_n, position) | _ends_streak(side == -1, run_n, position)
        ).alias("_run_end"),
        (
            _ends_streak(step_sign == 1, trend_n - 1, position)
            | _ends_streak(step_sign == -1, trend_n - 1, position)
        ).alias("_trend_end"),
    ]
    if options.two_in_three and mdc:
        # Windows of three points of one baseline, all on one side of the mean, two or more
        # of them between the two-sigma line and the limit; only those points are flagged.
        close_count = pl.col("_close").cast(pl.Int8).rolling_sum(3)
        side_sum = side.rolling_sum(3)
        window = (close_count >= 2) & (side_sum.abs() == 3) & (position >= 2)
        ends.append(window.fill_null(False).alias("_tit_end"))
    if mdc:
        frame = frame.with_columns(ends).with_columns(
            _forward_any(pl.col("_run_end"), run_n).alias("run"),
            _forward_any(pl.col("_trend_end"), trend_n).alias("trend"),
            (
                pl.col("_close") & _forward_any(pl.col("_tit_end"), 3)
                if options.two_in_three
                else pl.lit(False)
            ).alias("two_in_three"),
        )
    else:
        # Anhoej's rules have no trend or two-in-three; a run is one longer than allowed.
        frame = frame.with_columns(
            pl.col("_in_long_run").alias("run"),
            pl.lit(False).alias("trend"),
            pl.lit(False).alias("two_in_three"),
        )

    # A trend point takes the direction of the step to its right if the next point is in a
    # trend too, else of the step from its left (R's sdy); "decreasing" unless that step is up.
    next_in_trend = pl.col("trend").shift(-1).fill_null(False) & (
        position.shift(-1).fill_null(0) > 0
    )
    trend_up = (
        pl.when(pl.col("trend") & next_in_trend).then(step_sign.shift(-1)).otherwise(step_sign)
    ) == 1
    by_side = pl.when(side > 0).then(1).otherwise(-1)
    undefined = pl.col("outside_limits").is_null()
    direction = (
        pl.when(pl.col("outside_limits").fill_null(False))
        .then(pl.when(side == 1).then(1).otherwise(-1))
        .when(pl.col("trend"))
        .then(pl.when(trend_up).then(1).otherwise(-1))
        .when(pl.col("two_in_three"))
        .then(by_side)
        .when(pl.col("run"))
        .then(by_side)
        .otherwise(0)
        .cast(pl.Int8)
    )
    anhoej = options.rules == "anhoej"
    extra: list[pl.Expr | str] = []
    if anhoej:
        # Anhoej's rules: a point strictly outside the 3-sigma limits takes its side; a
        # point of a run longer than the longest run allowed takes the run's side; every
        # other point (crossings too few alone included) is common cause.
        sigma_signal = ((y > pl.col("upl")) | (y < pl.col("lpl"))).fill_null(False)
        direction = (
            pl.when(sigma_signal)
            .then(pl.when(side == 1).then(1).otherwise(-1))
            .when(pl.col("_in_long_run"))
            .then(pl.col("_run_side"))
            .otherwise(0)
            .cast(pl.Int8)
        )
        extra = [sigma_signal.alias("sigma_signal"), *ANHOEJ_COLUMNS[1:]]
    sign = _DIRECTION[options.improvement]
    high, low = (
        (NEUTRAL_HIGH, NEUTRAL_LOW)
        if sign == 0
        else ((IMPROVEMENT, CONCERN) if sign > 0 else (CONCERN, IMPROVEMENT))
    )
    # Each point's type picked from the three by its direction (a gather: far fewer string
    # copies than a when/then chain of literals).
    point_type = pl.lit(pl.Series([low, COMMON_CAUSE, high], dtype=pl.String)).gather(
        (pl.col("_dir") + 1).cast(pl.UInt32)
    )
    return (
        frame.with_columns(direction.alias("_dir"))
        .select(
            "group",
            "date",
            "value",
            pl.col("rebase_group").cast(pl.Int64),
            "mean",
            "lpl",
            "upl",
            "moving_range",
            "mean_moving_range",
            "outside_limits",
            "run",
            "trend",
            # R leaves the two-in-three flag missing where the limits are.
            pl.when(undefined).then(None).otherwise(pl.col("two_in_three")).alias("two_in_three"),
            point_type.alias("point_type"),
            (pl.col("_seg_len") < options.minimum_points).alias("trial_limits"),
            "lpl_2sigma",
            "upl_2sigma",
            *extra,
            *([pl.col("target")] if "target" in base.columns else []),
        )
        # The in-memory engine gives one chunk per column (the streaming engine's chunks
        # made the caller's select rechunk every column).
        .collect(engine="in-memory")
    )
