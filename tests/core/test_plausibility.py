"""Plausibility rules (refused) and warnings (held for acceptance), with their defaults."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf.core.framework import Framework, FrameworkError, UnitOfMeasure, load_framework
from pmf.core.plausibility import DEFAULTS, refusals, rules_for, warnings
from tests.factories import COUNT_MEASURE, GOOD

TODAY = dt.date(2026, 12, 6)


def framework_with(measure: str = COUNT_MEASURE) -> Framework:
    """Return the test framework with one more measure (by default a monthly count)."""
    return load_framework(GOOD.replace("peer_groups:", measure + "peer_groups:", 1))


FRAMEWORK = framework_with()


def refused(
    measure: str,
    value: float | None,
    *,
    numerator: float | None = None,
    denominator: float | None = None,
    start: dt.date = dt.date(2025, 1, 1),
    framework: Framework = FRAMEWORK,
) -> dict[str, str | None]:
    frame = pl.DataFrame(
        {
            "measure": [measure],
            "period_start": [start],
            "value": [value],
            "numerator": [numerator],
            "denominator": [denominator],
        },
        schema={
            "measure": pl.String,
            "period_start": pl.Date,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
    )
    return refusals(frame, framework, today=TODAY).row(0, named=True)


# Defaults by unit of measure


def test_every_unit_of_measure_has_default_bounds() -> None:
    assert set(DEFAULTS) == set(UnitOfMeasure)


def test_a_percentage_is_between_0_and_100_and_a_proportion() -> None:
    rules = rules_for(FRAMEWORK.measure("ER"))
    assert (rules.minimum, rules.maximum, rules.whole, rules.proportion) == (0, 100, False, True)


def test_a_count_is_whole_and_not_negative_with_no_upper_bound() -> None:
    rules = rules_for(FRAMEWORK.measure("ARRESTS"))
    assert (rules.minimum, rules.maximum, rules.whole, rules.proportion) == (0, None, True, False)


def test_a_rate_is_not_negative_and_not_a_proportion() -> None:
    rules = rules_for(FRAMEWORK.measure("CR"))
    assert (rules.minimum, rules.maximum, rules.whole, rules.proportion) == (0, None, False, False)


def test_warnings_default_to_half_again_and_ten_times_the_target() -> None:
    rules = rules_for(FRAMEWORK.measure("ER"))
    assert (rules.max_change, rules.limits_margin, rules.target_scale) == (50, 50, 10)
    assert not rules.forecast


def test_a_valid_block_overrides_the_defaults_and_turns_warnings_off() -> None:
    framework = framework_with(
        COUNT_MEASURE + "    valid: {min: null, max: 500, whole: false, max_change: 25%, "
        "limits_margin: 'off', target_scale: 4, forecast: true}\n"
    )
    rules = rules_for(framework.measure("ARRESTS"))
    assert (rules.minimum, rules.maximum, rules.whole) == (None, 500, False)
    assert (rules.max_change, rules.limits_margin, rules.target_scale) == (25, 0, 4)
    assert rules.forecast


# A bad valid block is reported with the file, the line, the field and the measure


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("{max: high}", "measures[2].valid.max: 'high' is not a number for measure ARRESTS"),
        ("{maxx: 3}", "measures[2].valid.maxx: unknown field (value 3); check the spelling"),
        ("{min: 10, max: 5}", "measures[2].valid.max: 5 is less than min (10) for measure ARRESTS"),
        ("{max_change: lots}", "measures[2].valid.max_change: 'lots' is not a number"),
        ("{target_scale: 0.5}", "valid.target_scale: 0.5 must be more than 1"),
        ("{proportion: true}", "measure ARRESTS is a count; only a percent, ratio or rate"),
    ],
)
def test_a_bad_valid_block_names_the_file_and_measure(block: str, message: str) -> None:
    text = GOOD.replace("peer_groups:", COUNT_MEASURE + f"    valid: {block}\n" + "peer_groups:", 1)
    with pytest.raises(FrameworkError) as error:
        load_framework(text, "force.yaml")
    assert "force.yaml:" in str(error.value)
    assert message in str(error.value)


# Refusals: what cannot be true


def test_250_per_cent_is_refused() -> None:
    assert refused("ER", 250)["value"] == "is more than 100, the most ER can be (valid: max)"


def test_a_negative_count_is_refused() -> None:
    assert (
        refused("ARRESTS", -3)["value"] == "is less than 0, the least ARRESTS can be (valid: min)"
    )


def test_a_count_with_a_fraction_is_refused() -> None:
    assert "is not a whole number; ARRESTS counts whole things" in str(
        refused("ARRESTS", 2.5)["value"]
    )


def test_a_numerator_above_its_denominator_is_refused_for_a_proportion() -> None:
    reason = refused("ER", 120, numerator=12, denominator=10)["numerator"]
    assert reason is not None and reason.startswith("is more than the denominator (10)")


def test_a_numerator_above_its_denominator_is_allowed_for_a_rate() -> None:
    assert refused("CR", 1200, numerator=12, denominator=10)["numerator"] is None


def test_a_period_after_today_is_refused_unless_the_measure_is_a_forecast() -> None:
    reason = refused("ER", 80, start=dt.date(2099, 1, 1))["period"]
    assert reason is not None and "starts after today (2026-12-06)" in reason
    forecast = framework_with(COUNT_MEASURE + "    valid: {forecast: true}\n")
    assert refused("ARRESTS", 3, start=dt.date(2099, 1, 1), framework=forecast)["period"] is None


def test_the_current_period_is_not_refused() -> None:
    assert refused("ER", 80, start=dt.date(2026, 12, 1))["period"] is None


def test_bounds_set_in_the_file_replace_the_defaults() -> None:
    framework = framework_with(COUNT_MEASURE + "    valid: {min: -10, max: 5}\n")
    assert refused("ARRESTS", -4, framework=framework)["value"] is None
    assert "the most ARRESTS can be" in str(refused("ARRESTS", 6, framework=framework)["value"])


@given(
    numerator=st.floats(min_value=0, max_value=1e9, allow_nan=False),
    extra=st.floats(min_value=0, max_value=1e9, allow_nan=False),
    days=st.integers(min_value=0, max_value=30_000),
)
def test_a_proportion_within_its_rules_is_never_refused(
    numerator: float, extra: float, days: int
) -> None:
    denominator = numerator + extra
    if denominator <= 0:
        denominator = 1.0
    value = numerator / denominator * 100
    found = refused(
        "ER",
        min(value, 100.0),
        numerator=numerator,
        denominator=denominator,
        start=TODAY - dt.timedelta(days=days),
    )
    assert found == {"value": None, "numerator": None, "period": None}


@given(count=st.integers(min_value=0, max_value=10**12), days=st.integers(0, 30_000))
def test_a_whole_count_not_in_the_future_is_never_refused(count: int, days: int) -> None:
    found = refused("ARRESTS", float(count), start=TODAY - dt.timedelta(days=days))
    assert found == {"value": None, "numerator": None, "period": None}


@given(
    value=st.one_of(
        st.floats(max_value=-1e-6, allow_nan=False, allow_infinity=False),
        st.floats(min_value=100.000001, allow_nan=False, allow_infinity=False),
    )
)
def test_a_percentage_outside_0_to_100_is_always_refused(value: float) -> None:
    assert refused("ER", value)["value"] is not None


@given(count=st.integers(max_value=-1, min_value=-(10**12)))
def test_a_negative_count_is_always_refused(count: int) -> None:
    assert refused("ARRESTS", float(count))["value"] is not None


@given(days=st.integers(min_value=1, max_value=100_000))
def test_a_period_starting_after_today_is_always_refused(days: int) -> None:
    assert refused("ER", 50, start=TODAY + dt.timedelta(days=days))["period"] is not None


# Warnings: possible but unlikely, judged against the figures held


def held(rows: list[tuple[str, str, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["unit", "measure", "period", "value"], orient="row"
    ).with_columns(pl.col("value").cast(pl.Float64))


def incoming(rows: list[tuple[str, str, str, float]]) -> pl.DataFrame:
    return held(rows)


def months(count: int, start_year: int = 2023) -> list[str]:
    return [f"{start_year + index // 12}-{index % 12 + 1:02d}" for index in range(count)]


def test_a_correction_from_683_to_301_is_a_warning() -> None:
    found = warnings(
        incoming([("N", "ARRESTS", "2025-11", 301)]),
        held([("N", "ARRESTS", "2025-11", 683)]),
        FRAMEWORK,
    )
    assert found.to_list() == [
        "301 is a change of -56 % from 683, the figure held for this period: more than the 50 % "
        "expected (valid: max_change)"
    ]


def test_a_small_correction_has_no_warning() -> None:
    found = warnings(
        incoming([("N", "ARRESTS", "2025-11", 650)]),
        held([("N", "ARRESTS", "2025-11", 683)]),
        FRAMEWORK,
    )
    assert found.to_list() == [""]


def test_a_jump_from_the_previous_period_is_a_warning() -> None:
    found = warnings(
        incoming([("N", "ARRESTS", "2025-12", 400)]),
        held([("N", "ARRESTS", "2025-10", 100), ("N", "ARRESTS", "2025-11", 200)]),
        FRAMEWORK,
    )
    assert found.to_list() == [
        "400 is a change of +100 % from 200, the figure held for 2025-11: more than the 50 % "
        "expected (valid: max_change)"
    ]


def test_max_change_set_in_the_file_is_used() -> None:
    framework = framework_with(COUNT_MEASURE + "    valid: {max_change: 150%}\n")
    found = warnings(
        incoming([("N", "ARRESTS", "2025-12", 400)]),
        held([("N", "ARRESTS", "2025-11", 200)]),
        framework,
    )
    assert found.to_list() == [""]


def test_a_value_far_outside_the_series_process_limits_is_a_warning() -> None:
    periods = months(24)
    history = held(
        [("N", "ARRESTS", period, 100 + (index % 3)) for index, period in enumerate(periods)]
    )
    framework = framework_with(COUNT_MEASURE + "    valid: {max_change: 'off'}\n")
    found = warnings(incoming([("N", "ARRESTS", "2025-01", 140)]), history, framework).item()
    assert found.startswith("140 is outside ")
    assert "the series' process limits" in found and "(valid: limits_margin)" in found
    within = warnings(incoming([("N", "ARRESTS", "2025-01", 102)]), history, framework)
    assert within.to_list() == [""]


def test_a_short_series_gives_no_limits_warning() -> None:
    history = held([("N", "ARRESTS", period, 100) for period in months(6)])
    framework = framework_with(COUNT_MEASURE + "    valid: {max_change: 'off'}\n")
    found = warnings(incoming([("N", "ARRESTS", "2025-01", 1000)]), history, framework)
    assert found.to_list() == [""]


def test_a_value_a_tenth_of_its_target_is_a_warning() -> None:
    # ER has a target of 80: 0.8 looks like a proportion typed where a percentage belongs.
    found = warnings(incoming([("N", "ER", "2025-01", 0.8)]), held([]), FRAMEWORK).item()
    assert found == (
        "0.8 is less than 1/10 of the target (80); is it in the measure's units? "
        "(valid: target_scale)"
    )


def test_nothing_held_and_a_plausible_value_has_no_warning() -> None:
    assert warnings(incoming([("N", "ER", "2025-01", 78)]), held([]), FRAMEWORK).to_list() == [""]


def test_warnings_keep_the_order_of_the_incoming_rows() -> None:
    found = warnings(
        incoming(
            [
                ("S", "ARRESTS", "2025-11", 10),
                ("N", "ARRESTS", "2025-11", 301),
                ("N", "ER", "2025-11", 78),
            ]
        ),
        held([("N", "ARRESTS", "2025-11", 683), ("S", "ARRESTS", "2025-11", 10)]),
        FRAMEWORK,
    )
    assert [bool(text) for text in found.to_list()] == [False, True, False]
