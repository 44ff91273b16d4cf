"""Commentary in the papers: the owner's words beside each chart of a unit's measure.

The board paper adds, under a redline's SPC chart and its table, the latest version of the
owner's commentary on the chart's last period: what happened, why, and what is being done,
with who wrote it and when. Only what was written is shown; the check against the statistics
is for the analyst (the list of flagged commentary), not for the board.
"""

from __future__ import annotations

from pmf.core.periods import ParseError
from pmf.core.text import period_name
from pmf.reports.document import Paragraph
from pmf.web.commentary import services
from pmf.web.frameworks.models import Organisation


def commentary_blocks(
    organisation: Organisation, unit: str, measure: str, period: str
) -> tuple[Paragraph, ...]:
    """Return the written commentary on a unit's measure for a period, as a paragraph."""
    found = services.find(organisation, measure, unit, period)
    if found is None or not found.written or found.written_at is None:
        return ()
    try:
        label = period_name(period)
    except (ParseError, ValueError):
        label = period
    parts = [
        f"{services.TEXT_LABELS[name]}: {text.strip()}"
        + ("" if text.strip().endswith((".", "!", "?")) else ".")
        for name in services.TEXT_FIELDS
        if (text := getattr(found, name)).strip()
    ]
    by = found.owner.get_username() if found.owner else "pmf"
    parts.append(f"(Written by {by}, {found.written_at:%-d %B %Y}.)")
    return (Paragraph(text=" ".join(parts), lead=f"Commentary on {label}"),)
