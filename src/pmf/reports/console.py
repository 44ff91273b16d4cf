"""Render a scorecard as a plain-text table for the terminal."""

from __future__ import annotations

from pmf.core.scorecard import (
    DIRECTION_LEGEND,
    MARKS_LEGEND,
    SPC_LEGEND,
    Scorecard,
    ScorecardRow,
    spc_text,
)

HEADERS = (
    "Measure",
    "Kind",
    "Period",
    "Value",
    "Standard",
    "Met",
    "RAG",
    "v. previous",
    "v. last year",
    "MSG rank",
    "SPC",
)
NAME_WIDTH = 46


def render_scorecard(scorecard: Scorecard) -> str:
    """Return the scorecard as a table grouped by area, one line per measure."""
    lines = [
        f"{scorecard.organisation}: scorecard of {scorecard.unit_name} ({scorecard.unit}), "
        f"{scorecard.heading}",
        f"Directions: {DIRECTION_LEGEND}",
        f"SPC: {SPC_LEGEND}",
    ]
    if scorecard.has_marks:
        lines.append(f"Marks: {MARKS_LEGEND}")
    if scorecard.future_text:
        lines.append(f"Warning: {scorecard.future_text}")
    for section in scorecard.sections:
        lines.append("")
        lines.append(section.title)
        if not section.rows:
            lines.append("  No measures with figures for this unit.")
            continue
        headers = HEADERS + ((f"v. {scorecard.previous}",) if scorecard.previous else ())
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
