from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf.core.assessment import assess
from pmf.core.baseline import (
    DEFAULT_WINDOWS,
    ChartSettings,
    Event,
    Rebase,
    chart_points,
    chart_series,
    chart_settings,
    describe_limits,
)
from pmf.core.framework import load_framework
from pmf.core.periods import PeriodKind
from tests.factories import GOOD, observations


def months(count: int, first: int = 2015) -> list[str]:
    return [f"{first + index // 12}-{index % 12 + 1:02d}" for index in range(count)]


def test_default_window_is_the_last_36_months_and_the_baseline_their_first_20() -> None:
    periods = months(188)
    values = [float(index % 5) for index in range(188)]
    chart = chart_series(periods, values, ChartSettings())
    assert DEFAULT_WINDOWS[PeriodKind.MONTH] == 36
    assert [point["period"] for point in chart.points] == periods[-36:]
    assert chart.hidden == 152
    baseline = [point["period"] for point in chart.points if point["in_baseline"]]
    assert baseline == periods[-36:-16]
    segment = chart.segments[0]
    assert segment["mean"] == pytest.approx(sum(values[-36:-16]) / 20)
    assert not segment["trial"]
    assert describe_limits(chart, PeriodKind.MONTH) == (
        "Limits from the 20 months September 2027 to April 2029."
    )


def test_fewer_than_20_points_give_trial_limits_from_what_there_is() -> None:
    chart = chart_series(months(8), [1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0], ChartSettings())
    assert chart.segments[0]["trial"] and chart.segments[0]["baseline_points"] == 8
    assert all(point["trial"] for point in chart.points)
    assert describe_limits(chart, PeriodKind.MONTH).startswith(
        "Trial limits (fewer than 20 points) from the 8 months January 2015 to August 2015"
    )


def test_each_rebase_starts_a_segment_with_its_own_mean_and_limits() -> None:
    values = [10.0, 11.0] * 15 + [20.0, 21.0] * 15
    chart = chart_series(
        months(60), values, ChartSettings(window=60, rebases=(Rebase("2017-07", "new system"),))
    )
    first, second = chart.segments
    assert (first["first_period"], first["last_period"]) == ("2015-01", "2017-06")
    assert (second["first_period"], second["reason"]) == ("2017-07", "new system")
    assert (first["mean"], second["mean"]) == (pytest.approx(10.5), pytest.approx(20.5))
    assert second["baseline_points"] == 20 and not second["trial"]
    assert all(point["point_type"] == "common_cause" for point in chart.points)
    assert "from July 2017 (rebased: new system), limits from the 20 months July 2017" in (
        describe_limits(chart, PeriodKind.MONTH)
    )


def test_a_rebase_before_the_window_cuts_nothing() -> None:
    chart = chart_series(
        months(60), [1.0, 2.0] * 30, ChartSettings(rebases=(Rebase("2015-06", "old change"),))
    )
    assert len(chart.segments) == 1 and chart.segments[0]["first_period"] == "2017-01"


def test_baseline_from_and_to_set_the_window_start_and_the_first_limits() -> None:
    values = [5.0, 7.0] * 30
    chart = chart_series(
        months(60),
        values,
        ChartSettings(baseline_from="2016-01", baseline_to="2016-12", baseline_points=12),
    )
    assert chart.points[0]["period"] == "2016-01" and chart.hidden == 12
    first = chart.segments[0]
    assert (first["baseline_first"], first["baseline_last"], first["baseline_points"]) == (
        "2016-01",
        "2016-12",
        12,
    )
    assert not first["trial"]


def test_events_are_carried_to_their_points() -> None:
    chart = chart_series(
        months(24), [3.0, 4.0] * 12, ChartSettings(events=(Event("2016-03", "Operation X"),))
    )
    assert chart.events == [{"period": "2016-03", "text": "Operation X"}]


def test_assurance_is_judged_against_the_target_in_force_in_each_segment() -> None:
    values = [50.0, 52.0] * 10 + [70.0, 72.0] * 10
    targets = [40.0] * 20 + [90.0] * 20
    chart = chart_series(
        months(40),
        values,
        ChartSettings(window=40, rebases=(Rebase("2016-09", "new team"),)),
        targets=targets,
    )
    first, second = chart.segments
    # Higher is better: a target under the limits is always met, above them never.
    assert (first["target"], first["assurance"]) == (40.0, "consistent_pass")
    assert (second["target"], second["assurance"]) == (90.0, "consistent_fail")


def series_frame(values: list[float], key: str = "a") -> pl.DataFrame:
    periods = months(len(values))
    return pl.DataFrame(
        {
            "series": key,
            "period": periods,
            "period_end": [dt.date(int(p[:4]), int(p[5:]), 1) for p in periods],
            "value": values,
        }
    )


values_strategy = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=30,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(
    values=values_strategy,
    cut=st.integers(min_value=3, max_value=27),
    window=st.integers(min_value=28, max_value=60),
    points=st.integers(min_value=2, max_value=25),
    noise=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
)
def test_a_segments_limits_depend_only_on_its_own_points(
    values: list[float], cut: int, window: int, points: int, noise: float
) -> None:
    periods = months(len(values))
    shown = min(window, len(values))
    start = len(values) - shown
    rebase_at = start + min(cut, shown - 1)
    rules = ChartSettings(
        window=window, baseline_points=points, rebases=(Rebase(periods[rebase_at], "change"),)
    )
    _, before = chart_points(series_frame(values), {"a": rules})
    # Change every point outside the second segment (before the rebase): its limits stay.
    changed = [value + noise if index < rebase_at else value for index, value in enumerate(values)]
    _, after = chart_points(series_frame(changed), {"a": rules})
    assert before.height == after.height == 2
    for column in ("mean", "lpl", "upl", "baseline_points", "trial"):
        assert before[column][1] == after[column][1]
    # And points after the first segment's baseline never change its limits.
    tail = [value + noise if index >= rebase_at else value for index, value in enumerate(values)]
    _, later = chart_points(series_frame(tail), {"a": rules})
    for column in ("mean", "lpl", "upl"):
        assert before[column][0] == later[column][0]


@settings(max_examples=40, deadline=None)
@given(values=values_strategy, extra=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=30))
def test_figures_before_the_window_never_change_the_chart(
    values: list[float], extra: list[float]
) -> None:
    rules = ChartSettings(window=24)
    _, alone = chart_points(series_frame(values), {"a": rules})
    longer = series_frame([*extra, *values])
    _, with_history = chart_points(longer, {"a": rules})
    for column in ("mean", "lpl", "upl", "variation"):
        assert alone[column].to_list() == with_history[column].to_list()


SPC_FRAMEWORK = GOOD.replace(
    '    standard: {type: target, comparison: ">=", value: 80}\n',
    '    standard: {type: target, comparison: ">=", value: 80}\n'
    "    spc:\n"
    "      window: 24\n"
    "      rebases:\n"
    "        - {period: 2019-01, reason: new dispatch system}\n"
    "        - {period: 2018-06, reason: only in the north, unit: N}\n"
    "      events:\n"
    "        - {period: 2019-03, text: Storm}\n",
)


def test_framework_settings_combine_the_measure_and_the_unit() -> None:
    framework = load_framework(SPC_FRAMEWORK)
    measure = framework.measure("ER")
    north = chart_settings(framework, measure, "N")
    south = chart_settings(framework, measure, "S")
    assert north.window == 24 and north.improvement == "increase"
    assert [rebase.period for rebase in north.rebases] == ["2018-06", "2019-01"]
    assert [rebase.period for rebase in south.rebases] == ["2019-01"]
    assert south.events == (Event("2019-03", "Storm"),)
    other = chart_settings(framework, framework.measure("CR"), "N")
    assert other.window == 36 and other.rebases == ()


def test_assessment_and_chart_agree_on_the_last_segment() -> None:
    framework = load_framework(SPC_FRAMEWORK)
    periods = months(48, 2016)
    values = [70.0 + (index % 4) for index in range(36)] + [
        90.0 + (index % 3) for index in range(12)
    ]
    frame = assess(
        framework,
        observations([("N", "ER", p, v, None, None) for p, v in zip(periods, values, strict=True)]),
        units=["N"],
    )
    assessed = frame.row(0, named=True)
    chart = chart_series(periods, values, chart_settings(framework, framework.measure("ER"), "N"))
    last = chart.summary
    assert last is not None and last["first_period"] == "2019-01"
    assert (assessed["variation"], assessed["spc_points"], assessed["trial_limits"]) == (
        last["variation"],
        last["points"],
        last["trial"],
    )
    assert assessed["trial_limits"] is True  # 12 points since the rebase: trial limits


def test_a_framework_target_over_time_sets_the_assurance_of_the_segment() -> None:
    text = SPC_FRAMEWORK + ("targets:\n  - {measure: ER, starts: 2019-01, value: 99}\n")
    framework = load_framework(text)
    periods = months(48, 2016)
    values = [80.0 + (index % 3) for index in range(48)]
    frame = assess(
        framework,
        observations([("S", "ER", p, v, None, None) for p, v in zip(periods, values, strict=True)]),
        units=["S"],
    )
    # 99 is above the last segment's upper limit: the process never meets it.
    assert frame.row(0, named=True)["assurance"] == "consistent_fail"


def test_a_baseline_that_starts_after_the_last_figure_charts_nothing() -> None:
    chart = chart_series(months(12), [1.0, 2.0] * 6, ChartSettings(baseline_from="2030-01"))
    assert chart.points == () and chart.summary is None and chart.hidden == 12
    assert describe_limits(chart, PeriodKind.MONTH) == ""


def test_a_units_own_window_and_baseline_win_over_the_measures() -> None:
    text = SPC_FRAMEWORK.replace(
        "      window: 24\n",
        "      window: 24\n      units: [{unit: S, window: 12, baseline: {points: 6}}]\n",
    )
    framework = load_framework(text)
    south = chart_settings(framework, framework.measure("ER"), "S")
    north = chart_settings(framework, framework.measure("ER"), "N")
    assert (south.window, south.baseline_points) == (12, 6)
    assert (north.window, north.baseline_points) == (24, 20)
    chart = chart_series(months(30, 2017), [float(i % 3) for i in range(30)], south)
    assert len(chart.points) == 12 and chart.segments[0]["baseline_points"] == 6
