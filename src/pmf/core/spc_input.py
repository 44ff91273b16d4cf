"""Check and prepare the input of the SPC functions: columns, types, values, order.

Split from :mod:`pmf.core.spc`, which re-exports ``SpcInputError``.
"""

from __future__ import annotations

import polars as pl

from pmf.core.spc_charts import RATIO_CHARTS

__all__ = [
    "SpcInputError",
    "check_counts",
    "check_frame",
    "check_sorted",
    "sorted_base",
    "sorted_by",
]


class SpcInputError(ValueError):
    """Say what is wrong with the data or options given to the SPC functions."""


def check_frame(
    frame: pl.DataFrame,
    *,
    value: str,
    date: str,
    group: str | None,
    rebase: str | None,
    target: str | None,
    baseline: str | None = None,
) -> None:
    """Raise SpcInputError for missing columns, wrong types and missing values."""
    if not isinstance(frame, pl.DataFrame):
        raise SpcInputError(f"frame must be a polars DataFrame, not {type(frame).__name__}")
    named = {
        "value": value,
        "date": date,
        "group": group,
        "rebase": rebase,
        "target": target,
        "baseline": baseline,
    }
    missing = [f"{role}={name!r}" for role, name in named.items() if name and name not in frame]
    if missing:
        raise SpcInputError(f"frame has no column for {', '.join(missing)}")
    schema = frame.schema
    if not schema[value].is_numeric():
        raise SpcInputError(f"value column {value!r} must be numeric, not {schema[value]}")
    if not (schema[date].is_temporal() or schema[date].is_integer()):
        raise SpcInputError(f"date column {date!r} must be a date, datetime or integer")
    if rebase is not None and schema[rebase] != pl.Boolean:
        raise SpcInputError(f"rebase column {rebase!r} must be boolean, not {schema[rebase]}")
    if target is not None and not schema[target].is_numeric():
        raise SpcInputError(f"target column {target!r} must be numeric, not {schema[target]}")
    if baseline is not None and schema[baseline] != pl.Boolean:
        raise SpcInputError(f"baseline column {baseline!r} must be boolean, not {schema[baseline]}")
    counts = frame.select(
        pl.col(value).null_count().alias("value"),
        pl.col(date).null_count().alias("date"),
        *([pl.col(group).null_count().alias("group")] if group else []),
        (
            pl.col(value).cast(pl.Float64).is_finite().not_().sum().alias("not_finite")
            if schema[value].is_float()
            else pl.lit(0).alias("not_finite")
        ),
    ).row(0, named=True)
    for role in ("value", "date", "group"):
        if counts.get(role):
            raise SpcInputError(f"{role} column {named[role]!r} has {counts[role]} null value(s)")
    if counts["not_finite"]:
        raise SpcInputError(
            f"value column {value!r} has {counts['not_finite']} NaN or infinite value(s)"
        )


def check_counts(frame: pl.DataFrame, *, chart: str, value: str, denominator: str | None) -> None:
    """Raise SpcInputError for values the chart cannot take (a negative count, say)."""
    y = pl.col(value).cast(pl.Float64)
    problems: list[tuple[pl.Expr, str]] = []
    if chart in (*RATIO_CHARTS, "c", "g"):
        problems.append((y < 0, f"value column {value!r} has {{}} negative value(s)"))
    if chart == "t":
        problems.append(
            (y <= 0, f"value column {value!r} has {{}} time(s) between events not above 0")
        )
    if denominator is not None:
        if denominator not in frame.columns:
            raise SpcInputError(f"frame has no column for denominator={denominator!r}")
        if not frame.schema[denominator].is_numeric():
            raise SpcInputError(
                f"denominator column {denominator!r} must be numeric, "
                f"not {frame.schema[denominator]}"
            )
        n = pl.col(denominator).cast(pl.Float64)
        problems.append((n.is_null(), f"denominator column {denominator!r} has {{}} null value(s)"))
        problems.append(
            (
                ~n.is_finite() | (n <= 0),
                f"denominator column {denominator!r} has {{}} value(s) not above 0",
            )
        )
        if chart in ("p", "pp"):
            problems.append(
                (y > n, f"{{}} numerator(s) in {value!r} above the denominator in {denominator!r}")
            )
    if not problems:
        return
    counts = frame.select(
        [flag.fill_null(False).sum().alias(str(i)) for i, (flag, _) in enumerate(problems)]
    ).row(0)
    for count, (_, message) in zip(counts, problems, strict=True):
        if count:
            raise SpcInputError(message.format(count))


def sorted_base(
    frame: pl.DataFrame,
    *,
    value: str,
    date: str,
    group: str | None,
    rebase: str | None,
    target: str | None,
    baseline: str | None = None,
    denominator: str | None = None,
) -> pl.DataFrame:
    """Select, rename and sort the input; mark where each series and baseline starts."""
    columns = [
        (pl.col(group) if group else pl.lit(None, pl.String)).alias("group"),
        pl.col(date).alias("date"),
        pl.col(value).cast(pl.Float64).alias("value"),
        (pl.col(rebase).fill_null(False) if rebase else pl.lit(False)).alias("_rebase"),
        (pl.col(baseline).fill_null(False) if baseline else pl.lit(True)).alias("_baseline"),
    ]
    if denominator is not None:
        columns.append(pl.col(denominator).cast(pl.Float64).alias("_n"))
    if target is not None:
        columns.append(pl.col(target).cast(pl.Float64).alias("target"))
    selected = sorted_by(frame.select(columns), ["group", "date"] if group else ["date"])
    first_row = pl.int_range(pl.len()) == 0
    return selected.with_columns(
        (first_row | pl.col("group").ne_missing(pl.col("group").shift(1))).alias("_new_group")
    )


def sorted_by(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Sort by ``keys`` unless already sorted (the usual case, and cheap to check)."""
    plain = all(
        frame.schema[key] == pl.String
        or frame.schema[key] == pl.Null
        or frame.schema[key].is_numeric()
        or frame.schema[key].is_temporal()
        for key in keys
    )
    if plain and frame.select(_in_order(keys)).item():
        return frame
    return frame.sort(keys, maintain_order=True)


def _in_order(keys: list[str]) -> pl.Expr:
    """Say whether no row comes before the row above it when sorted by ``keys``."""
    later = pl.lit(False)
    tied = pl.lit(True)
    for key in keys:
        current, previous = pl.col(key), pl.col(key).shift(1)
        later = later | (tied & (current > previous).fill_null(False))
        tied = tied & current.eq_missing(previous)
    first_row = pl.int_range(pl.len()) == 0
    return (first_row | later | tied).all()


def check_sorted(base: pl.DataFrame, *, group: str | None, target: str | None) -> None:
    """Raise SpcInputError for duplicate dates, a rebase on a first point or a varying target."""
    same_as_previous = ~pl.col("_new_group") & (pl.col("date") == pl.col("date").shift(1))
    checks = [
        same_as_previous.sum().alias("duplicates"),
        (pl.col("_new_group") & pl.col("_rebase")).sum().alias("first_rebase"),
    ]
    if target is not None:
        varies = ~pl.col("_new_group") & pl.col("target").ne_missing(pl.col("target").shift(1))
        checks.append(varies.sum().alias("varying_target"))
    found = base.select(checks).row(0, named=True)
    series = "a group" if group else "the series"
    if base.height and not base["_baseline"].all():
        start = pl.col("_new_group") | pl.col("_rebase")
        segment = start.cum_sum()
        empty = (
            base.select(segment.alias("_segment"), "_baseline")
            .group_by("_segment")
            .agg(pl.col("_baseline").any())
            .filter(~pl.col("_baseline"))
            .height
        )
        if empty:
            raise SpcInputError(
                f"{empty} baseline(s) have no point marked in the baseline column: "
                "their limits could not be computed"
            )
    if found["duplicates"]:
        raise SpcInputError(f"{found['duplicates']} duplicate date(s) within {series}")
    if found["first_rebase"]:
        raise SpcInputError(
            f"rebase is true on the first point of {series}: a baseline can only start "
            "after at least one earlier point"
        )
    if found.get("varying_target"):
        raise SpcInputError(f"target must be one value for each series; it varies within {series}")
