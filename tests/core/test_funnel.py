"""Funnel-plot significance and limits agree with PHEindicatormethods.

The files in ``tests/core/data/phe`` are PHEindicatormethods' own test data, copied unchanged
from ukhsa-collaboration/PHEindicatormethods ``tests/testthat`` (see the README there); the
tests below say which test of ``tests/testthat/testFunnels.R`` each one repeats. Numbers are
compared to half a unit in the last digit the file gives (the package's files carry 6 to 10
significant digits); labels must be identical.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf.core.funnel import (
    NOT_APPLICABLE_DSR,
    SIGNIFICANCE_LABELS,
    FunnelInputError,
    funnel_limits,
    funnel_points,
    funnel_significance,
)

DATA = Path(__file__).parent / "data" / "phe"


def read(name: str) -> pl.DataFrame:
    return pl.read_csv(DATA / name, null_values="NA", infer_schema_length=None)


def assert_matches_printed(actual: pl.Series, name: str, column: str) -> None:
    """Each value within half a unit of the last decimal the reference file prints."""
    text = pl.read_csv(DATA / name, infer_schema_length=0)[column].str.strip_chars()
    expected = text.cast(pl.Float64, strict=False).to_numpy()
    decimals = text.str.split(".").list.get(1, null_on_oob=True).str.len_chars().fill_null(0)
    tolerance = 0.5 * 10.0 ** -decimals.to_numpy().astype(float) + 1e-12
    got = actual.to_numpy().astype(float)
    assert np.array_equal(np.isnan(got), np.isnan(expected)), column
    gap = np.abs(np.nan_to_num(got) - np.nan_to_num(expected))
    worst = int(np.argmax(gap - tolerance))
    assert np.all(gap <= tolerance), (column, worst, got[worst], expected[worst])


# --- significance: the package's tests ------------------------------------------------------


def test_proportion_labels_match_the_package() -> None:
    # testFunnels.R line 122, "Significance for proportions calculates correctly":
    # testdata_funnel_prop_inputs.csv, 300 primary care trusts, all five labels present.
    areas = read("testdata_funnel_prop_inputs.csv")
    result = funnel_significance(
        areas.drop("significance"),
        numerator="numerator",
        denominator="denominator",
        statistic="proportion",
    )
    assert result["significance"].to_list() == areas["significance"].to_list()
    assert set(areas["significance"]) == set(SIGNIFICANCE_LABELS)


def test_ratio_labels_match_the_package() -> None:
    # testFunnels.R line 130, "Significance for ratios calculates correctly".
    areas = read("testdata_funnel_ratio_inputs.csv")
    result = funnel_significance(
        areas.drop("significance"), numerator="obs", denominator="expected", statistic="ratio"
    )
    assert result["significance"].to_list() == areas["significance"].to_list()


@pytest.mark.parametrize(
    ("expected", "rate", "rate_type", "multiplier", "with_zero"),
    [
        # testFunnels.R from line 141: "Significance for rates calculates correctly; ..."
        ("dsr_per_100000_with_0", "rate_dsr", "dsr", 1e5, True),
        ("dsr_per_100_with_0", "rate_dsr", "dsr", 100, True),
        ("dsr_per_100000_without_0", "rate_dsr", "dsr", 1e5, False),
        ("dsr_per_100_without_0", "rate_dsr", "dsr", 100, False),
        ("crude_per_100000_with_0", "rate_crude_per_100000", "crude", 1e5, True),
        ("crude_per_100_with_0", "rate_crude_per_100", "crude", 100, True),
        ("crude_per_100000_without_0", "rate_crude_per_100000", "crude", 1e5, False),
        ("crude_per_100_without_0", "rate_crude_per_100", "crude", 100, False),
    ],
)
def test_rate_labels_match_the_package(
    expected: str, rate: str, rate_type: str, multiplier: float, with_zero: bool
) -> None:
    areas = read("testdata_funnel_rate_dsr_inputs.csv")
    if not with_zero:
        areas = areas.filter(pl.col("count") != 0)
    result = funnel_significance(
        areas.select("count", rate, "pop"),
        numerator="count",
        denominator="pop",
        rate=rate,
        rate_type=rate_type,  # type: ignore[arg-type]
        multiplier=multiplier,
        statistic="rate",
    )
    assert result["significance"].to_list() == areas[expected].to_list()


def test_the_documented_example_gets_the_packages_labels() -> None:
    # The example of assign_funnel_significance, R/Funnels.R; labels from R 4.2.2.
    frame = pl.DataFrame(
        {
            "Area": ["A", "B", "C", "D"],
            "numerator": [10232, 12321, 15123, 13213],
            "denominator": [15232, 16123, 17932, 18475],
        }
    )
    result = funnel_significance(
        frame, numerator="numerator", denominator="denominator", statistic="proportion"
    )
    assert result["significance"].to_list() == [
        "Low (0.001)",
        "High (0.001)",
        "High (0.001)",
        "Low (0.001)",
    ]
    assert result.columns == ["Area", "numerator", "denominator", "significance"]


# --- limits: the package's tests ------------------------------------------------------------

PROPORTION_COLUMNS = {
    "denominator": "Population",
    "lower_95": "Lower2s0025limit",
    "upper_95": "Upper2s0025limit",
    "lower_998": "Lower3s0001limit",
    "upper_998": "Upper3s0001limit",
    "baseline": "Baseline",
}


@pytest.mark.parametrize(
    ("expected", "largest_denominator"),
    [
        # testFunnels.R line 3, "confidence limits calculate correctly for proportions".
        ("testdata_funnel_prop_outputs.csv", math.inf),
        # testFunnels.R line 15, "... with axis variation" (denominators below 31,000).
        ("testdata_funnel_prop_outputs_with_axis_variation.csv", 31000),
    ],
)
def test_proportion_limits_match_the_package(expected: str, largest_denominator: float) -> None:
    areas = read("testdata_funnel_prop_inputs.csv").filter(
        pl.col("denominator") < largest_denominator
    )
    lines = funnel_limits(
        areas,
        numerator="numerator",
        denominator="denominator",
        statistic="proportion",
        multiplier=100,
    )
    assert lines.height == 100
    for ours, theirs in PROPORTION_COLUMNS.items():
        assert_matches_printed(lines[ours], expected, theirs)
    assert lines["statistic"].unique().to_list() == ["proportion"]
    assert lines["method"].unique().to_list() == ["Wilson"]


@pytest.mark.parametrize("ratio_type", ["count", "isr"])
def test_ratio_limits_match_the_package(ratio_type: str) -> None:
    # testFunnels.R lines 27 and 48, "confidence limits calculate correctly for ratios
    # (count)" and "(isr)": testdata_funnel_ratio_outputs.csv has both.
    expected = "testdata_funnel_ratio_outputs.csv"
    lines = funnel_limits(
        read("testdata_funnel_ratio_inputs.csv"),
        numerator="obs",
        denominator="expected",
        statistic="ratio",
        multiplier=100,
        ratio_type=ratio_type,  # type: ignore[arg-type]
    )
    assert_matches_printed(lines["observed"], expected, "Observed_events\n")
    for ours, theirs in (("95", "2s"), ("998", "3s")):
        for side in ("lower", "upper"):
            assert_matches_printed(
                lines[f"{side}_{ours}_expected"], expected, f"{side}_{theirs}_exp_events"
            )
            assert_matches_printed(
                lines[f"{side}_{ours}"], expected, f"{side}_{theirs}_{ratio_type}"
            )
    assert lines["statistic"][0] == f"ratio ({ratio_type})"
    assert lines["method"][0] == "Poisson"
    assert lines["baseline"][0] == (0.0 if ratio_type == "count" else 100.0)


def _rate_inputs(case: str) -> tuple[pl.DataFrame, dict[str, object]]:
    areas = read("testdata_funnel_rate_input_funnels.csv")
    biggest = pl.col("ev") == pl.col("ev").max()
    if case == "dsr":
        # testFunnels.R line 67, "confidence limits calculate correctly for rates (dsr)".
        return areas, {"rate_type": "dsr", "denominator": None}
    if case == "crude, fewer than 10 events":
        # testFunnels.R line 80, "... rates (crude); with less than 10 events".
        areas = areas.with_columns(pl.when(biggest).then(5).otherwise(pl.col("ev")).alias("ev"))
        return areas, {"rate_type": "crude", "denominator": None}
    # testFunnels.R line 95, "... rates (crude); with 0 events and denominator supplied".
    areas = (
        areas.select("ev", "rate")
        .with_columns((1e5 * pl.col("ev") / pl.col("rate")).alias("pop"))
        .with_columns(
            pl.when(biggest).then(0).otherwise(pl.col("rate")).alias("rate"),
            pl.when(biggest).then(0).otherwise(pl.col("ev")).alias("ev"),
        )
        .filter(pl.col("pop") > pl.col("pop").max() / 2)
    )
    return areas, {"rate_type": "crude", "denominator": "pop"}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("dsr", "testdata_funnel_rate_outputs.csv"),
        ("crude, fewer than 10 events", "testdata_funnel_rate_outputs_2.csv"),
        ("crude, no events, denominators", "testdata_funnel_rate_outputs_3.csv"),
    ],
)
def test_rate_limits_match_the_package(case: str, expected: str) -> None:
    areas, options = _rate_inputs(case)
    lines = funnel_limits(
        areas,
        numerator="ev",
        rate="rate",
        multiplier=1e5,
        statistic="rate",
        years_of_data=3,
        **options,  # type: ignore[arg-type]
    )
    assert_matches_printed(lines["events"], expected, "Events")
    for ours, theirs in (("95", "2s"), ("998", "3s")):
        for side in ("lower", "upper"):
            assert_matches_printed(
                lines[f"{side}_{ours}_population_1_year"],
                expected,
                f"{side}_{theirs}_population_1_year",
            )
            assert_matches_printed(lines[f"{side}_{ours}"], expected, f"{side}_{theirs}_limit")
    assert_matches_printed(lines["baseline"], expected, "baseline")
    assert lines["statistic"].to_list() == read(expected)["statistic"].to_list()


@pytest.mark.parametrize(
    ("options", "ev_of_largest", "chart", "derived"),
    [
        # testFunnels.R, "calculate_funnel_points works for dsrs with events less than 5".
        ({"rate_type": "dsr", "years_of_data": 3}, 5, "rate_chart", "denominator_derived"),
        # "... works for crude with events less than 5".
        (
            {"rate_type": "crude", "years_of_data": 3},
            None,
            "rate_chart_crude",
            "denominator_derived_crude",
        ),
        # "... works for dsrs with 0 event record and denominators supplied" (crude, 5 years).
        (
            {"rate_type": "crude", "years_of_data": 5, "denominator": "pop"},
            0,
            "rate_chart_crude_with_denom",
            "denominator_derived_crude_with_denom",
        ),
    ],
)
def test_funnel_points_match_the_package(
    options: dict[str, object], ev_of_largest: int | None, chart: str, derived: str
) -> None:
    name = "testdata_funnel_rate_input_funnels.csv"
    areas = read(name)
    if ev_of_largest is not None:
        areas = areas.with_columns(
            pl.when(pl.col("ev") == pl.col("ev").max())
            .then(ev_of_largest)
            .otherwise(pl.col("ev"))
            .alias("ev")
        )
    points = funnel_points(
        areas.select("ev", "rate", "pop"),
        numerator="ev",
        rate="rate",
        multiplier=1e5,
        **options,  # type: ignore[arg-type]
    )
    assert points.columns == ["ev", "rate", "pop", "rate_chart", "denominator_derived"]
    assert_matches_printed(points["rate_chart"].fill_null(np.nan), name, chart)
    assert_matches_printed(points["denominator_derived"].fill_null(np.nan), name, derived)


# --- labels at each band on made-up data ----------------------------------------------------


def test_each_proportion_band_gets_its_label() -> None:
    # One huge area fixes the average at 0.5. At n = 10,000 the 95 % limits are about
    # 0.5 ± 0.0098 and the 99.8 % limits about 0.5 ± 0.0155.
    frame = pl.DataFrame(
        {
            "seen": [500_000_000, 5200, 5120, 5000, 4880, 4800],
            "eligible": [1_000_000_000, 10_000, 10_000, 10_000, 10_000, 10_000],
        }
    )
    result = funnel_significance(
        frame, numerator="seen", denominator="eligible", statistic="proportion", limits=True
    )
    assert result["significance"].to_list()[1:] == list(SIGNIFICANCE_LABELS)
    row = result.row(1, named=True)
    assert row["upper_998"] == pytest.approx(0.5 + 3.0902 * 0.005, abs=2e-4)
    assert row["lower_95"] == pytest.approx(0.5 - 1.96 * 0.005, abs=2e-4)


def test_each_ratio_band_gets_its_label() -> None:
    frame = pl.DataFrame({"deaths": [160, 130, 100, 75, 50], "expected": [100.0] * 5})
    result = funnel_significance(
        frame, numerator="deaths", denominator="expected", statistic="ratio", limits=True
    )
    assert result["significance"].to_list() == list(SIGNIFICANCE_LABELS)
    # The row's own 95 % interval for O/E, × multiplier, is what 1 is compared with.
    assert float(result["ci_lower_95"][1]) > 1 > float(result["ci_lower_998"][1])
    assert result["average"].to_list() == [1.0] * 5


def test_each_rate_band_gets_its_label_and_small_dsrs_get_none() -> None:
    frame = pl.DataFrame(
        {
            "events": [1_000_000, 1160, 1080, 1000, 925, 860, 8],
            "population": [1e9, 1e6, 1e6, 1e6, 1e6, 1e6, 1e4],
        }
    ).with_columns((pl.col("events") / pl.col("population") * 1e5).alias("rate"))
    crude = funnel_significance(
        frame,
        numerator="events",
        denominator="population",
        rate="rate",
        rate_type="crude",
        multiplier=1e5,
        statistic="rate",
    )
    assert crude["significance"].to_list()[1:6] == list(SIGNIFICANCE_LABELS)
    dsr = funnel_significance(
        frame,
        numerator="events",
        denominator="population",
        rate="rate",
        rate_type="dsr",
        multiplier=1e5,
        statistic="rate",
    )
    assert dsr["significance"][6] == NOT_APPLICABLE_DSR
    assert dsr["significance"].to_list()[1:6] == list(SIGNIFICANCE_LABELS)


def test_a_crude_rate_can_be_given_by_its_numerator_and_denominator() -> None:
    frame = pl.DataFrame(
        {"events": [1_000_000, 1160, 1000, 860], "population": [1e9, 1e6, 1e6, 1e6]}
    )
    from_columns = funnel_significance(
        frame, numerator="events", denominator="population", statistic="rate", multiplier=1e5
    )
    with_rate = funnel_significance(
        frame.with_columns((pl.col("events") / pl.col("population") * 1e5).alias("rate")),
        numerator="events",
        denominator="population",
        rate="rate",
        rate_type="crude",
        multiplier=1e5,
        statistic="rate",
    )
    assert from_columns["significance"].to_list() == with_rate["significance"].to_list()


def test_comparisons_are_strict_so_a_value_on_its_limit_is_not_significant() -> None:
    # With no events anywhere the average and every lower limit are exactly 0.
    frame = pl.DataFrame({"x": [0, 0, 0], "n": [10, 200, 3000]})
    result = funnel_significance(
        frame, numerator="x", denominator="n", statistic="proportion", limits=True
    )
    assert result["significance"].to_list() == ["Not significant"] * 3
    assert result["lower_998"].to_list() == [0.0] * 3


def test_the_package_quirk_at_an_average_of_one_is_reproduced() -> None:
    # Every area at 100 %: rounding puts one 95 % limit a hair above 1, and the package
    # (R 4.2.2) labels that area "Low (0.025)". The labels agree with it exactly.
    frame = pl.DataFrame({"x": [10, 20, 300, 4000], "n": [10, 20, 300, 4000]})
    result = funnel_significance(frame, numerator="x", denominator="n", statistic="proportion")
    assert result["significance"].to_list() == [
        "Not significant",
        "Not significant",
        "Not significant",
        "Low (0.025)",
    ]


def test_the_axis_copies_rs_scientific_notation_for_round_numbers() -> None:
    # signif.floor counts the characters R prints: 123000000 is "1.23e+08", 8 characters,
    # so the axis starts at 120,000,000, not 100,000,000 (checked with R 4.2.2).
    frame = pl.DataFrame({"x": [1000, 2000], "n": [129_473_685, 200_000_000]})
    lines = funnel_limits(frame, numerator="x", denominator="n", statistic="proportion")
    assert lines["denominator"].to_list()[:2] == [120_000_000.0, 120_680_243.0]
    assert lines["denominator"][-1] == 210_000_000.0


def test_proportion_limits_are_capped_at_100_unless_told_otherwise() -> None:
    frame = pl.DataFrame({"x": [9, 18], "n": [10, 20]})
    package = funnel_limits(
        frame, numerator="x", denominator="n", statistic="proportion", multiplier=1000
    )
    assert package["upper_95"].max() == 100.0  # as calculate_funnel_limits does
    true_cap = funnel_limits(
        frame,
        numerator="x",
        denominator="n",
        statistic="proportion",
        multiplier=1000,
        upper_cap=1000,
    )
    assert true_cap["upper_95"].max() > 900


def test_a_span_draws_the_lines_only_over_the_plotted_denominators() -> None:
    # Twelve boroughs with 400,000 to 1,000,000 residents: the package's axis starts at 1, where
    # the upper limit of a rate per 1,000 is hundreds; the span keeps to the boroughs.
    frame = pl.DataFrame(
        {"x": [350, 480, 520, 610, 390], "n": [426_725, 530_768, 625_291, 990_363, 594_222]}
    )
    options = {"numerator": "x", "denominator": "n", "multiplier": 1000.0}
    package = funnel_limits(frame, statistic="proportion", **options)
    assert package["denominator"][0] == 1.0
    near = funnel_limits(frame, statistic="proportion", span=(400_000, 1_050_000), **options)
    assert near.height == 100
    assert near["denominator"][0] == 400_000.0
    assert near["denominator"][-1] == 1_050_000.0
    assert near["denominator"].is_sorted()
    # The same funnel round the same average, only narrower where the units are.
    assert near["baseline"][0] == package["baseline"][0]
    assert near["upper_998"].is_sorted(descending=True)
    assert near["lower_998"].is_sorted()
    assert (near["lower_998"] < near["lower_95"]).all()
    assert (near["upper_95"] < near["upper_998"]).all()
    assert near["upper_998"].max() < 1.3 * near["baseline"][0] < package["upper_998"].max()
    rate = funnel_limits(
        frame,
        statistic="rate",
        rate_type="crude",
        years_of_data=1,
        span=(400_000, 1_050_000),
        **options,
    )
    for name in ("lower_95", "upper_95", "lower_998", "upper_998"):
        population = rate[f"{name}_population_1_year"]
        assert population.min() > 0.8 * 400_000 and population.max() < 1.2 * 1_050_000, name


@pytest.mark.parametrize("span", [(0, 10), (10, 10), (20, 10), (1, math.inf), (1, 2, 3)])
def test_a_span_must_be_two_rising_positive_denominators(span: tuple[float, ...]) -> None:
    frame = pl.DataFrame({"x": [1, 2], "n": [10, 20]})
    with pytest.raises(FunnelInputError, match="span must be two denominators"):
        funnel_limits(
            frame,
            numerator="x",
            denominator="n",
            statistic="proportion",
            span=span,  # type: ignore[arg-type]
        )


# --- groups ---------------------------------------------------------------------------------


def test_a_group_gets_its_own_average_as_if_on_its_own() -> None:
    areas = read("testdata_funnel_prop_inputs.csv").drop("significance")
    areas = areas.with_columns((pl.int_range(pl.len()) % 3).alias("region"))
    together = funnel_significance(
        areas,
        numerator="numerator",
        denominator="denominator",
        statistic="proportion",
        group="region",
        limits=True,
    )
    for region in range(3):
        alone = funnel_significance(
            areas.filter(pl.col("region") == region),
            numerator="numerator",
            denominator="denominator",
            statistic="proportion",
            limits=True,
        )
        assert together.filter(pl.col("region") == region).equals(alone)


def test_grouped_limits_stack_one_funnel_per_group() -> None:
    frame = pl.DataFrame(
        {"trust": ["A", "A", "B", "B"], "x": [10, 20, 30, 45], "n": [100, 150, 100, 120]}
    )
    lines = funnel_limits(
        frame, numerator="x", denominator="n", statistic="proportion", group="trust"
    )
    assert lines.height == 200
    assert lines.columns[0] == "trust"
    alone = funnel_limits(
        frame.filter(pl.col("trust") == "B"), numerator="x", denominator="n", statistic="proportion"
    )
    assert lines.filter(pl.col("trust") == "B").drop("trust").equals(alone)


# --- bad input ------------------------------------------------------------------------------

AREAS = pl.DataFrame(
    {"area": ["Area1", "Area2", "Area3"], "obs": [65, 80, 30], "pop": [100, 100, 200]}
)


def areas(**columns: list[float | None] | float) -> pl.DataFrame:
    """AREAS with some columns replaced or added (a number fills a column)."""
    return AREAS.with_columns(
        pl.Series(name, values) if isinstance(values, list) else pl.lit(values).alias(name)
        for name, values in columns.items()
    )


RATE = {"statistic": "rate", "rate": "rate"}
CRUDE = {**RATE, "rate_type": "crude"}


@pytest.mark.parametrize(
    ("frame", "options", "message"),
    [
        # testFunnels.R, "denominators must be greater than zero".
        (areas(pop=[100, 100, 0]), {}, "column 'pop' must be greater than zero: 0.0 at row 2"),
        # "numerators must be greater than or equal to zero".
        (areas(obs=[65, -80, 30]), {}, "column 'obs' must not be negative: -80.0 at row 1"),
        # "numerators must be less than or equal to denominator for a proportion statistic".
        (
            areas(pop=[100, 100, 20]),
            {},
            "column 'obs' must not exceed the denominator 'pop': 30.0 at row 2",
        ),
        (areas(obs=[65, None, 30]), {}, "column 'obs' is missing at row 1"),
        (AREAS, {"numerator": "deaths"}, "no column 'deaths'; the columns are area, obs, pop"),
        (AREAS, {"numerator": "area"}, "column 'area' must be numeric, not String"),
        (AREAS, {"statistic": "mean"}, "statistic must be 'proportion', 'rate' or 'ratio'"),
        (AREAS, {"multiplier": 0}, "multiplier must be a positive number"),
        (AREAS.clear(), {}, "there are no rows"),
        (AREAS, {"denominator": None}, "a proportion needs a denominator column"),
        # Rates, as testFunnels.R's "assign_funnel_significance input error for rate ...".
        (areas(rate=5.0), RATE, "a rate column needs rate_type 'dsr' or 'crude'"),
        (
            AREAS,
            {"statistic": "rate", "rate_type": "dsr"},
            r"a directly standardised rate \(dsr\) needs its rate column",
        ),
        (
            areas(obs=[0, 80, 30], rate=5.0),
            {**CRUDE, "denominator": None},
            "column 'obs' is 0 at row 0: where a row has no events the denominator column",
        ),
        (
            areas(rate=[5.0, None, 3.0]),
            CRUDE,
            "column 'rate' is missing for a row with events: missing at row 1",
        ),
        (
            areas(rate=[5.0, 0.0, 3.0]),
            {**RATE, "rate_type": "dsr"},
            "column 'rate' must be a positive number where there are events: 0.0 at row 1",
        ),
        (
            areas(obs=[0, 80, 30], pop=[None, 100, 200], rate=5.0),
            CRUDE,
            "column 'pop' is missing for a row with no events: missing at row 0",
        ),
    ],
)
def test_bad_input_is_refused_with_the_row_and_column(
    frame: pl.DataFrame, options: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "numerator": "obs",
        "denominator": "pop",
        "statistic": "proportion",
    }
    arguments.update(options)
    with pytest.raises(FunnelInputError, match=message):
        funnel_significance(frame, **arguments)  # type: ignore[arg-type]


def test_limits_need_the_options_the_package_requires() -> None:
    with pytest.raises(FunnelInputError, match="ratio_type must be 'count' or 'isr'"):
        funnel_limits(AREAS, numerator="obs", denominator="pop", statistic="ratio")
    with pytest.raises(FunnelInputError, match="years_of_data must be a positive number"):
        funnel_limits(AREAS, numerator="obs", denominator="pop", statistic="rate")
    with pytest.raises(FunnelInputError, match="no row has events"):
        funnel_limits(
            areas(obs=[0, 0, 0], rate=0.0),
            numerator="obs",
            denominator="pop",
            rate="rate",
            rate_type="dsr",
            statistic="rate",
            years_of_data=1,
        )
    with pytest.raises(FunnelInputError, match="every numerator is 0"):
        funnel_limits(
            AREAS.with_columns(pl.lit(0).alias("obs")),
            numerator="obs",
            denominator="pop",
            statistic="rate",
            years_of_data=1,
        )


# --- properties -----------------------------------------------------------------------------


@st.composite
def proportion_frames(draw: st.DrawFn) -> pl.DataFrame:
    sizes = draw(st.lists(st.integers(1, 10**7), min_size=1, max_size=40))
    shares = draw(st.lists(st.floats(0, 1), min_size=len(sizes), max_size=len(sizes)))
    return pl.DataFrame(
        {"x": [math.floor(n * s) for n, s in zip(sizes, shares, strict=True)], "n": sizes}
    )


def band(value: float, lower_998: float, lower_95: float, upper_95: float, upper_998: float) -> str:
    """The label of a value against its limits, strictly, as case_when in the package."""
    if value < lower_998:
        return "Low (0.001)"
    if value < lower_95:
        return "Low (0.025)"
    if value > upper_998:
        return "High (0.001)"
    if value > upper_95:
        return "High (0.025)"
    return "Not significant"


@given(proportion_frames())
@settings(deadline=None)
def test_proportion_labels_follow_the_limit_columns(frame: pl.DataFrame) -> None:
    result = funnel_significance(
        frame, numerator="x", denominator="n", statistic="proportion", limits=True
    )
    for row in result.iter_rows(named=True):
        limits = [row["lower_998"], row["lower_95"], row["upper_95"], row["upper_998"]]
        assert row["significance"] == band(row["x"] / row["n"], *limits)
        if 0 < row["average"] < 1:
            assert np.all(np.diff(limits) >= -1e-12)


@given(st.lists(st.tuples(st.integers(0, 5000), st.floats(0.5, 5000)), min_size=1, max_size=40))
@settings(deadline=None)
def test_ratio_labels_follow_the_row_intervals(rows: list[tuple[int, float]]) -> None:
    frame = pl.DataFrame(rows, schema=["obs", "expected"], orient="row")
    result = funnel_significance(
        frame, numerator="obs", denominator="expected", statistic="ratio", limits=True
    )
    for row in result.iter_rows(named=True):
        assert row["ci_lower_998"] <= row["ci_lower_95"] <= row["obs"] / row["expected"]
        assert row["obs"] / row["expected"] <= row["ci_upper_95"] <= row["ci_upper_998"]
        if row["ci_lower_998"] > 1:
            assert row["significance"] == "High (0.001)"
        elif row["ci_lower_95"] > 1:
            assert row["significance"] == "High (0.025)"
        elif row["ci_upper_998"] < 1:
            assert row["significance"] == "Low (0.001)"
        elif row["ci_upper_95"] < 1:
            assert row["significance"] == "Low (0.025)"
        else:
            assert row["significance"] == "Not significant"


@given(proportion_frames(), st.randoms(use_true_random=False))
@settings(deadline=None)
def test_the_order_of_rows_does_not_change_any_label(frame: pl.DataFrame, random) -> None:  # type: ignore[no-untyped-def]
    order = list(range(frame.height))
    random.shuffle(order)
    labelled = funnel_significance(frame, numerator="x", denominator="n", statistic="proportion")
    shuffled = funnel_significance(
        frame[order], numerator="x", denominator="n", statistic="proportion"
    )
    assert shuffled["significance"].to_list() == [labelled["significance"][i] for i in order]


def test_whole_columns_are_labelled_at_once() -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(100, 100_000, 200_000)
    frame = pl.DataFrame({"x": rng.binomial(n, 0.3), "n": n})
    result = funnel_significance(frame, numerator="x", denominator="n", statistic="proportion")
    assert result.height == 200_000
    assert set(result["significance"]) <= set(SIGNIFICANCE_LABELS)
