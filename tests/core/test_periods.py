"""Test reporting periods: construction, parsing, codes, stepping and ordering."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf.core.periods import (
    ParseError,
    Period,
    PeriodKind,
    financial_quarter,
    financial_year,
    financial_year_of,
    fits_frequency,
    month,
    multi_year,
    parse_many,
    parse_period,
    periods_between,
    quarter,
    rolling,
    week_of,
    year,
)
from pmf.core.periods import day as day_period

K = PeriodKind

# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

YEARS = st.integers(min_value=1990, max_value=2100)

months_st = st.builds(month, YEARS, st.integers(1, 12))
quarters_st = st.builds(quarter, YEARS, st.integers(1, 4))
financial_years_st = st.builds(financial_year, YEARS)
financial_quarters_st = st.builds(financial_quarter, YEARS, st.integers(1, 4))
years_st = st.builds(year, YEARS)
rolling_st = st.builds(rolling, st.integers(1, 36), YEARS, st.integers(1, 12))
multi_years_st = st.builds(
    lambda first, span: multi_year(first, first + span),
    st.integers(1990, 2095),
    st.integers(1, 5),
)

STRATEGIES: dict[PeriodKind, st.SearchStrategy[Period]] = {
    K.MONTH: months_st,
    K.QUARTER: quarters_st,
    K.FINANCIAL_YEAR: financial_years_st,
    K.FINANCIAL_QUARTER: financial_quarters_st,
    K.YEAR: years_st,
    K.ROLLING: rolling_st,
    K.MULTI_YEAR: multi_years_st,
    K.WEEK: st.builds(lambda d: week_of(d), st.dates(date(1990, 1, 8), date(2100, 12, 20))),
    K.DAY: st.builds(
        lambda d: day_period(d.year, d.month, d.day), st.dates(date(1990, 1, 1), date(2100, 12, 31))
    ),
}
any_period = st.one_of(*STRATEGIES.values())
dates_st = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def same_kind_and_length(draw: st.DrawFn) -> list[Period]:
    """Draw several periods of one kind and, for windows, one length."""
    kind = draw(st.sampled_from(list(PeriodKind)))
    if kind is K.ROLLING:
        n = draw(st.integers(1, 36))
        strategy = st.builds(lambda y, m: rolling(n, y, m), YEARS, st.integers(1, 12))
    elif kind is K.MULTI_YEAR:
        span = draw(st.integers(1, 5))
        strategy = st.builds(lambda y: multi_year(y, y + span), st.integers(1990, 2095))
    else:
        strategy = STRATEGIES[kind]
    return draw(st.lists(strategy, min_size=2, max_size=20))


@st.composite
def nearby_same_kind(draw: st.DrawFn) -> list[Period]:
    """Draw several periods of one kind and length, at most 60 steps apart."""
    start = draw(same_kind_and_length())[0]
    periods = []
    for offset in draw(st.lists(st.integers(0, 60), min_size=2, max_size=20)):
        period = start
        for _ in range(offset):
            period = period.next()
        periods.append(period)
    return periods


def span(p: Period) -> tuple[date, date]:
    """Return a period's first and last days."""
    return (p.start, p.end)


# --------------------------------------------------------------------------------------------
# Every form parses to the right dates
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2019-07", "201907", "July 2019", "Jul 2019", "july 2019", "JUL 2019", "2019-7"],
)
def test_month_forms_parse_to_the_whole_month(text: str) -> None:
    p = parse_period(text)
    assert p.kind is K.MONTH
    assert span(p) == (date(2019, 7, 1), date(2019, 7, 31))


def test_a_first_of_month_date_is_a_day_unless_read_as_a_month() -> None:
    assert parse_period("2019-07-01") == day_period(2019, 7, 1)
    assert parse_period("2019-07-01", K.MONTH) == month(2019, 7)


@pytest.mark.parametrize("text", ["Sept 2019", "Sep 2019", "September 2019"])
def test_september_may_be_abbreviated_sept_or_sep(text: str) -> None:
    assert parse_period(text) == month(2019, 9)


def test_month_ends_on_its_last_day_in_leap_years() -> None:
    assert month(2020, 2).end == date(2020, 2, 29)
    assert month(2019, 2).end == date(2019, 2, 28)


@pytest.mark.parametrize("text", ["2019 Q2", "Q2 2019", "2019Q2", "2019-Q2", "2019 q2", "q2 2019"])
def test_calendar_quarter_forms_parse_to_april_to_june(text: str) -> None:
    p = parse_period(text)
    assert p.kind is K.QUARTER
    assert span(p) == (date(2019, 4, 1), date(2019, 6, 30))


@pytest.mark.parametrize("text", ["2019/20", "2019-20", "2019/2020", "FY 2019/20", "fy 2019/20"])
def test_financial_year_forms_parse_to_april_to_march(text: str) -> None:
    p = parse_period(text)
    assert p.kind is K.FINANCIAL_YEAR
    assert span(p) == (date(2019, 4, 1), date(2020, 3, 31))


def test_financial_year_runs_april_to_march() -> None:
    p = financial_year(2019)
    assert span(p) == (date(2019, 4, 1), date(2020, 3, 31))
    assert p.code == "2019/20"
    assert p.months == 12


def test_financial_year_spanning_the_century_is_written_with_00() -> None:
    p = financial_year(1999)
    assert p.code == "1999/00"
    assert parse_period("1999/00") == p
    assert parse_period("1999-00") == p


@pytest.mark.parametrize("text", ["2024/25 Q1", "2024-25 Q1", "Q1 2024/25", "2024/25 q1"])
def test_financial_quarter_forms_parse_to_april_to_june(text: str) -> None:
    p = parse_period(text)
    assert p.kind is K.FINANCIAL_QUARTER
    assert span(p) == (date(2024, 4, 1), date(2024, 6, 30))


def test_fourth_financial_quarter_is_january_to_march_of_the_next_year() -> None:
    p = parse_period("2024/25 Q4")
    assert span(p) == (date(2025, 1, 1), date(2025, 3, 31))
    assert p.code == "2024/25 Q4"


def test_calendar_year_parses_to_january_to_december() -> None:
    p = parse_period("2019")
    assert p.kind is K.YEAR
    assert span(p) == (date(2019, 1, 1), date(2019, 12, 31))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("12 months to March 2019", date(2018, 4, 1), date(2019, 3, 31)),
        ("12 months to Mar 2019", date(2018, 4, 1), date(2019, 3, 31)),
        ("12 months ending March 2019", date(2018, 4, 1), date(2019, 3, 31)),
        ("12 MONTHS TO MARCH 2019", date(2018, 4, 1), date(2019, 3, 31)),
        ("3 months to June 2020", date(2020, 4, 1), date(2020, 6, 30)),
        ("1 month to May 2019", date(2019, 5, 1), date(2019, 5, 31)),
    ],
)
def test_rolling_forms_parse_to_the_months_ending_with_the_named_month(
    text: str, start: date, end: date
) -> None:
    p = parse_period(text)
    assert p.kind is K.ROLLING
    assert span(p) == (start, end)


@pytest.mark.parametrize("text", ["2015 - 17", "2015 - 2017", "2015-17", "2015  -  17"])
def test_multi_year_forms_pool_whole_calendar_years(text: str) -> None:
    p = parse_period(text)
    assert p.kind is K.MULTI_YEAR
    assert span(p) == (date(2015, 1, 1), date(2017, 12, 31))
    assert p.months == 36


def test_spaced_dash_is_always_a_multi_year_window() -> None:
    assert parse_period("2019 - 20") == multi_year(2019, 2020)
    assert parse_period("2019-20") == financial_year(2019)


def test_multi_year_window_crossing_a_century_is_written_with_four_digits() -> None:
    p = multi_year(1998, 2001)
    assert p.code == "1998 - 2001"
    assert parse_period("1998 - 2001") == p


def test_unspaced_dash_reads_month_then_financial_year_then_multi_year() -> None:
    assert parse_period("2011-12") == month(2011, 12)
    assert parse_period("2011-13") == multi_year(2011, 2013)
    assert parse_period("2012-13") == financial_year(2012)


def test_kind_picks_the_other_reading_of_an_ambiguous_text() -> None:
    assert parse_period("2011-12", K.FINANCIAL_YEAR) == financial_year(2011)
    assert parse_period("2010-12", K.MULTI_YEAR) == multi_year(2010, 2012)
    assert parse_period("2011-12", K.MONTH) == month(2011, 12)


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_period("  2019 Q2\t\n") == quarter(2019, 2)


def test_en_dash_is_read_as_a_hyphen() -> None:
    assert parse_period("2019\u201320") == financial_year(2019)
    assert parse_period("2015 \u2013 17") == multi_year(2015, 2017)


# --------------------------------------------------------------------------------------------
# Codes and labels
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "code", "label"),
    [
        (month(2019, 7), "2019-07", "July 2019"),
        (quarter(2019, 2), "2019 Q2", "2019 Q2"),
        (financial_year(2019), "2019/20", "2019/20"),
        (financial_quarter(2024, 1), "2024/25 Q1", "2024/25 Q1"),
        (year(2019), "2019", "2019"),
        (rolling(12, 2019, 3), "12 months to March 2019", "12 months to March 2019"),
        (multi_year(2015, 2017), "2015 - 17", "2015 - 17"),
    ],
)
def test_each_kind_has_its_canonical_code_and_label(period: Period, code: str, label: str) -> None:
    assert period.code == code
    assert period.label == label
    assert str(period) == code


@pytest.mark.parametrize("kind", list(PeriodKind))
@given(data=st.data())
def test_code_parses_back_to_the_same_period(kind: PeriodKind, data: st.DataObject) -> None:
    p = data.draw(STRATEGIES[kind])
    assert parse_period(p.code) == p
    assert parse_period(p.code, kind) == p


@given(any_period)
def test_label_parses_back_to_the_same_period(p: Period) -> None:
    assert parse_period(p.label) == p
    assert parse_period(p.label, p.kind) == p


@given(any_period)
def test_parsing_ignores_case_and_surrounding_whitespace(p: Period) -> None:
    assert parse_period(f"  {p.label.upper()} ") == p
    assert parse_period(f"\t{p.code.lower()}\n") == p


# --------------------------------------------------------------------------------------------
# Financial-year boundaries
# --------------------------------------------------------------------------------------------


@given(YEARS)
def test_31_march_belongs_to_the_financial_year_starting_the_previous_april(y: int) -> None:
    assert financial_year_of(date(y, 3, 31)) == financial_year(y - 1)


@given(YEARS)
def test_1_april_starts_a_new_financial_year(y: int) -> None:
    fy = financial_year_of(date(y, 4, 1))
    assert fy == financial_year(y)
    assert fy.start == date(y, 4, 1)
    assert fy != financial_year_of(date(y, 3, 31))


@given(dates_st)
def test_financial_year_of_a_date_contains_it(d: date) -> None:
    fy = financial_year_of(d)
    assert fy.kind is K.FINANCIAL_YEAR
    assert fy.contains(d)
    assert not fy.previous().contains(d)
    assert not fy.next().contains(d)


@given(any_period)
def test_financial_year_of_a_period_contains_its_end(p: Period) -> None:
    assert p.financial_year.contains(p.end)
    assert p.financial_year == financial_year_of(p.end)


@given(financial_quarters_st)
def test_financial_quarters_fall_inside_their_financial_year(p: Period) -> None:
    fy = p.financial_year
    assert fy.contains(p.start)
    assert fy.code == p.code.split(" ")[0]


# --------------------------------------------------------------------------------------------
# Stepping and ordering
# --------------------------------------------------------------------------------------------


@given(any_period)
def test_previous_comes_before_and_next_after(p: Period) -> None:
    assert p.previous() < p < p.next()
    assert p.next() > p > p.previous()
    assert p.previous() <= p <= p.next()


@given(any_period)
def test_stepping_keeps_kind_and_length(p: Period) -> None:
    for q in (p.previous(), p.next(), p.same_period_last_year()):
        assert q.kind is p.kind
        assert q.months == p.months


@given(any_period)
def test_next_then_previous_returns_the_period(p: Period) -> None:
    assert p.next().previous() == p
    assert p.previous().next() == p


@given(st.one_of(months_st, quarters_st, financial_years_st, financial_quarters_st, years_st))
def test_consecutive_periods_of_fixed_kinds_are_adjacent(p: Period) -> None:
    assert p.next().start == p.end + timedelta(days=1)
    assert p.previous().end == p.start - timedelta(days=1)


def test_rolling_windows_step_by_one_month() -> None:
    p = parse_period("12 months to March 2019")
    assert p.previous().code == "12 months to February 2019"
    assert p.next().code == "12 months to April 2019"


def test_multi_year_windows_step_by_one_year() -> None:
    p = parse_period("2015 - 17")
    assert p.previous().code == "2014 - 16"
    assert p.next().code == "2016 - 18"


@given(st.one_of(months_st, quarters_st, financial_years_st, financial_quarters_st, rolling_st))
def test_same_period_last_year_is_twelve_months_earlier(p: Period) -> None:
    last = p.same_period_last_year()
    assert last.kind is p.kind
    assert last.start == p.start.replace(year=p.start.year - 1)
    assert last.end.year == p.end.year - 1
    assert last.end.month == p.end.month


def test_same_period_last_year_of_a_rolling_window_ends_a_year_earlier() -> None:
    p = parse_period("12 months to March 2019")
    assert p.same_period_last_year().code == "12 months to March 2018"


@given(st.one_of(years_st, multi_years_st))
def test_same_period_last_year_of_years_is_the_previous_period(p: Period) -> None:
    assert p.same_period_last_year() == p.previous()


@given(same_kind_and_length())
def test_periods_of_one_kind_sort_by_start(periods: list[Period]) -> None:
    assert sorted(periods) == sorted(periods, key=lambda p: p.start)


@given(st.data())
def test_sorting_a_mixed_list_does_not_depend_on_input_order(data: st.DataObject) -> None:
    periods = data.draw(st.lists(any_period, max_size=20))
    shuffled = data.draw(st.permutations(periods))
    assert sorted(shuffled) == sorted(periods)


@given(any_period, any_period)
def test_ordering_is_total_and_agrees_with_equality(p: Period, q: Period) -> None:
    outcomes = [p < q, p == q, p > q]
    assert outcomes.count(True) == 1
    assert (p <= q) == (p < q or p == q)
    assert (p >= q) == (p > q or p == q)


def test_periods_sort_by_end_then_start_then_kind() -> None:
    q2 = quarter(2019, 2)
    fq1 = financial_quarter(2019, 1)
    june = month(2019, 6)
    window = rolling(6, 2019, 6)
    assert sorted([window, fq1, q2, june]) == [window, q2, fq1, june]


def test_comparing_with_another_type_is_refused() -> None:
    with pytest.raises(TypeError):
        _ = month(2019, 1) < "2019-01"


# --------------------------------------------------------------------------------------------
# Size, membership, equality
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "months"),
    [
        (month(2019, 7), 1),
        (quarter(2019, 2), 3),
        (financial_quarter(2019, 2), 3),
        (financial_year(2019), 12),
        (year(2019), 12),
        (rolling(24, 2019, 3), 24),
        (multi_year(2015, 2017), 36),
    ],
)
def test_months_counts_the_calendar_months_covered(period: Period, months: int) -> None:
    assert period.months == months


@given(any_period, dates_st)
def test_contains_means_between_first_and_last_day(p: Period, d: date) -> None:
    assert p.contains(d) == (p.start <= d <= p.end)
    assert p.contains(p.start)
    assert p.contains(p.end)


def test_calendar_and_financial_quarters_over_the_same_months_differ() -> None:
    q = quarter(2019, 2)
    fq = financial_quarter(2019, 1)
    assert span(q) == span(fq)
    assert q != fq
    assert len({q, fq}) == 2


def test_periods_are_equal_and_hashable_by_value() -> None:
    assert parse_period("July 2019") == parse_period("2019-07")
    assert {parse_period("July 2019"), month(2019, 7)} == {month(2019, 7)}


def test_period_refuses_dates_that_do_not_fit_its_kind() -> None:
    with pytest.raises(ValueError, match="is not a month"):
        Period(K.MONTH, date(2019, 1, 1), date(2019, 2, 28))
    with pytest.raises(ValueError, match="is not a financial year"):
        Period(K.FINANCIAL_YEAR, date(2019, 1, 1), date(2019, 12, 31))
    with pytest.raises(ValueError, match="first day of a month"):
        Period(K.ROLLING, date(2019, 1, 2), date(2019, 12, 31))
    with pytest.raises(ValueError, match="last day of a month"):
        Period(K.ROLLING, date(2019, 1, 1), date(2019, 12, 30))
    with pytest.raises(ValueError, match="before it starts"):
        Period(K.ROLLING, date(2019, 2, 1), date(2019, 1, 31))


def test_constructors_refuse_impossible_numbers() -> None:
    with pytest.raises(ValueError, match="month 13 does not exist"):
        month(2019, 13)
    with pytest.raises(ValueError, match="quarter 5 does not exist"):
        quarter(2019, 5)
    with pytest.raises(ValueError, match="quarter 0 does not exist"):
        financial_quarter(2019, 0)
    with pytest.raises(ValueError, match="at least one month"):
        rolling(0, 2019, 3)
    with pytest.raises(ValueError, match="must come after the first"):
        multi_year(2017, 2017)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2019-13", "'2019-13' is not a period: month 13 does not exist"),
        ("201913", "'201913' is not a period: month 13 does not exist"),
        ("2019/21", "'2019/21' is not a financial year: the second year must follow the first"),
        (" 2019/21 ", "'2019/21' is not a financial year: the second year must follow the first"),
        ("2019/21 Q1", "'2019/21 Q1' is not a financial year: the second year must follow"),
        ("2019-02-30", "'2019-02-30' is not a period: 2019-02-30 is not a valid date"),
        ("Q5 2019", "'Q5 2019' is not a period: quarter 5 does not exist"),
        ("2024/25 Q0", "'2024/25 Q0' is not a period: quarter 0 does not exist"),
        ("2015 - 15", "'2015 - 15' is not a period: the last year (2015) must come after"),
        (
            "0 months to March 2019",
            "'0 months to March 2019' is not a period: a rolling window must cover at least one",
        ),
        ("", "'' is not a period: the text is empty; expected a form such as 2019-07"),
        ("   ", "'   ' is not a period: the text is empty"),
        (
            "next spring",
            "'next spring' is not a period; expected a form such as 2019-07, 201907, July 2019, "
            "2019 Q2, 2019/20, 2024/25 Q1, 2019, 12 months to March 2019, 2015 - 17, 2024-W05 or "
            "2024-02-01",
        ),
        ("Jully 2019", "'Jully 2019' is not a period; expected a form such as"),
    ],
)
def test_bad_text_raises_a_parse_error_naming_it(text: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_period(text)
    assert str(caught.value).startswith(message)
    assert caught.value.text == text


def test_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="is not a period"):
        parse_period("next spring")


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("2019 Q2", K.MONTH, "'2019 Q2' is a calendar quarter (2019 Q2), not a month"),
        ("2019 Q2", K.FINANCIAL_QUARTER, "is a calendar quarter (2019 Q2), not a financial-year"),
        ("2019-07", K.FINANCIAL_YEAR, "'2019-07' is a month (July 2019), not a financial year"),
        ("2019-20", K.MONTH, "'2019-20' is a financial year (2019/20), not a month"),
        ("2019", K.FINANCIAL_YEAR, "'2019' is a calendar year (2019), not a financial year"),
        ("2019-13", K.FINANCIAL_YEAR, "'2019-13' is not a financial year: the second year"),
        ("2019-07-01", K.QUARTER, "'2019-07-01' is a day (1 July 2019), not a calendar quarter"),
    ],
)
def test_text_of_another_kind_is_refused(text: str, kind: PeriodKind, message: str) -> None:
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_period(text, kind)


@given(st.text(max_size=30))
def test_any_text_either_parses_or_raises_a_parse_error(text: str) -> None:
    try:
        p = parse_period(text)
    except ParseError as error:
        assert "is not a" in str(error)
    else:
        assert parse_period(p.code) == p


@given(
    st.from_regex(
        r"\A\s*([0-9]{4}([-/ ]?[0-9]{1,4})?|Q[0-9] [0-9]{4}|[0-9]{4} ?- ?[0-9]{2})\s*\Z",
        fullmatch=True,
    )
)
def test_number_like_text_either_parses_or_raises_a_parse_error(text: str) -> None:
    try:
        p = parse_period(text)
    except ParseError:
        return
    assert parse_period(p.code) == p


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def test_parse_many_parses_each_text_in_order() -> None:
    texts = ["2019 Q1", "2019 q2", "Q3 2019", "2019 Q1"]
    expected = [quarter(2019, 1), quarter(2019, 2), quarter(2019, 3), quarter(2019, 1)]
    assert parse_many(texts) == expected


def test_parse_many_returns_the_same_object_for_a_repeated_code() -> None:
    first, second = parse_many(iter(["2019-07", "2019-07"]), K.MONTH)
    assert first is second


def test_parse_many_enforces_the_kind() -> None:
    with pytest.raises(ParseError, match="not a month"):
        parse_many(["2019-07", "2019 Q3"], K.MONTH)


@pytest.mark.parametrize(
    ("period", "kind"), list(itertools.product([month(2019, 1), rolling(3, 2019, 3)], K))
)
def test_fits_frequency_means_same_kind(period: Period, kind: PeriodKind) -> None:
    assert fits_frequency(period, kind) == (period.kind is kind)


def test_periods_between_is_inclusive() -> None:
    assert [p.code for p in periods_between(parse_period("2019/20"), parse_period("2021/22"))] == [
        "2019/20",
        "2020/21",
        "2021/22",
    ]
    assert periods_between(month(2019, 7), month(2019, 7)) == [month(2019, 7)]


def test_periods_between_is_empty_when_last_comes_first() -> None:
    assert periods_between(month(2019, 8), month(2019, 7)) == []


@given(nearby_same_kind())
def test_periods_between_steps_through_every_period(periods: list[Period]) -> None:
    first, last = min(periods), max(periods)
    between = periods_between(first, last)
    assert between[0] == first
    assert between[-1] == last
    assert all(a.next() == b for a, b in itertools.pairwise(between))
    assert all(p in between for p in periods)


def test_periods_between_refuses_different_kinds() -> None:
    with pytest.raises(ValueError, match="not periods of the same kind"):
        periods_between(quarter(2019, 1), financial_quarter(2019, 1))
    with pytest.raises(ValueError, match="not periods of the same length"):
        periods_between(rolling(3, 2019, 3), rolling(12, 2019, 6))
