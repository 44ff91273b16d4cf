"""Show figures the way a board paper writes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmf.core.framework import Measure


def format_value(value: float | None, measure: Measure) -> str:
    """Return ``value`` in the measure's unit and precision.

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
    from pmf.core.framework import InspectionGrade, UnitOfMeasure

    if value is None:
        return "–"
    unit = measure.unit_of_measure
    if unit is UnitOfMeasure.GRADE:
        grades = list(InspectionGrade)
        index = round(value) - 1
        if 0 <= index < len(grades):
            return grades[index].value.replace("_", " ").capitalize()
    number = f"{value:,.{measure.decimals}f}"
    if unit is UnitOfMeasure.PERCENT:
        return f"{number}%"
    if unit is UnitOfMeasure.GBP:
        return f"-£{number[1:]}" if value < 0 else f"£{number}"
    suffix = {
        UnitOfMeasure.DAYS: " days",
        UnitOfMeasure.HOURS: " hours",
        UnitOfMeasure.MINUTES: " min",
        UnitOfMeasure.YEARS: " years",
    }.get(unit, "")
    return f"{number}{suffix}"


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

    >>> [join_words(items) for items in ([], ["A"], ["A", "B"], ["A", "B", "C"])]
    ['', 'A', 'A and B', 'A, B and C']
    """
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


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
    return f"{day.day} {day:%B %Y}"


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
