"""NHS England A&E example: monthly four-hour performance, attendances and admissions by provider.

The source is NHS England's monthly A&E Attendances and Emergency Admissions, April 2016 to
March 2019, as tidied in the NHSRdatasets package: one row per provider (ODS code), month and
department type (1, 2 or other). Only providers are emitted; England is pooled from them
(``rollup: pooled_ratio`` for the percentages, ``sum`` for the counts). See
``examples/nhs_ae/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pmf.sources.examples import OBSERVATION_COLUMNS

SOURCE_FILE = "ae_attendances.csv"
SOURCE = "NHS England A&E Attendances and Emergency Admissions (ae_attendances.csv, NHSRdatasets)"
TYPE_1 = "1"


def build(data_dir: Path) -> pl.DataFrame:
    """Return the example's observations: one row per provider, measure and month."""
    raw = pl.read_csv(
        Path(data_dir) / SOURCE_FILE,
        schema_overrides={"type": pl.String, "org_code": pl.String, "period": pl.String},
    ).with_columns(
        unit=pl.col("org_code"),
        # "2016-04-01" is the first day of the month the row covers.
        period=pl.col("period").str.extract(r"^(\d{4}-\d{2})-01$"),
    )
    if raw["period"].null_count():
        raise ValueError(f"{SOURCE_FILE}: a period is not the first day of a month")
    keys = ["unit", "period"]
    all_types = raw.group_by(keys).agg(
        pl.col("attendances").sum(), pl.col("breaches").sum(), pl.col("admissions").sum()
    )
    type_1 = (
        raw.filter(pl.col("type") == TYPE_1)
        .group_by(keys)
        .agg(pl.col("attendances").sum(), pl.col("breaches").sum())
    )
    frames = [
        _four_hours(all_types, "AE_4HR_ALL"),
        _four_hours(type_1, "AE_4HR_TYPE1"),
        _count(all_types, "attendances", "AE_ATTENDANCES"),
        _count(all_types, "admissions", "AE_ADMISSIONS"),
    ]
    return pl.concat([frame.select(OBSERVATION_COLUMNS) for frame in frames]).sort(
        "measure", "unit", "period"
    )


def _four_hours(counts: pl.DataFrame, measure: str) -> pl.DataFrame:
    """Return the percentage seen within four hours; months with no attendances have none."""
    return counts.filter(pl.col("attendances") > 0).with_columns(
        measure=pl.lit(measure),
        numerator=(pl.col("attendances") - pl.col("breaches")).cast(pl.Float64),
        denominator=pl.col("attendances").cast(pl.Float64),
        value=(pl.col("attendances") - pl.col("breaches")) / pl.col("attendances") * 100,
        source=pl.lit(SOURCE),
    )


def _count(counts: pl.DataFrame, column: str, measure: str) -> pl.DataFrame:
    """Return a count as the value, with no numerator or denominator."""
    return counts.with_columns(
        measure=pl.lit(measure),
        value=pl.col(column).cast(pl.Float64),
        numerator=pl.lit(None, dtype=pl.Float64),
        denominator=pl.lit(None, dtype=pl.Float64),
        source=pl.lit(SOURCE),
    )
