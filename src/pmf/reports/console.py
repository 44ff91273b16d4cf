"""Render a scorecard as a plain-text table for the terminal."""

from __future__ import annotations

from pmf.core.scorecard import Scorecard, ScorecardRow, direction_text, spc_text

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
        f"as at {scorecard.as_at}",
    ]
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
                row.value_text,
                row.standard_text,
                row.met_text,
                (row.rag or "–").upper() if row.rag else "–",
                direction_text(row.direction_previous),
                direction_text(row.direction_last_year),
                row.rank_text,
                spc_text(row.variation, row.assurance, row.trial_limits),
                *((direction_text(row.direction_previous_cycle),) if scorecard.previous else ()),
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
    """Return a sentence per measure with something to say: peers, trend, forecast."""
    notes = []
    for row in rows:
        said = [
            text
            for text in (row.position, row.significance, row.national_comparison, row.trend)
            if text
        ]
        if row.budget_position and row.forecast is not None:
            said.append(f"{row.budget_position} ({row.forecast_method} forecast)")
        if said:
            notes.append(f"  * {row.name}: {'; '.join(said)}.")
    return ["", *notes] if notes else []


def _shorten(text: str) -> str:
    return text if len(text) <= NAME_WIDTH else text[: NAME_WIDTH - 1] + "…"
