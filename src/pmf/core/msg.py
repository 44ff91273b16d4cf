"""Compute Most Similar Groups: each unit's nearest units by its context variables.

Each variable is standardised to z-scores with the population standard deviation
(``ddof=0``: the units are all the units compared, not a sample of them), and the
distance between two units is the weighted Euclidean distance
``sqrt(sum_i w_i * (z_i(a) - z_i(b)) ** 2)``. A unit's group is its ``n`` nearest
other units, nearest first; equal distances (to 12 decimal places) are ordered by
unit code. Groups need not be symmetric: B may be among A's nearest without A being
among B's. The method follows the Home Office (HMIC) Most Similar Groups and the
CIPFA nearest neighbours models; ``docs/methods.md`` says where it differs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

# As the CIPFA nearest neighbours model gives councils 15 and the police MSGs have 7.
POLICE_GROUP_SIZE = 7
COUNCIL_GROUP_SIZE = 15


def most_similar(
    frame: pl.DataFrame,
    *,
    unit: str = "unit",
    variables: Sequence[str],
    weights: Mapping[str, float] | None = None,
    n: int = POLICE_GROUP_SIZE,
) -> pl.DataFrame:
    """Return each unit's ``n`` most similar units: one row per unit and peer, nearest first.

    The result has columns ``unit``, ``peer``, ``rank`` (1 for the nearest) and
    ``distance``, sorted by unit code then rank. ``weights`` maps variables to
    non-negative weights; a variable not named weighs 1.

    >>> frame = pl.DataFrame({"unit": ["A", "B", "C", "D"], "x": [0.0, 1.0, 3.0, 7.0]})
    >>> groups = most_similar(frame, variables=["x"], n=1)
    >>> groups.select("unit", "peer", "rank").rows()
    [('A', 'B', 1), ('B', 'A', 1), ('C', 'B', 1), ('D', 'C', 1)]
    >>> round(groups["distance"][0], 4)  # |0 - 1| / sd, sd = sqrt(7.1875)
    0.373
    """
    if not variables:
        raise ValueError("give at least one variable")
    names = list(variables)
    for name in [unit, *names]:
        if name not in frame.columns:
            raise ValueError(f"unknown variable {name!r}: the columns are {frame.columns}")
    if len(set(names)) != len(names):
        raise ValueError(f"a variable is named twice: {names}")
    given = dict(weights or {})
    for name, weight in given.items():
        if name not in names:
            raise ValueError(f"weight for unknown variable {name!r}: the variables are {names}")
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weight for {name!r} must be a non-negative number, not {weight}")
    codes = [str(code) for code in frame[unit].to_list()]
    _check_units(codes, unit)
    scores = np.column_stack([_z_scores(frame, name, unit) for name in names])
    if not 1 <= n < len(codes):
        raise ValueError(
            f"n must be from 1 to {len(codes) - 1} (one fewer than the units), not {n}"
        )
    w = np.array([float(given.get(name, 1.0)) for name in names])
    if not w.any():
        raise ValueError("at least one weight must be above zero")
    differences = scores[:, None, :] - scores[None, :, :]
    distances = np.sqrt((w * differences**2).sum(axis=2))
    order = sorted(range(len(codes)), key=lambda index: codes[index])
    rows: list[tuple[str, str, int, float]] = []
    for index in order:
        # Sorted by code first, so a stable sort by distance breaks ties by code; rounded so
        # that distances equal but for floating-point error count as ties too.
        others = sorted(
            (other for other in order if other != index),
            key=lambda other: round(float(distances[index, other]), 12),
        )
        rows.extend(
            (codes[index], codes[other], rank, float(distances[index, other]))
            for rank, other in enumerate(others[:n], start=1)
        )
    return pl.DataFrame(
        rows,
        schema={"unit": pl.String, "peer": pl.String, "rank": pl.Int64, "distance": pl.Float64},
        orient="row",
    )


def _check_units(codes: list[str], column: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in ("", "None"):
            raise ValueError(f"a unit code is missing in {column!r}")
        if code in seen:
            raise ValueError(f"unit {code!r} appears twice in {column!r}")
        seen.add(code)


def _z_scores(frame: pl.DataFrame, name: str, unit: str) -> np.ndarray:
    column = frame[name]
    if not column.dtype.is_numeric():
        raise ValueError(f"variable {name!r} is not numeric ({column.dtype})")
    values = column.cast(pl.Float64).to_numpy()
    missing = [
        str(code)
        for code, value in zip(frame[unit].to_list(), values, strict=True)
        if not math.isfinite(value)
    ]
    if missing:
        raise ValueError(f"variable {name!r} is missing for {', '.join(missing)}")
    sd = float(values.std(ddof=0))
    if sd == 0:
        raise ValueError(f"variable {name!r} is the same for every unit, so it cannot compare them")
    result: np.ndarray = (values - values.mean()) / sd
    return result
