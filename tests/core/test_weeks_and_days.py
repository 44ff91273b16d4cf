"""Test weekly and daily periods and how their figures roll up to months and quarters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf.core.framework import load_framework
from pmf.core.period_rollup import (
    PeriodObservation,
    month_of,
    parts_in,
    roll_up_periods,
)
from pmf.core.periods import (
    ParseError,
    PeriodKind,
    day,
    month,
    parse_period,
    periods_between,
    quarter,
    week,
    week_of,
)

K = PeriodKind


@pytest.mark.parametrize(
    "text", ["2024-W05", "2024W05", "2024-w5", "Week 5 2024", "week 5, 2024", " 2024 - W05 "]
)
def test_week_forms_parse_to_the_iso_week(text: str) -> None:
    p = parse_period(text)
    assert p.kind is K.WEEK
    assert (p.start, p.end) == (date(2024, 1, 29), date(2024, 2, 4))


def test_a_week_label_with_the_wrong_first_day_is_refused() -> None:
    with pytest.raises(ParseError, match="week 5 of 2024 starts on 29 January"):
        parse_period("Week 5 2024 (from 30 January)")


def test_week_53_exists_only_in_long_iso_years() -> None:
    assert parse_period("2020-W53").end == date(2021, 1, 3)
    with pytest.raises(ParseError, match="week 53 does not exist in 2023"):
        parse_period("2023-W53")


@pytest.mark.parametrize("text", ["2024-02-29", "29 February 2024", "29 Feb 2024"])
def test_day_forms_parse_to_the_day(text: str) -> None:
    assert parse_period(text, K.DAY) == day(2024, 2, 29)
    assert parse_period(text) == day(2024, 2, 29)


def test_a_day_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ParseError, match="29 February 2023 is not a valid date"):
        parse_period("29 February 2023")


def test_weeks_step_across_the_iso_year() -> None:
    assert [p.code for p in periods_between(week(2020, 52), week(2021, 2))] == [
        "2020-W52",
        "2020-W53",
        "2021-W01",
        "2021-W02",
    ]


def test_days_step_across_month_ends_and_leap_days() -> None:
    assert [p.code for p in periods_between(day(2024, 2, 28), day(2024, 3, 1))] == [
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
    ]


def test_weeks_and_days_order_with_months_by_their_last_day() -> None:
    assert month(2024, 1) < day(2024, 1, 31) < week(2024, 5) < month(2024, 2)


@given(st.dates(date(1990, 1, 8), date(2100, 12, 20)))
def test_every_day_is_in_exactly_one_week_and_one_month_of_weeks(on: date) -> None:
    w = week_of(on)
    assert w.contains(on)
    assert w in parts_in(K.WEEK, month_of(w))
    assert w.start.isoweekday() == 1 and w.days == 7


@given(st.integers(1995, 2095), st.integers(1, 12))
def test_the_weeks_of_consecutive_months_follow_each_other_without_gap(y: int, m: int) -> None:
    this = parts_in(K.WEEK, month(y, m))
    following = parts_in(K.WEEK, month(y, m).next())
    assert this[-1].next() == following[0]
    assert len(this) in (4, 5)


FRAMEWORK = """
organisation: {code: C, name: Council}
areas: [{code: A, name: A}]
units: [{code: C, name: C, type: council}]
measures:
  - {code: OPENED, name: Cases opened, area: A, kind: kpi, polarity: neither,
     unit_of_measure: count, frequency: day, rollup: sum}
  - {code: UNALLOCATED, name: Unallocated cases, area: A, kind: kpi,
     polarity: lower_is_better, unit_of_measure: count, frequency: day, rollup: sum,
     period_rollup: mean}
  - {code: END, name: Cases open at the end, area: A, kind: kpi, polarity: neither,
     unit_of_measure: count, frequency: week, period_rollup: last}
  - {code: SEEN, name: Seen in time, area: A, kind: kpi, polarity: higher_is_better,
     unit_of_measure: percent, frequency: week, multiplier: 100, rollup: pooled_ratio,
     numerator: Seen within 7 days, denominator: Referrals}
  - {code: NOTHING, name: Not combined, area: A, kind: kpi, polarity: neither,
     unit_of_measure: count, frequency: day}
  - {code: MONTHLY, name: Monthly, area: A, kind: kpi, polarity: neither,
     unit_of_measure: count, frequency: month, rollup: sum}
"""


def days_of(first: date, count: int, value: float = 1.0) -> list[PeriodObservation]:
    return [PeriodObservation((first + timedelta(days=n)).isoformat(), value) for n in range(count)]


def test_daily_counts_sum_to_their_month_and_quarter() -> None:
    fw = load_framework(FRAMEWORK)
    observations = days_of(date(2024, 1, 1), 91, 2.0)  # 1 January to 31 March 2024
    months = roll_up_periods(fw.measure("OPENED"), observations, K.MONTH)
    assert [(r.period, r.value, r.parts) for r in months] == [
        ("2024-01", 62.0, 31),
        ("2024-02", 58.0, 29),
        ("2024-03", 62.0, 31),
    ]
    (q1,) = roll_up_periods(fw.measure("OPENED"), observations, K.QUARTER)
    assert (q1.period, q1.value, q1.complete) == ("2024 Q1", 182.0, True)


def test_a_month_missing_a_day_is_left_out_unless_partial() -> None:
    fw = load_framework(FRAMEWORK)
    observations = days_of(date(2024, 1, 1), 30)  # 31 January missing
    assert roll_up_periods(fw.measure("OPENED"), observations, K.MONTH) == []
    (partial,) = roll_up_periods(fw.measure("OPENED"), observations, K.MONTH, partial=True)
    assert (partial.value, partial.parts, partial.expected, partial.complete) == (
        30.0,
        30,
        31,
        False,
    )


def test_a_stock_takes_the_mean_of_its_days_not_their_sum() -> None:
    fw = load_framework(FRAMEWORK)
    observations = [
        PeriodObservation((date(2024, 2, 1) + timedelta(days=n)).isoformat(), float(n))
        for n in range(29)
    ]
    (february,) = roll_up_periods(fw.measure("UNALLOCATED"), observations, K.MONTH)
    assert february.value == pytest.approx(14.0)


def test_a_straddling_week_goes_whole_to_the_month_of_its_thursday() -> None:
    fw = load_framework(FRAMEWORK)
    # 2024-W09 runs Monday 26 February to Sunday 3 March: its Thursday is 29 February.
    observations = [PeriodObservation(f"2024-W{n:02d}", float(n)) for n in range(5, 14)]
    rolled = roll_up_periods(fw.measure("END"), observations, K.MONTH)
    assert [(r.period, r.value, r.first, r.last) for r in rolled] == [
        ("2024-02", 9.0, "2024-W05", "2024-W09"),
        ("2024-03", 13.0, "2024-W10", "2024-W13"),
    ]


def test_weekly_proportions_pool_numerators_and_denominators() -> None:
    fw = load_framework(FRAMEWORK)
    observations = [
        PeriodObservation("2024-W10", 50.0, 1.0, 2.0),
        PeriodObservation("2024-W11", 90.0, 9.0, 10.0),
        PeriodObservation("2024-W12", 100.0, 3.0, 3.0),
        PeriodObservation("2024-W13", 0.0, 0.0, 5.0),
    ]
    (march,) = roll_up_periods(fw.measure("SEEN"), observations, K.MONTH)
    assert (march.numerator, march.denominator) == (13.0, 20.0)
    assert march.value == pytest.approx(65.0)


def test_a_measure_that_does_not_combine_says_so() -> None:
    fw = load_framework(FRAMEWORK)
    with pytest.raises(ValueError, match="NOTHING does not say how its figures combine"):
        roll_up_periods(fw.measure("NOTHING"), days_of(date(2024, 1, 1), 31), K.MONTH)


def test_only_weekly_and_daily_measures_roll_up_over_time() -> None:
    fw = load_framework(FRAMEWORK)
    with pytest.raises(ValueError, match="MONTHLY is reported by month, not by week or by day"):
        roll_up_periods(fw.measure("MONTHLY"), [], K.QUARTER)
    with pytest.raises(ValueError, match="not week"):
        roll_up_periods(fw.measure("OPENED"), [], K.WEEK)


def test_weeks_roll_up_to_the_quarter_of_their_thursday() -> None:
    fw = load_framework(FRAMEWORK)
    # 2024 Q1 holds weeks 1 to 13 (Thursdays 4 January to 28 March).
    assert [w.code for w in parts_in(K.WEEK, quarter(2024, 1))][::12] == ["2024-W01", "2024-W13"]
    observations = [PeriodObservation(f"2024-W{n:02d}", 1.0, 1.0, 1.0) for n in range(1, 14)]
    (q1,) = roll_up_periods(fw.measure("SEEN"), observations, K.QUARTER)
    assert (q1.period, q1.parts, q1.value) == ("2024 Q1", 13, 100.0)


def test_period_rollup_on_a_monthly_measure_is_a_framework_error() -> None:
    from pmf.core.framework import FrameworkError

    with pytest.raises(FrameworkError, match="period_rollup: is for measures reported by week"):
        load_framework(
            FRAMEWORK.replace(
                "frequency: month, rollup: sum}", "frequency: month, period_rollup: sum}"
            )
        )


def test_weekly_and_daily_series_have_their_own_spc_windows() -> None:
    from pmf.core.baseline import chart_series, chart_settings, describe_limits

    fw = load_framework(FRAMEWORK)
    assert chart_settings(fw, fw.measure("OPENED"), "C").window == 91
    assert chart_settings(fw, fw.measure("END"), "C").window == 52
    shorter = load_framework(FRAMEWORK + "spc: {windows: {week: 26, day: 60}}\n")
    assert chart_settings(shorter, shorter.measure("END"), "C").window == 26
    assert chart_settings(shorter, shorter.measure("OPENED"), "C").window == 60
    days = [(date(2024, 1, 1) + timedelta(days=n)).isoformat() for n in range(100)]
    chart = chart_series(
        days, [float(10 + n % 3) for n in range(100)], chart_settings(fw, fw.measure("OPENED"), "C")
    )
    assert len(chart.points) == 91
    assert describe_limits(chart, K.DAY) == (
        "Limits from the 20 days 10 January 2024 to 29 January 2024."
    )


def test_a_monthly_targets_first_of_month_dates_still_mean_whole_months() -> None:
    from pmf.core.baseline import chart_settings

    text = FRAMEWORK.replace(
        "frequency: month, rollup: sum}",
        "frequency: month, rollup: sum,\n"
        "     spc: {rebases: [{period: 2024-03-01, reason: new system}]}}",
    )
    text += (
        "targets:\n  - {measure: MONTHLY, starts: 2024-01-01, ends: 2024-03-01,\n"
        '     comparison: "<=", value: 5}\n'
    )
    fw = load_framework(text)
    settings = chart_settings(fw, fw.measure("MONTHLY"), "C")
    assert [rebase.period for rebase in settings.rebases] == ["2024-03"]
    import polars as pl

    from pmf.core.baseline import targets_in_force

    ends = [date(2024, 3, 31), date(2024, 4, 30)]
    frame = pl.DataFrame({"unit": ["C", "C"], "measure": ["MONTHLY"] * 2, "period_end": ends})
    assert targets_in_force(fw, frame).to_list() == [5.0, None]
