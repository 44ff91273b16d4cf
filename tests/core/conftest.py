from __future__ import annotations

import polars as pl


def observations(
    rows: list[tuple[str, str, str, float | None, float | None, float | None]],
) -> pl.DataFrame:
    """Build an observations frame from (unit, measure, period, value, numerator, denominator)."""
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
        orient="row",
    )
