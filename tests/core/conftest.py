from __future__ import annotations

import polars as pl

from pmf.core.observations import OBSERVATION_SCHEMA


def observations(
    rows: list[tuple[str, str, str, float | None, float | None, float | None]],
) -> pl.DataFrame:
    """Build an observations frame from (unit, measure, period, value, numerator, denominator)."""
    return pl.DataFrame(
        rows,
        schema=OBSERVATION_SCHEMA,
        orient="row",
    )
