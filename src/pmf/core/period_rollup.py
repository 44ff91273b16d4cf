"""Make monthly and quarterly figures from a weekly or daily measure's figures.

A day belongs to the month, quarter or year that contains it. A week (ISO 8601, Monday to
Sunday) may straddle two months; it belongs, whole, to the period that contains its
**Thursday**: the rule by which ISO 8601 gives a week to a year, applied to months and
quarters. Every week therefore counts once, in one month, and a month has four or five
weeks (``docs/methods.md``, "Weekly and daily measures").

How the figures combine is the measure's ``period_rollup`` (left out, its ``rollup``):

- ``sum``: the total (cases opened in the month);
- ``mean``: the average of the figures (the average number of unallocated cases a day);
- ``last``: the figure of the last week or day (the cases unallocated at the month's end);
- ``pooled_ratio``: the sum of the numerators over the sum of the denominators, times the
  multiplier;
- ``none``: the figures do not combine.

A month or quarter is given a figure only when every week or day in it has one, unless the
measure says ``rollup_partial: true``; the number of figures it is made from is kept with it.

>>> from pmf.core.periods import parse_period
>>> month_of(parse_period("2024-W05")).code  # Monday 29 January to Sunday 4 February
'2024-02'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pmf.core.framework import Measure, PeriodRollup, Rollup
from pmf.core.periods import (
    SUB_MONTH_KINDS,
    Period,
    PeriodKind,
    financial_quarter,
    financial_year_of,
    month,
    parse_period,
    quarter,
    week_of,
    year,
)

__all__ = [
    "TARGET_KINDS",
    "PeriodObservation",
    "RolledObservation",
    "anchor_day",
    "containing",
    "method_of",
    "month_of",
    "parts_in",
    "roll_up_periods",
]

# The kinds a weekly or daily series rolls up to.
TARGET_KINDS = (
    PeriodKind.MONTH,
    PeriodKind.QUARTER,
    PeriodKind.FINANCIAL_QUARTER,
    PeriodKind.FINANCIAL_YEAR,
    PeriodKind.YEAR,
)

_FROM_UNIT_RULE = {
    Rollup.SUM: PeriodRollup.SUM,
    Rollup.MEAN: PeriodRollup.MEAN,
    Rollup.POOLED_RATIO: PeriodRollup.POOLED_RATIO,
    Rollup.NONE: PeriodRollup.NONE,
}


@dataclass(frozen=True)
class PeriodObservation:
    """One weekly or daily figure of a unit's series."""

    period: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class RolledObservation:
    """A month's (quarter's, year's) figure made from the weeks or days in it."""

    period: str
    label: str
    value: float | None
    numerator: float | None
    denominator: float | None
    parts: int  # weeks or days with a figure
    expected: int  # weeks or days in the period
    first: str  # the first and last week or day it is made from
    last: str

    @property
    def complete(self) -> bool:
        """Tell whether every week or day in the period has a figure."""
        return self.parts == self.expected


def anchor_day(period: Period) -> date:
    """Return the day that places a week or a day in a longer period: a week's Thursday.

    >>> from pmf.core.periods import week
    >>> anchor_day(week(2024, 5))
    datetime.date(2024, 2, 1)
    """
    if period.kind is PeriodKind.WEEK:
        return period.start + timedelta(days=3)
    if period.kind is PeriodKind.DAY:
        return period.start
    raise ValueError(f"{period} is neither a week nor a day")


def containing(kind: PeriodKind, on: date) -> Period:
    """Return the period of ``kind`` (a month, quarter or year) that contains a day.

    >>> containing(PeriodKind.FINANCIAL_QUARTER, date(2024, 2, 1)).code
    '2023/24 Q4'
    """
    if kind is PeriodKind.MONTH:
        return month(on.year, on.month)
    if kind is PeriodKind.QUARTER:
        return quarter(on.year, (on.month - 1) // 3 + 1)
    if kind is PeriodKind.FINANCIAL_QUARTER:
        start = on.year if on.month >= 4 else on.year - 1
        return financial_quarter(start, (on.month - 4) % 12 // 3 + 1)
    if kind is PeriodKind.FINANCIAL_YEAR:
        return financial_year_of(on)
    if kind is PeriodKind.YEAR:
        return year(on.year)
    raise ValueError(f"weekly and daily figures roll up to {_kinds_words()}, not {kind.value}")


def month_of(period: Period) -> Period:
    """Return the month a week or a day belongs to (a week: the month of its Thursday)."""
    return containing(PeriodKind.MONTH, anchor_day(period))


def parts_in(kind: PeriodKind, target: Period) -> list[Period]:
    """Return the weeks (by their Thursday) or days that belong to a longer period.

    >>> [p.code for p in parts_in(PeriodKind.WEEK, month(2024, 2))]  # five Thursdays
    ['2024-W05', '2024-W06', '2024-W07', '2024-W08', '2024-W09']
    """
    if kind is PeriodKind.DAY:
        return [
            Period(PeriodKind.DAY, on, on)
            for on in (target.start + timedelta(days=n) for n in range(target.days))
        ]
    if kind is not PeriodKind.WEEK:
        raise ValueError(f"{kind.value} is neither week nor day")
    # The week of the first Thursday on or after the period's start, and each after it.
    first = target.start + timedelta(days=(3 - target.start.weekday()) % 7)
    weeks = []
    thursday = first
    while thursday <= target.end:
        weeks.append(week_of(thursday))
        thursday += timedelta(days=7)
    return weeks


def method_of(measure: Measure) -> PeriodRollup:
    """Return how a measure's weekly or daily figures combine: ``period_rollup`` or ``rollup``."""
    return measure.period_rollup or _FROM_UNIT_RULE[measure.rollup]


def roll_up_periods(
    measure: Measure,
    observations: Sequence[PeriodObservation],
    to: PeriodKind,
    *,
    partial: bool | None = None,
) -> list[RolledObservation]:
    """Return a unit's figures by month (or quarter, or year) from its weekly or daily ones.

    ``partial`` (by default the measure's ``rollup_partial``) keeps months that lack some of
    their weeks or days; otherwise only complete months are returned. Oldest first.

    >>> from pmf.core.framework import load_framework
    >>> fw = load_framework('''
    ... organisation: {code: C, name: Council}
    ... areas: [{code: A, name: A}]
    ... units: [{code: C, name: C, type: council}]
    ... measures: [{code: U, name: Unallocated cases, area: A, kind: kpi,
    ...   polarity: lower_is_better, unit_of_measure: count, frequency: week,
    ...   period_rollup: mean}]
    ... ''')
    >>> weeks = [PeriodObservation(f"2024-W{n:02d}", float(n)) for n in range(5, 10)]
    >>> [(r.period, r.value, r.parts) for r in roll_up_periods(fw.measure("U"), weeks, "month")]
    [('2024-02', 7.0, 5)]
    """
    to = PeriodKind(to)
    kind = measure.frequency
    if kind not in SUB_MONTH_KINDS:
        raise ValueError(f"{measure.code} is reported by {kind.value}, not by week or by day")
    if to not in TARGET_KINDS:
        raise ValueError(f"weekly and daily figures roll up to {_kinds_words()}, not {to.value}")
    method = method_of(measure)
    if method is PeriodRollup.NONE:
        raise ValueError(
            f"{measure.code} does not say how its figures combine: give it period_rollup "
            "(sum, mean, last or pooled_ratio)"
        )
    keep_partial = measure.rollup_partial if partial is None else partial
    groups: dict[Period, list[tuple[Period, PeriodObservation]]] = {}
    for observation in observations:
        period = parse_period(observation.period, kind)
        if period.kind is not kind:
            raise ValueError(f"{observation.period} is not a {kind.value} of {measure.code}")
        groups.setdefault(containing(to, anchor_day(period)), []).append((period, observation))
    rolled = []
    for target in sorted(groups):
        members = sorted(groups[target], key=lambda pair: pair[0])
        expected = len(parts_in(kind, target))
        if len(members) < expected and not keep_partial:
            continue
        value, numerator, denominator = _combine(method, measure, [o for _, o in members])
        rolled.append(
            RolledObservation(
                period=target.code,
                label=target.label,
                value=value,
                numerator=numerator,
                denominator=denominator,
                parts=len(members),
                expected=expected,
                first=members[0][0].code,
                last=members[-1][0].code,
            )
        )
    return rolled


def _combine(
    method: PeriodRollup, measure: Measure, observations: list[PeriodObservation]
) -> tuple[float | None, float | None, float | None]:
    """Return the value, numerator and denominator of a group of figures, oldest first."""
    values = [f.value for f in observations if f.value is not None]
    if method is PeriodRollup.POOLED_RATIO:
        pairs = [
            (f.numerator, f.denominator)
            for f in observations
            if f.numerator is not None and f.denominator is not None
        ]
        if len(pairs) < len(observations):
            return None, None, None
        numerator = sum(n for n, _ in pairs)
        denominator = sum(d for _, d in pairs)
        if denominator == 0:
            return None, numerator, denominator
        return numerator / denominator * measure.multiplier, numerator, denominator
    if not values:
        return None, None, None
    if method is PeriodRollup.SUM:
        return sum(values), None, None
    if method is PeriodRollup.MEAN:
        return sum(values) / len(values), None, None
    return observations[-1].value, None, None  # LAST


def _kinds_words() -> str:
    names = [kind.value.replace("_", " ") for kind in TARGET_KINDS]
    return ", ".join(names[:-1]) + " or " + names[-1]
