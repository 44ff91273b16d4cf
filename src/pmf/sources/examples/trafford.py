"""Trafford Council example: corporate-plan indicators with CIPFA nearest neighbours and England.

Each indicator is one file from the Trafford Data Lab (long format: area_code, area_name, period,
indicator, measure, unit, value). One series is picked from each file (for example persons, or
one sex), its periods are rewritten in canonical form, and only Trafford, its 15 CIPFA nearest
neighbours (2019) and England are kept. ``examples/trafford/README.md`` explains every choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pmf.sources.examples import OBSERVATION_COLUMNS

TRAFFORD = "E08000009"
ENGLAND = "E92000001"
NEIGHBOURS_FILE = "cipfa2019.csv"


def _as_is(period: pl.Expr) -> pl.Expr:
    """Keep a period that is already canonical (2019/20, 2019, 2015 - 17, 2024/25 Q1)."""
    return period


def _month_name(period: pl.Expr) -> pl.Expr:
    """Turn 'April 2023' into '2023-04'."""
    return pl.concat_str(pl.lit("1 "), period).str.to_date("%d %B %Y").dt.strftime("%Y-%m")


def twelve_months(period: pl.Expr) -> pl.Expr:
    """Turn 'Apr 2022-Mar 2023' into '12 months to March 2023' (checked to span 12 months)."""
    start = pl.concat_str(pl.lit("1 "), period.str.extract(r"^(\w{3} \d{4})-")).str.to_date(
        "%d %b %Y"
    )
    end = pl.concat_str(pl.lit("1 "), period.str.extract(r"-(\w{3} \d{4})$")).str.to_date(
        "%d %b %Y"
    )
    months = (end.dt.year() - start.dt.year()) * 12 + end.dt.month() - start.dt.month() + 1
    return pl.when(months == 12).then(end.dt.strftime("12 months to %B %Y"))


@dataclass(frozen=True)
class Indicator:
    """Where one measure's series is: the file, the rows that make it, how periods are written."""

    measure: str
    file: str
    rows: pl.Expr
    period: Callable[[pl.Expr], pl.Expr] = _as_is
    publisher: str = ""

    @property
    def source(self) -> str:
        """Return the short citation for the observations."""
        return f"Trafford Data Lab, {self.file} ({self.publisher})"


_indicator = pl.col("indicator")
_unit = pl.col("unit")
_sex = pl.col("inequality")

INDICATORS = (
    Indicator(
        "OBESE_Y6",
        "obese_year6.csv",
        (_indicator == "Year 6 prevalence of obesity (including severe obesity)") & (_sex == "NA"),
        publisher="NCMP via OHID Fingertips",
    ),
    Indicator(
        "ACTIVE_CHILDREN",
        "active_children.csv",
        _indicator == "Percentage of physically active children and young people",
        publisher="Sport England Active Lives via OHID Fingertips",
    ),
    Indicator(
        "LE_MALE",
        "life_expectancy.csv",
        (_indicator == "Life expectancy at birth") & (_sex == "Male"),
        publisher="ONS via OHID Fingertips",
    ),
    Indicator(
        "LE_FEMALE",
        "life_expectancy.csv",
        (_indicator == "Life expectancy at birth") & (_sex == "Female"),
        publisher="ONS via OHID Fingertips",
    ),
    Indicator(
        "PREVENTABLE_MORTALITY",
        "mortality_rate.csv",
        _indicator.str.starts_with("Under 75 mortality rate from causes considered preventable")
        & (_unit == "Persons"),
        publisher="ONS via OHID Fingertips",
    ),
    Indicator(
        "SMOKING",
        "adults_smoking.csv",
        _indicator.str.starts_with("Smoking Prevalence in adults (aged 18 and over)"),
        publisher="ONS APS via OHID Fingertips",
    ),
    Indicator(
        "EMPLOYMENT_RATE",
        "employment_rate.csv",
        _indicator == "Employment rate - aged 16-64",
        period=twelve_months,
        publisher="ONS APS",
    ),
    Indicator(
        "CLAIMANT_RATE",
        "claimant_count.csv",
        _indicator == "Claimants as a proportion of residents aged 16-64",
        period=_month_name,
        publisher="ONS Claimant Count",
    ),
    Indicator(
        "PLANNING_MAJOR",
        "planning_applications_major.csv",
        _indicator.str.starts_with("Percentage of major planning applications decided"),
        publisher="DLUHC planning statistics",
    ),
    Indicator(
        "HOUSING_AFFORDABILITY",
        "housing_affordability.csv",
        _indicator == "Ratio of median house price to median gross annual workplace-based earnings",
        publisher="ONS",
    ),
    Indicator(
        "RECYCLING_RATE",
        "household_waste_recycling.csv",
        (_indicator == "Household waste sent for reuse, recycling or composting")
        & (pl.col("measure") == "Percentage"),
        publisher="Defra",
    ),
    Indicator(
        "CO2_EMISSIONS",
        "borough_wide_co2_emissions.csv",
        _indicator == "Local Authority territorial carbon dioxide (CO2) emissions estimates",
        publisher="DESNZ",
    ),
)


# Made-up daily figures (scripts/synthetic_unallocated_cases.py): no public source has any.
SYNTHETIC_DAILY_FILE = "synthetic_unallocated_cases_daily.csv"
SYNTHETIC_SOURCE = (
    "SYNTHETIC: made up by scripts/synthetic_unallocated_cases.py to show a daily measure; "
    "not Trafford Council's figures"
)


def build(data_dir: Path) -> pl.DataFrame:
    """Return the example's observations for Trafford, its CIPFA neighbours and England."""
    data_dir = Path(data_dir)
    areas = [TRAFFORD, ENGLAND, *pl.read_csv(data_dir / NEIGHBOURS_FILE)["area_code"]]
    frames = [_series(data_dir, indicator, areas) for indicator in INDICATORS]
    frames.append(_synthetic_daily(data_dir))
    return pl.concat(frames).sort("measure", "unit", "period")


def _synthetic_daily(data_dir: Path) -> pl.DataFrame:
    """Return the synthetic daily unallocated cases, labelled as synthetic in their source."""
    raw = pl.read_csv(data_dir / SYNTHETIC_DAILY_FILE, infer_schema_length=0)
    return raw.select(
        unit=pl.col("unit"),
        measure=pl.col("measure"),
        period=pl.col("date"),
        value=pl.col("value").cast(pl.Float64),
        numerator=pl.lit(None, dtype=pl.Float64),
        denominator=pl.lit(None, dtype=pl.Float64),
        source=pl.lit(SYNTHETIC_SOURCE),
    ).select(OBSERVATION_COLUMNS)


def _series(data_dir: Path, indicator: Indicator, areas: list[str]) -> pl.DataFrame:
    """Return one indicator's rows for the framework's areas, with canonical periods."""
    raw = pl.read_csv(data_dir / indicator.file, infer_schema_length=0)
    rows = raw.filter(indicator.rows & pl.col("area_code").is_in(areas))
    if rows.is_empty():
        raise ValueError(f"{indicator.file}: no rows for {indicator.measure}")
    # "NA" marks a figure that was not published (suppressed or not collected).
    rows = rows.filter(pl.col("value") != "NA").with_columns(
        value=pl.col("value").cast(pl.Float64, strict=False),
        canonical=indicator.period(pl.col("period")),
    )
    bad = rows.filter(pl.col("value").is_null() | pl.col("canonical").is_null())
    if not bad.is_empty():
        raise ValueError(
            f"{indicator.file}: unreadable value or period in {bad.select('period', 'value')}"
        )
    return rows.select(
        unit=pl.col("area_code"),
        measure=pl.lit(indicator.measure),
        period=pl.col("canonical"),
        value=pl.col("value"),
        numerator=pl.lit(None, dtype=pl.Float64),
        denominator=pl.lit(None, dtype=pl.Float64),
        source=pl.lit(indicator.source),
    ).select(OBSERVATION_COLUMNS)
