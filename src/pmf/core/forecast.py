"""Forecast a UK financial year's outturn from the year to date, and compare it with a budget.

Two methods, as finance teams use them:

- run rate: the year-to-date total spread evenly, ``ytd / months × 12``;
- seasonal profile: the year to date grossed up by the share of last year's
  total that had been reached by the same month, ``ytd / (last year to the
  same month / last year's total)``. Used when last year is complete and its
  share is positive, because spending such as overtime is not even through the
  year (summer demand, year-end).

A complete year's outturn is its actual total.
"""

from __future__ import annotations

import polars as pl

FORECAST_COLUMNS = (
    "financial_year",
    "months",
    "missing_months",
    "ytd",
    "run_rate",
    "seasonal",
    "forecast",
    "method",
)


def financial_months(period: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Return the financial year start and month number (April = 1) of month codes.

    >>> frame = pl.DataFrame({"p": ["2019-03", "2019-04"]})
    >>> start, index = financial_months(pl.col("p"))
    >>> frame.select(start.alias("s"), index.alias("i")).rows()
    [(2018, 12), (2019, 1)]
    """
    year = period.str.slice(0, 4).cast(pl.Int32)
    month = period.str.slice(5, 2).cast(pl.Int32)
    start = pl.when(month >= 4).then(year).otherwise(year - 1)
    index = (month - 4) % 12 + 1
    return start, index


def year_end_forecast(
    monthly: pl.DataFrame, *, keys: tuple[str, ...] = ("unit", "measure")
) -> pl.DataFrame:
    """Return the forecast outturn of each series' financial years from monthly figures.

    ``monthly`` has the key columns, ``period`` (month codes such as ``2019-07``)
    and ``value``. One row per series and financial year, with the columns in
    ``FORECAST_COLUMNS`` after the keys.

    >>> last_year = [f"2018-{m:02d}" for m in range(4, 13)] + ["2019-01", "2019-02", "2019-03"]
    >>> frame = pl.DataFrame({"unit": "F", "measure": "OT",
    ...     "period": last_year + ["2019-04", "2019-05", "2019-06"],
    ...     "value": [10.0] * 3 + [5.0] * 9 + [12.0, 12.0, 12.0]})
    >>> row = year_end_forecast(frame).filter(pl.col("financial_year") == "2019/20").row(0,
    ...                                                                             named=True)
    >>> row["run_rate"], row["seasonal"], row["forecast"], row["method"]
    (144.0, 90.0, 90.0, 'seasonal')
    """
    start, index = financial_months(pl.col("period"))
    frame = monthly.with_columns(start.alias("_fy"), index.alias("_month"))
    years = frame.group_by(*keys, "_fy").agg(
        pl.col("_month").max().alias("months"),
        pl.col("value").sum().alias("ytd"),
        pl.len().alias("_count"),
    )
    previous = frame.with_columns((pl.col("_fy") + 1).alias("_fy"))
    # Last year's total, and its total up to each month, for the seasonal share.
    last_total = previous.group_by(*keys, "_fy").agg(
        pl.col("value").sum().alias("_last_total"), pl.len().alias("_last_count")
    )
    last_to_month = (
        years.select(*keys, "_fy", "months")
        .join(previous, on=[*keys, "_fy"])
        .filter(pl.col("_month") <= pl.col("months"))
        .group_by(*keys, "_fy")
        .agg(pl.col("value").sum().alias("_last_to_month"))
    )
    joined = years.join(last_total, on=[*keys, "_fy"], how="left").join(
        last_to_month, on=[*keys, "_fy"], how="left"
    )
    share = pl.col("_last_to_month") / pl.col("_last_total")
    has_profile = (pl.col("_last_count") == 12) & (pl.col("_last_total") > 0) & (share > 0)
    complete = pl.col("months") == 12
    result = joined.with_columns(
        (pl.col("ytd") / pl.col("months") * 12).alias("run_rate"),
        (pl.col("months") - pl.col("_count")).cast(pl.Int64).alias("missing_months"),
        pl.when(has_profile).then(pl.col("ytd") / share).alias("seasonal"),
    ).with_columns(
        pl.when(complete)
        .then(pl.col("ytd"))
        .when(has_profile)
        .then(pl.col("seasonal"))
        .otherwise(pl.col("run_rate"))
        .alias("forecast"),
        pl.when(complete)
        .then(pl.lit("actual"))
        .when(has_profile)
        .then(pl.lit("seasonal"))
        .otherwise(pl.lit("run rate"))
        .alias("method"),
        pl.format(
            "{}/{}",
            pl.col("_fy").cast(pl.String),
            ((pl.col("_fy") + 1) % 100).cast(pl.String).str.zfill(2),
        ).alias("financial_year"),
    )
    return result.select(*keys, *FORECAST_COLUMNS).sort(*keys, "financial_year")


def against_budget(forecast: pl.Expr, budget: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Return the variance (forecast − budget) and a label: over, under or on budget.

    >>> frame = pl.DataFrame({"f": [110.0, 90.0, 100.0], "b": [100.0, 100.0, 100.0]})
    >>> variance, label = against_budget(pl.col("f"), pl.col("b"))
    >>> frame.select(label.alias("l"))["l"].to_list()
    ['forecast overspend', 'forecast underspend', 'on budget']
    """
    variance = forecast - budget
    label = (
        pl.when(variance > 0)
        .then(pl.lit("forecast overspend"))
        .when(variance < 0)
        .then(pl.lit("forecast underspend"))
        .otherwise(pl.lit("on budget"))
    )
    return variance, label
