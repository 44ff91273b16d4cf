"""Compute confidence intervals the way PHEindicatormethods does.

The formulas, the choice of method and the floating-point order of operations follow the R
package PHEindicatormethods (UKHSA, now DHSC; ``R/utils.R`` and ``R/Rates.R``), so that the
numbers agree with it to the last few bits, not merely to the digits printed:

* :func:`wilson` is ``wilson_lower`` / ``wilson_upper``: the Wilson score interval without a
  continuity correction, ``(2x + z² ∓ z·√(z² + 4x(1 − x/n))) / 2 / (n + z²)`` with
  ``z = qnorm(confidence + (1 − confidence)/2)``.
* :func:`byar` is the interval ``phe_rate`` puts round a count: the exact Poisson interval from
  the chi-squared distribution below 10 events, Byar's approximation from 10 events up.
* :func:`byar_rate` divides those limits by the denominator and scales them, as ``phe_rate``.
* :func:`observation_intervals` picks between them for a set of figures of one measure, as the peer
  comparison shows them: Wilson for proportions, Byar for rates and ratios.

``z`` comes from :meth:`statistics.NormalDist.inv_cdf`, which, like R's ``qnorm``, is Wichura's
algorithm AS 241 and gives the same double as R (scipy's ``ndtri`` differs in the last bit).
Every function takes scalars or arrays (anything NumPy can broadcast) and works on whole arrays
at once. Missing values (NaN) pass through as NaN, as PHEindicatormethods passes ``NA`` through.
"""

from __future__ import annotations

import numbers
import statistics
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

EXACT_BELOW = 10.0
"""Counts below this get the exact Poisson interval in :func:`byar`, as in ``phe_rate``."""

__all__ = [
    "EXACT_BELOW",
    "IntervalInputError",
    "byar",
    "byar_rate",
    "compare_with_value",
    "observation_intervals",
    "qchisq",
    "wilson",
]


class IntervalInputError(ValueError):
    """A count, denominator or confidence level that no interval can be computed for."""


def wilson(
    numerator: npt.ArrayLike, denominator: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Return the Wilson score interval (lower, upper) of the proportion numerator/denominator.

    The limits are proportions between 0 and 1; multiply them by 100 for percentages. No
    continuity correction is applied, as in PHEindicatormethods. At 0 events the lower limit
    is exactly 0 and at numerator = denominator the upper limit exactly 1, and no limit lies
    outside [0, 1] (the package's arithmetic can miss these by a rounding error, 2e-16).

    >>> lower, upper = wilson(65, 100)
    >>> round(float(lower), 9), round(float(upper), 9)
    (0.552544433, 0.736357518)
    >>> [round(x, 6) for x in wilson([0, 10], [10, 10], 0.998)[1].tolist()]
    [0.488479, 1.0]
    """
    z = _z(confidence)
    x = _as_float(numerator, "numerator")
    n = _as_float(denominator, "denominator")
    _require(x >= 0, x, "numerator", "must not be negative")
    _require(n > 0, n, "denominator", "must be greater than zero")
    x, n = np.broadcast_arrays(x, n)
    _require(x <= n, x, "numerator", "must not exceed the denominator")
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        root = z * np.sqrt(z2 + 4 * x * (1 - (x / n)))
        lower = (2 * x + z2 - root) / 2 / (n + z2)
        upper = (2 * x + z2 + root) / 2 / (n + z2)
    # The formula's rounding can miss 0 at no events and 1 at x = n by 2e-16, and step
    # outside [0, 1] by as much; those limits are exact.
    lower = np.where(x == 0, 0.0, np.clip(lower, 0.0, 1.0))
    upper = np.where(x == n, 1.0, np.clip(upper, 0.0, 1.0))
    return _floats(lower), _floats(upper)


def byar(
    count: npt.ArrayLike, confidence: float = 0.95, *, exact_below: float = EXACT_BELOW
) -> tuple[FloatArray, FloatArray]:
    """Return the confidence interval (lower, upper) for an observed count of events.

    Below ``exact_below`` events (10, as in PHEindicatormethods' ``phe_rate``) the limits are
    the exact Poisson ones, ``qchisq((1 − c)/2, 2O)/2`` and ``qchisq(c + (1 − c)/2, 2O + 2)/2``;
    so 0 events give a lower limit of 0. From ``exact_below`` up they are Byar's approximation,
    ``O(1 − 1/(9O) − z/(3√O))³`` and ``(O + 1)(1 − 1/(9(O + 1)) + z/(3√(O + 1)))³``.
    ``exact_below=0`` gives Byar's method for every count, as PHEindicatormethods'
    ``byars_lower`` / ``byars_upper``: a lower limit that would be negative (or 0 events) is NaN.
    ``exact_below=math.inf`` gives the exact interval for every count.

    >>> lower, upper = byar([0, 65])
    >>> [round(v, 6) for v in lower.tolist()], [round(v, 6) for v in upper.tolist()]
    ([0.0, 50.163188], [3.688879, 82.849139])
    """
    z = _z(confidence)
    x = _as_float(count, "count")
    _require(x >= 0, x, "count", "must not be negative")
    if np.isnan(exact_below):
        raise IntervalInputError("exact_below must be a number")
    exact = x < exact_below
    if exact.any():
        exact_lower, exact_upper = _exact_count(x, float(confidence))
    else:
        # No count small enough for the exact limits: SciPy is not even imported.
        exact_lower = exact_upper = np.full_like(x, np.nan)
    byars_lower, byars_upper = _byars_count(x, z)
    # NaN counts fail both tests and stay NaN.
    lower = np.where(exact, exact_lower, np.where(x >= exact_below, byars_lower, np.nan))
    upper = np.where(exact, exact_upper, np.where(x >= exact_below, byars_upper, np.nan))
    return _floats(lower), _floats(upper)


def byar_rate(
    count: npt.ArrayLike,
    denominator: npt.ArrayLike,
    multiplier: float = 1.0,
    confidence: float = 0.95,
    *,
    exact_below: float = EXACT_BELOW,
) -> tuple[FloatArray, FloatArray]:
    """Return the confidence interval (lower, upper) of the rate count/denominator × multiplier.

    The count's limits from :func:`byar` are divided by the denominator and multiplied by the
    multiplier, as ``phe_rate`` does (so its default of a rate per 100,000 is
    ``multiplier=100_000``).

    >>> lower, upper = byar_rate(65, 10_000, 100_000)
    >>> round(float(lower), 4), round(float(upper), 4)
    (501.6319, 828.4914)
    """
    lower, upper = byar(count, confidence, exact_below=exact_below)
    n = _as_float(denominator, "denominator")
    _require(n > 0, n, "denominator", "must be greater than zero")
    if not np.isfinite(multiplier):
        raise IntervalInputError(f"multiplier must be a finite number, not {multiplier!r}")
    return _floats(lower / n * multiplier), _floats(upper / n * multiplier)


def observation_intervals(
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    statistic: Literal["proportion", "rate"] | None,
    multiplier: float = 1.0,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Return each figure's interval (lower, upper), scaled as its value is, or NaN.

    A set of figures of one measure (the units of a peer group at one period), each its
    numerator / denominator × multiplier: a ``"proportion"`` (a percentage with multiplier
    100) gets :func:`wilson`, a ``"rate"`` (a rate or ratio) :func:`byar_rate`. The figures
    are compared with one another, so they get intervals together or not at all: every limit
    is NaN when one figure lacks its numerator or denominator, has a denominator of 0 or
    less, or is a proportion above 1, and for any other ``statistic`` (``None``).

    >>> lower, upper = observation_intervals([65, 1045], [100, 5000], "proportion", 100)
    >>> [round(v, 6) for v in lower.tolist()], [round(v, 6) for v in upper.tolist()]
    ([55.254443, 19.79555], [73.635752, 22.04913])
    >>> [round(v, 4) for v in observation_intervals([65], [10_000], "rate", 100_000)[0].tolist()]
    [501.6319]
    >>> observation_intervals([65, 3], [100, float("nan")], "proportion", 100)[0].tolist()
    [nan, nan]
    """
    top = _as_float(numerator, "numerator", finite=False)
    bottom = _as_float(denominator, "denominator", finite=False)
    top, bottom = np.broadcast_arrays(top, bottom)
    missing = np.full(top.shape, np.nan)
    lower, upper = missing, missing
    complete = not (np.isnan(top) | np.isnan(bottom)).any()
    if complete and bool((bottom > 0).all()):
        if statistic == "proportion" and bool((top <= bottom).all()):
            lower, upper = wilson(top, bottom, confidence)
        elif statistic == "rate":
            lower, upper = byar(top, confidence)
            lower, upper = lower / bottom, upper / bottom
    return _floats(lower * multiplier), _floats(upper * multiplier)


def compare_with_value(
    lower: npt.ArrayLike, upper: npt.ArrayLike, value: npt.ArrayLike
) -> npt.NDArray[np.str_]:
    """Say whether each interval lies above, around or below a benchmark value.

    ``"Higher"`` when the whole interval is above the value (lower > value), ``"Lower"`` when
    it is below (upper < value), and ``"Similar"`` when the interval contains the value, its
    ends included. This is the Fingertips comparison of a local value's confidence interval
    with a benchmark such as England's (PHEindicatormethods has no such function); the words
    are the ones Fingertips uses when an indicator has no polarity. Where a limit or the value
    is missing (NaN) the answer is ``"Not compared"``, as in Fingertips.

    >>> compare_with_value([0.1, 0.3, 0.5, float("nan")], [0.2, 0.6, 0.7, 0.4], 0.5).tolist()
    ['Lower', 'Similar', 'Similar', 'Not compared']
    """
    lo = _as_float(lower, "lower", finite=False)
    hi = _as_float(upper, "upper", finite=False)
    v = _as_float(value, "value", finite=False)
    lo, hi, v = np.broadcast_arrays(lo, hi, v)
    _require(~(lo > hi), lo, "lower", "must not exceed upper")
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(v)
    return np.select(
        [missing, lo > v, hi < v], ["Not compared", "Higher", "Lower"], "Similar"
    ).astype(np.str_)


def _z(confidence: float) -> float:
    """Return qnorm(confidence + (1 - confidence)/2) exactly as R computes it."""
    if isinstance(confidence, bool) or not (
        isinstance(confidence, numbers.Real) and 0 < confidence < 1
    ):
        raise IntervalInputError(
            f"confidence must be a number between 0 and 1 (such as 0.95), not {confidence!r}"
        )
    confidence = float(confidence)
    return statistics.NormalDist().inv_cdf(confidence + (1 - confidence) / 2)


def _exact_count(x: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    """Exact Poisson limits, as phe_rate: qchisq((1-c)/2, 2x)/2 and qchisq(c+(1-c)/2, 2x+2)/2."""
    lower = qchisq(np.float64((1 - confidence) / 2), 2 * x, "lower") / 2
    upper = qchisq(np.float64(confidence + (1 - confidence) / 2), 2 * x + 2, "lower") / 2
    return lower, upper


def _byars_count(x: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Byar's limits for counts, as byars_lower / byars_upper (a negative lower limit is NaN)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        lower = x * np.power(1 - 1 / (9 * x) - z / (3 * np.sqrt(x)), 3)
        lower = np.where(lower < 0, np.nan, lower)
        x1 = x + 1
        upper = x1 * np.power(1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1)), 3)
    return lower, upper


def qchisq(
    probability: npt.ArrayLike, df: npt.ArrayLike, tail: Literal["lower", "upper"]
) -> FloatArray:
    """Return the chi-squared quantile with the given lower- or upper-tail probability.

    As R's ``qchisq(p, df, lower.tail = tail == "lower")``, including 0 for 0 degrees of
    freedom (a point mass at 0). The values agree with R's to about 1e-14 relative.

    >>> round(float(qchisq(0.975, 4, "lower")), 9), float(qchisq(0.025, 0, "lower"))
    (11.143286782, 0.0)
    """
    # SciPy here, not at the top: it takes longer to import than most commands take to run,
    # and only this function of the module needs it.
    from scipy import special  # type: ignore[import-untyped]  # SciPy ships no type hints

    p = np.asarray(probability, dtype=np.float64)
    d = np.asarray(df, dtype=np.float64)
    # Invert the tail that was given rather than 1 - p: small tails keep their precision.
    inverse = special.gammaincinv if tail == "lower" else special.gammainccinv
    with np.errstate(invalid="ignore"):
        value = np.asarray(inverse(d / 2, p), dtype=np.float64) * 2
    # 0 degrees of freedom is a point mass at 0; so, in effect, are subnormal ones (SciPy
    # answers NaN there, R 0).
    return np.asarray(np.where(d / 2 < np.finfo(np.float64).tiny, 0.0, value), dtype=np.float64)


def _floats(values: npt.ArrayLike) -> FloatArray:
    """An ndarray of float64 (a 0-d array for a scalar), never a NumPy scalar."""
    return np.asarray(values, dtype=np.float64)


def _as_float(values: npt.ArrayLike, name: str, *, finite: bool = True) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise IntervalInputError(f"{name} must be numeric: {error}") from None
    if finite:
        _require(~np.isinf(array), array, name, "must be finite")
    return array


def _require(ok: npt.NDArray[np.bool_], values: FloatArray, name: str, problem: str) -> None:
    """Raise IntervalInputError naming the first value that breaks a rule (NaN passes)."""
    bad = ~np.asarray(ok) & ~np.isnan(values)
    if bad.any():
        where = np.argwhere(bad)[0]
        value = float(values[tuple(where)])
        at = "" if values.ndim == 0 else f" at index {', '.join(str(i) for i in where)}"
        raise IntervalInputError(f"{name} {problem}: {value!r}{at}")
