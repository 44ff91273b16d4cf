"""Reporting delay: how many days after its figures' period ended each cycle reached each stage.

Councillors call four-month-old figures useless: the delay is measured for every cycle from
the last day of its cut-off period (the period its figures run to) to three of its moments,
as the cycle records them:

* **locked**: the day its figures were locked (``locked_at``);
* **board**: the day of its board meeting (``board_date``), counted once the cycle has
  reached the board; a board date still ahead is shown as planned, not counted;
* **published**: the day it was published (``published_at``).

The delay is computed from those moments whenever it is read, never stored, so it cannot
disagree with the cycle's record (ADR 0050). The median of the cycles' delays summarises
them: a late cycle moves it less than it moves the mean. The method is in
``docs/methods.md``, "Reporting delay".

>>> delays = reporting_delays([
...     CycleMoments(1, "Winter 2023", "2023-11", locked=dt.date(2023, 12, 9),
...                  board=dt.date(2024, 1, 22), published=dt.date(2024, 1, 22)),
...     CycleMoments(2, "Spring 2024", "2024-02", locked=dt.date(2024, 3, 8)),
... ])
>>> [(d.number, d.to_locked, d.to_board, d.to_published) for d in delays]
[(1, 9, 53, 53), (2, 8, None, None)]
>>> delay_medians(delays)
{'locked': 8.5, 'board': 53.0, 'published': 53.0}
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop, ngettext
from pmf.core.periods import parse_period
from pmf.core.wording import translated_period

__all__ = [
    "STAGES",
    "CycleMoments",
    "ReportingDelay",
    "delay_medians",
    "delay_words",
    "reporting_delays",
]

# The stages, in order, with their names in a sentence and a table's heading.
STAGES: tuple[tuple[str, str], ...] = (
    ("locked", gettext_noop("Figures locked")),
    ("board", gettext_noop("To the board")),
    ("published", gettext_noop("Published")),
)


@dataclass(frozen=True)
class CycleMoments:
    """One cycle's moments: the days it was locked, met the board and was published.

    ``board_planned`` is a board date set but not yet reached (the cycle is before its board):
    shown, not counted.
    """

    number: int
    name: str
    cut_off: str
    locked: dt.date | None = None
    board: dt.date | None = None
    published: dt.date | None = None
    board_planned: dt.date | None = None


@dataclass(frozen=True)
class ReportingDelay:
    """One cycle's delays in days from the end of its cut-off period (None: not reached)."""

    number: int
    name: str
    cut_off: str
    period_label: str
    period_end: dt.date
    to_locked: int | None
    to_board: int | None
    to_published: int | None
    board_planned: int | None = None

    def days(self, stage: str) -> int | None:
        """Return the delay to ``stage`` (``locked``, ``board`` or ``published``)."""
        found: int | None = getattr(self, f"to_{stage}")
        return found


def _days(end: dt.date, moment: dt.date | None) -> int | None:
    return None if moment is None else (moment - end).days


def reporting_delays(cycles: Iterable[CycleMoments]) -> list[ReportingDelay]:
    """Return each cycle's delays to each stage, in cycle order."""
    found = []
    for cycle in sorted(cycles, key=lambda item: item.number):
        period = parse_period(cycle.cut_off)
        found.append(
            ReportingDelay(
                number=cycle.number,
                name=cycle.name,
                cut_off=period.code,
                period_label=period.label,
                period_end=period.end,
                to_locked=_days(period.end, cycle.locked),
                to_board=_days(period.end, cycle.board),
                to_published=_days(period.end, cycle.published),
                board_planned=_days(period.end, cycle.board_planned),
            )
        )
    return found


def delay_medians(delays: Sequence[ReportingDelay]) -> dict[str, float | None]:
    """Return the median delay to each stage over the cycles that reached it (None: none did)."""
    medians: dict[str, float | None] = {}
    for stage, _name in STAGES:
        days = [value for item in delays if (value := item.days(stage)) is not None]
        medians[stage] = float(statistics.median(days)) if days else None
    return medians


def _day_words(days: int) -> str:
    return ngettext("{count} day", "{count} days", days).format(count=days)


def delay_words(delays: Sequence[ReportingDelay]) -> str:
    """Return a sentence on the latest cycle's delays and the median over every cycle.

    >>> delays = reporting_delays([CycleMoments(8, "Autumn 2025", "2025-08",
    ...     locked=dt.date(2025, 9, 8), board=dt.date(2025, 10, 20),
    ...     published=dt.date(2025, 10, 20))])
    >>> print(delay_words(delays).replace(", ", ",\\n"))
    Cycle 8 (data to August 2025): figures locked 8 days after the period ended,
    to the board after 50 days,
    published after 50 days.
    """
    if not delays:
        return _("No cycle has been locked yet: there is no reporting delay to show.")
    latest = next((item for item in reversed(delays) if item.to_locked is not None), None)
    if latest is None:
        return _("No cycle has been locked yet: there is no reporting delay to show.")
    parts = [
        _("figures locked {days} after the period ended").format(
            days=_day_words(latest.to_locked or 0)
        )
    ]
    if latest.to_board is not None:
        parts.append(_("to the board after {days}").format(days=_day_words(latest.to_board)))
    elif latest.board_planned is not None:
        parts.append(
            _("its board planned for {days} after").format(days=_day_words(latest.board_planned))
        )
    if latest.to_published is not None:
        parts.append(_("published after {days}").format(days=_day_words(latest.to_published)))
    else:
        parts.append(_("not yet published"))
    sentence = _("Cycle {number} (data to {period}): {stages}.").format(
        number=latest.number, period=translated_period(latest.period_label), stages=", ".join(parts)
    )
    counted = [item for item in delays if item.to_published is not None]
    if len(counted) > 1:
        median = delay_medians(counted)["published"]
        sentence += " " + _(
            "Over the {count} published cycles the median time to publication was {days} days."
        ).format(count=len(counted), days=f"{median:g}")
    return sentence
