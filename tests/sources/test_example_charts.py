"""The examples draw the charts their figures call for: p′ and p for A&E, c for homicides."""

from __future__ import annotations

import warnings

import polars as pl
import pytest

from pmf.core.baseline import framework_chart_points
from pmf.core.framework import load_framework
from pmf.core.periods import parse_period
from pmf.core.rollup import roll_up
from pmf.sources.examples import registry


def charted(name: str, measures: list[str], units: list[str]) -> pl.DataFrame:
    """Return the charted points of the example's measures for the units, as pages chart them."""
    example = registry()[name]
    framework = load_framework(example.framework_path.read_text(encoding="utf-8"))
    observations = example.observations().filter(pl.col("measure").is_in(measures))
    rolled = roll_up(framework, observations).filter(pl.col("unit").is_in(units))
    ends = {code: parse_period(code).end for code in rolled["period"].unique().to_list()}
    rolled = rolled.with_columns(
        pl.col("period").replace_strict(ends, return_dtype=pl.Date).alias("period_end")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        points, _ = framework_chart_points(framework, rolled)
    return points.with_columns(
        pl.col("series").str.split("\x1f").list.get(0).alias("unit"),
        pl.col("series").str.split("\x1f").list.get(1).alias("measure"),
    )


def test_ae_four_hour_proportions_are_p_prime_and_p_charts_in_percentages() -> None:
    points = charted("nhs_ae", ["AE_4HR_ALL", "AE_4HR_TYPE1"], ["ENG"])
    charts = dict(points.group_by("measure").agg(pl.col("chart").unique().first()).iter_rows())
    assert charts == {"AE_4HR_ALL": "pp", "AE_4HR_TYPE1": "p"}
    assert points["fallback"].is_null().all()
    # England's attendances vary by month, and so do its limits; all in percentages.
    for _, part in points.group_by("measure"):
        assert part["upl"].n_unique() > 1
        assert 80 < part["mean"][0] < 95 and (part["plotted"] - part["value"]).abs().max() < 1e-9
    # England's type 1 p chart has limits a fraction of a point wide, and every month is
    # outside them; the p′ chart widens them to a few points.
    type1 = points.filter(pl.col("measure") == "AE_4HR_TYPE1")
    everything = points.filter(pl.col("measure") == "AE_4HR_ALL")
    assert (type1["upl"] - type1["lpl"]).max() < 0.5
    assert type1["outside_limits"].all()
    assert (everything["upl"] - everything["lpl"]).min() > 4


def test_police_homicides_are_a_c_chart_of_counts() -> None:
    points = charted("police", ["HOMICIDES"], ["MPS", "CW"])
    assert set(points["chart"].to_list()) == {"c"}
    for _, part in points.group_by("unit"):
        centre = part["mean"][0]
        assert part["upl"].to_list() == pytest.approx([centre + 3 * centre**0.5] * part.height)
        assert part["lpl"].to_list() == pytest.approx(
            [max(0.0, centre - 3 * centre**0.5)] * part.height
        )
    assert points["value"].min() >= 0 and (points["value"] % 1 == 0).all()
