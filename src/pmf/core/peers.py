"""Compare each unit with its peer group (Most Similar Group): average, rank, gap, position.

The expected performance of a unit is its MSG average: by default the simple
mean of the group members' values including the unit itself, as the Home Office
MSG comparisons do (``include_self: false`` in the framework leaves it out).
Where numerators and denominators exist the pooled average is given too. Ranks
count from 1 for the best, by polarity, over the unit and its peers.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from pmf.core.framework import Framework, Polarity

_ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]

PEER_COLUMNS = (
    "unit",
    "measure",
    "period",
    "peer_group",
    "peer_average",
    "pooled_average",
    "peers_reporting",
    "group_size",
    "rank",
    "gap",
    "gap_percent",
    "position",
)


def peer_links(framework: Framework, units: Iterable[str]) -> pl.DataFrame:
    """Return who each unit is compared with: one row per unit and member (the unit too).

    ``in_average`` says whether the member's value counts towards the group
    average; the unit itself is always in the ranking.
    """
    rows: list[tuple[str, str, str, bool]] = []
    for code in units:
        peers = framework.peers(code)
        if peers is None:
            continue
        rows.append((code, code, peers.name, peers.include_self))
        rows.extend((code, member, peers.name, True) for member in peers.members)
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "peer": pl.String,
            "peer_group": pl.String,
            "in_average": pl.Boolean,
        },
        orient="row",
    )


def compare_with_peers(
    figures: pl.DataFrame, links: pl.DataFrame, measures: pl.DataFrame
) -> pl.DataFrame:
    """Return the peer comparison of every linked unit, measure and period with a figure.

    ``figures`` has unit, measure, period, value, numerator, denominator;
    ``links`` comes from ``peer_links``; ``measures`` has measure, polarity and
    multiplier. The result has the columns in ``PEER_COLUMNS``.

    >>> figures = pl.DataFrame({"unit": ["A", "B", "C"], "measure": "M", "period": "2019-07",
    ...     "value": [10.0, 20.0, 30.0], "numerator": [1.0, 4.0, 9.0],
    ...     "denominator": [10.0, 20.0, 30.0]})
    >>> links = pl.DataFrame({"unit": "A", "peer": ["A", "B", "C"], "peer_group": "MSG",
    ...                       "in_average": True})
    >>> measures = pl.DataFrame({"measure": ["M"], "polarity": ["higher_is_better"],
    ...                          "multiplier": [100.0]})
    >>> row = compare_with_peers(figures, links, measures).row(0, named=True)
    >>> row["peer_average"], row["rank"], row["position"]
    (20.0, 3, 'third in its MSG and 50.0% below the MSG average')
    """
    own = figures.select("unit", "measure", "period", pl.col("value").alias("own_value"))
    members = figures.select(
        pl.col("unit").alias("peer"), "measure", "period", "value", "numerator", "denominator"
    )
    joined = (
        links.join(own, on="unit")
        .join(members, on=["peer", "measure", "period"])
        .join(measures.select("measure", "polarity", "multiplier"), on="measure", how="left")
    )
    higher = pl.col("polarity") == Polarity.HIGHER_IS_BETTER.value
    better = (
        pl.when(higher)
        .then(pl.col("value") > pl.col("own_value"))
        .otherwise(pl.col("value") < pl.col("own_value"))
    )
    averaged = pl.col("in_average")
    grouped = joined.group_by("unit", "measure", "period").agg(
        pl.col("peer_group").first(),
        pl.col("own_value").first(),
        pl.col("polarity").first(),
        pl.col("multiplier").first(),
        pl.col("value").filter(averaged).mean().alias("peer_average"),
        averaged.sum().cast(pl.Int64).alias("peers_reporting"),
        pl.len().cast(pl.Int64).alias("group_size"),
        (better.sum() + 1).cast(pl.Int64).alias("rank"),
        pl.col("numerator").filter(averaged).sum().alias("_numerator"),
        pl.col("denominator").filter(averaged).sum().alias("_denominator"),
        (
            pl.col("numerator").filter(averaged).null_count()
            + pl.col("denominator").filter(averaged).null_count()
        ).alias("_missing_parts"),
    )
    gap = pl.col("own_value") - pl.col("peer_average")
    result = grouped.with_columns(
        pl.when((pl.col("_missing_parts") == 0) & (pl.col("_denominator") > 0))
        .then(pl.col("_numerator") / pl.col("_denominator") * pl.col("multiplier"))
        .alias("pooled_average"),
        pl.when(pl.col("polarity") == Polarity.NEITHER.value)
        .then(None)
        .otherwise(pl.col("rank"))
        .alias("rank"),
        gap.alias("gap"),
        pl.when(pl.col("peer_average") != 0)
        .then(gap / pl.col("peer_average").abs() * 100)
        .alias("gap_percent"),
    )
    return result.with_columns(_position().alias("position")).select(PEER_COLUMNS)


def _suffix(rank: pl.Expr) -> pl.Expr:
    # 21st, 22nd, 23rd, but 111th, 112th, 113th.
    teen = (rank % 100).is_between(11, 13)
    last = rank % 10
    return (
        pl.when(teen)
        .then(pl.lit("th"))
        .when(last == 1)
        .then(pl.lit("st"))
        .when(last == 2)
        .then(pl.lit("nd"))
        .when(last == 3)
        .then(pl.lit("rd"))
        .otherwise(pl.lit("th"))
    )


def _position() -> pl.Expr:
    ordinal = (
        pl.col("rank")
        .replace_strict(
            {index + 1: word for index, word in enumerate(_ORDINALS)},
            default=None,
            return_dtype=pl.String,
        )
        .fill_null(pl.col("rank").cast(pl.String) + _suffix(pl.col("rank")))
    )
    percent = pl.col("gap_percent").abs().round(1)
    side = (
        pl.when(percent == 0)
        .then(pl.lit("equal to the MSG average"))
        .otherwise(
            pl.format(
                "{}% {} the MSG average",
                percent.cast(pl.String),
                pl.when(pl.col("gap_percent") < 0).then(pl.lit("below")).otherwise(pl.lit("above")),
            )
        )
    )
    return (
        pl.when(pl.col("rank").is_null() | pl.col("gap_percent").is_null())
        .then(None)
        .otherwise(pl.format("{} in its MSG and {}", ordinal, side))
    )
