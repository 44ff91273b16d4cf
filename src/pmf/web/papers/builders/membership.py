"""The board paper's words on the units that joined or left the framework in the cycle."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pmf.reports.document import Paragraph
from pmf.web.cycles.members import membership_changes
from pmf.web.cycles.models import Cycle


def membership_paragraphs(cycle: Cycle) -> tuple[Paragraph, ...]:
    """Return a paragraph per unit that joined or left in the cycle's period (none: empty)."""
    return tuple(
        Paragraph(change["text"], lead=_("Units joining and leaving"))
        for change in membership_changes(cycle)
    )
