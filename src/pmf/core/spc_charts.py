"""Compute the centre lines and limits of every control chart type, as qicharts2 0.8 does.

The chart family of qicharts2 0.8 (``R/helper.functions.R``, functions ``qic.run``,
``qic.i``, ``qic.mr``, ``qic.p``, ``qic.pp``, ``qic.u``, ``qic.up``, ``qic.c``,
``qic.g`` and ``qic.t``) and its runs analysis (``runs.analysis``, ``crsignal``),
computed over many series and baselines at once with NumPy: no Python loop over
rows or series. :mod:`pmf.core.spc` calls these; the XmR (``i``) chart keeps its
own path there so that its values stay those of NHSRplotthedots bit for bit.

Each baseline (a series, or the part of it after a rebase) has its own centre
and sigma, computed from its baseline points only (the ``baseline`` column and
``fix_after_n_points``); a moving range counts when both its points do.
See "Control chart types" in ``docs/methods.md`` for the formulas.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
import polars as pl

__all__ = [
    "D4",
    "RATIO_CHARTS",
    "Limits",
    "RunsAnalysis",
    "Segments",
    "attribute_limits",
    "crossings_minimum",
    "runs_analysis",
]

D4: Final = 3.267
"""The moving range chart's upper limit factor (qicharts2 ``qic.mr``; Montgomery's D4 for n = 2)."""

RATIO_CHARTS: Final = ("p", "pp", "u", "up")
"""The charts that plot a numerator over a denominator (and need both)."""

T_POWER: Final = 3.6
"""The t chart's power: times between events are transformed by ``y ** (1 / 3.6)``."""


class Segments:
    """Hold where the baselines of a sorted frame start, and scratch space for their means."""

    def __init__(self, starts: np.ndarray, size: int) -> None:
        """Take the first row of each baseline; make buffers for ``size`` rows."""
        self.starts = starts
        self.size = size
        self.lengths = np.diff(np.append(starts, size))
        self._ids: np.ndarray | None = None
        self._ids_series: pl.Series | None = None
        # Reusing buffers spares the page faults of a fresh 80 MB array per step.
        self._buffers = [np.empty(size, dtype=np.float64) for _ in range(4)]

    def broadcast(self, per_segment: np.ndarray) -> np.ndarray:
        """Give each row its segment's value."""
        return np.repeat(per_segment, self.lengths)

    def ids(self) -> np.ndarray:
        """Return each row's segment number (computed once)."""
        if self._ids is None:
            self._ids = np.repeat(np.arange(self.starts.size, dtype=np.int64), self.lengths)
        return self._ids

    def ids_series(self) -> pl.Series:
        """Return each row's segment number as a Polars column, to gather per-segment values."""
        if self._ids_series is None:
            self._ids_series = pl.Series(
                np.repeat(np.arange(self.starts.size, dtype=np.uint32), self.lengths)
            )
        return self._ids_series

    def means(self, values: np.ndarray) -> np.ndarray:
        """Take the mean of the non-NaN values of each segment as R's ``mean()`` does.

        R sums in long double, divides, and adds the mean of the residuals (summed in
        long double) before rounding to double: in effect the correctly rounded mean.
        Here a first mean is corrected by the residuals ``x - mean``, each split exactly
        into a double and its rounding error (two-sum) and summed in long double, which
        gives the same double. NaN for a segment with no values.
        """
        kept, other, residual, work = self._buffers
        absent = np.isnan(values)
        count = self.lengths - np.add.reduceat(absent.view(np.int8), self.starts, dtype=np.int64)
        np.copyto(kept, values)
        np.copyto(kept, 0.0, where=absent)
        with np.errstate(invalid="ignore", divide="ignore"):
            first = np.add.reduceat(kept, self.starts) / count
        other[:] = self.broadcast(np.nan_to_num(first))
        np.copyto(other, 0.0, where=absent)
        # Two-sum of kept and -first: residual + error == kept - first, exactly.
        np.subtract(kept, other, out=residual)
        np.subtract(residual, kept, out=work)  # back = residual - kept
        np.negative(other, out=other)
        np.subtract(other, work, out=other)  # -first - back
        np.subtract(residual, work, out=work)  # residual - back
        np.subtract(kept, work, out=work)  # kept - (residual - back)
        np.add(work, other, out=work)  # the error
        correction = np.add.reduceat(residual, self.starts, dtype=np.longdouble) + np.add.reduceat(
            work, self.starts
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (first + correction / count).astype(np.float64)
        return np.where(count > 0, mean, np.nan)

    def sums(self, values: np.ndarray, *, complete: bool = False) -> np.ndarray:
        """Sum the non-NaN values of each segment in long double, as R's ``sum()`` does.

        ``complete`` says that no value is NaN (the sums are the same, in fewer passes).
        """
        kept = values if complete else np.where(np.isnan(values), 0.0, values)
        return np.add.reduceat(kept, self.starts, dtype=np.longdouble).astype(np.float64)

    def medians(self, values: np.ndarray) -> np.ndarray:
        """Take the median of the non-NaN values of each segment (NaN for none), as R's."""
        count = self.lengths - np.add.reduceat(
            np.isnan(values).view(np.int8), self.starts, dtype=np.int64
        )
        longest = int(self.lengths.max()) if self.size else 0
        if self.starts.size * longest <= 2 * self.size:
            # Segments of similar lengths: a grid of one row per segment, padded with NaN
            # (sorted last), sorted along its rows.
            grid = np.full((self.starts.size, longest), np.nan)
            column = np.arange(self.size, dtype=np.int64) - self.broadcast(self.starts)
            grid[self.ids(), column] = values
            grid.sort(axis=1)
            rows = np.arange(self.starts.size)
            low = grid[rows, np.maximum(count - 1, 0) // 2]
            high = grid[rows, np.minimum(count // 2, max(longest - 1, 0))]
        else:
            # Very uneven segments: Polars sorts by segment then value (NaN last).
            ordered = (
                pl.DataFrame({"segment": self.ids(), "value": values})
                .sort("segment", "value")["value"]
                .to_numpy()
            )
            last = max(self.size - 1, 0)
            low = ordered[np.minimum(self.starts + np.maximum(count - 1, 0) // 2, last)]
            high = ordered[np.minimum(self.starts + count // 2, last)]
        median = (low + high) / 2
        return np.where(count > 0, median, np.nan)


class Limits:
    """Hold what a chart plots and its centre line, limits and moving ranges.

    ``rows`` holds the columns that vary from row to row, ``lines`` those with one value
    per baseline (NaN where there is none), both by their result column's name:
    ``value``, ``moving_range``, ``mean``, ``mean_moving_range``, ``lpl``, ``upl``,
    ``lpl_2sigma``, ``upl_2sigma``. A column in neither is absent (null) everywhere.
    """

    def __init__(self, value: np.ndarray) -> None:
        """Start with the plotted values; no centre line, no limits, no moving ranges."""
        self.rows: dict[str, np.ndarray] = {"value": value}
        self.lines: dict[str, np.ndarray] = {}

    def centre(self, segments: Segments) -> np.ndarray:
        """Return the centre line per row."""
        if "mean" in self.rows:
            return self.rows["mean"]
        return segments.broadcast(self.lines["mean"])


def _ranges(values: np.ndarray, segments: Segments) -> np.ndarray:
    """Return ``|x[i] - x[i-1]|`` within each segment (NaN at each segment's first row)."""
    ranges = np.empty(values.size, dtype=np.float64)
    if values.size:
        ranges[0] = np.nan
        np.subtract(values[1:], values[:-1], out=ranges[1:])
        np.abs(ranges, out=ranges)
    ranges[segments.starts] = np.nan
    return ranges


def _mean_range(
    ranges: np.ndarray, pair: np.ndarray, segments: Segments, *, screen: bool
) -> np.ndarray:
    """Average each segment's baseline moving ranges; screened, drop those of 3.267 × it or more."""
    counted = np.where(pair, ranges, np.nan)
    mean = segments.means(counted)
    if screen:
        with np.errstate(invalid="ignore"):
            dropped = ~(counted < segments.broadcast(D4 * mean))
        counted[dropped] = np.nan
        mean = segments.means(counted)
    return mean


def attribute_limits(
    chart: str,
    values: np.ndarray,
    denominators: np.ndarray | None,
    use: np.ndarray,
    segments: Segments,
    *,
    multiplier: float,
    screen: bool,
) -> Limits:
    """Compute a chart's plotted values, centre line and 3- and 2-sigma limits.

    ``chart`` is any type but ``i`` (see :mod:`pmf.core.spc`). ``values`` are the
    values (``run``, ``mr``, ``g``, ``t``, ``c``) or numerators (``p``, ``pp``, ``u``,
    ``up``); ``denominators`` the denominators (None where there are none). ``use``
    marks the points that set their baseline's centre and limits. ``multiplier``
    (2.66 or 3 / 1.128) turns a mean moving range into a 3-sigma width for the
    charts whose sigma comes from moving ranges (``t``, ``pp``, ``up``).
    """
    pair = use & np.concatenate(([False], use[:-1]))
    pair[segments.starts] = False
    everything = bool(use.all())
    sigma_factor = multiplier / 3
    # Charts with one centre and one set of limits per baseline work per baseline; the
    # caller gives each row its baseline's lines (the same doubles as per row).
    if chart == "run":
        limits = Limits(values)
        limits.lines["mean"] = segments.medians(values if everything else _kept(values, use))
        return limits
    if chart == "mr":
        ranges = _ranges(values, segments)
        centre = segments.means(np.where(pair, ranges, np.nan))
        zero = np.where(np.isnan(centre), np.nan, 0.0)
        limits = _per_baseline(ranges, centre, zero, D4 * centre, zero, (D4 / 3) * 2 * centre)
        limits.rows["moving_range"] = ranges
        limits.lines["mean_moving_range"] = centre
        return limits
    if chart == "t":
        transformed = values ** (1 / T_POWER)
        centre_t = segments.means(transformed if everything else _kept(transformed, use))
        ranges = _ranges(transformed, segments)
        amr = _mean_range(ranges, pair, segments, screen=screen)
        width = multiplier * amr
        width_2 = 2 * sigma_factor * amr
        lower_t, lower_2t = centre_t - width, centre_t - width_2
        with np.errstate(invalid="ignore"):
            # A negative transformed limit has no power 3.6 (R gives NaN): the lower
            # limit is then 0, the lower two-sigma line absent, as in qic.t, which sets
            # lcl to 0 wherever it is NaN (so also when screening leaves no moving range).
            lower = np.where((lower_t < 0) | np.isnan(lower_t), 0.0, np.abs(lower_t) ** T_POWER)
            lower_2 = np.where(lower_2t < 0, np.nan, np.abs(lower_2t) ** T_POWER)
            upper = (centre_t + width) ** T_POWER
            upper_2 = (centre_t + width_2) ** T_POWER
        # As qic.t, the plotted value is the transformed one back-transformed (within a
        # unit in the last place of the time given), so that equal times sit on the centre.
        np.power(transformed, T_POWER, out=transformed)
        limits = _per_baseline(transformed, centre_t**T_POWER, lower, upper, lower_2, upper_2)
        limits.rows["moving_range"] = ranges
        limits.lines["mean_moving_range"] = amr
        return limits
    if chart in ("c", "g"):
        kept = values if everything else _kept(values, use)
        mean = segments.means(kept)
        if chart == "c":
            centre, sigma = mean, np.sqrt(mean)
        else:
            centre = segments.medians(kept)
            sigma = np.sqrt(mean * (mean + 1))
        return _per_baseline(
            values,
            centre,
            np.maximum(mean - 3 * sigma, 0.0),
            mean + 3 * sigma,
            np.maximum(mean - 2 * sigma, 0.0),
            mean + 2 * sigma,
        )
    if chart not in ("p", "pp", "u", "up") or denominators is None:
        raise ValueError(f"unknown chart type {chart!r} or no denominators")
    return _ratio_limits(
        chart, values, denominators, use, pair, segments, sigma_factor=sigma_factor, screen=screen
    )


def _ratio_limits(
    chart: str,
    values: np.ndarray,
    denominators: np.ndarray,
    use: np.ndarray,
    pair: np.ndarray,
    segments: Segments,
    *,
    sigma_factor: float,
    screen: bool,
) -> Limits:
    """Compute the p, p', u and u' charts' limits per row (they vary with the denominator)."""
    everything = bool(use.all())
    with np.errstate(invalid="ignore", divide="ignore"):
        plotted = values / denominators
        if everything:
            centre_line = segments.sums(values, complete=True) / segments.sums(
                denominators, complete=True
            )
        else:
            centre_line = segments.sums(_kept(values, use)) / segments.sums(
                _kept(denominators, use)
            )
        spread_line = centre_line * (1 - centre_line) if chart in ("p", "pp") else centre_line
        centre = segments.broadcast(centre_line)
        # sigma = sqrt(spread / n), in place.
        sigma = segments.broadcast(spread_line)
        np.divide(sigma, denominators, out=sigma)
        np.sqrt(sigma, out=sigma)
        limits = Limits(plotted)
        limits.rows["mean"] = centre
        if chart in ("pp", "up"):
            # Laney: the z-scores' spread, from their moving ranges, scales each sigma.
            z = plotted - centre
            np.divide(z, sigma, out=z)
            if not everything:
                z[~use] = np.nan
            ranges = _ranges(z, segments)
            del z
            amr = _mean_range(ranges, pair, segments, screen=screen)
            np.multiply(sigma, segments.broadcast(amr * sigma_factor), out=sigma)
            limits.rows["moving_range"] = ranges
            limits.lines["mean_moving_range"] = amr
        for name, times, bound in (
            ("lpl", -3.0, None),
            ("lpl_2sigma", -2.0, None),
            ("upl", 3.0, 1.0),
            ("upl_2sigma", 2.0, 1.0),
        ):
            # centre - k * sigma (or + k * sigma), clipped to [0, 1] or [0, inf).
            line = np.multiply(sigma, abs(times))
            if times < 0:
                np.subtract(centre, line, out=line)
                np.maximum(line, 0.0, out=line)
            else:
                np.add(centre, line, out=line)
                if bound is not None and chart in ("p", "pp"):
                    np.minimum(line, bound, out=line)
            limits.rows[name] = line
    # qicharts2 makes limits that are not finite NA.
    for name in ("mean", "lpl", "upl", "lpl_2sigma", "upl_2sigma"):
        line = limits.rows[name]
        line[~np.isfinite(line)] = np.nan
    return limits


def _kept(values: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Return the values with those outside the baseline made NaN."""
    return np.where(use, values, np.nan)


def _per_baseline(value: np.ndarray, *lines: np.ndarray) -> Limits:
    """Return limits from the plotted values and per-baseline lines.

    ``lines`` are the centre, lower, upper, lower 2-sigma and upper 2-sigma lines, one
    value per baseline; lines that are not finite become NaN.
    """
    limits = Limits(value)
    for name, line in zip(("mean", "lpl", "upl", "lpl_2sigma", "upl_2sigma"), lines, strict=True):
        limits.lines[name] = np.where(np.isfinite(line), line, np.nan)
    return limits


class RunsAnalysis(NamedTuple):
    """Hold the runs analysis: counts per segment, and per row the points of too-long runs."""

    longest_run: np.ndarray
    longest_run_max: np.ndarray
    crossings: np.ndarray
    crossings_min: np.ndarray
    runs_signal: np.ndarray
    in_long_run: np.ndarray
    run_side: np.ndarray


def crossings_minimum(useful: np.ndarray) -> np.ndarray:
    """Return ``qbinom(0.05, n - 1, 0.5)`` for each number of useful points ``n`` (Chen 2010).

    The smallest whole number ``c`` with ``P(X <= c) >= 0.05`` for ``X ~ Bin(n - 1, 0.5)``;
    0 for ``n <= 1``. R allows a relative fuzz of 64 machine epsilons on the probability.
    """
    from scipy import special  # type: ignore[import-untyped]  # SciPy ships no type hints

    result = np.zeros(useful.size, dtype=np.int64)
    for n in np.unique(useful):
        trials = int(n) - 1
        if trials <= 0:
            continue
        target = 0.05 * (1 - 64 * np.finfo(np.float64).eps)
        # Start near the normal approximation, then step to the exact quantile.
        guess = max(0, int(trials / 2 - 1.6448536269514722 * np.sqrt(trials) / 2))
        while guess > 0 and special.bdtr(guess - 1, trials, 0.5) >= target:
            guess -= 1
        while special.bdtr(guess, trials, 0.5) < target:
            guess += 1
        result[useful == n] = guess
    return result


def runs_analysis(side: np.ndarray, segments: Segments) -> RunsAnalysis:
    """Run qicharts2's runs analysis over each segment.

    ``side`` is each point's ``sign(value - centre)`` (NaN where either is missing); it
    is used as scratch space. Points on the centre line (and missing ones) are dropped.
    ``longest_run`` is the longest run of points on one side of the centre line,
    ``longest_run_max`` ``round(log2(n)) + 3`` for ``n`` useful points (Schilling 2012),
    ``crossings`` the number of runs less one, ``crossings_min`` ``qbinom(0.05, n - 1,
    0.5)``; a runs signal is a run longer than its maximum or fewer crossings than the
    minimum. These are per segment, -1 where a segment has no useful point (qicharts2
    gives NA). ``in_long_run`` says, per row, whether the point belongs to a run longer
    than the maximum, and ``run_side`` that run's side (+1 above, -1 below; else 0).
    """
    size = side.size
    starts = segments.starts
    useful_row = np.abs(side) == 1  # NaN compares false
    rows = np.flatnonzero(useful_row)
    count = (
        np.add.reduceat(useful_row.view(np.int8), starts, dtype=np.int64)
        if size
        else np.zeros(starts.size, dtype=np.int64)
    )
    has = count > 0
    longest = np.full(starts.size, -1, dtype=np.int64)
    runs = np.zeros(starts.size, dtype=np.int64)
    longest_max = np.where(has, np.round(np.log2(np.maximum(count, 1))).astype(np.int64) + 3, -1)
    in_long_run = np.zeros(size, dtype=bool)
    run_side = np.zeros(size, dtype=np.int8)
    if rows.size:
        kept = side[rows]
        # Where each segment's useful points start among the kept points: a run starts
        # there, and wherever the side changes.
        firsts = np.searchsorted(rows, starts[has])
        new_run = np.empty(rows.size, dtype=bool)
        new_run[0] = True
        np.not_equal(kept[1:], kept[:-1], out=new_run[1:])
        new_run[firsts] = True
        run_starts = np.flatnonzero(new_run)
        run_length = np.diff(run_starts, append=rows.size)
        runs_had = np.add.reduceat(new_run.view(np.int8), firsts, dtype=np.int64)
        runs[has] = runs_had
        # Runs come segment by segment: the longest of each is a reduction over its slice.
        first_runs = np.cumsum(runs_had) - runs_had
        longest[has] = np.maximum.reduceat(run_length, first_runs)
        long_run = run_length > np.repeat(longest_max[has], runs_had)
        if long_run.any():
            in_long = np.repeat(long_run, run_length)
            chosen = rows[in_long]
            in_long_run[chosen] = True
            run_side[chosen] = kept[in_long]
    crossings = np.where(has, np.maximum(runs - 1, 0), -1)
    crossings_min = np.where(has, crossings_minimum(count), -1)
    signal = has & ((longest > longest_max) | (crossings < crossings_min))
    return RunsAnalysis(
        longest, longest_max, crossings, crossings_min, signal, in_long_run, run_side
    )
