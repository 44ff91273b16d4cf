"""Directly and indirectly standardised rates agree with PHEindicatormethods.

The files in ``tests/core/data/phe_standardised`` are sheets of PHEindicatormethods' own test
workbook ``tests/testthat/testdata_DSR_ISR.xlsx`` (see the README there); each test below says
which test of ``testDSRs.R``, ``testISRatios.R`` or ``testISRates.R`` it repeats. The workbook
holds its expected values to full double precision, so they are compared to 1e-12 relative.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pmf.core.standardised import (
    ESP2013,
    ESP2013_BANDS,
    ESP2013_EUROSTAT,
    StandardisedInputError,
    check_bands,
    confidence_levels,
    dsr,
    isr,
    standard_band,
    standard_population,
)

DATA = Path(__file__).parent / "data" / "phe_standardised"
ESP = list(ESP2013.values())


def read(name: str) -> pl.DataFrame:
    return pl.read_csv(DATA / name, infer_schema_length=None)


def multiarea() -> pl.DataFrame:
    """``test_multiarea_esp``: three areas of 19 bands, the ESP 2013 attached by position."""
    frame = read("testdata_multiarea.csv")
    return frame.with_columns(pl.Series("esp2013", ESP * (frame.height // 19), pl.Float64))


def dsr_results(rows: slice) -> pl.DataFrame:
    return read("testresults_DSR.csv")[rows]


def isr_results(rows: slice) -> pl.DataFrame:
    return read("testresults_ISR.csv")[rows]


def assert_close(actual: pl.Series, expected: pl.Series, rel: float = 1e-12) -> None:
    got = actual.cast(pl.Float64).fill_null(math.nan).to_numpy()
    want = expected.cast(pl.Float64).fill_null(math.nan).to_numpy()
    assert np.array_equal(np.isnan(got), np.isnan(want)), (actual.name, got, want)
    assert np.allclose(np.nan_to_num(got), np.nan_to_num(want), rtol=rel, atol=0), (
        actual.name,
        got,
        want,
    )


def assert_same(actual: pl.DataFrame, expected: pl.DataFrame, columns: list[str]) -> None:
    for column in columns:
        if expected[column].dtype == pl.String:
            assert actual[column].to_list() == expected[column].to_list(), column
        else:
            assert_close(actual[column], expected[column])


# --- the ESP 2013 ----------------------------------------------------------------------------


def test_esp2013_has_19_bands_of_a_standard_population_of_100000() -> None:
    assert tuple(ESP2013) == ESP2013_BANDS
    assert sum(ESP2013.values()) == sum(p for _, p in ESP2013_EUROSTAT) == 100_000
    # PHEindicatormethods' esp2013, data-raw/LoadTestdata.R.
    assert ESP == [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500,
                   6000, 5500, 5000, 4000, 2500, 1500, 1000]  # fmt: skip


def test_age_band_spellings_read_as_the_standard_bands() -> None:
    assert standard_band("00-04") == "0-4"
    assert standard_band(" 5 to 9 ") == "5-9"
    assert standard_band("90 and over") == "90+"
    assert standard_band("90") == "90+"
    assert standard_band("1-4") is None
    assert standard_band("85+") is None


def test_a_band_outside_the_standard_is_refused_with_its_row() -> None:
    # The package's own test data spell 55-59 as "55-69"; matched by position it passes there,
    # matched by label here it is refused, naming the row.
    frame = read("testdata_multiarea.csv")
    with pytest.raises(StandardisedInputError, match="'55-69': is not one of the 19") as error:
        standard_population(frame, age_band="ageband", group=["area"])
    assert error.value.index == 11
    assert error.value.column == "ageband"


def test_split_bands_are_refused_with_the_convention_to_use() -> None:
    frame = pl.DataFrame({"band": ["<1", "1-4", *ESP2013_BANDS[1:]]})
    with pytest.raises(StandardisedInputError, match=r"add age 0 .* and 1-4 together as 0-4"):
        standard_population(frame, age_band="band")


def test_a_missing_band_is_refused_naming_the_group() -> None:
    frame = pl.DataFrame({"area": ["A"] * 18, "band": list(ESP2013_BANDS[:-1])})
    with pytest.raises(StandardisedInputError, match="no row for the age band 90\\+ in area 'A'"):
        standard_population(frame, age_band="band", group=["area"])


def test_a_repeated_band_is_refused_at_its_second_row() -> None:
    frame = pl.DataFrame({"band": [*ESP2013_BANDS, "0-4"]})
    with pytest.raises(StandardisedInputError, match="appears more than once") as error:
        standard_population(frame, age_band="band")
    assert error.value.index == 19


def test_standard_population_by_label_matches_the_package_by_position() -> None:
    frame = read("testdata_multiarea.csv").with_columns(pl.col("ageband").replace("55-69", "55-59"))
    weights = standard_population(frame, age_band="ageband", group=["area"])
    assert weights.to_list() == ESP * 3


# --- DSR: testDSRs.R "dsrs and CIs calculate correctly" --------------------------------------

DSR_COLUMNS = ["total_count", "total_pop", "value"]


def test_dsr_default_matches_the_package() -> None:
    # "test default": per 100,000, 95 %; testdata_tiny has 9 events and no rate.
    result = dsr(multiarea(), count="count", population="pop", standard="esp2013", group=["area"])
    expected = dsr_results(slice(4, 7)).rename({"lower95_0cl": "lowercl", "upper95_0cl": "uppercl"})
    assert result.columns == [
        "area", "total_count", "total_pop", "value", "lowercl", "uppercl",
        "confidence", "statistic", "method",
    ]  # fmt: skip
    assert_same(result, expected, ["area", *DSR_COLUMNS, "lowercl", "uppercl", "statistic"])
    assert result["confidence"].to_list() == ["95%"] * 3
    assert result["method"].to_list() == ["Dobson"] * 3


def test_dsr_with_both_levels_matches_the_package() -> None:
    # "test full output with 2 CIs".
    result = dsr(
        multiarea(),
        count="count",
        population="pop",
        standard="esp2013",
        group=["area"],
        confidence=(0.95, 0.998),
    )
    limits = ["lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"]
    assert_same(result, dsr_results(slice(4, 7)), ["area", *DSR_COLUMNS, *limits, "statistic"])
    assert result["confidence"].to_list() == ["95%, 99.8%"] * 3


def test_dsr_at_998_matches_the_package() -> None:
    # "test confidence": confidence = 99.8, given as a percentage.
    result = dsr(
        multiarea(), count="count", population="pop", standard="esp2013", group=["area"],
        confidence=99.8,
    )  # fmt: skip
    expected = dsr_results(slice(4, 7))
    assert_close(result["lowercl"], expected["lower99_8cl"])
    assert_close(result["uppercl"], expected["upper99_8cl"])
    assert result["confidence"].to_list() == ["99.8%"] * 3


def test_dsr_multiplier_matches_the_package() -> None:
    # "test multiplier": per 10,000.
    result = dsr(
        multiarea(), count="count", population="pop", standard="esp2013", group=["area"],
        multiplier=10_000,
    )  # fmt: skip
    expected = dsr_results(slice(0, 3)).rename({"lower95_0cl": "lowercl", "upper95_0cl": "uppercl"})
    assert_same(result, expected, [*DSR_COLUMNS, "lowercl", "uppercl", "statistic"])


def test_dsr_with_a_standard_of_the_users_own_matches_the_package() -> None:
    # "test with user specified stdpop": the 1976 European standard, 18 bands, no groups. (The
    # workbook's 99.8 % limits for this row are ten times too large; the package does not test
    # them either.)
    result = dsr(read("testdata_1976.csv"), count="count", population="pop", standard="esp1976")
    expected = dsr_results(slice(7, 8)).rename({"lower95_0cl": "lowercl", "upper95_0cl": "uppercl"})
    assert_same(result, expected, [*DSR_COLUMNS, "lowercl", "uppercl"])


def nonindependent() -> pl.DataFrame:
    """``test_DSR_nonind``: persons by event frequency, as data-raw/LoadTestdata.R pivots it."""
    wide = read("testdata_nonindepe.csv").drop("count")
    long = wide.unpivot(
        index=["area", "ageband", "pop"], variable_name="freq", value_name="persons"
    ).with_columns(pl.col("freq").str.strip_prefix("f").cast(pl.Int64))
    dropped = pl.col("area").is_in(
        ["testdata_nonind_dummy", "testdata_nonind_small", "testdata_nonind_tiny"]
    ) & (pl.col("freq") == 4)
    long = long.filter(~dropped).sort("freq", "ageband", maintain_order=True)
    bands = sorted(long["ageband"].unique().to_list())
    return long.with_columns(
        pl.col("ageband").replace_strict(dict(zip(bands, ESP, strict=True))).alias("esp2013")
    )


def test_dsr_of_events_that_are_not_independent_matches_the_package() -> None:
    # "test nonindependent events no frequendy grouping and 2 CIs".
    result = dsr(
        nonindependent(),
        count="persons",
        population="pop",
        standard="esp2013",
        group=["area"],
        confidence=(0.95, 0.998),
        event_frequency="freq",
        age_band="ageband",
    ).sort("area")
    limits = ["lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"]
    expected = dsr_results(slice(8, 12))
    # The workbook gives these rows to 14 significant digits.
    for column in [*DSR_COLUMNS, *limits]:
        assert_close(result[column], expected[column], rel=1e-11)
    assert result["method"].to_list() == expected["method"].to_list()
    assert result["statistic"].to_list() == expected["statistic"].to_list()


def test_dsr_below_ten_events_is_not_given() -> None:
    rows = pl.DataFrame(
        {"x": [4.0, 5.0], "n": [1000.0, 1000.0], "w": [1.0, 1.0]}
    )  # 9 events: suppressed, though its totals are kept
    result = dsr(rows, count="x", population="n", standard="w")
    assert result["total_count"][0] == 9
    assert result["value"][0] is None and result["lowercl"][0] is None
    assert result["statistic"][0] == "dsr NA for total count < 10"


def test_dsr_by_hand() -> None:
    # Two bands: 30 events in 1,000 people (standard 600) and 20 in 2,000 (standard 400).
    # DSR = (30×600/1000 + 20×400/2000) / 1000 × 1000 = (18 + 4) = 22 per 1,000.
    # var = (30×0.6² + 20×0.2²) / 1000² = 11.6e-6; Byar for 50 events at 95 %.
    rows = pl.DataFrame({"x": [30.0, 20.0], "n": [1000.0, 2000.0], "w": [600.0, 400.0]})
    result = dsr(rows, count="x", population="n", standard="w", multiplier=1000)
    z = 1.959963984540054
    lower = 50 * (1 - 1 / 450 - z / (3 * math.sqrt(50))) ** 3
    upper = 51 * (1 - 1 / 459 + z / (3 * math.sqrt(51))) ** 3
    spread = math.sqrt(11.6e-6 / 50) * 1000
    assert result["value"][0] == pytest.approx(22.0, rel=1e-14)
    assert result["lowercl"][0] == pytest.approx(22 + spread * (lower - 50), rel=1e-12)
    assert result["uppercl"][0] == pytest.approx(22 + spread * (upper - 50), rel=1e-12)


def test_dsr_missing_count_is_zero_events() -> None:
    rows = pl.DataFrame({"x": [30.0, None], "n": [1000.0, 2000.0], "w": [600.0, 400.0]})
    zero = rows.with_columns(pl.col("x").fill_null(0.0))
    left = dsr(rows, count="x", population="n", standard="w")
    right = dsr(zero, count="x", population="n", standard="w")
    assert left.equals(right)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (pl.col("count").replace(25, -26), "count -26: the count must not be negative"),
        (pl.col("pop").replace(558, 0), "pop 0: the population must be greater than 0"),
        (pl.col("esp2013").replace(5000, -5000), "must not be negative"),
    ],
)
def test_dsr_refuses_what_the_package_refuses(change: pl.Expr, message: str) -> None:
    # testDSRs.R "errors are generated": numerators < 0, denominator = 0, stdpop < 0.
    frame = multiarea().with_columns(change)
    with pytest.raises(StandardisedInputError, match=message) as error:
        dsr(frame, count="count", population="pop", standard="esp2013", group=["area"])
    assert error.value.index is not None


@pytest.mark.parametrize(
    "confidence", [0.74, 3, 1000, (0.95, 1.0), (0.95, 0.998, 0.99), (0.998, 0.95)]
)
def test_confidence_levels_outside_the_packages_are_refused(
    confidence: float | tuple[float, ...],
) -> None:
    with pytest.raises(StandardisedInputError):
        confidence_levels(confidence)


def test_dsr_refuses_a_multiplier_of_zero() -> None:
    with pytest.raises(StandardisedInputError, match="multiplier must be greater than 0"):
        dsr(multiarea(), count="count", population="pop", standard="esp2013", multiplier=0)


# --- ISR: testISRatios.R and testISRates.R ----------------------------------------------------


def isr_data() -> pl.DataFrame:
    return read("testdata_multiarea_isr.csv")


ISR_COLUMNS = ["area", "observed", "expected", "value", "method"]


def test_isr_default_matches_the_package() -> None:
    # "test default with own ref data by col name" (refpoptype = "field").
    result = isr(
        isr_data(), count="count", population="pop", reference_count="refcount",
        reference_population="refpop", group=["area"],
    )  # fmt: skip
    expected = isr_results(slice(6, 9)).rename({"lower95_0cl": "lowercl", "upper95_0cl": "uppercl"})
    assert_same(result, expected, [*ISR_COLUMNS, "lowercl", "uppercl", "statistic"])
    assert result["method"].to_list() == ["Byars", "Byars", "Exact"]


def test_isr_with_a_reference_table_by_age_band_matches_the_package() -> None:
    # "test default" (refpoptype = "vector"): the reference joined on the age band; the
    # workbook's refdata has the same "55-69" label for 55-59 as the areas.
    reference = read("refdata.csv").rename({"Age Band": "ageband"})
    frame = isr_data().drop("refcount", "refpop").join(reference, on="ageband", how="left")
    result = isr(
        frame, count="count", population="pop", reference_count="refcount",
        reference_population="refpop", group=["area"], confidence=(0.95, 0.998),
    )  # fmt: skip
    limits = ["lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"]
    assert_same(result, isr_results(slice(6, 9)), [*ISR_COLUMNS, *limits, "statistic"])
    assert result["confidence"].to_list() == ["95%, 99.8%"] * 3


def test_isr_times_100_matches_the_package() -> None:
    # "test refvalue".
    result = isr(
        isr_data(), count="count", population="pop", reference_count="refcount",
        reference_population="refpop", group=["area"], multiplier=100,
    )  # fmt: skip
    expected = isr_results(slice(9, 12)).rename(
        {"lower95_0cl": "lowercl", "upper95_0cl": "uppercl"}
    )
    assert_same(result, expected, [*ISR_COLUMNS, "lowercl", "uppercl", "statistic"])


def test_isr_with_observed_totals_matches_the_package() -> None:
    # "test default with observed_totals".
    result = isr(
        isr_data().drop("count"), count=None, population="pop", reference_count="refcount",
        reference_population="refpop", group=["area"],
        observed_totals=read("testdata_multiarea_lookup.csv"), observed="total_count",
    )  # fmt: skip
    expected = isr_results(slice(6, 9)).rename({"lower95_0cl": "lowercl", "upper95_0cl": "uppercl"})
    assert_same(result, expected, [*ISR_COLUMNS, "lowercl", "uppercl"])


def test_isr_with_a_population_of_zero_in_a_band_matches_the_package() -> None:
    # "test n = 0": testdata_err2, Area1 has no people in its second band.
    reference = read("refdata.csv")
    frame = read("testdata_err2.csv").with_columns(
        pl.Series("refcount", reference["refcount"].to_list() * 2),
        pl.Series("refpop", reference["refpop"].to_list() * 2),
    )
    result = isr(
        frame, count="count", population="pop", reference_count="refcount",
        reference_population="refpop", group=["area"], multiplier=100,
    )  # fmt: skip
    expected = isr_results(slice(14, 16)).rename(
        {"lower95_0cl": "lowercl", "upper95_0cl": "uppercl"}
    )
    assert_same(result, expected, [*ISR_COLUMNS, "lowercl", "uppercl"])


def test_isr_missing_reference_count_is_zero() -> None:
    # "test ref as specified vector": an NA reference count counts as 0 events.
    frame = isr_data().with_columns(
        pl.when(pl.col("refcount") == 0).then(None).otherwise(pl.col("refcount")).alias("refcount")
    )
    result = isr(
        frame, count="count", population="pop", reference_count="refcount",
        reference_population="refpop", group=["area"],
    )  # fmt: skip
    assert_close(result["value"], isr_results(slice(6, 9))["value"])


def test_indirectly_standardised_rate_matches_the_package() -> None:
    # testISRates.R "test full output with 2 CIs": per 100,000, with the reference rate.
    result = isr(
        isr_data(), count="count", population="pop", reference_count="refcount",
        reference_population="refpop", group=["area"], statistic="rate",
        confidence=(0.95, 0.998),
    )  # fmt: skip
    limits = ["lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"]
    assert_same(result, isr_results(slice(0, 3)), [*ISR_COLUMNS, "ref_rate", *limits, "statistic"])


def test_isr_by_hand() -> None:
    # 3 and 9 events in 100 and 200 people; reference rates 1 % and 2 %: 5 expected, 12
    # observed. Ratio 2.4; Byar's interval for 12 events divided by 5.
    rows = pl.DataFrame(
        {"o": [3.0, 9.0], "n": [100.0, 200.0], "ro": [1.0, 2.0], "rn": [100.0, 100.0]}
    )
    result = isr(rows, count="o", population="n", reference_count="ro", reference_population="rn")
    z = 1.959963984540054
    lower = 12 * (1 - 1 / 108 - z / (3 * math.sqrt(12))) ** 3
    assert result["value"][0] == pytest.approx(2.4, rel=1e-14)
    assert result["lowercl"][0] == pytest.approx(lower / 5, rel=1e-12)


def test_isr_below_ten_events_uses_the_exact_interval() -> None:
    rows = pl.DataFrame({"o": [0.0], "n": [100.0], "ro": [1.0], "rn": [100.0]})
    result = isr(rows, count="o", population="n", reference_count="ro", reference_population="rn")
    assert result["value"][0] == 0.0
    assert result["lowercl"][0] == 0.0
    # qchisq(0.975, 2) / 2 = -log(0.025) = 3.6889 events, over 1 expected.
    assert result["uppercl"][0] == pytest.approx(-math.log(0.025), rel=1e-12)
    assert result["method"][0] == "Exact"


def test_isr_refuses_groups_of_different_sizes() -> None:
    frame = isr_data().filter(pl.col("count") < 100)
    with pytest.raises(StandardisedInputError, match="same number of rows"):
        isr(
            frame, count="count", population="pop", reference_count="refcount",
            reference_population="refpop", group=["area"],
        )  # fmt: skip


def test_isr_refuses_a_reference_population_of_zero() -> None:
    frame = isr_data().with_columns(pl.col("refpop").replace(50520, 0))
    with pytest.raises(StandardisedInputError, match="reference population must be greater"):
        isr(
            frame, count="count", population="pop", reference_count="refcount",
            reference_population="refpop", group=["area"],
        )  # fmt: skip


# --- properties worked by hand -----------------------------------------------------------------


def test_dsr_of_the_same_rate_in_every_band_is_that_rate() -> None:
    # 2 per 1,000 in every band, whatever the populations: the standardised rate is 2 per 1,000.
    rng = np.random.default_rng(18)
    people = rng.integers(1_000, 50_000, size=19).astype(float) * 5
    frame = pl.DataFrame({"x": people * 0.002, "n": people, "w": np.array(ESP, dtype=float)})
    result = dsr(frame, count="x", population="n", standard="w", multiplier=1000)
    assert result["value"][0] == pytest.approx(2.0, rel=1e-13)
    assert result["lowercl"][0] < 2.0 < result["uppercl"][0]


def test_isr_of_the_reference_against_itself_is_one() -> None:
    frame = read("refdata.csv").with_columns(
        pl.col("refcount").alias("count"), pl.col("refpop").alias("pop")
    )
    result = isr(
        frame, count="count", population="pop", reference_count="refcount",
        reference_population="refpop",
    )  # fmt: skip
    assert result["value"][0] == pytest.approx(1.0, rel=1e-14)
    assert result["lowercl"][0] < 1.0 < result["uppercl"][0]


def test_groups_of_a_standard_of_ones_own_must_have_the_same_bands() -> None:
    frame = pl.DataFrame({"area": ["A", "A", "B", "B"], "band": ["young", "old", "young", "aged"]})
    with pytest.raises(StandardisedInputError, match="no row for the age band old in area 'B'"):
        check_bands(frame, age_band="band", group=["area"])
    frame = pl.DataFrame(
        {"area": ["A", "A", "B", "B", "B"], "band": ["young", "old", "young", "old", "aged"]}
    )
    with pytest.raises(StandardisedInputError, match="the first group has no such") as error:
        check_bands(frame, age_band="band", group=["area"])
    assert error.value.index == 4
