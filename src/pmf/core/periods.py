"""Represent and parse the reporting periods of UK public-sector performance data.

A :class:`Period` is a run of whole calendar months with a *kind* saying how it is reported:
a month, a calendar quarter, a UK financial year (April to March, written ``2019/20``), a
financial-year quarter (``2024/25 Q1`` = April to June 2024), a calendar year, a rolling
window of N months ending with a month (``12 months to March 2019``) or a multi-year window of
pooled calendar years as in Fingertips data (``2015 - 17``). Weekly and daily series have
periods shorter than a month: an ISO 8601 week (``2024-W05``, Monday 29 January to Sunday
4 February 2024) and a day (``2024-02-01``).

>>> p = parse_period("2019/20")
>>> p.start, p.end
(datetime.date(2019, 4, 1), datetime.date(2020, 3, 31))
>>> str(p.next())
'2020/21'
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

__all__ = [
    "SUB_MONTH_KINDS",
    "ParseError",
    "Period",
    "PeriodKind",
    "day",
    "financial_quarter",
    "financial_year",
    "financial_year_of",
    "fits_frequency",
    "month",
    "multi_year",
    "parse_many",
    "parse_period",
    "periods_between",
    "quarter",
    "read_period",
    "rolling",
    "week",
    "week_of",
    "year",
]


class PeriodKind(StrEnum):
    """Name the ways a reporting period can be defined."""

    MONTH = "month"
    QUARTER = "quarter"  # calendar quarter, "2019 Q2" = Apr-Jun 2019
    FINANCIAL_QUARTER = "financial_quarter"  # "2024/25 Q1" = Apr-Jun 2024
    FINANCIAL_YEAR = "financial_year"  # "2019/20" = 1 Apr 2019 - 31 Mar 2020
    YEAR = "year"  # calendar year "2019"
    ROLLING = "rolling"  # N months ending with a month: "12 months to March 2019"
    MULTI_YEAR = "multi_year"  # calendar years pooled: "2015 - 17"
    WEEK = "week"  # ISO 8601 week, Monday to Sunday: "2024-W05"
    DAY = "day"  # one day: "2024-02-01"


# The kinds shorter than a month: their periods do not start and end with a month.
SUB_MONTH_KINDS = frozenset({PeriodKind.WEEK, PeriodKind.DAY})


_KIND_RANK: dict[PeriodKind, int] = {kind: rank for rank, kind in enumerate(PeriodKind)}

_KIND_DESCRIPTION: dict[PeriodKind, str] = {
    PeriodKind.MONTH: "a month",
    PeriodKind.QUARTER: "a calendar quarter",
    PeriodKind.FINANCIAL_QUARTER: "a financial-year quarter",
    PeriodKind.FINANCIAL_YEAR: "a financial year",
    PeriodKind.YEAR: "a calendar year",
    PeriodKind.ROLLING: "a rolling window",
    PeriodKind.MULTI_YEAR: "a multi-year window",
    PeriodKind.WEEK: "a week",
    PeriodKind.DAY: "a day",
}

_EXPECTED_FORMS = (
    "expected a form such as 2019-07, 201907, July 2019, 2019 Q2, 2019/20, 2024/25 Q1, 2019, "
    "12 months to March 2019, 2015 - 17, 2024-W05 or 2024-02-01"
)


class ParseError(ValueError):
    """Signal that a text is not a period (of the kind asked for).

    >>> try:
    ...     parse_period("2019-13")
    ... except ParseError as error:
    ...     print(error)
    '2019-13' is not a period: month 13 does not exist
    """

    def __init__(self, message: str, *, text: str) -> None:
        super().__init__(message)
        self.text = text


# --------------------------------------------------------------------------------------------
# Month arithmetic
# --------------------------------------------------------------------------------------------


def _month_index(d: date) -> int:
    """Return the number of months since January of year 0 (a convenient linear index)."""
    return d.year * 12 + d.month - 1


def _first_day(index: int) -> date:
    """Return the first day of the month with the given linear index."""
    y, m0 = divmod(index, 12)
    return date(y, m0 + 1, 1)


def _last_day(index: int) -> date:
    """Return the last day of the month with the given linear index."""
    y, m0 = divmod(index, 12)
    return date(y, m0 + 1, calendar.monthrange(y, m0 + 1)[1])


def _is_last_day_of_month(d: date) -> bool:
    """Tell whether a date is the last day of its month."""
    return d.day == calendar.monthrange(d.year, d.month)[1]


def _check_month_number(m: int) -> None:
    """Raise ValueError unless the month number is 1 to 12."""
    if not 1 <= m <= 12:
        raise ValueError(f"month {m} does not exist")


def _check_quarter_number(q: int) -> None:
    """Raise ValueError unless the quarter number is 1 to 4."""
    if not 1 <= q <= 4:
        raise ValueError(f"quarter {q} does not exist")


def _two_digits(y: int) -> str:
    """Return the last two digits of a year, zero-padded."""
    return f"{y % 100:02d}"


# --------------------------------------------------------------------------------------------
# Period
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=False, slots=True)
class Period:
    """Hold a reporting period: a kind and the first and last days it covers (inclusive).

    Build periods with :func:`month`, :func:`quarter`, :func:`financial_year` and friends, or
    with :func:`parse_period`; constructing one directly checks that the dates fit the kind.

    >>> p = month(2019, 7)
    >>> p.code, p.label, p.months
    ('2019-07', 'July 2019', 1)
    >>> p.previous() < p < p.next()
    True
    """

    kind: PeriodKind
    start: date
    end: date

    def __post_init__(self) -> None:
        """Check that the dates describe a period of the stated kind."""
        if not isinstance(self.kind, PeriodKind):
            raise TypeError(f"kind must be a PeriodKind, not {self.kind!r}")
        if self.kind is PeriodKind.WEEK:
            if self.start.isoweekday() != 1 or self.end != self.start + timedelta(days=6):
                raise ValueError(f"{self.start} to {self.end} is not a week (Monday to Sunday)")
            return
        if self.kind is PeriodKind.DAY:
            if self.end != self.start:
                raise ValueError(f"{self.start} to {self.end} is not a day")
            return
        if self.start.day != 1:
            raise ValueError(f"a period must start on the first day of a month, not {self.start}")
        if not _is_last_day_of_month(self.end):
            raise ValueError(f"a period must end on the last day of a month, not {self.end}")
        months = _month_index(self.end) - _month_index(self.start) + 1
        if months < 1:
            raise ValueError(f"a period cannot end ({self.end}) before it starts ({self.start})")
        kind = self.kind
        ok: bool
        if kind is PeriodKind.MONTH:
            ok = months == 1
        elif kind is PeriodKind.QUARTER or kind is PeriodKind.FINANCIAL_QUARTER:
            ok = months == 3 and self.start.month in (1, 4, 7, 10)
        elif kind is PeriodKind.FINANCIAL_YEAR:
            ok = months == 12 and self.start.month == 4
        elif kind is PeriodKind.YEAR:
            ok = months == 12 and self.start.month == 1
        elif kind is PeriodKind.MULTI_YEAR:
            ok = months >= 24 and months % 12 == 0 and self.start.month == 1
        else:  # ROLLING: any whole number of months
            ok = True
        if not ok:
            raise ValueError(
                f"{self.start} to {self.end} is not {_KIND_DESCRIPTION[kind]}",
            )

    # -- text ----------------------------------------------------------------------------

    @property
    def code(self) -> str:
        """Return the canonical text, which :func:`parse_period` reads back.

        >>> financial_quarter(2024, 1).code
        '2024/25 Q1'
        """
        kind, start, end = self.kind, self.start, self.end
        if kind is PeriodKind.MONTH:
            return f"{start.year:04d}-{start.month:02d}"
        if kind is PeriodKind.WEEK:
            iso = start.isocalendar()
            return f"{iso.year:04d}-W{iso.week:02d}"
        if kind is PeriodKind.DAY:
            return start.isoformat()
        if kind is PeriodKind.QUARTER:
            return f"{start.year:04d} Q{(start.month - 1) // 3 + 1}"
        if kind is PeriodKind.FINANCIAL_YEAR:
            return f"{start.year:04d}/{_two_digits(end.year)}"
        if kind is PeriodKind.FINANCIAL_QUARTER:
            fy_start = start.year if start.month >= 4 else start.year - 1
            q = ((start.month - 4) % 12) // 3 + 1
            return f"{fy_start:04d}/{_two_digits(fy_start + 1)} Q{q}"
        if kind is PeriodKind.YEAR:
            return f"{start.year:04d}"
        if kind is PeriodKind.ROLLING:
            n = self.months
            unit = "month" if n == 1 else "months"
            return f"{n} {unit} to {calendar.month_name[end.month]} {end.year:04d}"
        if start.year // 100 == end.year // 100:
            return f"{start.year:04d} - {_two_digits(end.year)}"
        return f"{start.year:04d} - {end.year:04d}"

    @property
    def label(self) -> str:
        """Return short human-readable text; it also parses back to the period.

        >>> month(2019, 7).label
        'July 2019'
        >>> week(2024, 5).label, day(2024, 2, 1).label
        ('Week 5 2024 (from 29 January)', '1 February 2024')
        """
        start = self.start
        if self.kind is PeriodKind.MONTH:
            return f"{calendar.month_name[start.month]} {start.year:04d}"
        if self.kind is PeriodKind.WEEK:
            iso = start.isocalendar()
            first = f"{start.day} {calendar.month_name[start.month]}"
            return f"Week {iso.week} {iso.year:04d} (from {first})"
        if self.kind is PeriodKind.DAY:
            return f"{start.day} {calendar.month_name[start.month]} {start.year:04d}"
        return self.code

    def __str__(self) -> str:
        """Return the canonical code."""
        return self.code

    # -- size and membership -------------------------------------------------------------

    @property
    def months(self) -> int:
        """Return the number of whole calendar months covered: none for a week or a day.

        >>> rolling(12, 2019, 3).months, week(2024, 5).months
        (12, 0)
        """
        if self.kind in SUB_MONTH_KINDS:
            return 0
        return _month_index(self.end) - _month_index(self.start) + 1

    @property
    def days(self) -> int:
        """Return the number of days covered.

        >>> week(2024, 5).days, month(2024, 2).days
        (7, 29)
        """
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        """Tell whether a date falls within the period (both ends included).

        >>> financial_year(2019).contains(date(2020, 3, 31))
        True
        """
        return self.start <= d <= self.end

    @property
    def financial_year(self) -> Period:
        """Return the financial year containing the period's last day.

        >>> quarter(2020, 1).financial_year.code
        '2019/20'
        """
        return financial_year_of(self.end)

    # -- stepping ------------------------------------------------------------------------

    def _shifted(self, months: int) -> Period:
        """Return the same kind of period moved by a number of months."""
        if self.kind in SUB_MONTH_KINDS:  # pragma: no cover - weeks and days step by days
            raise ValueError(f"{self} cannot be moved by whole months")
        return Period(
            self.kind,
            _first_day(_month_index(self.start) + months),
            _last_day(_month_index(self.end) + months),
        )

    def _step(self) -> int:
        """Return how many months separate consecutive periods of this kind and length."""
        if self.kind is PeriodKind.ROLLING:
            return 1
        if self.kind is PeriodKind.MULTI_YEAR:
            return 12
        return self.months

    def previous(self) -> Period:
        """Return the period immediately before, of the same kind and length.

        Rolling windows step by one month and multi-year windows by one year, as they are
        published.

        >>> rolling(12, 2019, 3).previous().code
        '12 months to February 2019'
        >>> multi_year(2015, 2017).previous().code
        '2014 - 16'
        >>> week(2024, 1).previous().code
        '2023-W52'
        """
        if self.kind in SUB_MONTH_KINDS:
            return self._moved_days(-self.days)
        return self._shifted(-self._step())

    def _moved_days(self, days: int) -> Period:
        """Return the same kind of period moved by a number of days (weeks and days only)."""
        shift = timedelta(days=days)
        return Period(self.kind, self.start + shift, self.end + shift)

    def next(self) -> Period:
        """Return the period immediately after, of the same kind and length.

        >>> quarter(2019, 4).next().code
        '2020 Q1'
        >>> day(2024, 2, 29).next().code
        '2024-03-01'
        """
        if self.kind in SUB_MONTH_KINDS:
            return self._moved_days(self.days)
        return self._shifted(self._step())

    def same_period_last_year(self) -> Period:
        """Return the period of the same kind and length twelve months earlier.

        A week is the week of the same number in the previous ISO year (week 53 becomes week
        52 when that year has no week 53); a day is the same date (29 February becomes 28).

        >>> rolling(12, 2019, 3).same_period_last_year().code
        '12 months to March 2018'
        >>> week(2020, 53).same_period_last_year().code
        '2019-W52'
        >>> day(2024, 2, 29).same_period_last_year().code
        '2023-02-28'
        """
        if self.kind is PeriodKind.WEEK:
            iso = self.start.isocalendar()
            number = min(iso.week, _weeks_in(iso.year - 1))
            return week(iso.year - 1, number)
        if self.kind is PeriodKind.DAY:
            d = self.start
            last = calendar.monthrange(d.year - 1, d.month)[1]
            return day(d.year - 1, d.month, min(d.day, last))
        return self._shifted(-12)

    # -- ordering ------------------------------------------------------------------------

    def _sort_key(self) -> tuple[date, date, int]:
        """Return the key that orders periods: end, then start, then kind."""
        return (self.end, self.start, _KIND_RANK[self.kind])

    def __lt__(self, other: object) -> bool:
        """Order by end, then start, then kind."""
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __le__(self, other: object) -> bool:
        """Order by end, then start, then kind."""
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() <= other._sort_key()

    def __gt__(self, other: object) -> bool:
        """Order by end, then start, then kind."""
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() > other._sort_key()

    def __ge__(self, other: object) -> bool:
        """Order by end, then start, then kind."""
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() >= other._sort_key()


# --------------------------------------------------------------------------------------------
# Constructors
# --------------------------------------------------------------------------------------------


def month(year: int, month: int) -> Period:
    """Return a calendar month.

    >>> month(2019, 7).code
    '2019-07'
    """
    _check_month_number(month)
    index = year * 12 + month - 1
    return Period(PeriodKind.MONTH, _first_day(index), _last_day(index))


def quarter(year: int, q: int) -> Period:
    """Return a calendar quarter; quarter 1 is January to March.

    >>> quarter(2019, 2).start
    datetime.date(2019, 4, 1)
    """
    _check_quarter_number(q)
    index = year * 12 + (q - 1) * 3
    return Period(PeriodKind.QUARTER, _first_day(index), _last_day(index + 2))


def financial_year(start_year: int) -> Period:
    """Return the UK financial year starting on 1 April of the given year.

    >>> financial_year(2019).code
    '2019/20'
    """
    index = start_year * 12 + 3
    return Period(PeriodKind.FINANCIAL_YEAR, _first_day(index), _last_day(index + 11))


def financial_quarter(start_year: int, q: int) -> Period:
    """Return a quarter of the financial year starting in April of the given year.

    >>> financial_quarter(2024, 4).start
    datetime.date(2025, 1, 1)
    """
    _check_quarter_number(q)
    index = start_year * 12 + 3 + (q - 1) * 3
    return Period(PeriodKind.FINANCIAL_QUARTER, _first_day(index), _last_day(index + 2))


def year(y: int) -> Period:
    """Return a calendar year.

    >>> year(2019).end
    datetime.date(2019, 12, 31)
    """
    return Period(PeriodKind.YEAR, date(y, 1, 1), date(y, 12, 31))


def rolling(months: int, end_year: int, end_month: int) -> Period:
    """Return a rolling window of a number of months ending with the given month.

    >>> rolling(12, 2019, 3).start
    datetime.date(2018, 4, 1)
    """
    if months < 1:
        raise ValueError(f"a rolling window must cover at least one month, not {months}")
    _check_month_number(end_month)
    end_index = end_year * 12 + end_month - 1
    return Period(PeriodKind.ROLLING, _first_day(end_index - months + 1), _last_day(end_index))


def multi_year(first_year: int, last_year: int) -> Period:
    """Return calendar years pooled from the first to the last, both included.

    The code gives the last year by two digits (``2015 - 17``), or by four when the window
    crosses a century (``1998 - 2001``).

    >>> multi_year(2015, 2017).code
    '2015 - 17'
    """
    if last_year <= first_year:
        raise ValueError(f"the last year ({last_year}) must come after the first ({first_year})")
    return Period(PeriodKind.MULTI_YEAR, date(first_year, 1, 1), date(last_year, 12, 31))


def _weeks_in(iso_year: int) -> int:
    """Return the number of ISO weeks in an ISO year: 52 or 53."""
    return date(iso_year, 12, 28).isocalendar().week


def week(iso_year: int, number: int) -> Period:
    """Return an ISO 8601 week: Monday to Sunday, week 1 being the week with 4 January.

    >>> p = week(2024, 5)
    >>> p.code, p.start, p.end
    ('2024-W05', datetime.date(2024, 1, 29), datetime.date(2024, 2, 4))
    """
    if not 1 <= number <= _weeks_in(iso_year):
        raise ValueError(f"week {number} does not exist in {iso_year}")
    start = date.fromisocalendar(iso_year, number, 1)
    return Period(PeriodKind.WEEK, start, start + timedelta(days=6))


def week_of(d: date) -> Period:
    """Return the ISO week containing a date.

    >>> week_of(date(2025, 1, 1)).code
    '2025-W01'
    """
    iso = d.isocalendar()
    return week(iso.year, iso.week)


def day(y: int, m: int, d: int) -> Period:
    """Return one day.

    >>> day(2024, 2, 1).code
    '2024-02-01'
    """
    on = date(y, m, d)
    return Period(PeriodKind.DAY, on, on)


def financial_year_of(d: date) -> Period:
    """Return the financial year containing a date.

    >>> financial_year_of(date(2020, 3, 31)).code
    '2019/20'
    >>> financial_year_of(date(2020, 4, 1)).code
    '2020/21'
    """
    return financial_year(d.year if d.month >= 4 else d.year - 1)


def fits_frequency(period: Period, kind: PeriodKind) -> bool:
    """Tell whether a period is of the given kind (the frequency of a series).

    >>> fits_frequency(month(2019, 7), PeriodKind.MONTH)
    True
    """
    return period.kind is kind


def periods_between(first: Period, last: Period) -> list[Period]:
    """Return the periods from the first to the last, both included, stepping with ``next()``.

    Both must be of one kind (and, for rolling and multi-year windows, one length). The list
    is empty when the last comes before the first.

    >>> [p.code for p in periods_between(quarter(2019, 3), quarter(2020, 1))]
    ['2019 Q3', '2019 Q4', '2020 Q1']
    """
    if first.kind is not last.kind:
        raise ValueError(f"{first} and {last} are not periods of the same kind")
    if first.kind not in SUB_MONTH_KINDS and first.months != last.months:
        raise ValueError(f"{first} and {last} are not periods of the same length")
    result: list[Period] = []
    current = first
    while current <= last:
        result.append(current)
        current = current.next()
    if result and result[-1] != last:  # pragma: no cover - kinds are aligned by construction
        raise ValueError(f"stepping from {first} does not reach {last}")
    return result


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

_MONTH_NAMES: dict[str, int] = {}
for _number in range(1, 13):
    _MONTH_NAMES[calendar.month_name[_number].lower()] = _number
    _MONTH_NAMES[calendar.month_abbr[_number].lower()] = _number
_MONTH_NAMES["sept"] = 9

_FLAGS = re.IGNORECASE
_Y = r"([0-9]{4})"
_FY_SECOND = r"([0-9]{2}|[0-9]{4})"
_FY_PART = rf"(?:FY\s*)?{_Y}(?:\s*/\s*|-){_FY_SECOND}"

_RE_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", _FLAGS)
_RE_COMPACT_MONTH = re.compile(r"([0-9]{4})([0-9]{2})", _FLAGS)
_RE_DASHED = re.compile(r"([0-9]{4})(\s*)-(\s*)([0-9]{1,4})", _FLAGS)
_RE_FY_SLASH = re.compile(rf"(?:FY\s*)?{_Y}\s*/\s*{_FY_SECOND}", _FLAGS)
_RE_FY_PREFIXED = re.compile(rf"FY\s*{_Y}\s*[/-]\s*{_FY_SECOND}", _FLAGS)
_RE_FQ_AFTER = re.compile(rf"{_FY_PART}\s*Q([0-9]+)", _FLAGS)
_RE_FQ_BEFORE = re.compile(rf"Q([0-9]+)\s*{_FY_PART}", _FLAGS)
_RE_Q_AFTER = re.compile(rf"{_Y}\s*-?\s*Q([0-9]+)", _FLAGS)
_RE_Q_BEFORE = re.compile(rf"Q([0-9]+)\s*-?\s*{_Y}", _FLAGS)
_RE_YEAR = re.compile(_Y, _FLAGS)
_RE_WEEK = re.compile(r"([0-9]{4})\s*-?\s*W\s*([0-9]{1,2})", _FLAGS)
_RE_WEEK_LABEL = re.compile(
    r"week\s+([0-9]{1,2}),?\s+([0-9]{4})(?:\s*\(from\s+([0-9]{1,2})\s+([a-z]+)\.?\))?", _FLAGS
)
_RE_DAY_NAMED = re.compile(rf"([0-9]{{1,2}})\s+([a-z]+)\.?,?\s+{_Y}", _FLAGS)
_RE_NAMED_MONTH = re.compile(rf"([a-z]+)\.?\s+{_Y}", _FLAGS)
_RE_ROLLING = re.compile(
    rf"([0-9]+)\s+months?\s+(?:to|ending)\s+([a-z]+)\.?\s+{_Y}",
    _FLAGS,
)


class _NotAPeriod(Exception):
    """Carry the reason a text failed to parse, inside this module only."""

    def __init__(self, reason: str, *, message: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message  # the whole message, when it is not "'text' is not a period"


def _not_a_financial_year(text: str) -> _NotAPeriod:
    """Return the failure for a financial year whose second year does not follow the first."""
    return _NotAPeriod(
        "the second year must follow the first",
        message=f"'{text}' is not a financial year: the second year must follow the first",
    )


def _second_year(first: int, digits: str) -> int:
    """Return the year written after ``first`` as two or four digits, in the same century."""
    if len(digits) == 4:
        return int(digits)
    return first - first % 100 + int(digits)


def _financial_year_start(first: int, digits: str, text: str) -> int:
    """Return the start year of a financial year written ``first/digits``, or raise."""
    second = _second_year(first, digits)
    following = first + 1
    if second != following and not (len(digits) == 2 and int(digits) == following % 100):
        raise _not_a_financial_year(text)
    return first


def _multi_year_last(first: int, digits: str) -> int:
    """Return the last year of a multi-year window written ``first - digits``.

    Two digits name a year in the same century as the first, so a window crossing a century
    must be written with four (``1998 - 2001``), as its code is.
    """
    return _second_year(first, digits)


def _named_month(name: str) -> int | None:
    """Return the number of a month from its English name or abbreviation."""
    return _MONTH_NAMES.get(name.lower())


def _build(factory: Callable[[], Period]) -> Period:
    """Call a constructor, turning its ValueError into a parse failure."""
    try:
        return factory()
    except ValueError as error:
        raise _NotAPeriod(str(error)) from error


def _dashed_readings(
    text: str, first: int, spaced: bool, digits: str, kind: PeriodKind | None
) -> list[Period]:
    """Return the readings of ``YYYY-NN`` and ``YYYY - NN`` texts, most likely first.

    Unspaced, ``2019-07`` is a month, ``2019-20`` a financial year and ``2015-17`` a
    multi-year window; with spaces it is always a multi-year window.
    """
    if spaced:
        if len(digits) not in (2, 4):
            raise _NotAPeriod("write a multi-year window as 2015 - 17 or 2015 - 2017")
        last = _multi_year_last(first, digits)
        return [_build(lambda: multi_year(first, last))]
    if len(digits) == 3:
        raise _NotAPeriod(f"{digits} is neither a month nor a year")
    readings: list[Period] = []
    n = int(digits)
    if len(digits) <= 2 and 1 <= n <= 12:
        readings.append(_build(lambda: month(first, n)))
    if len(digits) == 1:
        if not readings:
            raise _NotAPeriod(f"month {n} does not exist")
        return readings
    second = _second_year(first, digits)
    if second == first + 1 or (len(digits) == 2 and n == (first + 1) % 100):
        readings.append(_build(lambda: financial_year(first)))
    elif second > first:
        readings.append(_build(lambda: multi_year(first, second)))
    if not readings:
        if kind is PeriodKind.FINANCIAL_YEAR:
            raise _not_a_financial_year(text)
        if kind is PeriodKind.MULTI_YEAR or len(digits) == 4:
            raise _NotAPeriod("the last year must come after the first")
        raise _NotAPeriod(f"month {n} does not exist")
    return readings


def _readings(text: str, kind: PeriodKind | None) -> list[Period]:
    """Return every period the (stripped, non-empty) text can mean, most likely first."""
    if m := _RE_DATE.fullmatch(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        _build(lambda: month(y, mo))
        try:
            day = date(y, mo, d)
        except ValueError as error:
            raise _NotAPeriod(f"{text} is not a valid date") from error
        # A date is a day; a first-of-month date may also be read as its month (given that
        # kind), as files of monthly figures often date them by their first day.
        readings = [Period(PeriodKind.DAY, day, day)]
        if day.day == 1:
            readings.append(month(y, mo))
        return readings
    if m := _RE_WEEK.fullmatch(text):
        y, number = int(m[1]), int(m[2])
        return [_build(lambda: week(y, number))]
    if m := _RE_WEEK_LABEL.fullmatch(text):
        y, number = int(m[2]), int(m[1])
        found = _build(lambda: week(y, number))
        if m[3] is not None:
            named = _named_month(m[4])
            if named is None or (found.start.day, found.start.month) != (int(m[3]), named):
                raise _NotAPeriod(
                    f"week {number} of {y} starts on {found.start.day} "
                    f"{calendar.month_name[found.start.month]}"
                )
        return [found]
    if (m := _RE_DAY_NAMED.fullmatch(text)) and (named := _named_month(m[2])) is not None:
        y, number, d = int(m[3]), named, int(m[1])
        _build(lambda: month(y, number))
        try:
            on = date(y, number, d)
        except ValueError as error:
            raise _NotAPeriod(f"{text} is not a valid date") from error
        return [Period(PeriodKind.DAY, on, on)]
    if m := _RE_COMPACT_MONTH.fullmatch(text):
        y, mo = int(m[1]), int(m[2])
        return [_build(lambda: month(y, mo))]
    if m := _RE_DASHED.fullmatch(text):
        return _dashed_readings(text, int(m[1]), bool(m[2] or m[3]), m[4], kind)
    if m := _RE_FY_SLASH.fullmatch(text) or _RE_FY_PREFIXED.fullmatch(text):
        first = _financial_year_start(int(m[1]), m[2], text)
        return [_build(lambda: financial_year(first))]
    if m := _RE_FQ_AFTER.fullmatch(text):
        first = _financial_year_start(int(m[1]), m[2], text)
        q = int(m[3])
        return [_build(lambda: financial_quarter(first, q))]
    if m := _RE_FQ_BEFORE.fullmatch(text):
        first = _financial_year_start(int(m[2]), m[3], text)
        q = int(m[1])
        return [_build(lambda: financial_quarter(first, q))]
    if m := _RE_Q_AFTER.fullmatch(text):
        y, q = int(m[1]), int(m[2])
        return [_build(lambda: quarter(y, q))]
    if m := _RE_Q_BEFORE.fullmatch(text):
        q, y = int(m[1]), int(m[2])
        return [_build(lambda: quarter(y, q))]
    if m := _RE_YEAR.fullmatch(text):
        y = int(m[1])
        return [_build(lambda: year(y))]
    if (m := _RE_NAMED_MONTH.fullmatch(text)) and (named := _named_month(m[1])) is not None:
        y, number = int(m[2]), named
        return [_build(lambda: month(y, number))]
    if (m := _RE_ROLLING.fullmatch(text)) and (named := _named_month(m[2])) is not None:
        n, y, number = int(m[1]), int(m[3]), named
        return [_build(lambda: rolling(n, y, number))]
    raise _NotAPeriod(_EXPECTED_FORMS)


@lru_cache(maxsize=65536)
def _parse_cached(text: str, kind: PeriodKind | None) -> Period:
    """Parse one text (see :func:`parse_period`); cached because imports repeat codes."""
    if not isinstance(text, str):
        raise TypeError(f"a period must be given as text, not {type(text).__name__}")
    stripped = text.strip().replace("\u2013", "-")
    if not stripped:
        raise ParseError(
            f"'{text}' is not a period: the text is empty; {_EXPECTED_FORMS}", text=text
        )
    try:
        readings = _readings(stripped, kind)
    except _NotAPeriod as failure:
        if failure.message is not None:
            raise ParseError(failure.message, text=text) from None
        separator = "; " if failure.reason == _EXPECTED_FORMS else ": "
        raise ParseError(
            f"'{stripped}' is not a period{separator}{failure.reason}", text=text
        ) from None
    if kind is None:
        return readings[0]
    for reading in readings:
        if reading.kind is kind:
            return reading
    found = readings[0]
    raise ParseError(
        f"'{stripped}' is {_KIND_DESCRIPTION[found.kind]} ({found.label}), "
        f"not {_KIND_DESCRIPTION[kind]}",
        text=text,
    )


def parse_period(text: str, kind: PeriodKind | None = None) -> Period:
    """Parse a period from its text; with ``kind``, insist on that kind.

    Surrounding whitespace is ignored; month names, ``Q`` and ``FY`` are case-insensitive.
    The forms read are:

    * month: ``2019-07``, ``2019-07-01`` (with ``kind=PeriodKind.MONTH``), ``201907``,
      ``July 2019``, ``Jul 2019``, ``Sept 2019``;
    * calendar quarter: ``2019 Q2``, ``Q2 2019``, ``2019Q2``, ``2019-Q2``;
    * financial year: ``2019/20``, ``2019-20``, ``2019/2020``, ``FY 2019/20``;
    * financial-year quarter: ``2024/25 Q1``, ``2024-25 Q1``, ``Q1 2024/25``;
    * calendar year: ``2019``;
    * rolling window: ``12 months to March 2019``, ``3 months ending Jun 2020``;
    * multi-year window: ``2015 - 17``, ``2015 - 2017`` (spaced dash); two digits name a
      year in the same century as the first;
    * ISO week: ``2024-W05``, ``2024W5``, ``Week 5 2024``, ``Week 5 2024 (from 29 January)``;
    * day: ``2024-02-01``, ``1 February 2024``, ``1 Feb 2024``.

    A date such as ``2019-07-01`` is a day; read as a month (``kind=PeriodKind.MONTH``) a
    first-of-month date is that month, as files of monthly figures often date them.

    An unspaced ``YYYY-NN`` is a month when NN is 01 to 12, else a financial year when NN is
    the following year, else a multi-year window when NN is later. Giving ``kind`` picks the
    other readings of an ambiguous text: ``parse_period("2011-12", PeriodKind.FINANCIAL_YEAR)``
    is 2011/12, not December 2011.

    >>> parse_period(" jul 2019 ").code
    '2019-07'
    >>> parse_period("Q1 2024/25").label
    '2024/25 Q1'
    >>> parse_period("2011-12", PeriodKind.FINANCIAL_YEAR).code
    '2011/12'
    """
    return _parse_cached(text, kind)


def read_period(text: str, kind: PeriodKind) -> Period:
    """Parse a period as ``kind`` when the text can be one, else as whatever it is.

    How a measure's own periods are read (a target's span, a rebase): ``2019-07-01`` is July
    2019 for a monthly measure and a day for a daily one.

    >>> [read_period("2019-07-01", kind).code for kind in (PeriodKind.MONTH, PeriodKind.DAY)]
    ['2019-07', '2019-07-01']
    """
    try:
        return _parse_cached(text, kind)
    except ParseError:
        return _parse_cached(text, None)


def parse_many(texts: Iterable[str], kind: PeriodKind | None = None) -> list[Period]:
    """Parse many texts, reusing the cache for repeated codes.

    >>> [p.code for p in parse_many(["2019 Q1", "2019 q2", "Q3 2019"])]
    ['2019 Q1', '2019 Q2', '2019 Q3']
    """
    return [_parse_cached(text, kind) for text in texts]
