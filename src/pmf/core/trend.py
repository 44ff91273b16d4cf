"""Direction of travel and runs of deterioration, by polarity, over many series at once.

A figure is compared at the precision it is shown with, so that 71.94 against
71.91, both shown as 71.9, is "no change" rather than a spurious movement.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from pmf.core.framework import Polarity


class Direction(StrEnum):
    """Direction of travel of a figure against an earlier one."""

    IMPROVING = "improving"
    DETERIORATING = "deteriorating"
    NO_CHANGE = "no change"
    HIGHER = "higher"  # for measures where neither direction is better
    LOWER = "lower"


def direction(
    value: str, other: str, *, polarity: str = "polarity", decimals: str = "decimals"
) -> pl.Expr:
    """Return an expression giving the direction of ``value`` against ``other``.

    ``polarity`` and ``decimals`` name columns holding each row's polarity and
    display precision. Null when ``other`` is null.

    >>> frame = pl.DataFrame({"v": [72.0, 71.94, 5.0], "w": [71.0, 71.91, 4.0],
    ...                       "polarity": ["higher_is_better", "higher_is_better", "neither"],
    ...                       "decimals": [1, 1, 0]})
    >>> frame.select(direction("v", "w"))["v"].to_list()
    ['improving', 'no change', 'higher']
    """
    scale = pl.lit(10.0).pow(pl.col(decimals))
    now = (pl.col(value) * scale).round(0)
    then = (pl.col(other) * scale).round(0)
    sense = pl.col(polarity)
    return (
        pl.when(pl.col(other).is_null() | pl.col(value).is_null())
        .then(None)
        .when(now == then)
        .then(pl.lit(Direction.NO_CHANGE.value))
        .when(sense == Polarity.NEITHER.value)
        .then(
            pl.when(now > then)
            .then(pl.lit(Direction.HIGHER.value))
            .otherwise(pl.lit(Direction.LOWER.value))
        )
        .when((now > then) == (sense == Polarity.HIGHER_IS_BETTER.value))
        .then(pl.lit(Direction.IMPROVING.value))
        .otherwise(pl.lit(Direction.DETERIORATING.value))
        .alias(value)
    )


def deterioration_runs(
    series: pl.DataFrame, *, keys: tuple[str, ...] = ("unit", "measure")
) -> pl.DataFrame:
    """Return, per series, the current run of consecutive deterioration.

    ``series`` has the key columns, ``period`` (canonical code), ``period_end``
    (date, for ordering), ``value``, ``polarity`` and ``decimals``. The result has
    one row per series: ``deteriorating_since`` (the code of the last period
    before the run, the point from which every step was worse; null when the
    latest step did not deteriorate) and ``deteriorating_steps`` (how many
    consecutive steps were worse, 0 when none).

    >>> frame = pl.DataFrame({"unit": "F", "measure": "ER",
    ...     "period": ["2018-06", "2018-07", "2018-08", "2018-09"],
    ...     "period_end": pl.Series(["2018-06-30", "2018-07-31", "2018-08-31", "2018-09-30"]
    ...                             ).str.to_date(),
    ...     "value": [80.0, 82.0, 79.0, 77.0], "polarity": "higher_is_better", "decimals": 1})
    >>> deterioration_runs(frame).select("deteriorating_since", "deteriorating_steps").row(0)
    ('2018-07', 2)
    """
    group = list(keys)
    ordered = (
        series.lazy()
        .sort(*keys, "period_end")
        .with_columns(pl.col("value").shift(1).over(group).alias("_previous"))
        .with_columns(
            (direction("value", "_previous") == Direction.DETERIORATING.value)
            .fill_null(False)
            .alias("_worse")
        )
        # Number the stretches between non-deteriorating steps; the last is the current run.
        .with_columns((~pl.col("_worse")).cast(pl.Int64).cum_sum().over(group).alias("_stretch"))
    )
    current = ordered.filter(pl.col("_stretch") == pl.col("_stretch").last().over(group))
    # The stretch starts at the last non-worse point (the peak) and continues with worse steps.
    return (
        current.group_by(keys, maintain_order=True)
        .agg(
            pl.when(pl.col("_worse").last())
            .then(pl.col("period").first())
            .otherwise(None)
            .alias("deteriorating_since"),
            pl.col("_worse").sum().cast(pl.Int64).alias("deteriorating_steps"),
        )
        .collect()
    )
