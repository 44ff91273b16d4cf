"""Re-derive PowerBI-SPC's XmR, p and p′ limits and its four rules for one series, plainly.

PowerBI-SPC is the Power BI custom visual of the Western Australia Department of Health
(GitHub AUS-DOH-Safety-and-Quality/PowerBI-SPC, version 1.7.4.28, commit 478773a, GPL-3).
Each function follows one TypeScript file of that repository, named in its docstring; the
defaults are the visual's own (``src/Settings Model/spcSettings.ts`` and
``outliersSettings.ts``): moving ranges screened (``outliers_in_limits`` false), and, once an
analyst switches a rule on (all four are off by default), astronomical points beyond the
3-sigma limits, a shift of 7, a trend of 5 and two-in-three beyond the 2-sigma limits.

This is a test oracle for the comparison of tools in docs/methods.md, not pmf's method.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

Flags = list[str]
"""One of "upper", "lower" or "none" per point, as the visual's flagging functions return."""


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def i_limits(values: Sequence[float], *, screen: bool = True) -> dict[str, list[float]]:
    """Return centre, ll99, ul99, ll95 and ul95 of an i chart (``src/Limit Calculations/i.ts``)."""
    count = len(values)
    # cl = Σx / n; amr = Σ|x_i − x_{i−1}| / (n − 1)
    cl = math.fsum(values) / count
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    amr = math.fsum(ranges) / (count - 1)
    if screen:
        # if (!outliers_in_limits): keep consec_diff[i] < amr * 3.267, average again
        kept = [r for r in ranges if r < amr * 3.267]
        amr = math.fsum(kept) / len(kept)
    # sigma = amr / 1.128; limits cl ± 3 sigma and cl ± 2 sigma
    sigma = amr / 1.128
    return {
        "centre": [cl] * count,
        "ll99": [cl - 3 * sigma] * count,
        "ul99": [cl + 3 * sigma] * count,
        "ll95": [cl - 2 * sigma] * count,
        "ul95": [cl + 2 * sigma] * count,
    }


def p_limits(
    numerators: Sequence[float], denominators: Sequence[float], *, prime: bool, screen: bool = True
) -> dict[str, list[float]]:
    """Return a p chart's lines (``p.ts``) or, with ``prime``, a p′ chart's (``pprime.ts``)."""
    # cl = Σ numerators / Σ denominators
    cl = math.fsum(numerators) / math.fsum(denominators)
    values = [a / b for a, b in zip(numerators, denominators, strict=True)]
    # sd_i = sqrt(cl (1 − cl) / n_i)
    sd = [math.sqrt(cl * (1 - cl) / d) for d in denominators]
    multiplier = 1.0
    if prime:
        # z_i = (p_i − cl) / sd_i; amr of |z_i − z_{i−1}|, screened as in i.ts; × amr / 1.128
        z = [(v - cl) / s for v, s in zip(values, sd, strict=True)]
        ranges = [abs(b - a) for a, b in itertools.pairwise(z)]
        amr = math.fsum(ranges) / len(ranges)
        if screen:
            kept = [r for r in ranges if r < amr * 3.267]
            amr = math.fsum(kept) / len(kept)
        multiplier = amr / 1.128
    sigma = [s * multiplier for s in sd]
    return {
        "centre": [cl] * len(values),
        "ll99": [max(0.0, cl - 3 * s) for s in sigma],
        "ul99": [min(1.0, cl + 3 * s) for s in sigma],
        "ll95": [max(0.0, cl - 2 * s) for s in sigma],
        "ul95": [min(1.0, cl + 2 * s) for s in sigma],
    }


def astronomical(values: Sequence[float], lower: Sequence[float], upper: Sequence[float]) -> Flags:
    """Flag points outside [lower, upper] (``src/Outlier Flagging/astronomical.ts``)."""
    return [
        "none" if lo <= v <= hi else ("upper" if v > hi else "lower")
        for v, lo, hi in zip(values, lower, upper, strict=True)
    ]


def shift(values: Sequence[float], centre: Sequence[float], n: int = 7) -> Flags:
    """Flag n points in a row on one side of the centre line, all of them (``shift.ts``)."""
    signs = [_sign(v - c) for v, c in zip(values, centre, strict=True)]
    flags = ["none"] * len(values)
    for i in range(len(values)):
        # sum of the signs of the last n points (a point on the line adds 0 and breaks it)
        total = sum(signs[max(0, i - (n - 1)) : i + 1])
        flags[i] = ("upper" if total >= n else "lower") if abs(total) >= n else "none"
        if flags[i] != "none":
            for j in range(i - 1, i - n, -1):  # backfill the n − 1 points before
                flags[j] = flags[i]
    return flags


def trend(values: Sequence[float], n: int = 5) -> Flags:
    """Flag n points each strictly above (below) the one before, all of them (``trend.ts``)."""
    steps = [0] + [_sign(b - a) for a, b in itertools.pairwise(values)]
    flags = ["none"] * len(values)
    for i in range(len(values)):
        # n − 1 steps in one direction make a trend of n points (a tie adds 0 and breaks it)
        total = sum(steps[max(0, i - (n - 2)) : i + 1])
        flags[i] = ("upper" if total >= n - 1 else "lower") if abs(total) >= n - 1 else "none"
        if flags[i] != "none":
            for j in range(i - 1, i - n, -1):
                flags[j] = flags[i]
    return flags


def two_in_three(values: Sequence[float], lower: Sequence[float], upper: Sequence[float]) -> Flags:
    """Flag two of three points beyond a 2-sigma line on one side (``twoInThree.ts``).

    Points beyond the 3-sigma limits count too, and the third point may lie anywhere but
    beyond the opposite line; only the points beyond the line are flagged (the visual's
    default, ``two_in_three_highlight_series`` false).
    """
    beyond = [
        1 if v > hi else (-1 if v < lo else 0)
        for v, lo, hi in zip(values, lower, upper, strict=True)
    ]
    flags = ["none"] * len(values)
    for i in range(len(values)):
        total = sum(beyond[max(0, i - 2) : i + 1])
        flags[i] = ("upper" if total >= 2 else "lower") if abs(total) >= 2 else "none"
        if flags[i] != "none":
            for j in range(i - 1, i - 3, -1):
                if beyond[j] != 0:
                    flags[j] = flags[i]
            if beyond[i] == 0:
                flags[i] = "none"
    return flags


def flags(lines: dict[str, list[float]], values: Sequence[float]) -> dict[str, Flags]:
    """Apply the four rules with the visual's defaults, as ``flagOutliers`` does for one group."""
    return {
        "astronomical": astronomical(values, lines["ll99"], lines["ul99"]),
        "shift": shift(values, lines["centre"], 7),
        "trend": trend(values, 5),
        "two_in_three": two_in_three(values, lines["ll95"], lines["ul95"]),
    }
