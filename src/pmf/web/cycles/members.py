"""The units that joined or left the framework in a cycle's period (``pmf.core.membership``),
for the cycle's page, its board paper and ``pmf cycle members``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pmf.core.membership import joined_or_left
from pmf.core.text import period_name
from pmf.web.cycles.models import Cycle
from pmf.web.cycles.services import cycle_framework, cycle_span


def membership_changes(cycle: Cycle) -> list[dict[str, str]]:
    """Return each unit that joined or left in the cycle's period, with a sentence on it.

    The cycle's period is ``cycle_span``'s: after the previous locked cycle's cut-off, up to
    its own. A unit that joined is judged from the period it joined; one that left is not
    judged after the period it left.
    """
    framework = cycle_framework(cycle)
    since, until = cycle_span(cycle)
    changes = []
    for unit, change in joined_or_left(framework, since, until):
        member = unit.member
        period = (member.starts if change == "joined" else member.ends) if member else None
        label = period_name(period) if period else ""
        text = (
            _(
                "{unit} joined the framework this cycle (from {period}): its figures before "
                "then are not judged."
            )
            if change == "joined"
            else _(
                "{unit} left the framework this cycle (after {period}): it is not judged "
                "after then."
            )
        ).format(unit=unit.name, period=label)
        changes.append(
            {"unit": unit.code, "name": unit.name, "change": change, "period": label, "text": text}
        )
    return changes
