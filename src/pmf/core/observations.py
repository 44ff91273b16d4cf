"""The shape of the observation frames that the core takes in."""

from __future__ import annotations

import polars as pl

# One row per unit, measure and period: the figure and, for ratios, its parts.
OBSERVATION_SCHEMA: dict[str, type[pl.DataType]] = {
    "unit": pl.String,
    "measure": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
}
