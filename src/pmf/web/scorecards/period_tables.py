"""Give the measure page of a weekly or daily measure its figures by month and by quarter.

The figures are made in :mod:`pmf.core.period_rollup` (its rule for weeks that straddle two
months is in ``docs/methods.md``); here they are only put in the shape the page shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmf.core.framework import Measure, PeriodRollup
from pmf.core.period_rollup import PeriodObservation, method_of, roll_up_periods
from pmf.core.periods import SUB_MONTH_KINDS, PeriodKind
from pmf.core.text import format_value

# What the page shows, in order: each month, and each quarter of the financial year.
SHOWN_KINDS = (
    (PeriodKind.MONTH, gettext_lazy("Month")),
    (PeriodKind.FINANCIAL_QUARTER, gettext_lazy("Quarter (financial year)")),
)

# How a month's or quarter's figure is made, with the weeks' (or days') words filled in: the
# papers' builder reads these (pmf.web.papers.builders.periods); the page, ``method_words``.
METHOD_WORDS = {
    PeriodRollup.SUM: "the total of the {parts}",
    PeriodRollup.MEAN: "the average of the {parts}",
    PeriodRollup.LAST: "the figure of the last {part}",
    PeriodRollup.POOLED_RATIO: "the {parts}' numerators over their denominators",
}


def method_words(method: PeriodRollup, weekly: bool) -> str:
    """Return how a month's or quarter's figure is made from the weeks' (or days') figures."""
    if weekly:
        words = {
            PeriodRollup.SUM: _("the total of the weeks"),
            PeriodRollup.MEAN: _("the average of the weeks"),
            PeriodRollup.LAST: _("the figure of the last week"),
            PeriodRollup.POOLED_RATIO: _("the weeks' numerators over their denominators"),
        }
    else:
        words = {
            PeriodRollup.SUM: _("the total of the days"),
            PeriodRollup.MEAN: _("the average of the days"),
            PeriodRollup.LAST: _("the figure of the last day"),
            PeriodRollup.POOLED_RATIO: _("the days' numerators over their denominators"),
        }
    return words[method]


def period_rollup_tables(measure: Measure, rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Return a weekly or daily measure's figures by month and quarter; None for other measures.

    ``rows`` are the measure page's figures (period, value, numerator, denominator, future).
    """
    if measure.frequency not in SUB_MONTH_KINDS:
        return None
    method = method_of(measure)
    part, parts = ("week", "weeks") if measure.frequency is PeriodKind.WEEK else ("day", "days")
    if method is PeriodRollup.NONE:
        return {"method": "", "tables": [], "part": part, "parts": parts}
    observations = [
        PeriodObservation(
            row["period"], row.get("value"), row.get("numerator"), row.get("denominator")
        )
        for row in rows
        if not row.get("future")
    ]
    tables = []
    for kind, heading in SHOWN_KINDS:
        rolled = roll_up_periods(measure, observations, kind)
        tables.append(
            {
                "kind": kind.value,
                "heading": str(heading),
                "rows": [
                    {
                        "period": item.period,
                        "label": item.label,
                        "value": item.value,
                        "value_text": format_value(item.value, measure),
                        "parts": item.parts,
                        "expected": item.expected,
                        "complete": item.complete,
                        "first": item.first,
                        "last": item.last,
                    }
                    for item in reversed(rolled)
                ],
            }
        )
    return {
        "method": method_words(method, weekly=measure.frequency is PeriodKind.WEEK),
        "partial": measure.rollup_partial,
        "part": part,
        "parts": parts,
        "tables": tables,
    }
