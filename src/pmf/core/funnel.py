"""Assign funnel-plot significance and draw funnel limits the way PHEindicatormethods does.

:func:`funnel_significance` is ``assign_funnel_significance``, :func:`funnel_limits` is
``calculate_funnel_limits`` and :func:`funnel_points` is ``calculate_funnel_points`` of the R
package PHEindicatormethods (``R/Funnels.R`` and ``R/utils.R``; the Fingertips funnel-plot
method), down to the order of floating-point operations, so that the limits agree with the
package to the last few bits and the labels agree exactly. In short:

* **proportion** — the average is the pooled proportion ``Σ numerator / Σ denominator``; the
  95 % and 99.8 % control limits at a denominator ``n`` are the proportions whose Wilson score
  interval just reaches the average (``qnorm(0.975)`` and ``qnorm(0.999)``); a value below the
  lower limit or above the upper one is significant.
* **ratio** (observed / expected) — each row's 95 % and 99.8 % interval for its ratio (exact
  Poisson below 10 observed events, Byar's from 10) is compared with 1.
* **rate** — as a ratio, with the rate's denominator (``numerator / rate × multiplier``, or the
  denominator itself where there are no events) as the expected count and the pooled rate
  ``Σ numerator / Σ denominator`` as the average; directly standardised rates (``rate_type =
  "dsr"``) with fewer than 10 events are not assessed.

The labels are :data:`SIGNIFICANCE_LABELS` (and :data:`NOT_APPLICABLE_DSR`). Comparisons are
strict: a value exactly on a limit is not beyond it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import numpy.typing as npt
import polars as pl

from pmf.core.i18n import gettext_noop
from pmf.core.intervals import qchisq

if TYPE_CHECKING:
    from pmf.core.overdispersion import Dispersion

FloatArray = npt.NDArray[np.float64]
Statistic = Literal["proportion", "rate", "ratio"]

# Data (the API and the open data keep them); marked so that a page can show them translated.
HIGH_001 = gettext_noop("High (0.001)")
HIGH_025 = gettext_noop("High (0.025)")
NOT_SIGNIFICANT = gettext_noop("Not significant")
LOW_025 = gettext_noop("Low (0.025)")
LOW_001 = gettext_noop("Low (0.001)")
SIGNIFICANCE_LABELS = (HIGH_001, HIGH_025, NOT_SIGNIFICANT, LOW_025, LOW_001)
"""The labels, from significantly high to significantly low, as PHEindicatormethods spells them."""
NOT_APPLICABLE_DSR = gettext_noop("Not applicable for events less than 10 for dsrs")
"""The label of a directly standardised rate with fewer than 10 events."""

LIMIT_COLUMNS = ("lower_998", "lower_95", "upper_95", "upper_998")
"""Limit columns added by ``funnel_significance(..., limits=True)``; ``ci_`` prefixed for ratios
and rates, whose labels come from each row's own interval."""

GRID_POINTS = 100
"""Rows of a funnel drawn by :func:`funnel_limits`, as in PHEindicatormethods."""

__all__ = [
    "FUNNEL_LINES",
    "FUNNEL_MARGIN",
    "GRID_POINTS",
    "HIGH_001",
    "HIGH_025",
    "LIMIT_COLUMNS",
    "LOW_001",
    "LOW_025",
    "NOT_APPLICABLE_DSR",
    "NOT_SIGNIFICANT",
    "SIGNIFICANCE_LABELS",
    "FunnelInputError",
    "FunnelPlot",
    "funnel_limits",
    "funnel_plot",
    "funnel_points",
    "funnel_significance",
]


class FunnelInputError(ValueError):
    """Data or options that no funnel can be drawn from; the message names the row and column."""


def funnel_significance(
    frame: pl.DataFrame,
    *,
    numerator: str,
    denominator: str | None,
    statistic: Statistic,
    multiplier: float = 1.0,
    group: str | None = None,
    rate: str | None = None,
    rate_type: Literal["dsr", "crude"] | None = None,
    limits: bool = False,
) -> pl.DataFrame:
    """Return ``frame`` with a ``significance`` column: where each row lies on the funnel plot.

    ``statistic`` is ``"proportion"`` (numerator out of denominator), ``"ratio"`` (observed
    numerator against expected denominator, as an indirectly standardised ratio) or
    ``"rate"``. For a rate, give the ``rate`` column with ``rate_type`` ``"dsr"`` or
    ``"crude"`` and the ``multiplier`` it is expressed per (100,000 for a rate per 100,000), as
    PHEindicatormethods requires; the denominator is then needed only for rows with no events.
    A crude rate may instead be given by its numerator and denominator alone (no ``rate``).

    The average is taken over the whole frame, as in PHEindicatormethods, or within each value
    of ``group``. With ``limits=True`` the result also has ``average`` and the limits
    ``lower_998``, ``lower_95``, ``upper_95``, ``upper_998``, times ``multiplier``: for a
    proportion the control limits at the row's denominator (lower limits no less than 0,
    upper ones no more than ``multiplier``); for a ratio or rate the row's own interval
    (``ci_lower_998`` …), which the average is compared with. Either way the labels follow
    from these columns. Existing columns of those names are replaced.

    >>> frame = pl.DataFrame({"area": ["A", "B", "C", "D"],
    ...                       "seen": [10232, 12321, 15123, 13213],
    ...                       "attendances": [15232, 16123, 17932, 18475]})
    >>> funnel_significance(frame, numerator="seen", denominator="attendances",
    ...                     statistic="proportion")["significance"].to_list()
    ['Low (0.001)', 'High (0.001)', 'High (0.001)', 'Low (0.001)']
    """
    spec = _Spec.check(
        frame,
        numerator=numerator,
        denominator=denominator,
        statistic=statistic,
        multiplier=multiplier,
        group=group,
        rate=rate,
        rate_type=rate_type,
    )
    codes = _group_codes(frame, group)
    x = spec.numerator_values
    labels: npt.NDArray[np.str_]
    extra: dict[str, FloatArray] = {}
    if statistic == "proportion":
        n = spec.denominator_values
        average = _group_ratio(x, n, codes)
        value = x / n
        lower_998 = _sigma_adjustment(0.999, n, average, "low", 1.0)
        lower_95 = _sigma_adjustment(0.975, n, average, "low", 1.0)
        upper_998 = _sigma_adjustment(0.999, n, average, "high", 1.0)
        upper_95 = _sigma_adjustment(0.975, n, average, "high", 1.0)
        labels = np.select(
            [value < lower_998, value < lower_95, value > upper_998, value > upper_95],
            [LOW_001, LOW_025, HIGH_001, HIGH_025],
            NOT_SIGNIFICANT,
        ).astype(np.str_)
        if limits:
            extra = {"average": average * multiplier}
            for name, side, p in (
                ("lower_998", "low", 0.999),
                ("lower_95", "low", 0.975),
                ("upper_95", "high", 0.975),
                ("upper_998", "high", 0.999),
            ):
                limit = _sigma_adjustment(p, n, average, side, multiplier)
                # As the package's funnel lines: no lower limit below 0, no upper above 100 %.
                # A proportion cannot pass these bounds, so the labels still follow the columns.
                if side == "low":
                    extra[name] = np.maximum(limit, 0.0)
                else:
                    extra[name] = np.minimum(limit, multiplier)
    else:
        if statistic == "ratio":
            expected = spec.denominator_values
            average = np.ones_like(x)
        else:
            expected = spec.derived_denominator("significance")
            average = _group_ratio(x, expected, codes)
        ci = {
            "ci_lower_998": _ratio_interval(x, expected, 0.998, "low"),
            "ci_lower_95": _ratio_interval(x, expected, 0.95, "low"),
            "ci_upper_95": _ratio_interval(x, expected, 0.95, "high"),
            "ci_upper_998": _ratio_interval(x, expected, 0.998, "high"),
        }
        labels = np.select(
            [
                average < ci["ci_lower_998"],
                average < ci["ci_lower_95"],
                average > ci["ci_upper_998"],
                average > ci["ci_upper_95"],
            ],
            [HIGH_001, HIGH_025, LOW_001, LOW_025],
            NOT_SIGNIFICANT,
        ).astype(np.str_)
        if statistic == "rate" and rate_type == "dsr":
            labels = np.where(x < 10, NOT_APPLICABLE_DSR, labels).astype(np.str_)
        if limits:
            extra = {"average": average * multiplier}
            extra.update({name: values * multiplier for name, values in ci.items()})
    columns = [pl.Series("significance", labels.tolist(), dtype=pl.String)]
    columns += [pl.Series(name, values, dtype=pl.Float64) for name, values in extra.items()]
    return frame.with_columns(columns)


def funnel_limits(
    frame: pl.DataFrame,
    *,
    numerator: str,
    denominator: str | None,
    statistic: Statistic,
    multiplier: float = 1.0,
    group: str | None = None,
    ratio_type: Literal["count", "isr"] | None = None,
    rate: str | None = None,
    rate_type: Literal["dsr", "crude"] | None = None,
    years_of_data: float | None = None,
    metadata: bool = True,
    upper_cap: float = 100.0,
    span: tuple[float, float] | None = None,
) -> pl.DataFrame:
    """Return the 95 % and 99.8 % funnel lines to plot ``frame``'s rows against, 100 points long.

    This is ``calculate_funnel_limits``: the x axis runs from 0 (or, when the largest
    denominator is less than twice the smallest, a rounded-down smallest denominator) to a
    rounded-up largest one in 100 steps closer together at the small end, and each row gives
    the limits there. The columns are, by ``statistic`` (PHEindicatormethods' names in
    brackets; ``95`` is its ``2s``, ``998`` its ``3s``):

    * proportion: ``denominator`` (Population), ``lower_95``, ``upper_95``, ``lower_998``,
      ``upper_998`` and ``baseline``, times ``multiplier``; limits are kept between 0 and
      ``upper_cap`` (100, as in the package whatever the multiplier; pass the multiplier to cap
      at the true maximum of a proportion per 1,000 or more).
    * ratio (``ratio_type`` ``"count"``: ratio − 1; ``"isr"``: ratio × 100): ``observed``
      (Observed_events), then for each limit the expected count it lies at
      (``lower_95_expected`` for lower_2s_exp_events …) and the limit, and ``baseline`` (0 or
      100; not in the package).
    * rate (needs ``years_of_data``): ``events`` (Events), for each limit the yearly population
      it lies at (``lower_95_population_1_year`` …) and the limit, and ``baseline``.

    With ``metadata`` (the package's ``type = "full"``) two more columns say the ``statistic``
    (such as ``"rate (dsr per 100,000)"``) and the ``method`` (``"Wilson"`` or
    ``"Poisson"``). With ``group``, each group gets its own 100 rows and average.

    ``span`` (not in the package) draws the lines from its first denominator to its second
    instead, in the units of the denominator column (for a rate, the population over all the
    years), so that a chart of large units is not squeezed flat by limits drawn from a
    denominator of 1: pass the smallest and largest plotted denominators with a margin.

    >>> frame = pl.DataFrame({"seen": [10232, 12321, 15123, 13213],
    ...                       "attendances": [15232, 16123, 17932, 18475]})
    >>> lines = funnel_limits(frame, numerator="seen", denominator="attendances",
    ...                       statistic="proportion", multiplier=100)
    >>> lines.height, lines["denominator"][0], lines["denominator"][-1]
    (100, 10000.0, 20000.0)
    >>> round(lines["lower_95"][0], 9), round(lines["baseline"][0], 9)
    (74.252054261, 75.099613353)
    >>> near = funnel_limits(frame, numerator="seen", denominator="attendances",
    ...                      statistic="proportion", multiplier=100, span=(14_000, 19_500))
    >>> near["denominator"][0], near["denominator"][-1]
    (14000.0, 19500.0)
    """
    spec = _Spec.check(
        frame,
        numerator=numerator,
        denominator=denominator,
        statistic=statistic,
        multiplier=multiplier,
        group=group,
        rate=rate,
        rate_type=rate_type,
    )
    if statistic == "ratio" and ratio_type not in ("count", "isr"):
        raise FunnelInputError(
            f"ratio_type must be 'count' or 'isr' for ratios, not {ratio_type!r}"
        )
    if statistic == "rate" and not (
        years_of_data is not None and math.isfinite(years_of_data) and years_of_data > 0
    ):
        raise FunnelInputError(
            f"years_of_data must be a positive number for rates, not {years_of_data!r}"
        )
    if span is not None and not (
        len(span) == 2
        and all(isinstance(end, (int, float)) and math.isfinite(end) for end in span)
        and 0 < span[0] < span[1]
    ):
        raise FunnelInputError(
            f"span must be two denominators, the first above 0 and below the second, not {span!r}"
        )
    x = spec.numerator_values
    derived = spec.derived_denominator("limits")
    tables: list[pl.DataFrame] = []
    codes = _group_codes(frame, group)
    found, first_rows = np.unique(codes, return_index=True)
    for code in found[np.argsort(first_rows)]:
        rows = codes == code
        table = _limits_table(
            x[rows],
            derived[rows],
            statistic,
            multiplier,
            ratio_type,
            float(years_of_data) if years_of_data is not None else 1.0,
            upper_cap,
            span,
        )
        if metadata:
            table = table.with_columns(
                pl.lit(_statistic_label(statistic, ratio_type, spec.rate_kind, multiplier)).alias(
                    "statistic"
                ),
                pl.lit("Wilson" if statistic == "proportion" else "Poisson").alias("method"),
            )
        if group is not None:
            key = frame[group].gather(np.full(table.height, int(np.argmax(rows))))
            table = table.select(pl.lit(key).alias(group), pl.all())
        tables.append(table)
    return pl.concat(tables, how="vertical")


def funnel_points(
    frame: pl.DataFrame,
    *,
    numerator: str,
    rate: str,
    rate_type: Literal["dsr", "crude"],
    years_of_data: float,
    multiplier: float,
    denominator: str | None = None,
) -> pl.DataFrame:
    """Return ``frame`` with the points of a rate funnel: ``<rate>_chart``, ``denominator_derived``.

    This is ``calculate_funnel_points``: the rate to plot (none for a directly standardised
    rate with fewer than 10 events) and the yearly population it is plotted at,
    ``multiplier × numerator / rate / years_of_data`` (the denominator over the years where
    there are no events).

    >>> frame = pl.DataFrame({"deaths": [414, 5], "rate": [184.0, 70.0]})
    >>> funnel_points(frame, numerator="deaths", rate="rate", rate_type="dsr",
    ...               years_of_data=3, multiplier=100_000)["denominator_derived"].to_list()
    [75000.0, None]
    """
    spec = _Spec.check(
        frame,
        numerator=numerator,
        denominator=denominator,
        statistic="rate",
        multiplier=multiplier,
        group=None,
        rate=rate,
        rate_type=rate_type,
    )
    if not (math.isfinite(years_of_data) and years_of_data > 0):
        raise FunnelInputError(f"years_of_data must be a positive number, not {years_of_data!r}")
    x = spec.numerator_values
    r = spec.rate_values
    with np.errstate(invalid="ignore", divide="ignore"):
        from_rate = (multiplier * x / r) / years_of_data
    if rate_type == "dsr":
        chart = np.where(x < 10, np.nan, r)
        derived = np.where(x < 10, np.nan, from_rate)
    else:
        chart = r
        if denominator is None:
            derived = from_rate
        else:
            derived = np.where(x == 0, spec.denominator_values / years_of_data, from_rate)
    return frame.with_columns(
        pl.Series(f"{rate}_chart", chart, dtype=pl.Float64, nan_to_null=True),
        pl.Series("denominator_derived", derived, dtype=pl.Float64, nan_to_null=True),
    )


# --- checking the input ---------------------------------------------------------------------


FUNNEL_MARGIN = 0.1
"""The share of the units' spread of denominators :func:`funnel_plot` draws beyond each end."""

FUNNEL_LINES = ("lower_95", "upper_95", "lower_998", "upper_998")
"""The limit lines of :func:`funnel_plot`, in the order it gives them."""


@dataclass(frozen=True)
class FunnelPlot:
    """What a funnel plot of units draws: their figures, the limit lines and the average.

    ``points`` are the units' rows with their ``significance``, smallest denominator first;
    ``lines`` are (line, denominator, limit) for each line of :data:`FUNNEL_LINES` in turn;
    ``average`` is the pooled average the limits are drawn round. ``dispersion`` (from
    ``pmf.core.overdispersion.overdispersed_plot``) says whether and how the limits were
    widened for overdispersion; ``None`` from :func:`funnel_plot` itself.
    """

    points: pl.DataFrame
    lines: tuple[tuple[str, float, float], ...]
    average: float
    dispersion: Dispersion | None = None


def funnel_plot(
    frame: pl.DataFrame,
    *,
    statistic: Literal["proportion", "rate"],
    multiplier: float = 1.0,
    margin: float = FUNNEL_MARGIN,
) -> FunnelPlot:
    """Return the funnel plot of units' figures at one period: significance, limits, average.

    ``frame`` has a ``numerator`` and a ``denominator`` per unit (with any other columns, such
    as ``unit`` and ``value``, kept in ``points``); a ``"rate"`` is a crude rate per
    ``multiplier``. The lines run over the units' own denominators with ``margin`` of their
    spread beyond each end, not from a denominator of 1 as PHEindicatormethods draws them:
    there the limits of a rate per 1,000 reach hundreds and squeeze every unit flat on the
    axis. A rate's limits lie at their own populations (one year of data), the upper ones below
    the span's and the lower ones above, so they are drawn from a wider span and only those
    within this one are kept.

    >>> frame = pl.DataFrame({"unit": ["A", "B", "C"], "numerator": [30.0, 45.0, 90.0],
    ...                       "denominator": [100.0, 150.0, 200.0]})
    >>> plot = funnel_plot(frame, statistic="proportion", multiplier=100)
    >>> round(plot.average, 4), plot.points["significance"].to_list()
    (36.6667, ['Not significant', 'Not significant', 'High (0.025)'])
    >>> sorted({line for line, _, _ in plot.lines}) == sorted(FUNNEL_LINES)
    True
    """
    options: dict[str, Any] = {"statistic": statistic, "multiplier": multiplier}
    if statistic == "rate":
        options.update(rate_type="crude")
    judged = funnel_significance(frame, numerator="numerator", denominator="denominator", **options)
    smallest = float(frame["denominator"].min())  # type: ignore[arg-type]
    largest = float(frame["denominator"].max())  # type: ignore[arg-type]
    extra = margin * (largest - smallest) or margin * largest
    span = (max(smallest - extra, smallest / 2), largest + extra)
    drawn = span if statistic == "proportion" else (span[0] / 2, span[1] * 2)
    limits = funnel_limits(
        frame,
        numerator="numerator",
        denominator="denominator",
        span=drawn,
        years_of_data=1 if statistic == "rate" else None,
        **options,
    )
    lines = []
    for name in FUNNEL_LINES:
        x = "denominator" if statistic == "proportion" else f"{name}_population_1_year"
        for at, limit in limits.select(pl.col(x), pl.col(name)).iter_rows():
            if span[0] <= at <= span[1]:
                lines.append((name, at, limit))
    return FunnelPlot(
        points=judged.sort("denominator"),
        lines=tuple(lines),
        average=float(limits["baseline"][0]),
    )


class _Spec:
    """The columns of a funnel, checked and read as float arrays."""

    def __init__(
        self,
        numerator_values: FloatArray,
        denominator_values: FloatArray,
        rate_values: FloatArray,
        statistic: Statistic,
        multiplier: float,
        rate_kind: Literal["dsr", "crude", "denominator"],
    ) -> None:
        self.numerator_values = numerator_values
        self.denominator_values = denominator_values
        self.rate_values = rate_values
        self.statistic = statistic
        self.multiplier = multiplier
        self.rate_kind = rate_kind

    @classmethod
    def check(
        cls,
        frame: pl.DataFrame,
        *,
        numerator: str,
        denominator: str | None,
        statistic: str,
        multiplier: float,
        group: str | None,
        rate: str | None,
        rate_type: str | None,
    ) -> _Spec:
        if statistic not in ("proportion", "rate", "ratio"):
            raise FunnelInputError(
                f"statistic must be 'proportion', 'rate' or 'ratio', not {statistic!r}"
            )
        if not (isinstance(multiplier, (int, float)) and math.isfinite(multiplier)) or (
            multiplier <= 0
        ):
            raise FunnelInputError(f"multiplier must be a positive number, not {multiplier!r}")
        if rate_type is not None and rate_type not in ("dsr", "crude"):
            raise FunnelInputError(f"rate_type must be 'dsr' or 'crude', not {rate_type!r}")
        wanted = [numerator, denominator, rate, group]
        for column in (c for c in wanted if c is not None):
            if column not in frame.columns:
                raise FunnelInputError(
                    f"there is no column {column!r}; the columns are {', '.join(frame.columns)}"
                )
        if frame.height == 0:
            raise FunnelInputError("there are no rows to draw a funnel from")
        x = _numbers(frame, numerator)
        _no_missing(x, numerator)
        _at_least(x, numerator, 0.0, "must not be negative")
        empty = np.full(frame.height, np.nan)
        if statistic in ("proportion", "ratio"):
            if denominator is None:
                raise FunnelInputError(f"a {statistic} needs a denominator column")
            if rate is not None:
                raise FunnelInputError(f"a {statistic} takes no rate column")
            n = _numbers(frame, denominator)
            _no_missing(n, denominator)
            _positive(n, denominator)
            if statistic == "proportion":
                _first_bad(x > n, numerator, x, f"must not exceed the denominator {denominator!r}")
            return cls(x, n, empty, cast(Statistic, statistic), multiplier, "denominator")
        # A rate.
        if rate is None:
            if rate_type == "dsr":
                raise FunnelInputError("a directly standardised rate (dsr) needs its rate column")
            if denominator is None:
                raise FunnelInputError("a rate needs a rate column or a denominator column")
            n = _numbers(frame, denominator)
            _no_missing(n, denominator)
            _positive(n, denominator)
            return cls(x, n, empty, "rate", multiplier, "denominator")
        if rate_type is None:
            raise FunnelInputError("a rate column needs rate_type 'dsr' or 'crude'")
        r = _numbers(frame, rate)
        events = x > 0
        _first_bad(events & np.isnan(r), rate, r, "is missing for a row with events")
        _first_bad(
            events & ~(np.isfinite(r) & (r > 0)),
            rate,
            r,
            "must be a positive number where there are events",
        )
        if denominator is None:
            n = empty
            if not events.all():
                raise FunnelInputError(
                    f"column {numerator!r} is 0 at row {int(np.argmin(events))}: where a row has "
                    "no events the denominator column is needed"
                )
        else:
            n = _numbers(frame, denominator)
            _positive(n, denominator)
            _first_bad(~events & np.isnan(n), denominator, n, "is missing for a row with no events")
        return cls(x, n, r, "rate", multiplier, cast(Literal["dsr", "crude"], rate_type))

    def derived_denominator(self, purpose: Literal["significance", "limits"]) -> FloatArray:
        """The denominator a funnel uses: the column, or a rate's from ``numerator / rate``."""
        if self.statistic != "rate" or self.rate_kind == "denominator":
            return self.denominator_values
        x, r, m = self.numerator_values, self.rate_values, self.multiplier
        with np.errstate(invalid="ignore", divide="ignore"):
            # assign_funnel_significance computes x / r * m, calculate_funnel_limits m * x / r.
            from_rate = x / r * m if purpose == "significance" else m * x / r
        if self.rate_kind == "dsr":
            return np.where(x == 0, np.nan, from_rate)
        return np.where(x == 0, self.denominator_values, from_rate)


def _numbers(frame: pl.DataFrame, column: str) -> FloatArray:
    series = frame[column]
    if not series.dtype.is_numeric():
        raise FunnelInputError(f"column {column!r} must be numeric, not {series.dtype}")
    values = series.cast(pl.Float64).to_numpy()
    return np.asarray(values, dtype=np.float64)


def _no_missing(values: FloatArray, column: str) -> None:
    missing = np.isnan(values)
    if missing.any():
        raise FunnelInputError(
            f"column {column!r} is missing at row {int(np.argmax(missing))}: "
            "every row needs a value, even when it is zero"
        )


def _at_least(values: FloatArray, column: str, bound: float, problem: str) -> None:
    bad = values < bound
    if bad.any():
        row = int(np.argmax(bad))
        raise FunnelInputError(f"column {column!r} {problem}: {float(values[row])!r} at row {row}")
    infinite = np.isinf(values)
    if infinite.any():
        row = int(np.argmax(infinite))
        raise FunnelInputError(
            f"column {column!r} must be finite: {float(values[row])!r} at row {row}"
        )


def _positive(values: FloatArray, column: str) -> None:
    bad = values <= 0
    if bad.any():
        row = int(np.argmax(bad))
        raise FunnelInputError(
            f"column {column!r} must be greater than zero: {float(values[row])!r} at row {row}"
        )
    _at_least(values, column, 0.0, "must not be negative")


def _first_bad(bad: npt.NDArray[np.bool_], column: str, values: FloatArray, problem: str) -> None:
    if bad.any():
        row = int(np.argmax(bad))
        value = values[row]
        shown = "missing" if np.isnan(value) else repr(float(value))
        raise FunnelInputError(f"column {column!r} {problem}: {shown} at row {row}")


# --- the arithmetic -------------------------------------------------------------------------


def _group_codes(frame: pl.DataFrame, group: str | None) -> npt.NDArray[np.int64]:
    """An integer per row naming its group (all 0 without a group; missing keys form a group)."""
    if group is None:
        return np.zeros(frame.height, dtype=np.int64)
    ranks = frame[group].rank("dense").fill_null(0)
    return np.asarray(ranks.to_numpy(), dtype=np.int64)


def _group_ratio(top: FloatArray, bottom: FloatArray, codes: npt.NDArray[np.int64]) -> FloatArray:
    """Σ top / Σ bottom within each group (NaN in bottom left out), broadcast back to the rows.

    The sums are exactly rounded (``math.fsum``), which is what R's long-double ``sum`` gives.
    """
    result = np.empty(top.shape, dtype=np.float64)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    for start, stop in zip(starts, np.r_[starts[1:], len(order)], strict=True):
        rows = order[start:stop]
        below = bottom[rows]
        with np.errstate(invalid="ignore", divide="ignore"):
            result[rows] = np.float64(math.fsum(top[rows].tolist())) / np.float64(
                math.fsum(below[~np.isnan(below)].tolist())
            )
    return result


def _qnorm(p: float) -> float:
    """R's qnorm(p): AS 241, as statistics.NormalDist computes it (identical doubles)."""
    return statistics.NormalDist().inv_cdf(p)


def _sigma_adjustment(
    p: float,
    population: FloatArray,
    average: FloatArray | float,
    side: str,
    multiplier: float,
) -> FloatArray:
    """The proportion whose Wilson interval at probability ``p`` just reaches ``average``.

    PHEindicatormethods' ``sigma_adjustment``, in its order of operations.
    """
    z2 = _qnorm(p)
    z2 = z2 * z2
    a = average
    n = population
    with np.errstate(invalid="ignore", divide="ignore"):
        first_part = a * (n / z2 + 1)
        inner = -8 * a * (n / z2 + 1)
        adj = np.sqrt(
            inner * inner - 64 * (1 / z2 + 1 / n) * a * (n * (a * (n / z2 + 2) - 1) + z2 * (a - 1))
        )
        last_part = 1 / z2 + 1 / n
        if side == "low":
            limit = (first_part - adj / 8) / last_part
        else:
            limit = (first_part + adj / 8) / last_part
        return np.asarray((limit / n) * multiplier, dtype=np.float64)


def _ratio_interval(obs: FloatArray, expected: FloatArray, p: float, side: str) -> FloatArray:
    """A row's interval for obs / expected: PHEindicatormethods' ``funnel_ratio_significance``.

    Exact Poisson (chi-squared) below 10 observed, Byar's from 10; 0 events give a lower
    limit of 0. ``p`` is the confidence (0.95 or 0.998).
    """
    tail = 0.5 + p / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        if side == "low":
            exact = qchisq(tail, 2 * obs, "upper") / 2
            byars = obs * np.power(1 - 1 / (9 * obs) - _qnorm(tail) / 3 / np.sqrt(obs), 3)
            statistic = np.where(obs == 0, 0.0, np.where(obs < 10, exact, byars))
        else:
            exact = qchisq(tail, 2 * obs + 2, "lower") / 2
            adjusted = obs + 1
            byars = adjusted * np.power(
                1 - 1 / (9 * adjusted) + _qnorm(tail) / 3 / np.sqrt(adjusted), 3
            )
            statistic = np.where(obs < 10, exact, byars)
        return np.asarray(statistic / expected, dtype=np.float64)


# --- the funnel lines -----------------------------------------------------------------------


def _limits_table(
    x: FloatArray,
    derived: FloatArray,
    statistic: Statistic,
    multiplier: float,
    ratio_type: str | None,
    years: float,
    upper_cap: float,
    span: tuple[float, float] | None = None,
) -> pl.DataFrame:
    known = derived[~np.isnan(derived)]
    if known.size == 0:
        raise FunnelInputError("no row has events, so a dsr funnel has no denominator to use")
    average = math.fsum(x.tolist()) / math.fsum(known.tolist())
    low, high = float(known.min()), float(known.max())
    if high > 2 * low:
        axis_min = 0.0
    elif statistic == "rate":
        axis_min = _signif_floor(low / years) * years
    else:
        axis_min = _signif_floor(low)
    axis_max = (
        _signif_ceiling(high / years) * years if statistic == "rate" else _signif_ceiling(high)
    )
    if span is not None:
        axis_min, axis_max = float(span[0]), float(span[1])
    if statistic == "rate":
        if not average > 0:
            raise FunnelInputError("every numerator is 0: there is no average rate to draw round")
        axis_min = math.floor(axis_min * average)
        axis_max = math.ceil(axis_max * average)
    grid = _grid(axis_min, axis_max, offset=1 if statistic == "ratio" else 0)
    columns: dict[str, FloatArray] = {}
    if statistic == "proportion":
        columns["denominator"] = grid
        for name, p, side in (
            ("lower_95", 0.975, "low"),
            ("upper_95", 0.975, "high"),
            ("lower_998", 0.999, "low"),
            ("upper_998", 0.999, "high"),
        ):
            limit = _sigma_adjustment(p, grid, average, side, multiplier)
            columns[name] = (
                np.maximum(0.0, limit) if side == "low" else np.minimum(upper_cap, limit)
            )
        columns["baseline"] = np.full(grid.shape, average * multiplier)
    else:
        head = "observed" if statistic == "ratio" else "events"
        at = "_expected" if statistic == "ratio" else "_population_1_year"
        columns[head] = grid
        limits = (
            ("lower_95", 0.025, False),
            ("upper_95", 0.025, True),
            ("lower_998", 0.001, False),
            ("upper_998", 0.001, True),
        )
        size = grid.size
        all_expected = _poisson_funnel(
            np.tile(grid, len(limits)),
            np.repeat([p for _, p, _ in limits], size),
            np.repeat([low for _, _, low in limits], size),
        )
        for i, (name, _, _) in enumerate(limits):
            expected = all_expected[i * size : (i + 1) * size]
            if statistic == "ratio":
                limit = grid / expected
                limit = limit - 1 if ratio_type == "count" else limit * 100
                columns[name + at] = expected
            else:
                population = expected / average
                limit = grid / population * multiplier
                columns[name + at] = population / years
            columns[name] = limit
        baseline = 0.0 if ratio_type == "count" else 100.0
        columns["baseline"] = np.full(
            grid.shape, baseline if statistic == "ratio" else average * multiplier
        )
    return pl.DataFrame({name: pl.Series(name, v, dtype=pl.Float64) for name, v in columns.items()})


def _grid(axis_min: float, axis_max: float, *, offset: int) -> FloatArray:
    """The 100 x values: geometric steps from max(1, axis_min) to axis_max, rounded, rising."""
    values = [max(1.0, axis_min)]
    for j in range(2, GRID_POINTS + 1):
        previous = values[-1]
        step = round((axis_max / previous) ** (1 / (101 - (j - offset))) * previous)
        values.append(max(float(step), previous + 1))
    return np.asarray(values, dtype=np.float64)


def _r_nchar(value: float) -> int:
    """Characters R's ``as.character`` uses for a whole number: fixed or scientific, shorter wins.

    R writes 100000 as "1e+05" (5 characters) and 110000 as "110000"; ``signif.floor`` and
    ``signif.ceiling`` in PHEindicatormethods count these characters.
    """
    if value == 0:
        return 1
    mantissa, exponent = f"{value:.14e}".split("e")
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    power = int(exponent)
    significant = len(digits)
    scientific = significant + (1 if significant > 1 else 0) + (4 if abs(power) < 100 else 5)
    fixed = power + 1 if power >= 0 else 2 + abs(power) + significant - 1
    return fixed if fixed <= scientific else scientific


def _signif_floor(value: float, percentage_down: float = 0.95) -> float:
    if value == 0:
        return 0.0
    n = _r_nchar(math.floor(value * percentage_down)) - 1
    scale = 10.0**n
    return math.floor(value * percentage_down / scale) * scale


def _signif_ceiling(value: float, percentage_up: float = 1.05) -> float:
    if value == 0:
        return 0.0
    n = _r_nchar(math.ceil(value * percentage_up)) - 2
    scale = 10.0**n
    return math.ceil(value * percentage_up / scale) * scale


def _poisson_funnel(obs: FloatArray, p: FloatArray, low: npt.NDArray[np.bool_]) -> FloatArray:
    """The expected count at which ``obs`` events are just significant at tail probability ``p``.

    PHEindicatormethods' ``poisson_funnel``, for many (obs, p, side) at once: a bisection on
    v = λ / (λ + obs + 1) that halves its step while the step exceeds 1e-7 (23 halvings),
    comparing with ``p`` the Poisson probability of ``obs`` or more events (where ``low``) or
    of ``obs`` or fewer. The same 23 decisions give the same double as the package. Each
    decision uses SciPy's Poisson distribution unless that is too close to ``p`` to be sure of
    (see :func:`_series_error_bound`); there the package's own truncated series decides.
    """
    # SciPy here, not at the top: a command or page that draws no Poisson funnel never needs
    # it, and it takes longer to import than most of them take to run.
    from scipy import special  # type: ignore[import-untyped]  # SciPy ships no type hints

    v = np.full(obs.shape, 0.5)
    dv = 0.5
    while dv > 1e-7:
        dv = dv / 2
        z = (1 + obs) * v / (1 - v)
        with np.errstate(invalid="ignore"):
            at_least = np.where(obs <= 0, 1.0, special.pdtrc(obs - 1, z))
            at_most = special.pdtr(obs, z)
        probability = np.asarray(np.where(low, at_least, at_most), dtype=np.float64)
        close = np.abs(probability - p) <= _series_error_bound(z)
        if close.any():
            first = np.where(low[close], obs[close], 0.0)
            last = np.where(low[close], 1e10, obs[close])
            probability[close] = _poisson_series(z[close], first, last)
        move_down = np.where(low, probability > p, probability < p)
        v = np.where(move_down, v - dv, v + dv)
    return np.asarray((1 + obs) * v / (1 - v), dtype=np.float64)


def _series_error_bound(z: FloatArray) -> FloatArray:
    """Twice the most the package's truncated series can differ from the exact probability.

    The series stops at the first k > z whose term is at most 1e-10 of the total; the terms
    left out then add up to at most 1e-10 (1 + √z) of it, as k - z exceeds √z. Rounding in the
    sum adds a few units of 2⁻⁵² per term, and SciPy's own error is far below 1e-12.
    """
    root = np.sqrt(z)
    return np.asarray(
        2 * (1e-10 * (1 + root) + 1e-15 * (z + 10 * root + 10)) + 1e-12, dtype=np.float64
    )


def _poisson_series(z: FloatArray, first: FloatArray, last: FloatArray) -> FloatArray:
    """P(first ≤ K ≤ last) for K ~ Poisson(z), summed as PHEindicatormethods' ``poisson_cis``.

    The terms z^k/k! are added while k ≤ z or the term exceeds 1e-10 of the total, dividing
    everything by 1e30 whenever the total passes 1e30. Every element goes through the same
    floating-point operations as in the package (adding 0 or dividing by 1 changes nothing),
    and its answer is taken at the k where its own loop would stop.
    """
    q = np.ones(z.shape)
    total = np.zeros(z.shape)
    s = np.zeros(z.shape)
    result = np.full(z.shape, np.nan)
    running = np.ones(z.shape, dtype=bool)
    k = 0.0
    while True:
        going = (k <= z) | (q > total * 1e-10)
        stopped = running & ~going
        if stopped.any():
            result[stopped] = s[stopped] / total[stopped]
            running &= going
            if not running.any():
                return result
        total += q
        s += q * ((k >= first) & (k <= last))
        scale = np.where(total > 1e30, 1e30, 1.0)
        s /= scale
        total /= scale
        q /= scale
        k = k + 1
        q = q * z / k


def _statistic_label(
    statistic: Statistic, ratio_type: str | None, rate_kind: str, multiplier: float
) -> str:
    if statistic == "proportion":
        return "proportion"
    if statistic == "ratio":
        return f"ratio ({ratio_type})"
    per = f"{int(multiplier):,}" if float(multiplier).is_integer() else f"{multiplier:,}"
    kind = "crude" if rate_kind == "denominator" else rate_kind
    return f"rate ({kind} per {per})"
