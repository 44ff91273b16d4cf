"""Re-derive qicharts2 0.8's ``qic()`` for one series, slowly and plainly, as a test oracle.

This is deliberately NOT how pmf computes control charts (pmf.core.spc works over whole
columns of many series at once). It is a loop over one series in plain Python, written to be
read side by side with the R source of qicharts2 0.8.1 (GitHub anhoej/qicharts2, commit
1b9487e; 0.8.1 changed only plotting after 0.8.0), file ``R/helper.functions.R``: the
functions ``qic.run``, ``qic.i``, ``qic.mr``, ``qic.p``, ``qic.pp``, ``qic.u``, ``qic.up``,
``qic.c``, ``qic.g``, ``qic.t``, ``runs.analysis``, ``crsignal`` and ``qic.agg``. Each step
below names the R line it follows, quoted in a comment.

One call is one chart part: qicharts2's ``part`` argument splits a series into parts that
are computed independently, so call ``qic`` once per part. Its ``freeze`` (the first
``freeze`` points set the centre line and limits) and ``exclude`` (points left out of the
centre line, the limits and the runs analysis, yet still drawn) are keyword arguments here;
``exclude`` takes 0-based positions where R takes 1-based ones. The options are
qicharts2's defaults: ``method = "anhoej"``, ``multiply = 1``, ``y.neg = TRUE`` and, since
``library(qicharts2)`` sets ``options(qic.screenedmr = TRUE)``, screened moving ranges
(``screen=False`` is ``options(qic.screenedmr = FALSE)``).

A value of ``None`` is R's ``NA`` (a missing subgroup, still a row). Every key of the result
is a list with one element per point; the runs analysis is one result per series, repeated
on every point as ``qic(..., return.data = TRUE)`` returns it.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence

CHARTS = ("run", "i", "mr", "p", "pp", "u", "up", "c", "g", "t")
"""The chart types re-derived here (qicharts2 also has xbar, s and ip, which pmf has not)."""

_NEEDS_N = ("p", "pp", "u", "up")

Number = float | None


def _mean(xs: Sequence[Number]) -> Number:
    """Return R's ``mean(x, na.rm = TRUE)``: None (R's NaN) when nothing is left."""
    kept = [x for x in xs if x is not None and not math.isnan(x)]
    return statistics.fmean(kept) if kept else None


def _median(xs: Sequence[Number]) -> Number:
    """Return R's ``stats::median(x, na.rm = TRUE)``."""
    kept = [x for x in xs if x is not None and not math.isnan(x)]
    return statistics.median(kept) if kept else None


def _abs_diff(xs: Sequence[Number]) -> list[Number]:
    """Return R's ``abs(diff(x))``: NA where either neighbour is NA."""
    return [None if a is None or b is None else abs(b - a) for a, b in itertools.pairwise(xs)]


def _screened_mean(ranges: list[Number], screen: bool, bound: float = 3.267) -> Number:
    """Return the mean moving range, screened as qic.i does when ``qic.screenedmr`` is TRUE."""
    # amr <- mean(mr, na.rm = TRUE)
    amr = _mean(ranges)
    # if (getOption('qic.screenedmr', default = FALSE)) {
    if screen and amr is not None:
        # ulmr <- 3.267 * amr
        ulmr = bound * amr
        # mr <- mr[mr < ulmr]   (strictly below; NA stays NA and mean() drops it)
        ranges = [r for r in ranges if r is None or r < ulmr]
        # amr <- mean(mr, na.rm = TRUE)
        amr = _mean(ranges)
    return amr


def qbinom_05(size: int) -> int:
    """Return R's ``qbinom(0.05, size, 0.5)``: the least x with P(X <= x) >= 0.05.

    Exact, in whole numbers: P(X <= x) = sum(C(size, i)) / 2**size, and 0.05 = 1/20, so
    the test is ``20 * sum >= 2**size`` (the sum is never exactly 1/20 of 2**size, so R's
    fuzz against rounding, ``p * (1 - 64 * DBL_EPSILON)``, changes nothing).
    """
    total = 2**size
    cumulative = 0
    for x in range(size + 1):
        cumulative += math.comb(size, x)
        if 20 * cumulative >= total:
            return x
    return size


def _power(x: Number, exponent: float) -> Number:
    """Return R's ``x ^ exponent``: NaN (here None) for a negative base and a fractional power."""
    if x is None:
        return None
    if x < 0:
        return None  # R: (-8)^(1/3.6) is NaN
    return float(x**exponent)


def _finite(x: Number) -> Number:
    """Return None for R's NA, NaN and Inf, as qic.agg does to the limits.

    ``d$ucl[!is.finite(d$ucl)] <- NA`` (and the same for ucl.95, lcl, lcl.95).
    """
    if x is None or math.isnan(x) or math.isinf(x):
        return None
    return x


def qic(
    values: Sequence[float | None],
    chart: str,
    n: Sequence[float | None] | None = None,
    *,
    screen: bool = True,
    freeze: int | None = None,
    exclude: Sequence[int] = (),
) -> dict[str, list[float | None]]:
    """Compute what ``qic(values, n = n, chart = chart, return.data = TRUE)`` returns.

    ``values`` are the y argument (the numerators for p, pp, u and up; the counts for c; the
    times or counts between events for t and g), ``n`` the denominators. The result's keys:
    ``value`` (what the chart plots: y, y/n, or the moving range), ``centre``, ``lcl``,
    ``ucl``, ``lcl_2``, ``ucl_2`` (R's lcl.95 and ucl.95), ``sigma_signal``,
    ``runs_signal``, ``longest_run``, ``longest_run_max``, ``crossings``, ``crossings_min``
    and ``n_useful`` (the points the runs analysis counted). None is R's NA.
    """
    if chart not in CHARTS:
        raise ValueError(f"chart must be one of {', '.join(CHARTS)}, not {chart!r}")
    if chart in _NEEDS_N and n is None:
        raise ValueError(f"a {chart} chart needs denominators (n)")
    if n is not None and len(n) != len(values):
        raise ValueError("values and n must have the same length")
    count = len(values)
    if count == 0:
        raise ValueError("no values")
    nn: list[Number] = [None if v is None else float(v) for v in n] if n is not None else []
    if any(v is not None and v <= 0 for v in nn):
        raise ValueError("denominators must be greater than zero")  # R would divide by zero

    # qic(): if (got.n) { cases <- complete.cases(y, n); y[!cases] <- NA; n[!cases] <- NA }
    ys_sum: list[Number] = [None if v is None else float(v) for v in values]
    if n is not None:
        for i in range(count):
            if ys_sum[i] is None or nn[i] is None:
                ys_sum[i] = None
                nn[i] = None
    # qic.agg (one row per subgroup): y.sum <- sum(y); y <- ifelse(got.n, sum(y) / sum(n), y)
    y: list[Number]
    if n is not None:
        y = [None if s is None or d is None else s / d for s, d in zip(ys_sum, nn, strict=True)]
    else:
        y = list(ys_sum)

    # qic.agg: d$baseline <- d$xx <= freeze; d$include <- !d$xx %in% exclude
    excluded = set(exclude)
    include = [i not in excluded for i in range(count)]
    # every qic.<chart>: base <- x$baseline & x$include
    base = [(freeze is None or i < freeze) and include[i] for i in range(count)]

    def at_base(xs: Sequence[Number]) -> list[Number]:
        """Return R's ``xs[base]``."""
        return [x for x, b in zip(xs, base, strict=True) if b]

    cl: Number
    lcl: list[Number]
    ucl: list[Number]
    lcl_2: list[Number]
    ucl_2: list[Number]
    nothing: list[Number] = [None] * count

    if chart == "run":
        # qic.run: x$cl <- stats::median(x$y[base], na.rm = TRUE); all limits NA
        cl = _median(at_base(y))
        lcl, ucl, lcl_2, ucl_2 = nothing, nothing, nothing, nothing
        centre = [cl] * count

    elif chart in ("i", "t"):
        if chart == "t":
            # qic.t: if (min(x$y, na.rm = TRUE) <= 0) stop('Time between events must be > 0')
            if min(v for v in y if v is not None) <= 0:
                raise ValueError("Time between events must be greater than zero")
            # x$y <- x$y^(1 / 3.6)
            y = [_power(v, 1 / 3.6) for v in y]
        # qic.i: x$cl <- mean(x$y[base], na.rm = TRUE)
        cl = _mean(at_base(y))
        # mr <- abs(diff(x$y[base] - x$cl[base]))   (cl is one number: diff(y[base]))
        ranges = _abs_diff(at_base(y))
        # amr <- mean(mr, na.rm = TRUE), then screened (see _screened_mean)
        amr = _screened_mean(ranges, screen)
        # stdev <- amr / 1.128
        stdev = None if amr is None or cl is None else amr / 1.128
        # x$lcl <- x$cl - 3 * stdev; x$lcl.95 <- x$cl - 2 * stdev; (and ucl, ucl.95 with +)
        lo3 = None if stdev is None or cl is None else cl - 3 * stdev
        hi3 = None if stdev is None or cl is None else cl + 3 * stdev
        lo2 = None if stdev is None or cl is None else cl - 2 * stdev
        hi2 = None if stdev is None or cl is None else cl + 2 * stdev
        if chart == "t":
            # qic.t: x$y <- x$y^3.6; x$cl <- x$cl^3.6; (each limit)^3.6
            y = [_power(v, 3.6) for v in y]
            cl = _power(cl, 3.6)
            hi3, hi2 = _power(hi3, 3.6), _power(hi2, 3.6)
            lo3, lo2 = _power(lo3, 3.6), _power(lo2, 3.6)
            # x$lcl[x$lcl < 0 | is.nan(x$lcl)] <- 0   (lcl only: a NaN lcl.95 stays, and
            # qic.agg then makes it NA, so the lower 2-sigma line is missing)
            if lo3 is None or lo3 < 0:
                lo3 = 0.0
        centre = [cl] * count
        lcl, ucl, lcl_2, ucl_2 = [lo3] * count, [hi3] * count, [lo2] * count, [hi2] * count

    elif chart == "mr":
        # qic.mr: x$y <- c(NA, abs(diff(x$y)))   (all points, not only the baseline)
        y = [None, *_abs_diff(y)]
        # x$cl <- mean(x$y[base], na.rm = TRUE)   (no screening in an MR chart)
        cl = _mean(at_base(y))
        centre = [cl] * count
        # x$lcl <- 0; x$lcl.95 <- 0
        lcl, lcl_2 = [0.0] * count, [0.0] * count
        # x$ucl <- 3.267 * x$cl; x$ucl.95 <- (3.267 / 3) * 2 * x$cl
        ucl = [None if cl is None else 3.267 * cl] * count
        ucl_2 = [None if cl is None else (3.267 / 3) * 2 * cl] * count

    elif chart in ("p", "pp", "u", "up"):
        # qic.p/pp/u/up: x$cl <- sum(x$y.sum[base], na.rm = TRUE) / sum(x$n[base], na.rm = TRUE)
        num = math.fsum(v for v in at_base(ys_sum) if v is not None)
        den = math.fsum(v for v in at_base(nn) if v is not None)
        cl = num / den if den > 0 else None
        stdev: list[Number]
        if cl is None:
            stdev = [None] * count
        elif chart in ("p", "pp"):
            # stdev <- sqrt(x$cl * (1 - x$cl) / x$n)
            stdev = [None if d is None else math.sqrt(cl * (1 - cl) / d) for d in nn]
        else:
            # stdev <- sqrt(x$cl / x$n)   (Montgomery 7.19)
            stdev = [None if d is None else math.sqrt(cl / d) for d in nn]
        if chart in ("pp", "up") and cl is not None:
            # z_i <- (x$y[base] - x$cl[base]) / stdev[base]
            # (a zero stdev, cl 0 or 1, gives R's NaN or Inf; treated as NA here)
            z = [
                None if v is None or s is None or s == 0 else (v - cl) / s
                for v, s in zip(at_base(y), at_base(stdev), strict=True)
            ]
            # mr <- abs(diff(z_i)); amr <- mean(mr); screened as in qic.i (3.267, strictly below)
            amr = _screened_mean(_abs_diff(z), screen)
            # sigma_z <- amr / 1.128;  stdev <- stdev * sigma_z
            sigma_z = None if amr is None else amr / 1.128
            stdev = [None if s is None or sigma_z is None else s * sigma_z for s in stdev]
        centre = [cl] * count

        def limit(k: float, s: Number) -> Number:
            return None if s is None or cl is None else cl + k * s

        # x$ucl <- x$cl + 3 * stdev; x$ucl.95 <- x$cl + 2 * stdev; (lcl, lcl.95 with -)
        ucl = [limit(3, s) for s in stdev]
        ucl_2 = [limit(2, s) for s in stdev]
        lcl = [limit(-3, s) for s in stdev]
        lcl_2 = [limit(-2, s) for s in stdev]
        if chart in ("p", "pp"):
            # x$ucl[x$ucl > 1 & is.finite(x$ucl)] <- 1   (and ucl.95): a proportion is <= 1
            ucl = [None if v is None else min(v, 1.0) for v in ucl]
            ucl_2 = [None if v is None else min(v, 1.0) for v in ucl_2]
        # x$lcl[x$lcl < 0 & is.finite(x$lcl)] <- 0   (and lcl.95)
        lcl = [None if v is None else max(v, 0.0) for v in lcl]
        lcl_2 = [None if v is None else max(v, 0.0) for v in lcl_2]

    elif chart == "c":
        # qic.c: x$y <- x$y.sum   (a c chart plots the count, whatever n is)
        y = list(ys_sum)
        # x$cl <- mean(x$y[base], na.rm = TRUE)
        cl = _mean(at_base(y))
        # stdev <- sqrt(x$cl)   (Montgomery 7.17)
        s = None if cl is None else math.sqrt(cl)
        centre = [cl] * count
        hi3 = None if s is None or cl is None else cl + 3 * s
        hi2 = None if s is None or cl is None else cl + 2 * s
        # x$lcl[x$lcl < 0 & is.finite(x$lcl)] <- 0   (and lcl.95)
        lo3 = None if s is None or cl is None else max(cl - 3 * s, 0.0)
        lo2 = None if s is None or cl is None else max(cl - 2 * s, 0.0)
        lcl, ucl, lcl_2, ucl_2 = [lo3] * count, [hi3] * count, [lo2] * count, [hi2] * count

    else:  # chart == "g"
        # qic.g: x$cl <- mean(x$y[base], na.rm = TRUE)
        mean = _mean(at_base(y))
        # stdev <- sqrt(x$cl * (x$cl + 1))   (Montgomery p. 319, geometric distribution)
        s = None if mean is None else math.sqrt(mean * (mean + 1))
        hi3 = None if s is None or mean is None else mean + 3 * s
        hi2 = None if s is None or mean is None else mean + 2 * s
        # x$lcl[x$lcl < 0] <- 0; x$lcl.95[x$lcl.95 < 0] <- 0
        lo3 = None if s is None or mean is None else max(mean - 3 * s, 0.0)
        lo2 = None if s is None or mean is None else max(mean - 2 * s, 0.0)
        # x$cl <- stats::median(x$y[base], na.rm = TRUE)   (the limits stay around the mean)
        cl = _median(at_base(y))
        centre = [cl] * count
        lcl, ucl, lcl_2, ucl_2 = [lo3] * count, [hi3] * count, [lo2] * count, [hi2] * count

    # qic.agg: d$ucl[!is.finite(d$ucl)] <- NA   (and ucl.95, lcl, lcl.95)
    lcl, ucl = [_finite(v) for v in lcl], [_finite(v) for v in ucl]
    lcl_2, ucl_2 = [_finite(v) for v in lcl_2], [_finite(v) for v in ucl_2]

    # runs.analysis: y <- x$y[x$include]; cl <- x$cl[x$include]
    # runs <- sign(y - cl); runs <- runs[runs != 0 & !is.na(runs)]
    signs: list[int] = []
    for i in range(count):
        v, c = y[i], centre[i]
        if include[i] and v is not None and c is not None and v != c:
            signs.append(1 if v > c else -1)
    # n.useful <- length(runs)
    n_useful = len(signs)
    longest: Number = None
    longest_max: Number = None
    crossings: Number = None
    crossings_min: Number = None
    runs_signal = False
    if n_useful:
        # run.lengths <- rle(runs)$lengths
        lengths = [1]
        for previous, current in itertools.pairwise(signs):
            if current == previous:
                lengths[-1] += 1
            else:
                lengths.append(1)
        # longest.run <- max(run.lengths)
        longest = max(lengths)
        # longest.run.max <- round(log2(n.useful)) + 3   (Schilling 2012; log2 of a whole
        # number is never exactly k + 0.5, so R's and Python's rounding of halves agree)
        longest_max = round(math.log2(n_useful)) + 3
        # n.crossings <- max(n.runs - 1, 0)
        crossings = max(len(lengths) - 1, 0)
        # n.crossings.min <- stats::qbinom(0.05, max(n.useful - 1, 0), 0.5)   (Chen 2010)
        crossings_min = qbinom_05(max(n_useful - 1, 0))
        # crsignal(method = 'anhoej'): if (!(c >= can & l <= lan)) res <- TRUE
        runs_signal = not (crossings >= crossings_min and longest <= longest_max)
    # qic.agg: if (dots.only || chart == 'mr') d$runs.signal <- FALSE
    if chart == "mr":
        runs_signal = False

    # qic.agg: d$sigma.signal <- d$y > d$ucl | d$y < d$lcl; NA becomes FALSE
    sigma = [
        v is not None and ((hi is not None and v > hi) or (lo is not None and v < lo))
        for v, lo, hi in zip(y, lcl, ucl, strict=True)
    ]

    def repeat(x: float | bool | None) -> list[float | None]:
        return [x] * count

    return {
        "value": y,
        "centre": centre,
        "lcl": lcl,
        "ucl": ucl,
        "lcl_2": lcl_2,
        "ucl_2": ucl_2,
        "sigma_signal": list(sigma),
        "runs_signal": repeat(runs_signal),
        "longest_run": repeat(longest),
        "longest_run_max": repeat(longest_max),
        "crossings": repeat(crossings),
        "crossings_min": repeat(crossings_min),
        "n_useful": repeat(n_useful),
    }
