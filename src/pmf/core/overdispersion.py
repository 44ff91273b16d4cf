"""Widen funnel limits for overdispersion as FunnelPlotR 0.6 does (Spiegelhalter, 2005).

Funnel limits drawn from the binomial or Poisson distribution alone assume that every unit
shares one true value and differs only by chance. Real units (150 A&E departments, 43 police
forces) differ for reasons nobody has modelled, and then most of them fall outside 99.8 %
limits. Spiegelhalter's random-effects adjustment, which FunnelPlotR implements, estimates how
much more the units vary than chance allows and widens every limit by that much:

1. Each unit's value becomes a z-score on a scale where its variance is known (the arcsine
   of the square root for a proportion; the log for a ratio by the SHMI method, the square
   root by the CQC method).
2. The most extreme 10 % of z-scores at each end are set aside: **shmi** truncates them (drops
   them, as NHS England's Summary Hospital-level Mortality Indicator does), **cqc** winsorises
   them (pulls them in to the 10th and 90th percentiles, as the CQC and Spiegelhalter do).
3. The dispersion ratio is ``phi = Σ z² / n`` over the units kept, and the between-unit
   variance ``tau2 = max(0, (n·phi − (n − 1)) / (Σw − Σw² / Σw))`` with ``w = 1 / s²``.
4. Each unit's limits are ``target ± z_α √(s² + tau2)`` on that scale, taken back to the
   value's scale at its own denominator. Where ``phi ≤ 1`` there is nothing to widen and the
   exact limits are kept, as FunnelPlotR does.

**none** gives the exact limits: for a proportion the Wilson-score control limits
PHEindicatormethods draws, for a ratio (observed over expected) and a rate the exact Poisson
limits of its funnel lines, each at the unit's own denominator. :func:`unit_limits` is the
entry point and :func:`overdispersed_plot` the funnel plot drawn with them; docs/methods.md
("Funnel plots: overdispersion") gives the formulas, the lines of FunnelPlotR they follow and
where pmf departs from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import polars as pl

from pmf.core.funnel import (
    FUNNEL_MARGIN,
    GRID_POINTS,
    HIGH_001,
    HIGH_025,
    LOW_001,
    LOW_025,
    NOT_SIGNIFICANT,
    FunnelInputError,
    FunnelPlot,
    Statistic,
    _sigma_adjustment,
    _Spec,
    funnel_plot,
)
from pmf.core.i18n import gettext as _

FloatArray = npt.NDArray[np.float64]
Overdispersion = Literal["none", "shmi", "cqc"]
OVERDISPERSION_METHODS: tuple[str, ...] = get_args(Overdispersion)
"""The adjustments, in the order the command line and the framework list them."""

TRIM = 0.1
"""The share of z-scores set aside at each end before phi is estimated (FunnelPlotR's trim_by)."""

Z_95 = 1.959964
Z_998 = 3.090232
"""The normal quantiles of the 95 % and 99.8 % limits, to the six decimals FunnelPlotR writes."""

UNIT_COLUMNS = (
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "outlier_95",
    "outlier_998",
)
"""The columns :func:`unit_limits` adds, in order."""

__all__ = [
    "OVERDISPERSION_METHODS",
    "TRIM",
    "UNIT_COLUMNS",
    "Z_95",
    "Z_998",
    "Dispersion",
    "Overdispersion",
    "UnitInputError",
    "describe",
    "overdispersed_plot",
    "significance_from_limits",
    "unit_limits",
]


class UnitInputError(FunnelInputError):
    """A unit no limits can be worked for; ``row`` (from 0) and ``column`` say which."""

    def __init__(self, problem: str, *, row: int, column: str) -> None:
        super().__init__(f"column {column!r} at row {row}: {problem}")
        self.problem = problem
        self.row = row
        self.column = column


@dataclass(frozen=True)
class Dispersion:
    """How much more the units vary than chance allows, and whether the limits were widened.

    ``phi`` (the dispersion ratio) and ``tau2`` (the between-unit variance on the z-score
    scale) are ``None`` for ``method == "none"``, which estimates neither. ``units`` is the
    number of units phi was estimated from (fewer than all of them after SHMI truncation).
    ``target`` is the centre line on the value's scale (times the multiplier): the pooled
    proportion or rate, or the multiplier itself for a ratio. ``adjusted`` says whether the
    limits were widened: only when phi exceeds 1.
    """

    method: Overdispersion
    phi: float | None
    tau2: float | None
    target: float
    units: int
    adjusted: bool


def describe(dispersion: Dispersion) -> str:
    """Say in a sentence which limits a funnel draws, for the text beside it.

    >>> describe(Dispersion("shmi", 3.2, 0.01, 95.0, 120, True))
    'Limits widened for overdispersion (SHMI method, phi = 3.2).'
    >>> describe(Dispersion("cqc", 0.8, 0.0, 95.0, 150, False))
    'Exact limits: the units vary no more than chance allows (CQC method, phi = 0.8).'
    >>> describe(Dispersion("none", None, None, 1.0, 10, False))
    'Exact limits, not adjusted for overdispersion.'
    """
    if dispersion.method == "none" or dispersion.phi is None:
        return _("Exact limits, not adjusted for overdispersion.")
    name = dispersion.method.upper()
    phi = f"{dispersion.phi:.2g}" if dispersion.phi < 10 else f"{dispersion.phi:.3g}"
    if dispersion.adjusted:
        return _("Limits widened for overdispersion ({name} method, phi = {phi}).").format(
            name=name, phi=phi
        )
    return _(
        "Exact limits: the units vary no more than chance allows ({name} method, phi = {phi})."
    ).format(name=name, phi=phi)


def unit_limits(
    frame: pl.DataFrame,
    *,
    numerator: str,
    denominator: str,
    statistic: Statistic,
    overdispersion: Overdispersion = "none",
    multiplier: float = 1.0,
) -> tuple[pl.DataFrame, Dispersion]:
    """Return ``frame`` with each unit's value, its funnel limits and outliers, and the dispersion.

    Each row is a unit. ``statistic`` is ``"proportion"`` (numerator out of denominator),
    ``"ratio"`` (observed numerator over expected denominator, target 1) or ``"rate"`` (events
    over population, treated as a ratio against the pooled rate). The added columns are
    :data:`UNIT_COLUMNS`: ``value`` (numerator / denominator × multiplier), the 95 % and 99.8 %
    limits at the unit's own denominator, and whether the value lies strictly outside them.

    >>> frame = pl.DataFrame({"num": [100, 150, 180, 80, 120, 225],
    ...                       "denom": [108, 112, 165, 95, 100, 220]})
    >>> limits, dispersion = unit_limits(frame, numerator="num", denominator="denom",
    ...                                  statistic="ratio", overdispersion="shmi")
    >>> round(dispersion.phi, 6), dispersion.adjusted
    (2.948033, True)
    >>> limits["outlier_95"].to_list()
    [False, False, False, False, False, False]
    """
    if overdispersion not in OVERDISPERSION_METHODS:
        raise FunnelInputError(
            f"overdispersion must be 'none', 'shmi' or 'cqc', not {overdispersion!r}"
        )
    spec = _Spec.check(
        frame,
        numerator=numerator,
        denominator=denominator,
        statistic=statistic,
        multiplier=multiplier,
        group=None,
        rate=None,
        rate_type=None,
    )
    x = spec.numerator_values
    n = spec.denominator_values
    if statistic == "ratio":
        target = 1.0
    else:
        target = np.float64(math.fsum(x.tolist())) / np.float64(math.fsum(n.tolist()))
        if statistic == "rate" and not target > 0:
            raise FunnelInputError(
                f"every value of column {numerator!r} is 0: there is no average rate to "
                "compare with"
            )
    value = x / n * multiplier
    exact = _exact_limits(x, n, statistic, float(target), multiplier)
    phi: float | None = None
    tau2: float | None = None
    units = int(x.size)
    adjusted = False
    limits = exact
    if overdispersion != "none":
        z, s, expected = _z_scores(x, n, statistic, overdispersion, float(target), denominator)
        kept, trimmed = _trim(z, overdispersion)
        units = int(kept.sum())
        if not np.isfinite(trimmed[kept]).all():
            row = int(np.argmax(kept & ~np.isfinite(trimmed)))
            raise UnitInputError(
                "no events: the SHMI method's log scale cannot place a unit with none unless it "
                "is among the 10 % set aside at each end (too few units here); use the cqc method",
                row=row,
                column=numerator,
            )
        phi = (1 / units) * math.fsum((trimmed[kept] ** 2).tolist())
        tau2 = _tau2(units, phi, s[kept])
        adjusted = phi > 1
        if adjusted:
            limits = _widened_limits(
                n if statistic == "proportion" else expected,
                statistic,
                overdispersion,
                float(target),
                multiplier,
                tau2,
            )
    lower_95, upper_95, lower_998, upper_998 = limits
    result = frame.with_columns(
        pl.Series("value", value, dtype=pl.Float64),
        pl.Series("lower_95", lower_95, dtype=pl.Float64),
        pl.Series("upper_95", upper_95, dtype=pl.Float64),
        pl.Series("lower_998", lower_998, dtype=pl.Float64),
        pl.Series("upper_998", upper_998, dtype=pl.Float64),
        pl.Series("outlier_95", (value < lower_95) | (value > upper_95), dtype=pl.Boolean),
        pl.Series("outlier_998", (value < lower_998) | (value > upper_998), dtype=pl.Boolean),
    )
    dispersion = Dispersion(
        method=overdispersion,
        phi=phi,
        tau2=tau2,
        target=float(target) * multiplier,
        units=units,
        adjusted=adjusted,
    )
    return result, dispersion


# --- z-scores -------------------------------------------------------------------------------


def _z_scores(
    x: FloatArray,
    n: FloatArray,
    statistic: Statistic,
    method: Overdispersion,
    target: float,
    denominator: str,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each unit's unadjusted z-score, its standard error and its expected count.

    FunnelPlotR's ``transformed_zscore``: PR for a proportion, SR for a ratio and a rate (whose
    expected count is its population times the pooled rate). By the SHMI method the expected
    counts of a ratio are first rounded to two decimals, as FunnelPlotR's ``SHMI_rounding``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic == "proportion":
            target_t = math.asin(math.sqrt(target))
            y = np.arcsin(np.sqrt(x / n))
            s = 1 / (2 * np.sqrt(n))
            return (y - target_t) / s, s, n
        if statistic == "ratio":
            expected = np.array([round(e, 2) for e in n.tolist()]) if method == "shmi" else n
            zero = expected <= 0
            if zero.any():
                row = int(np.argmax(zero))
                raise UnitInputError(
                    f"{float(n[row])!r} rounds to 0 (to two decimals, as the SHMI method rounds "
                    "expected counts)",
                    row=row,
                    column=denominator,
                )
        else:
            expected = n * target
        if method == "shmi":
            z = np.sqrt(expected) * np.log(x / expected)
            return np.asarray(z, dtype=np.float64), 1 / np.sqrt(expected), expected
        s = 1 / (2 * np.sqrt(expected))
        return (np.sqrt(x / expected) - 1) / s, s, expected


def _trim(z: FloatArray, method: Overdispersion) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """The z-scores phi is estimated from: truncated (shmi) or winsorised (cqc) at 10 %.

    Truncation is FunnelPlotR's ``truncation``: ranks (ties averaged) fall into ten groups by
    ``floor(rank × 10 / (n + 1))`` and the first and last groups are dropped. Winsorisation is
    its ``winsorisation``: z-scores beyond R's type 7 10th and 90th percentiles are set to them.
    """
    k = 1 / TRIM
    if method == "shmi":
        ranks = pl.Series(z).rank("average").to_numpy().astype(np.float64)
        group = np.floor(ranks * k / (z.size + 1))
        kept = (group > 0) & (group < k - 1)
        return kept, z
    low = _r_quantile(z, TRIM)
    high = _r_quantile(z, 1 - TRIM)
    return np.ones(z.shape, dtype=bool), np.where(z < low, low, np.where(z > high, high, z))


def _r_quantile(values: FloatArray, p: float) -> float:
    """R's ``quantile(values, p)`` (type 7), in its order of operations."""
    ordered = np.sort(values)
    index = 1 + max(ordered.size - 1, 0) * p
    lo = math.floor(index)
    hi = math.ceil(index)
    q = float(ordered[lo - 1])
    upper = float(ordered[hi - 1])
    if index > lo and upper != q:
        h = index - lo
        q = (1 - h) * q + h * upper
    return q


def _tau2(units: int, phi: float, s: FloatArray) -> float:
    """FunnelPlotR's ``tau_func``: the between-unit variance, 0 when phi is below (n - 1) / n."""
    if s.size == 0 or units * phi < units - 1:
        return 0.0
    w = 1 / (s**2)
    total = math.fsum(w.tolist())
    return max(0.0, (units * phi - (units - 1)) / (total - math.fsum((w**2).tolist()) / total))


# --- limits ---------------------------------------------------------------------------------

Limits = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


def _exact_limits(
    x: FloatArray, n: FloatArray, statistic: Statistic, target: float, multiplier: float
) -> Limits:
    """The unadjusted limits at each unit's denominator, as PHEindicatormethods draws them.

    A proportion's are the Wilson-score control limits (kept within 0 and the multiplier); a
    ratio's and a rate's are where PHEindicatormethods' exact Poisson funnel lines cross the
    unit's expected count ``E``: the (continuous) counts ``k`` with ``P(X ≥ k) = α`` and
    ``P(X ≤ k) = α`` for ``X ~ Poisson(E)``, over ``E``.
    """
    if statistic == "proportion":
        if target in (0.0, 1.0):
            # Every unit at 0 % or every one at 100 %: none can differ, and the Wilson
            # formula cancels to NaN or a hair off the target there.
            flat = np.full(n.shape, target * multiplier)
            return flat, flat, flat, flat
        result = []
        for p, side in ((0.975, "low"), (0.975, "high"), (0.999, "low"), (0.999, "high")):
            limit = _sigma_adjustment(p, n, target, side, multiplier)
            result.append(
                np.maximum(limit, 0.0) if side == "low" else np.minimum(limit, multiplier)
            )
        return result[0], result[1], result[2], result[3]
    expected = n * target
    scale = target * multiplier
    return (
        _poisson_count(expected, 0.025, "low") / expected * scale,
        _poisson_count(expected, 0.025, "high") / expected * scale,
        _poisson_count(expected, 0.001, "low") / expected * scale,
        _poisson_count(expected, 0.001, "high") / expected * scale,
    )


def _poisson_count(expected: FloatArray, alpha: float, side: str) -> FloatArray:
    """The continuous count ``k`` with ``P(X ≤ k) = alpha`` (low) or ``P(X ≥ k) = alpha`` (high).

    ``P(X ≥ k) = P(k, E)`` and ``P(X ≤ k) = Q(k + 1, E)`` (the regularised incomplete gamma
    functions, which extend the Poisson tails to counts between whole numbers), solved by
    bisection to the last bit. A low count below 0 (where even no events is not unusual) is 0.
    """
    from scipy import special  # type: ignore[import-untyped]  # SciPy ships no type hints

    low = np.zeros(expected.shape)
    high = expected + 20 * np.sqrt(expected) + 40
    if side == "low":
        none_low = np.exp(-expected) >= alpha
    for _step in range(200):
        middle = (low + high) / 2
        if side == "low":
            too_far = special.gammaincc(middle + 1, expected) > alpha
        else:
            too_far = special.gammainc(middle, expected) < alpha
        high = np.where(too_far, middle, high)
        low = np.where(too_far, low, middle)
        if np.all(high - low <= np.spacing(high)):
            break
    result = (low + high) / 2
    if side == "low":
        result = np.where(none_low, 0.0, result)
    return np.asarray(result, dtype=np.float64)


def _widened_limits(
    size: FloatArray,
    statistic: Statistic,
    method: Overdispersion,
    target: float,
    multiplier: float,
    tau2: float,
) -> Limits:
    """FunnelPlotR's ``calculate_limits`` with tau2 added, at each unit's denominator.

    ``size`` is the denominator of a proportion and the expected count of a ratio or rate.
    """
    result = []
    for z in (-Z_95, Z_95, -Z_998, Z_998):
        if statistic == "proportion":
            s = 1 / (2 * np.sqrt(size))
            angle = math.asin(math.sqrt(target)) + z * np.sqrt((s**2) + tau2)
            limit = multiplier * (np.sin(angle) ** 2)
            # Past 0 or a right angle the arcsine scale folds back; FunnelPlotR cuts the
            # fold by comparing neighbouring rows of its table, which these bounds equal.
            if z < 0:
                limit = np.where(angle < 0, 0.0, limit)
            else:
                limit = np.where(angle > math.pi / 2, multiplier, limit)
        elif method == "shmi":
            limit = multiplier * target * np.exp(z * np.sqrt((1 / size) + tau2))
        else:
            s = 1 / (2 * np.sqrt(size))
            limit = np.maximum(multiplier * target * (1 + z * np.sqrt(s**2 + tau2)), 0.0)
        result.append(np.asarray(limit, dtype=np.float64))
    return result[0], result[1], result[2], result[3]


# --- the funnel plot --------------------------------------------------------------------------


def significance_from_limits(limits: pl.DataFrame) -> pl.Series:
    """Return each unit's significance label read from its own (widened) limits.

    ``limits`` is :func:`unit_limits`' frame; the labels are PHEindicatormethods' words, and a
    value exactly on a limit is not beyond it.
    """
    value = limits["value"].to_numpy()
    lower_95, upper_95 = limits["lower_95"].to_numpy(), limits["upper_95"].to_numpy()
    lower_998, upper_998 = limits["lower_998"].to_numpy(), limits["upper_998"].to_numpy()
    labels = np.select(
        [value < lower_998, value < lower_95, value > upper_998, value > upper_95],
        [LOW_001, LOW_025, HIGH_001, HIGH_025],
        NOT_SIGNIFICANT,
    ).tolist()
    return pl.Series("significance", labels, dtype=pl.String)


def overdispersed_plot(
    frame: pl.DataFrame,
    *,
    statistic: Literal["proportion", "rate"],
    multiplier: float = 1.0,
    overdispersion: Overdispersion = "none",
    margin: float = FUNNEL_MARGIN,
) -> FunnelPlot:
    """Return :func:`pmf.core.funnel.funnel_plot`'s plot with each unit's limits, widened if asked.

    The points gain ``lower_95``, ``upper_95``, ``lower_998``, ``upper_998`` (the limits at the
    unit's own denominator, as :func:`unit_limits`) and the plot its ``dispersion``. Unless
    the limits are widened (``shmi`` or ``cqc`` with phi above 1) the lines, labels and
    average are ``funnel_plot``'s, PHEindicatormethods' exact ones. Widened, the lines are
    the widened limits over the same span of denominators and each unit's ``significance``
    is the same labels read from its widened limits.

    >>> frame = pl.DataFrame({"unit": list("ABCDEF"),
    ...                       "numerator": [30.0, 45.0, 90.0, 20.0, 150.0, 60.0],
    ...                       "denominator": [100.0, 150.0, 200.0, 120.0, 300.0, 110.0]})
    >>> plot = overdispersed_plot(frame, statistic="proportion", multiplier=100,
    ...                           overdispersion="shmi")
    >>> plot.dispersion.adjusted, round(plot.dispersion.phi, 2)
    (True, 11.37)
    >>> plot.points.filter(pl.col("unit") == "D")["significance"].to_list()
    ['Not significant']
    >>> exact = overdispersed_plot(frame, statistic="proportion", multiplier=100)
    >>> exact.points.filter(pl.col("unit") == "D")["significance"].to_list()
    ['Low (0.001)']
    """
    limits, dispersion = unit_limits(
        frame,
        numerator="numerator",
        denominator="denominator",
        statistic=statistic,
        overdispersion=overdispersion,
        multiplier=multiplier,
    )
    with_limits = frame.with_columns(
        limits.select("lower_95", "upper_95", "lower_998", "upper_998")
    )
    base = funnel_plot(with_limits, statistic=statistic, multiplier=multiplier, margin=margin)
    if not dispersion.adjusted:
        return FunnelPlot(base.points, base.lines, base.average, dispersion)
    points = with_limits.with_columns(significance_from_limits(limits))
    smallest = float(frame["denominator"].min())  # type: ignore[arg-type]
    largest = float(frame["denominator"].max())  # type: ignore[arg-type]
    extra = margin * (largest - smallest) or margin * largest
    start, stop = max(smallest - extra, smallest / 2), largest + extra
    grid = np.geomspace(start, stop, GRID_POINTS)
    target = dispersion.target / multiplier
    size = grid if statistic == "proportion" else grid * target
    drawn = _widened_limits(
        size, statistic, overdispersion, target, multiplier, dispersion.tau2 or 0
    )
    lines = tuple(
        (name, float(x), float(y))
        for name, column in zip(
            ("lower_95", "upper_95", "lower_998", "upper_998"), drawn, strict=True
        )
        for x, y in zip(grid, column, strict=True)
    )
    return FunnelPlot(points.sort("denominator"), lines, dispersion.target, dispersion)
