"""Show figures the way a board paper writes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop, pgettext

if TYPE_CHECKING:
    from pmf.core.framework import Measure
    from pmf.core.periods import Period

# The months as pages, papers and sentences name them, translated when shown.
MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
# The inspection grades (pmf.core.framework.InspectionGrade), best first, by code: a grade
# measure's figures and an inspection standard's minimum are shown by these names, translated.
INSPECTION_GRADES = {
    "outstanding": gettext_noop("Outstanding"),
    "good": gettext_noop("Good"),
    "requires_improvement": gettext_noop("Requires improvement"),
    "inadequate": gettext_noop("Inadequate"),
}
# Welsh writes "a" before a consonant and "ac" before a vowel: the join is chosen by the word
# that follows it, so a translator may give each its own form.
_VOWELS = tuple("aeiouyAEIOUY")


def format_value(value: float | None, measure: Measure, *, english: bool = False) -> str:
    """Return ``value`` in the measure's unit and precision.

    A grade (``unit_of_measure: grade``, 1 for Outstanding to 4 for Inadequate) is its name in
    the reader's language; with ``english``, as written, for the assessment's English columns.

    >>> from pmf.core.framework import Measure
    >>> m = Measure(code="X", name="X", area="A", kind="kpi", polarity="neither",
    ...             unit_of_measure="percent", frequency="month", decimals=1)
    >>> format_value(71.94, m)
    '71.9%'
    >>> format_value(None, m)
    '–'
    """
    # The framework's schema here, not at the top: the other helpers (plural, format_bytes)
    # serve commands that read no framework, and it takes a tenth of a second to import.
    from pmf.core.framework import UnitOfMeasure

    if value is None:
        return "–"
    unit = measure.unit_of_measure
    if unit is UnitOfMeasure.GRADE:
        names = list(INSPECTION_GRADES.values())
        index = round(value) - 1
        if 0 <= index < len(names):
            return names[index] if english else _(names[index])
    number = f"{value:,.{measure.decimals}f}"
    if unit is UnitOfMeasure.PERCENT:
        return f"{number}%"
    if unit is UnitOfMeasure.GBP:
        return f"-£{number[1:]}" if value < 0 else f"£{number}"
    # A duration with its unit's word, in the reader's language ("12.5 diwrnod").
    with_unit = {
        UnitOfMeasure.DAYS: gettext_noop("{number} days"),
        UnitOfMeasure.HOURS: gettext_noop("{number} hours"),
        UnitOfMeasure.MINUTES: gettext_noop("{number} min"),
        UnitOfMeasure.YEARS: gettext_noop("{number} years"),
    }.get(unit)
    if with_unit is None:
        return number
    return (with_unit if english else _(with_unit)).format(number=number)


def format_count(value: float | None) -> str:
    """Return a count or a denominator as a whole number with thousands separators.

    >>> format_count(426725.0), format_count(683), format_count(None)
    ('426,725', '683', '–')
    """
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{round(value):,}"


def join_words(items: Sequence[str]) -> str:
    """Join words as a sentence does, with no serial comma, as British papers write.

    In Welsh: "A, B a C", and "ac" before a vowel ("A ac Y").

    >>> [join_words(items) for items in ([], ["A"], ["A", "B"], ["A", "B", "C"])]
    ['', 'A', 'A and B', 'A, B and C']
    """
    if len(items) <= 1:
        return "".join(items)
    last = items[-1]
    if last.startswith(_VOWELS):
        # Translators: the last item starts with a vowel (Welsh: "ac").
        joined = pgettext("before a vowel", "{items} and {last}")
    else:
        # Translators: the last item starts with a consonant (Welsh: "a").
        joined = pgettext("before a consonant", "{items} and {last}")
    return joined.format(items=", ".join(items[:-1]), last=last)


def month_name(month: int) -> str:
    """Return the month's name in the reader's language (1 is January).

    >>> month_name(7)
    'July'
    """
    return _(MONTHS[month - 1])


def period_name(period: Period | str) -> str:
    """Return a period as a reader of their language reads it: "July 2019", "Gorffennaf 2019".

    The English is the period's label (which parses back to the period); other languages
    name the months and weeks in their own words.

    >>> period_name("2019-07"), period_name("2024-W05"), period_name("2024/25 Q1")
    ('July 2019', 'Week 5 2024 (from 29 January)', '2024/25 Q1')
    """
    from pmf.core.periods import PeriodKind, parse_period

    found = parse_period(period) if isinstance(period, str) else period
    start = found.start
    if found.kind is PeriodKind.MONTH:
        return _("{month} {year}").format(month=month_name(start.month), year=f"{start.year:04d}")
    if found.kind is PeriodKind.WEEK:
        iso = start.isocalendar()
        return _("Week {week} {year} (from {day} {month})").format(
            week=iso.week, year=f"{iso.year:04d}", day=start.day, month=month_name(start.month)
        )
    if found.kind is PeriodKind.DAY:
        return format_date(start)
    if found.kind in (PeriodKind.QUARTER, PeriodKind.FINANCIAL_QUARTER):
        year, quarter = found.code.rsplit(" Q", 1)
        # Translators: a quarter's code: "2024/25 Q1", "2019 Q2".
        return _("{year} Q{quarter}").format(year=year, quarter=quarter)
    return found.label


def plural(count: int, word: str, many: str | None = None) -> str:
    """Return the count with its noun, singular or plural.

    >>> plural(1, "row"), plural(2, "row"), plural(1_234, "peer group")
    ('1 row', '2 rows', '1,234 peer groups')
    """
    noun = word if count == 1 else (many or f"{word}s")
    return f"{count:,} {noun}"


def format_date(day: dt.date | None) -> str:
    """Return a day as people read it, the one date format of pages, papers and the terminal.

    ISO dates (2026-12-06) stay in what machines read: CSV, JSON, the API, form fields.

    >>> format_date(dt.date(2026, 12, 6)), format_date(None)
    ('6 December 2026', '–')
    """
    if day is None:
        return "–"
    if isinstance(day, dt.datetime):
        day = day.date()
    # Translators: a date, "6 December 2026".
    return _("{day} {month} {year}").format(day=day.day, month=month_name(day.month), year=day.year)


def format_moment(moment: dt.datetime | None) -> str:
    """Return a moment as people read it: the day as :func:`format_date`, then the time.

    Give it in the reader's time zone (the web layer converts to the server's).

    >>> format_moment(dt.datetime(2026, 12, 6, 14, 5, 59))
    '6 December 2026, 14:05'
    """
    if moment is None:
        return "–"
    return f"{format_date(moment)}, {moment:%H:%M}"


def format_bytes(size: int) -> str:
    """Return a size in bytes as people read it, in binary units (KiB, MiB, GiB) throughout.

    Limits are powers of two (512 × 1024 × 1024 bytes), so binary units show them exactly.

    >>> format_bytes(512 * 1024 * 1024), format_bytes(1536 * 1024), format_bytes(900)
    ('512 MiB', '1.5 MiB', '900 bytes')
    """
    if size < 1024:
        return plural(size, "byte")
    amount = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        amount /= 1024
        if amount < 1024 or unit == "TiB":
            break
    shown = f"{amount:.1f}" if amount < 10 else f"{amount:,.0f}"
    return f"{shown.removesuffix('.0')} {unit}"
