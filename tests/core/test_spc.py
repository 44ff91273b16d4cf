"""XmR statistical process control, checked against NHSRplotthedots 0.2.

Expected values come from the R package's own tests, snapshots and vignettes
(each cited by file and line, in the nhs-r-community/NHSRplotthedots
repository at its 0.2 release, the same calculations as CRAN 0.2.0), and from
fixtures in ``tests/core/data/spc`` made by running the package's calculation
functions (``ptd_spc_standard``, ``ptd_calculate_point_type``,
``ptd_add_short_group_warnings``, ``ptd_calculate_assurance_type`` and the
``summary()`` method of CRAN 0.2.0) under R 4.2.2:

* ``ae_expected.csv``: the NHS A&E example data (``examples/nhs_ae``), the
  scenarios of the package's ``test-integration_tests.R`` (all of England's
  attendances, with and without a rebase in April 2017; 4-hour performance
  fixed after 12 points; RL4's performance by department type) plus every
  type-1 provider's 4-hour performance (target 95%) and breaches (improvement
  down, target 2000);
* ``synthetic_input.csv`` / ``synthetic_expected.csv``: 150 short series built
  to hit ties, runs, trends, outliers, constant stretches, one-point baselines
  and rebases, under four option sets.

The fixtures keep one row per series and baseline: the mean, limits and mean
moving range as R printed them (17 significant digits), the point types as a
string of one-letter codes in date order (``POINT_CODES``), and R's summary.
"""

from __future__ import annotations

import itertools
import math
import statistics
import warnings
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pmf.core.spc import (
    POINT_COLUMNS,
    SpcInputError,
    SpcOptions,
    SpcTrialLimitsWarning,
    spc_points,
    spc_summary,
)

pytestmark = pytest.mark.filterwarnings("ignore::pmf.core.spc.SpcTrialLimitsWarning")

DATA = Path(__file__).parent / "data" / "spc"
AE_CSV = Path(__file__).parents[2] / "examples" / "nhs_ae" / "data" / "ae_attendances.csv"
POINT_CODES = {
    "c": "common_cause",
    "I": "special_cause_improvement",
    "C": "special_cause_concern",
    "H": "special_cause_neutral_high",
    "L": "special_cause_neutral_low",
}
IMPROVE = SpcOptions(improvement="increase")


def series(
    values: Sequence[float], *, start: date = date(2021, 1, 1), **columns: object
) -> pl.DataFrame:
    """Make a frame of one daily series, with any extra columns given."""
    dates = [start + timedelta(days=i) for i in range(len(values))]
    return pl.DataFrame({"date": dates, "value": [float(v) for v in values], **columns})


def points(values: Sequence[float], **options: object) -> pl.DataFrame:
    """Run spc_points on one series with the given options."""
    return spc_points(series(values), options=SpcOptions(**options))  # type: ignore[arg-type]


def close_to(actual: float | None, expected: float | None, tolerance: float = 1e-9) -> bool:
    """Say whether two numbers agree to a relative (or, near zero, absolute) tolerance."""
    if actual is None or expected is None:
        return actual is expected
    return abs(actual - expected) <= tolerance * max(1.0, abs(expected))


def r_number(text: str) -> float | None:
    """Read a number as R wrote it (NA for missing, NaN for an undefined mean)."""
    return None if text in ("NA", "NaN") else float(text)


# A fixed baseline: 20 points alternating about 0, so mean 0, mean moving range 2, limits
# ±5.32 and two-sigma lines ±3.5467. Points after it are judged against it, not counted in it.
def after_baseline(pattern: Sequence[float], **options: object) -> pl.DataFrame:
    """Judge ``pattern`` against a fixed alternating baseline; return its rows only."""
    first = -1.0 if pattern and pattern[0] > 0 else 1.0  # the baseline ends opposite
    baseline = [first * (-1.0) ** (i + 1) for i in range(20)]
    result = points([*baseline, *pattern], fix_after_n_points=20, **options)
    assert result["mean"][0] == 0.0
    assert close_to(result["upl"][0], 5.32)
    return result.slice(20)


ABOVE, BELOW, NEAR_UPPER, NEAR_LOWER = 1.0, -1.0, 4.5, -4.5


def two_in_three_pattern(close: list[int], side: list[int]) -> list[float]:
    """Turn R's (close_to_limits, relative_to_mean) test vectors into values."""
    return [(4.5 if near else 1.0) * s for near, s in zip(close, side, strict=True)]


# --- golden values from the package's vignettes, tests and snapshots -------------------------

# vignettes/deviations.Rmd lines 57-58 (R package default) and 77-79 (screen_outliers = FALSE)
DEVIATIONS_DATA = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def test_deviations_vignette_screened_limits_match_the_caption() -> None:
    # Caption: "upper process limit as 4.6, the mean as 1.94 and the lower process limit as
    # -0.72"; one special-cause improvement point (the 10), the rest common cause.
    result = points(DEVIATIONS_DATA, improvement="increase")
    row = result.row(0, named=True)
    assert (round(row["upl"], 2), round(row["mean"], 2), round(row["lpl"], 2)) == (4.6, 1.94, -0.72)
    # The moving ranges 8 and 9 are above 3.267 x 32/17, so the mean moving range is 15/15.
    assert row["mean_moving_range"] == 1.0
    assert row["mean"] == 35 / 18
    assert (
        result["point_type"].to_list()
        == ["common_cause"] * 4 + ["special_cause_improvement"] + ["common_cause"] * 13
    )


def test_deviations_vignette_unscreened_limits_reproduce_the_excel_tool() -> None:
    # Caption: "upper process limit as 6.95, the mean as 1.94 and the lower process limit as
    # -3.06" with screen_outliers = FALSE, as the Making Data Count Excel tool computes.
    result = points(DEVIATIONS_DATA, improvement="increase", screen_outliers=False)
    row = result.row(0, named=True)
    assert (round(row["upl"], 2), round(row["mean"], 2), round(row["lpl"], 2)) == (
        6.95,
        1.94,
        -3.06,
    )
    assert row["mean_moving_range"] == 32 / 17
    assert result["point_type"][4] == "special_cause_improvement"


# set.seed(123); rnorm(20), as used by tests/testthat/test-ptd_spc_standard.R line 4-10 and
# test-ptd_spc.R lines 4-8 (printed by R 4.2.2 to 17 significant digits).
RNORM_20 = [
    -0.5604756465522126,
    -0.23017748948327996,
    1.558708314149124,
    0.070508391424576003,
    0.12928773516094624,
    1.715064986883281,
    0.4609162059892023,
    -1.265061234606534,
    -0.68685285189352607,
    -0.44566197009995806,
    1.2240817974394615,
    0.35981382705736381,
    0.40077145059405217,
    0.11068271594511971,
    -0.55584113475407493,
    1.7869131368030782,
    0.49785047822923939,
    -1.9666171566296382,
    0.70135590156368555,
    -0.47279140772793404,
]


def test_spc_standard_snapshot_values() -> None:
    # tests/testthat/test-ptd_spc_standard.R lines 19-32; expected values in
    # tests/testthat/_snaps/ptd_spc_standard.md lines 14-18 (r1), 34-36 (r2), 54-56 (r3).
    r1 = spc_points(series(RNORM_20, start=date(2020, 1, 2)))
    assert round(r1["mean"][0], 7) == 0.1416238
    assert round(r1["lpl"][0], 5) == -3.01138
    assert round(r1["upl"][0], 6) == 3.294627
    side = (r1["value"] - r1["mean"]).sign().cast(pl.Int64).to_list()
    assert side[:15] == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1]
    assert not r1["outside_limits"].any()

    outlier = RNORM_20.copy()
    outlier[14] = 10.0  # data$y[15] <- 10
    r2 = spc_points(series(outlier, start=date(2020, 1, 2)))
    assert round(r2["mean"][0], 7) == 0.6694159
    assert round(r2["lpl"][0], 6) == -2.383666
    assert round(r2["upl"][0], 6) == 3.722497
    r3 = spc_points(
        series(outlier, start=date(2020, 1, 2)), options=SpcOptions(screen_outliers=False)
    )
    assert round(r3["lpl"][0], 6) == -4.596625
    assert round(r3["upl"][0], 6) == 5.935457
    assert r3["upl"][0] - r3["lpl"][0] > r2["upl"][0] - r2["lpl"][0]


def test_summary_snapshot_with_and_without_facets() -> None:
    # tests/testthat/test-ptd_spc.R, test "it outputs expected content" (summary() section);
    # expected in tests/testthat/_snaps/ptd_spc.md lines 18 (no facet) and 58-59 (facets 0, 1).
    frame = series(RNORM_20, start=date(2020, 1, 2), facet=[0] * 10 + [1] * 10)
    whole = spc_summary(spc_points(frame, options=IMPROVE), options=IMPROVE)
    assert whole.select(
        pl.col("mean").round(3), pl.col("lpl").round(2), pl.col("upl").round(2), "n", "common_cause"
    ).row(0) == (0.142, -3.01, 3.29, 20, 20)
    assert whole["special_cause_improvement"][0] == 0
    faceted = spc_summary(spc_points(frame, group="facet", options=IMPROVE), options=IMPROVE)
    assert faceted.select(
        "group", pl.col("mean").round(4), pl.col("lpl").round(2), pl.col("upl").round(2), "n"
    ).rows() == [(0, 0.0746, -2.60, 2.75, 10), (1, 0.2086, -3.28, 3.70, 10)]
    assert faceted["common_cause"].to_list() == [10, 10]
    assert faceted["variation_type"].to_list() == ["common_cause", "common_cause"]


def test_two_points_near_opposite_limits_are_common_cause() -> None:
    # tests/testthat/test-ptd_spc_standard.R lines 97-114 (issue #143).
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    result = points(values, improvement="increase")
    assert result["point_type"].tail(2).to_list() == ["common_cause", "common_cause"]


def test_decreasing_trend_is_flagged_like_an_increasing_one() -> None:
    # Issue #167 (fixed in 0.2): y = 0:7 and y = 0:-7. The end points are outside the limits
    # (mean 3.5 ± 2.66), the rest are a trend whose direction sets the point type.
    up = points(list(range(8)), improvement="increase")
    assert (
        up["point_type"].to_list() == ["special_cause_concern"] + ["special_cause_improvement"] * 7
    )
    down = points([-v for v in range(8)], improvement="increase")
    assert (
        down["point_type"].to_list()
        == ["special_cause_improvement"] + ["special_cause_concern"] * 7
    )
    assert up["trend"].all() and down["trend"].all()


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # tests/testthat/test-ptd_calculate_point_type.R lines 79-97 and 100-126:
        # ptd_part_of_seven_trend(ptd_seven_point_one_side_mean(relative_to_mean))
        ([ABOVE] * 6, [False] * 6),
        ([ABOVE] * 6 + [BELOW], [False] * 7),
        ([ABOVE] * 8 + [BELOW], [True] * 8 + [False]),
        ([BELOW] * 8 + [ABOVE], [True] * 8 + [False]),
    ],
)
def test_run_flags_match_r_helper_tests(pattern: list[float], expected: list[bool]) -> None:
    assert after_baseline(pattern)["run"].to_list() == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # tests/testthat/test-ptd_calculate_point_type.R lines 129-150:
        # ptd_part_of_seven_trend(ptd_seven_point_trend(y))
        ([1, 2, 3, 4, 5, 6], [False] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [False] * 7),
        ([1, 2, 3, 4, 5, 6, 7], [True] * 7),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [False] + [True] * 7 + [False]),
        ([7, 6, 5, 4, 3, 2, 1], [True] * 7),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [False] + [True] * 7 + [False]),
    ],
)
def test_trend_flags_match_r_helper_tests(values: list[float], expected: list[bool]) -> None:
    assert points(values)["trend"].to_list() == expected


@pytest.mark.parametrize(
    ("close", "side", "expected"),
    [
        # tests/testthat/test-ptd_calculate_point_type.R lines 190-244:
        # ptd_part_of_two_in_three(ptd_two_in_three(close, rtm), close)
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        # lines 174-187 (issue #143): the three points must be on one side of the mean
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([1, 1, 0], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_two_in_three_flags_match_r_helper_tests(
    close: list[int], side: list[int], expected: list[int]
) -> None:
    flags = after_baseline(two_in_three_pattern(close, side))["two_in_three"].to_list()
    assert flags == [bool(e) for e in expected]


@pytest.mark.parametrize(
    ("lpl", "upl", "improvement", "expected"),
    [
        # tests/testthat/test-ptd_calculate_assurance_type.R lines 16-31 (increase),
        # 33-48 (decrease) and 50-65 (neutral); target 4 in each case.
        (1.0, 3.0, "increase", "consistent_fail"),
        (5.0, 7.0, "increase", "consistent_pass"),
        (1.0, 5.0, "increase", "inconsistent"),
        (1.0, 3.0, "decrease", "consistent_pass"),
        (5.0, 7.0, "decrease", "consistent_fail"),
        (1.0, 5.0, "decrease", "inconsistent"),
        (1.0, 3.0, "neutral", None),
        (5.0, 7.0, "neutral", None),
    ],
)
def test_assurance_compares_target_with_the_limits(
    lpl: float, upl: float, improvement: str, expected: str | None
) -> None:
    frame = points_frame(lpl=lpl, upl=upl)
    options = SpcOptions(improvement=improvement)  # type: ignore[arg-type]
    assert spc_summary(frame, target=4.0, options=options)["assurance_type"][0] == expected


def test_assurance_is_inconsistent_when_the_target_is_on_a_limit() -> None:
    # R's case_when tests target > upl and target < lpl strictly.
    frame = points_frame(lpl=1.0, upl=4.0)
    assert spc_summary(frame, target=4.0, options=IMPROVE)["assurance_type"][0] == "inconsistent"


def points_frame(*, lpl: float, upl: float, group: str = "a") -> pl.DataFrame:
    """Make a one-point points frame with the given limits, as spc_points would."""
    return pl.DataFrame(
        {
            "group": [group],
            "date": [date(2020, 1, 1)],
            "value": [(lpl + upl) / 2],
            "rebase_group": [0],
            "mean": [(lpl + upl) / 2],
            "lpl": [lpl],
            "upl": [upl],
            "moving_range": [None],
            "mean_moving_range": [(upl - lpl) / 5.32],
            "outside_limits": [False],
            "run": [False],
            "trend": [False],
            "two_in_three": [False],
            "point_type": ["common_cause"],
            "trial_limits": [True],
        },
        schema_overrides={"moving_range": pl.Float64},
    )


def test_trial_limits_follow_the_r_threshold() -> None:
    # R/ptd_add_short_group_warnings.R: short_group_warning = n() < warning_threshold, whose
    # default is getOption("ptd_spc.warning_threshold", 13) although its message says
    # "n < 12"; tests/testthat/test-ptd_add_short_group_warnings.R lines 56-73 pass 12.
    assert points([1, 2] * 6)["trial_limits"].all()  # 12 points
    assert not points([1, 2] * 6 + [1])["trial_limits"].any()  # 13 points
    assert points([1, 2] * 5 + [1], minimum_points=12)["trial_limits"].all()  # 11 points
    assert not points([1, 2] * 6, minimum_points=12)["trial_limits"].any()  # 12 points


def test_short_baselines_warn_once() -> None:
    with pytest.warns(SpcTrialLimitsWarning, match="fewer than 13 points"):
        points([1, 2, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        points(list(range(13)))


# --- golden fixtures ---------------------------------------------------------------------------


def compare_with_fixture(ours: pl.DataFrame, summary: pl.DataFrame, expected: pl.DataFrame) -> None:
    """Check every baseline of ``ours`` (and its summary) against R's fixture rows."""
    baselines = (
        ours.group_by("group", "rebase_group", maintain_order=True)
        .agg(
            pl.col("mean").first(),
            pl.col("lpl").first(),
            pl.col("upl").first(),
            pl.col("mean_moving_range").first(),
            pl.col("trial_limits").first(),
            pl.col("point_type"),
        )
        .with_columns(pl.col("group").cast(pl.String))
    )
    summary = summary.with_columns(pl.col("group").cast(pl.String))
    assert baselines.height == expected.height
    for ours_row, row, summary_row in zip(
        baselines.iter_rows(named=True),
        expected.iter_rows(named=True),
        summary.iter_rows(named=True),
        strict=True,
    ):
        where = (row["group"], row["rebase_group"])
        assert (ours_row["group"], str(ours_row["rebase_group"])) == where
        for column in ("mean", "lpl", "upl", "mean_moving_range"):
            assert close_to(ours_row[column], r_number(row[column])), (where, column)
        assert ours_row["trial_limits"] == (row["trial_limits"] == "TRUE"), where
        assert ours_row["point_type"] == [POINT_CODES[c] for c in row["point_types"]], where
        assert summary_row["n"] == int(row["n"])
        assert summary_row["variation_type"] == row["variation_type"], where
        assert summary_row["common_cause"] == int(row["common_cause"])
        assert summary_row["special_cause_improvement"] == int(row["special_cause_improvement"])
        assert summary_row["special_cause_concern"] == int(row["special_cause_concern"])
        expected_assurance = None if row["assurance_type"] == "NA" else row["assurance_type"]
        assert summary_row["assurance_type"] == expected_assurance, where


SYNTHETIC_CONFIGS = [
    ("fix=NA;improvement=increase;screen=1", SpcOptions(improvement="increase")),
    (
        "fix=NA;improvement=decrease;screen=0",
        SpcOptions(improvement="decrease", screen_outliers=False),
    ),
    (
        "fix=12;improvement=neutral;screen=1",
        SpcOptions(improvement="neutral", fix_after_n_points=12),
    ),
    (
        "fix=13;improvement=increase;screen=0",
        SpcOptions(improvement="increase", fix_after_n_points=13, screen_outliers=False),
    ),
]


@pytest.mark.parametrize(("config", "options"), SYNTHETIC_CONFIGS)
def test_synthetic_series_match_r(config: str, options: SpcOptions) -> None:
    frame = pl.read_csv(DATA / "synthetic_input.csv", try_parse_dates=True)
    # Hand the rows over shuffled: the result must not depend on the input order.
    frame = frame.sample(fraction=1.0, shuffle=True, seed=7)
    expected = pl.read_csv(DATA / "synthetic_expected.csv", infer_schema_length=0).filter(
        pl.col("config") == config
    )
    ours = spc_points(frame, group="group", rebase="rebase", target="target", options=options)
    summary = spc_summary(ours, options=options, all_rebase_groups=True)
    compare_with_fixture(ours, summary, expected)


def ae_frames() -> dict[str, tuple[pl.DataFrame, dict[str, object], SpcOptions, float | None]]:
    """Rebuild the inputs of the A&E fixture scenarios from the example data."""
    ae = pl.read_csv(AE_CSV, try_parse_dates=True, schema_overrides={"type": pl.String})
    performance = (1 - pl.col("breaches") / pl.col("attendances")).alias("value")
    england = (
        ae.group_by("period")
        .agg(pl.col("attendances", "breaches").sum())
        .with_columns(performance, pl.lit("all").alias("group"))
        .rename({"period": "date"})
    )
    rl4 = (
        ae.filter(pl.col("org_code") == "RL4")
        .group_by("period", "type")
        .agg(pl.col("attendances", "breaches").sum())
        .with_columns(performance)
        .rename({"period": "date", "type": "group"})
    )
    type1 = ae.filter(pl.col("type") == "1").rename({"period": "date", "org_code": "group"})
    rebased = england.with_columns((pl.col("date") == date(2017, 4, 1)).alias("rebase"))
    attendances = pl.col("attendances").cast(pl.Float64).alias("value")
    return {
        "all_attendances": (england.with_columns(attendances), {}, IMPROVE, None),
        "all_attendances_rebase": (
            rebased.with_columns(attendances),
            {"rebase": "rebase"},
            IMPROVE,
            None,
        ),
        "all_performance_fix12": (
            england,
            {},
            SpcOptions(improvement="increase", fix_after_n_points=12),
            0.95,
        ),
        "rl4_performance_by_type": (rl4, {}, IMPROVE, 0.95),
        "type1_performance": (type1.with_columns(performance), {}, IMPROVE, 0.95),
        "type1_breaches_decrease": (
            type1.with_columns(pl.col("breaches").alias("value")),
            {},
            SpcOptions(improvement="decrease"),
            2000.0,
        ),
    }


@pytest.mark.parametrize(
    "scenario",
    [
        "all_attendances",
        "all_attendances_rebase",
        "all_performance_fix12",
        "rl4_performance_by_type",
        "type1_performance",
        "type1_breaches_decrease",
    ],
)
def test_nhs_ae_data_matches_r(scenario: str) -> None:
    frame, columns, options, target = ae_frames()[scenario]
    expected = pl.read_csv(DATA / "ae_expected.csv", infer_schema_length=0).filter(
        pl.col("scenario") == scenario
    )
    ours = spc_points(frame, group="group", options=options, **columns)  # type: ignore[arg-type]
    summary = spc_summary(ours, target=target, options=options, all_rebase_groups=True)
    compare_with_fixture(ours, summary, expected)


def test_nhs_ae_england_attendances_are_exactly_rs_numbers() -> None:
    # Integer data: sums are exact, so the mean and limits are bit for bit R's.
    frame, _, options, _ = ae_frames()["all_attendances"]
    row = spc_points(frame, group="group", options=options).row(0, named=True)
    assert row["mean"] == 2000538.9444444445
    assert row["lpl"] == 1731844.3644444444
    assert row["upl"] == 2269233.5244444446
    assert row["mean_moving_range"] == 101013.0


# --- a provider by hand ------------------------------------------------------------------------


def rl4_type1() -> pl.DataFrame:
    """Give RL4's monthly type-1 4-hour performance (share of attendances within 4 hours)."""
    ae = pl.read_csv(AE_CSV, try_parse_dates=True, schema_overrides={"type": pl.String})
    return (
        ae.filter((pl.col("org_code") == "RL4") & (pl.col("type") == "1"))
        .select(
            pl.col("period").alias("date"),
            (1 - pl.col("breaches") / pl.col("attendances")).alias("value"),
        )
        .sort("date")
    )


def test_provider_four_hour_performance_worked_by_hand() -> None:
    frame = rl4_type1()
    values = frame["value"].to_list()
    assert len(values) == 36  # April 2016 to March 2019
    # By hand: the mean, the moving ranges, and no range above 3.267 x their mean to screen.
    mean = math.fsum(values) / len(values)
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    mean_range = statistics.fmean(ranges)
    assert max(ranges) < 3.267 * mean_range
    result = spc_points(frame, options=IMPROVE)
    row = result.row(0, named=True)
    assert close_to(row["mean"], mean, 1e-12)
    assert close_to(row["mean_moving_range"], mean_range, 1e-12)
    assert close_to(row["upl"], mean + 2.66 * mean_range, 1e-12)
    assert close_to(row["lpl"], mean - 2.66 * mean_range, 1e-12)
    assert (round(row["mean"], 4), round(row["lpl"], 4), round(row["upl"], 4)) == (
        0.8465,
        0.7606,
        0.9325,
    )
    labelled = dict(zip(result["date"].to_list(), result["point_type"].to_list(), strict=True))
    special = {d: t for d, t in labelled.items() if t != "common_cause"}
    # March to October 2017: eight months in a row above the mean, all flagged.
    run = [date(2017, m, 1) for m in range(3, 11)]
    assert all(values[12 + i - 1] > mean for i in range(8))
    assert all(special.pop(d) == "special_cause_improvement" for d in run)
    # Winter 2017/18: January and March 2018 below the lower limit; December 2017 and
    # February 2018 (0.7608, just above the 0.7606 limit) beyond the two-sigma line, two of
    # three on the low side.
    winter = {
        date(2017, 12, 1): "two_in_three",
        date(2018, 1, 1): "outside_limits",
        date(2018, 2, 1): "two_in_three",
        date(2018, 3, 1): "outside_limits",
    }
    for month, rule in winter.items():
        assert special.pop(month) == "special_cause_concern"
        assert result.filter(pl.col("date") == month)[rule].item()
    assert special == {}
    summary = spc_summary(result, target=0.95, options=IMPROVE)
    assert summary.select("n", "variation_type", "assurance_type").row(0) == (
        36,
        "common_cause",
        "consistent_fail",  # a 95% target is above the upper limit
    )


# --- each rule on its own ----------------------------------------------------------------------


def test_point_above_upper_limit_is_special_cause() -> None:
    result = after_baseline([ABOVE, 6.0, BELOW], improvement="increase")
    assert result["outside_limits"].to_list() == [False, True, False]
    assert result["point_type"].to_list() == [
        "common_cause",
        "special_cause_improvement",
        "common_cause",
    ]


def test_point_below_lower_limit_is_concern_when_higher_is_better() -> None:
    result = after_baseline([-6.0], improvement="increase")
    assert result["point_type"].to_list() == ["special_cause_concern"]


def test_run_of_seven_below_mean_is_special_cause() -> None:
    result = after_baseline([BELOW] * 7 + [ABOVE], improvement="increase")
    assert result["run"].to_list() == [True] * 7 + [False]
    assert result["point_type"].to_list() == ["special_cause_concern"] * 7 + ["common_cause"]


def test_run_of_six_is_not_special_cause() -> None:
    result = after_baseline([BELOW] * 6 + [ABOVE], improvement="increase")
    assert not result["run"].any()
    assert set(result["point_type"]) == {"common_cause"}


def test_point_on_the_mean_breaks_a_run() -> None:
    result = after_baseline([BELOW] * 4 + [0.0] + [BELOW] * 4)
    assert not result["run"].any()
    longer = after_baseline([BELOW] * 4 + [0.0] + [BELOW] * 7)
    assert longer["run"].to_list() == [False] * 5 + [True] * 7


def test_run_length_option_changes_the_rule() -> None:
    assert after_baseline([BELOW] * 6 + [ABOVE], run_length=6)["run"].sum() == 6


def test_trend_of_seven_increasing_flags_every_point() -> None:
    result = after_baseline([-3.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0], improvement="increase")
    assert result["trend"].all()
    assert set(result["point_type"]) == {"special_cause_improvement"}


def test_tie_breaks_a_trend() -> None:
    result = after_baseline([-3.0, -2.0, -1.0, -1.0, 0.5, 1.0, 2.0])
    assert not result["trend"].any()


def test_trend_of_six_is_not_special_cause() -> None:
    assert not after_baseline([-3.0, -2.0, -1.0, 0.5, 1.0, 2.0])["trend"].any()


def test_trend_length_option_changes_the_rule() -> None:
    assert after_baseline([-3.0, -2.0, -1.0, 0.5, 1.0, 2.0], trend_length=6)["trend"].all()


def test_trend_takes_its_own_direction_across_the_mean() -> None:
    # Issue #171 (fixed in 0.2): a falling trend is a concern even above the mean.
    result = after_baseline([3.0, 2.5, 2.0, 1.5, 1.0, 0.5, -0.5], improvement="increase")
    assert result["trend"].all()
    assert set(result["point_type"]) == {"special_cause_concern"}


def test_point_shared_by_rising_and_falling_trends_takes_the_later_direction() -> None:
    # R's sdy: a trend point whose next point is also in a trend takes the next step's sign.
    rise_then_fall = [-3.0, -2.0, -1.0, 0.5, 1.0, 2.0, 3.0, 2.0, 1.0, 0.5, -1.0, -2.0, -3.0]
    result = after_baseline(rise_then_fall, improvement="increase")
    assert result["trend"].all()
    types = result["point_type"].to_list()
    assert types[:6] == ["special_cause_improvement"] * 6
    assert types[6:] == ["special_cause_concern"] * 7  # the peak is read as falling


def test_two_of_three_beyond_two_sigma_on_one_side_is_special_cause() -> None:
    result = after_baseline([NEAR_UPPER, ABOVE, NEAR_UPPER], improvement="decrease")
    assert result["two_in_three"].to_list() == [True, False, True]
    assert result["point_type"].to_list() == [
        "special_cause_concern",
        "common_cause",
        "special_cause_concern",
    ]


def test_two_in_three_counts_only_points_between_two_sigma_and_the_limit() -> None:
    # Issue #153: beyond 3 sigma, beyond 3 sigma, then between 2 and 3 sigma; the last point
    # is the only one in the band, so it is not flagged.
    result = after_baseline([6.0, 6.0, NEAR_UPPER])
    assert result["outside_limits"].to_list() == [True, True, False]
    assert result["two_in_three"].to_list() == [False, False, False]


def test_two_in_three_rule_can_be_switched_off() -> None:
    result = after_baseline([NEAR_UPPER, ABOVE, NEAR_UPPER], two_in_three=False)
    assert not result["two_in_three"].any()
    assert set(result["point_type"]) == {"common_cause"}


def test_neutral_direction_labels_high_and_low() -> None:
    result = after_baseline([6.0, BELOW, -6.0], improvement="neutral")
    assert result["point_type"].to_list() == [
        "special_cause_neutral_high",
        "common_cause",
        "special_cause_neutral_low",
    ]


def test_trend_outranks_two_in_three_and_run() -> None:
    # Seven rising points all below the mean, the first two beyond the two-sigma line: a run
    # and a two-in-three say concern, the trend says improvement, and the trend comes first.
    result = after_baseline([-5.0, -4.0, -3.0, -2.5, -2.0, -1.5, -1.0], improvement="increase")
    assert result["trend"].all() and result["run"].all()
    assert result["two_in_three"].to_list() == [True, True] + [False] * 5
    assert set(result["point_type"]) == {"special_cause_improvement"}


def test_outside_limits_outranks_a_trend() -> None:
    # R's order: outside the limits, then trend, then two-in-three, then run.
    result = points([0, 1, 2, 3, 4, 5, 6, 7], improvement="decrease")
    assert result["outside_limits"].to_list() == [True] + [False] * 6 + [True]
    assert result["point_type"][0] == "special_cause_improvement"  # below the lower limit
    assert result["point_type"].to_list()[1:] == ["special_cause_concern"] * 7


# --- screening, fixing and rebasing ------------------------------------------------------------


def test_screening_drops_large_moving_ranges_from_the_limits() -> None:
    values = [10.0, 11.0] * 10
    values[10] = 40.0
    screened = points(values)
    unscreened = points(values, screen_outliers=False)
    assert screened["mean_moving_range"][0] == 1.0
    assert unscreened["mean_moving_range"][0] == (1.0 * 17 + 29.0 + 29.0) / 19
    assert screened["mean"][0] == unscreened["mean"][0]
    assert screened["upl"][0] < unscreened["upl"][0]
    assert screened["moving_range"].to_list()[9:12] == [1.0, 29.0, 29.0]


def test_screen_multiplier_option_is_used() -> None:
    values = [10.0, 11.0] * 10
    values[10] = 40.0
    assert points(values, screen_multiplier=100.0)["mean_moving_range"][0] == (17 + 58) / 19


def test_constant_series_has_no_limits_when_screened() -> None:
    # R: every moving range is 0, none is below 3.267 x 0, and the mean of none is NaN.
    result = points([5.0] * 15)
    assert result["upl"].null_count() == 15 and result["mean_moving_range"].null_count() == 15
    assert result["outside_limits"].null_count() == 15
    assert set(result["point_type"]) == {"common_cause"}
    unscreened = points([5.0] * 15, screen_outliers=False)
    assert unscreened["upl"][0] == unscreened["lpl"][0] == 5.0
    assert not unscreened["outside_limits"].any()


def test_single_point_has_no_limits() -> None:
    result = points([3.0])
    assert result.select("mean", "lpl", "upl", "moving_range", "trial_limits").row(0) == (
        3.0,
        None,
        None,
        None,
        True,
    )
    assert result["point_type"][0] == "common_cause"


def test_fix_after_n_points_sets_limits_from_the_first_points_only() -> None:
    first = [10.0, 12.0, 11.0, 13.0, 10.0, 12.0, 11.0, 13.0, 10.0, 12.0, 11.0, 13.0]
    later = [30.0, 31.0, 29.0, 30.0]
    fixed = points(first + later, fix_after_n_points=12, improvement="increase")
    alone = points(first)
    for column in ("mean", "lpl", "upl", "mean_moving_range"):
        assert fixed[column][0] == alone[column][0]
        assert fixed[column].n_unique() == 1
    assert fixed["outside_limits"].to_list() == [False] * 12 + [True] * 4
    # Later points still count for the number of points and for the rules.
    assert not fixed["trial_limits"].any()


def test_fix_after_more_points_than_there_are_uses_them_all() -> None:
    values = [1.0, 3.0, 2.0, 4.0, 2.0]
    assert points(values, fix_after_n_points=50)["upl"][0] == points(values)["upl"][0]


def test_rebase_starts_a_new_baseline_with_its_own_limits() -> None:
    values = [10.0, 12.0] * 8 + [20.0, 23.0] * 8
    frame = series(values, rebase=[False] * 16 + [True] + [False] * 15)
    result = spc_points(frame, rebase="rebase", options=IMPROVE)
    assert result["rebase_group"].to_list() == [0] * 16 + [1] * 16
    assert result["mean"].unique(maintain_order=True).to_list() == [11.0, 21.5]
    assert result["moving_range"][16] is None  # no range across a rebase
    assert set(result["point_type"]) == {"common_cause"}
    # Without the rebase the second half is one long run above the mean.
    assert spc_points(frame, options=IMPROVE)["run"].sum() == 32


def test_run_does_not_cross_a_rebase() -> None:
    first = [10.0, 0.0] * 5 + [1.0] * 4  # ends with five points below its mean
    second = [1.0] * 3 + [20.0] * 4  # starts with three points below its mean
    rebase = [False] * len(first) + [True] + [False] * (len(second) - 1)
    frame = series(first + second, rebase=rebase)
    assert not spc_points(frame, rebase="rebase")["run"].any()
    # As one baseline the eight low points in a row are a run.
    assert spc_points(frame)["run"].sum() >= 8


def test_summary_reports_the_last_baseline() -> None:
    values = [10.0, 12.0] * 8 + [20.0, 23.0] * 8
    frame = series(values, rebase=[False] * 16 + [True] + [False] * 15)
    result = spc_points(frame, rebase="rebase", options=IMPROVE)
    summary = spc_summary(result, target=30.0, options=IMPROVE)
    assert summary.select("rebase_group", "n", "mean", "assurance_type").row(0) == (
        1,
        16,
        21.5,
        "consistent_fail",
    )
    every = spc_summary(result, target=30.0, options=IMPROVE, all_rebase_groups=True)
    assert every["rebase_group"].to_list() == [0, 1]
    assert every["assurance_type"].to_list() == [None, "consistent_fail"]


# --- many series, inputs and outputs -----------------------------------------------------------


def test_many_groups_at_once_equal_each_group_alone() -> None:
    frame = pl.read_csv(DATA / "synthetic_input.csv", try_parse_dates=True)
    together = spc_points(frame, group="group", rebase="rebase", options=IMPROVE)
    for name in ["s003", "s010", "s042", "s077", "s149"]:
        alone = spc_points(
            frame.filter(pl.col("group") == name), group="group", rebase="rebase", options=IMPROVE
        )
        assert together.filter(pl.col("group") == name).equals(alone)


def test_result_has_the_documented_columns_sorted_by_group_and_date() -> None:
    frame = pl.DataFrame(
        {
            "when": [date(2020, 1, 3), date(2020, 1, 1), date(2020, 1, 2)] * 2,
            "unit": ["b", "b", "b", "a", "a", "a"],
            "amount": [3, 1, 2, 6, 4, 5],
        }
    )
    result = spc_points(frame, value="amount", date="when", group="unit")
    assert tuple(result.columns) == (*POINT_COLUMNS, "lpl_2sigma", "upl_2sigma")
    assert result["group"].to_list() == ["a"] * 3 + ["b"] * 3
    assert result["value"].to_list() == [4.0, 5.0, 6.0, 1.0, 2.0, 3.0]
    assert result.schema["rebase_group"] == pl.Int64
    assert result.schema["value"] == pl.Float64
    ungrouped = spc_points(frame.filter(pl.col("unit") == "a"), value="amount", date="when")
    assert ungrouped["group"].to_list() == [None] * 3


def test_integer_dates_are_accepted() -> None:
    frame = pl.DataFrame({"date": [3, 1, 2], "value": [1.0, 2.0, 3.0]})
    assert spc_points(frame)["value"].to_list() == [2.0, 3.0, 1.0]


def test_empty_frame_gives_empty_results() -> None:
    frame = pl.DataFrame({"date": [], "value": []}, schema={"date": pl.Date, "value": pl.Float64})
    result = spc_points(frame)
    assert result.height == 0
    assert tuple(result.columns) == (*POINT_COLUMNS, "lpl_2sigma", "upl_2sigma")
    assert spc_summary(result).height == 0


def test_mean_is_the_correctly_rounded_mean_as_in_r() -> None:
    # R's mean() accumulates in long double and corrects: mean(c(.57, .8, .06, .12)) is
    # 0.3875 exactly in R, where summing in double and dividing gives 0.38750000000000007.
    assert sum([0.57, 0.8, 0.06, 0.12]) / 4 != 0.3875
    assert points([0.57, 0.8, 0.06, 0.12])["mean"][0] == 0.3875


def test_target_column_is_carried_and_used_by_the_summary() -> None:
    frame = series([4.0, 6.0] * 10, target=[12.0] * 20)
    result = spc_points(frame, target="target", options=IMPROVE)
    assert result.columns[-1] == "target"
    assert spc_summary(result, options=IMPROVE)["assurance_type"][0] == "consistent_fail"


def test_summary_target_forms() -> None:
    frame = pl.concat(
        [
            series([4.0, 6.0] * 10).with_columns(pl.lit("x").alias("unit")),
            series([40.0, 42.0] * 10).with_columns(pl.lit("y").alias("unit")),
        ]
    )
    result = spc_points(frame, group="unit", options=IMPROVE)
    by_number = spc_summary(result, target=12.0, options=IMPROVE)
    assert by_number["assurance_type"].to_list() == ["consistent_fail", "consistent_pass"]
    # limits: x 5 ± 5.32, y 41 ± 5.32
    by_mapping = spc_summary(result, target={"x": -1.0}, options=IMPROVE)
    assert by_mapping["assurance_type"].to_list() == ["consistent_pass", None]
    assert by_mapping["target"].to_list() == [-1.0, None]
    by_column = spc_summary(
        result.with_columns(pl.lit(41.0).alias("goal")), target="goal", options=IMPROVE
    )
    assert by_column["assurance_type"].to_list() == ["consistent_fail", "inconsistent"]
    assert spc_summary(result, options=IMPROVE)["assurance_type"].to_list() == [None, None]


def test_summary_variation_type_is_the_last_points_type() -> None:
    baseline = [(-1.0) ** (i + 1) for i in range(20)]
    options = SpcOptions(improvement="increase", fix_after_n_points=20)
    result = spc_points(series([*baseline, *[BELOW] * 7]), options=options)
    assert result["point_type"][-1] == "special_cause_concern"
    summary = spc_summary(result, options=options)
    assert summary["variation_type"][0] == "special_cause_concern"
    assert summary["special_cause_concern"][0] == 7
    assert summary["common_cause"][0] == 20


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "arguments", "message"),
    [
        (pl.DataFrame({"date": [1], "v": [1.0]}), {}, "no column for value='value'"),
        (pl.DataFrame({"date": [1], "value": ["a"]}), {}, "must be numeric"),
        (pl.DataFrame({"date": [1, 2], "value": [1.0, None]}), {}, "null value"),
        (pl.DataFrame({"date": [1, 2], "value": [1.0, float("nan")]}), {}, "NaN or infinite"),
        (pl.DataFrame({"date": [1, None], "value": [1.0, 2.0]}), {}, "date column"),
        (pl.DataFrame({"date": ["x"], "value": [1.0]}), {}, "date, datetime or integer"),
        (
            pl.DataFrame({"date": [1, 1, 2], "value": [1.0, 2.0, 3.0], "g": ["a", "a", "a"]}),
            {"group": "g"},
            "duplicate date",
        ),
        (
            pl.DataFrame({"date": [1, 2], "value": [1.0, 2.0], "r": [True, False]}),
            {"rebase": "r"},
            "first point",
        ),
        (
            pl.DataFrame({"date": [1, 2], "value": [1.0, 2.0], "r": [0, 1]}),
            {"rebase": "r"},
            "must be boolean",
        ),
        (
            pl.DataFrame({"date": [1, 2], "value": [1.0, 2.0], "t": [1.0, 2.0]}),
            {"target": "t"},
            "one value for each series",
        ),
        (
            pl.DataFrame({"date": [1, 2], "value": [1.0, 2.0], "g": ["a", None]}),
            {"group": "g"},
            "group column",
        ),
    ],
)
def test_bad_input_is_rejected(
    frame: pl.DataFrame, arguments: dict[str, str], message: str
) -> None:
    with pytest.raises(SpcInputError, match=message):
        spc_points(frame, **arguments)  # type: ignore[arg-type]


def test_same_date_in_different_groups_is_fine() -> None:
    frame = pl.DataFrame({"date": [1, 1], "value": [1.0, 2.0], "g": ["a", "b"]})
    assert spc_points(frame, group="g").height == 2


def test_rebase_on_a_later_groups_first_point_is_rejected() -> None:
    frame = pl.DataFrame(
        {"date": [1, 2, 1, 2], "value": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "b", "b"]}
    ).with_columns(r=pl.Series([False, False, True, False]))
    with pytest.raises(SpcInputError, match="first point"):
        spc_points(frame, group="g", rebase="r")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fix_after_n_points": 1}, "fix_after_n_points"),
        ({"fix_after_n_points": 2.5}, "fix_after_n_points"),
        ({"improvement": "up"}, "improvement"),
        ({"run_length": 1}, "run_length"),
        ({"trend_length": 0}, "trend_length"),
        ({"minimum_points": 1}, "minimum_points"),
        ({"limits_multiplier": 0.0}, "limits_multiplier"),
        ({"screen_multiplier": -1.0}, "screen_multiplier"),
    ],
)
def test_bad_options_are_rejected(options: dict[str, object], message: str) -> None:
    with pytest.raises(SpcInputError, match=message):
        SpcOptions(**options)  # type: ignore[arg-type]


def test_summary_rejects_frames_that_are_not_points() -> None:
    with pytest.raises(SpcInputError, match="missing column"):
        spc_summary(pl.DataFrame({"group": ["a"]}))
    with pytest.raises(SpcInputError, match="not in points"):
        spc_summary(points([1.0, 2.0]), target="goal")


# --- properties --------------------------------------------------------------------------------

whole_numbers = st.lists(st.integers(min_value=-40, max_value=40), min_size=2, max_size=40)
option_sets = st.builds(
    SpcOptions,
    improvement=st.sampled_from(["increase", "decrease", "neutral"]),
    screen_outliers=st.booleans(),
    fix_after_n_points=st.one_of(st.none(), st.integers(min_value=2, max_value=30)),
)
property_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def clear_of_lines(result: pl.DataFrame, scale: float = 1.0) -> bool:
    """Say whether no value lies within rounding distance of a limit or two-sigma line."""
    if result["upl"].null_count() == result.height:
        return True
    rows = result.filter(pl.col("upl").is_not_null() & (pl.col("upl") != pl.col("mean")))
    spread = (rows["upl"] - rows["mean"]) / 2.66
    for line in (rows["upl"], rows["lpl"], rows["mean"] + 2 * (2.66 / 3) * spread):
        if ((rows["value"] - line).abs() < 1e-6 * scale).any():
            return False
    lower = rows["mean"] - 2 * (2.66 / 3) * spread
    return not ((rows["value"] - lower).abs() < 1e-6 * scale).any()


@property_settings
@given(values=whole_numbers, options=option_sets)
def test_limits_are_symmetric_about_the_mean(values: list[int], options: SpcOptions) -> None:
    result = points(values, **options.__dict__)
    defined = result.filter(pl.col("upl").is_not_null())
    for mean, lower, upper in defined.select("mean", "lpl", "upl").iter_rows():
        assert close_to(upper - mean, mean - lower, 1e-12)


@property_settings
@given(
    values=whole_numbers, shift=st.integers(min_value=-1000, max_value=1000), options=option_sets
)
def test_adding_a_constant_keeps_point_types(
    values: list[int], shift: int, options: SpcOptions
) -> None:
    before = points(values, **options.__dict__)
    assume(clear_of_lines(before))
    after = points([v + shift for v in values], **options.__dict__)
    assert after["point_type"].to_list() == before["point_type"].to_list()
    assert close_to(after["mean"][0], before["mean"][0] + shift)


@property_settings
@given(values=whole_numbers, options=option_sets)
def test_flipping_the_direction_swaps_improvement_and_concern(
    values: list[int], options: SpcOptions
) -> None:
    up = points(values, **{**options.__dict__, "improvement": "increase"})
    down = points(values, **{**options.__dict__, "improvement": "decrease"})
    swap = {
        "special_cause_improvement": "special_cause_concern",
        "special_cause_concern": "special_cause_improvement",
        "common_cause": "common_cause",
    }
    assert [swap[t] for t in up["point_type"]] == down["point_type"].to_list()


@property_settings
@given(
    values=whole_numbers,
    power=st.integers(min_value=-6, max_value=6),
    options=option_sets,
)
def test_scaling_by_a_power_of_two_keeps_everything_exactly(
    values: list[int], power: int, options: SpcOptions
) -> None:
    before = points(values, **options.__dict__)
    after = points([v * 2.0**power for v in values], **options.__dict__)
    assert after["point_type"].to_list() == before["point_type"].to_list()
    assert after["upl"].to_list() == [None if u is None else u * 2.0**power for u in before["upl"]]


@property_settings
@given(
    values=whole_numbers,
    factor=st.floats(min_value=1e-3, max_value=1e3),
    options=option_sets,
)
def test_scaling_by_a_positive_constant_keeps_point_types(
    values: list[int], factor: float, options: SpcOptions
) -> None:
    before = points(values, **options.__dict__)
    # Rounding can move a line by a unit in the last place: keep values clear of them all.
    assume(clear_of_lines(before))
    assume(((before["value"] - before["mean"]).abs() > 1e-6).all())
    after = points([v * factor for v in values], **options.__dict__)
    assert after["point_type"].to_list() == before["point_type"].to_list()


@property_settings
@given(
    groups=st.lists(whole_numbers, min_size=1, max_size=4),
    options=option_sets,
    data=st.data(),
)
def test_groups_are_independent(
    groups: list[list[int]], options: SpcOptions, data: st.DataObject
) -> None:
    frames = [
        series(values).with_columns(pl.lit(f"g{i}").alias("g")) for i, values in enumerate(groups)
    ]
    frame = pl.concat(frames)
    order = data.draw(st.permutations(list(range(frame.height))))
    together = spc_points(frame[order], group="g", options=options)
    for i, single in enumerate(frames):
        alone = spc_points(single, group="g", options=options)
        assert together.filter(pl.col("group") == f"g{i}").equals(alone)


def test_summary_accepts_points_in_any_order() -> None:
    frame = pl.read_csv(DATA / "synthetic_input.csv", try_parse_dates=True)
    result = spc_points(frame, group="group", rebase="rebase", target="target", options=IMPROVE)
    shuffled = result.sample(fraction=1.0, shuffle=True, seed=3)
    expected = spc_summary(result, options=IMPROVE, all_rebase_groups=True)
    assert spc_summary(shuffled, options=IMPROVE, all_rebase_groups=True).equals(expected)
    alone = result.filter(pl.col("group") == "s005").with_columns(pl.lit(None).alias("group"))
    assert spc_summary(alone.reverse(), options=IMPROVE).equals(spc_summary(alone, options=IMPROVE))
