"""Render a scorecard as a plain-text table for the terminal."""

from __future__ import annotations

from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop
from pmf.core.scorecard import (
    DIRECTION_LEGEND,
    MARKS_LEGEND,
    SPC_LEGEND,
    Scorecard,
    ScorecardRow,
    spc_text,
)

HEADERS = (
    gettext_noop("Measure"),
    gettext_noop("Kind"),
    gettext_noop("Period"),
    gettext_noop("Value"),
    gettext_noop("Standard"),
    gettext_noop("Met"),
    gettext_noop("RAG"),
    gettext_noop("v. previous"),
    gettext_noop("v. last year"),
    gettext_noop("MSG rank"),
    gettext_noop("SPC"),
)
"""The table's column headings (translated where shown)."""
NAME_WIDTH = 46


def render_scorecard(scorecard: Scorecard) -> str:
    """Return the scorecard as a table grouped by area, one line per measure."""
    lines = [
        _("{organisation}: scorecard of {name} ({unit}), {heading}").format(
            organisation=scorecard.organisation,
            name=scorecard.unit_name,
            unit=scorecard.unit,
            heading=scorecard.heading,
        ),
        _("Directions: {legend}").format(legend=_(DIRECTION_LEGEND)),
        _("SPC: {legend}").format(legend=_(SPC_LEGEND)),
    ]
    if scorecard.has_marks:
        lines.append(_("Marks: {legend}").format(legend=_(MARKS_LEGEND)))
    if scorecard.future_text:
        lines.append(_("Warning: {text}").format(text=scorecard.future_text))
    for section in scorecard.sections:
        lines.append("")
        lines.append(section.title)
        if not section.rows:
            lines.append("  " + _("No measures with figures for this unit."))
            continue
        headers = tuple(_(header) for header in HEADERS) + (
            (_("v. {cycle}").format(cycle=scorecard.previous),) if scorecard.previous else ()
        )
        table = [headers] + [
            (
                _shorten(row.name),
                row.kind,
                row.period_label,
                row.value_marked,
                row.standard_text,
                row.met_text,
                (row.rag or "–").upper() if row.rag else "–",
                row.direction_previous_text,
                row.direction_last_year_text,
                row.rank_text,
                spc_text(row.variation, row.assurance, row.trial_limits),
                *((row.direction_previous_cycle_text,) if scorecard.previous else ()),
            )
            for row in section.rows
        ]
        widths = [max(len(cells[i]) for cells in table) for i in range(len(headers))]
        for index, cells in enumerate(table):
            text = "  ".join(
                cell.rjust(width) if column == 3 else cell.ljust(width)
                for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
            )
            lines.append(f"  {text.rstrip()}")
            if index == 0:
                lines.append("  " + "  ".join("-" * width for width in widths))
        lines.extend(_notes(section.rows))
    return "\n".join(lines)


def _notes(rows: list[ScorecardRow]) -> list[str]:
    """Return a sentence per measure with something to say (``pmf.core.scorecard.note``)."""
    notes = [f"  * {row.name}: {row.note}." for row in rows if row.note]
    return ["", *notes] if notes else []


def _shorten(text: str) -> str:
    return text if len(text) <= NAME_WIDTH else text[: NAME_WIDTH - 1] + "…"
