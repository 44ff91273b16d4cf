"""Reminders for the risk register: risks whose review is overdue.

Registered with ``pmf.web.interventions.reminders`` when the app is ready, so ``pmf remind``
sends them with the rest, once a day at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pmf.web.interventions.reminders import Reminder
from pmf.web.risks.models import Risk


def overdue_risk_reviews(on: dt.date) -> Iterator[Reminder]:
    """Remind each owner of an open risk whose review date has passed."""
    for risk in Risk.objects.filter(
        status=Risk.Status.OPEN, review_date__lt=on, owner__isnull=False
    ).select_related("owner", "organisation"):
        yield Reminder(
            risk.owner,
            f"{risk.organisation.name}: the review of risk {risk.number} is overdue",
            (
                f"'{risk.title}' was due for review on {risk.review_date:%-d %B %Y}.",
                f"Its current score is {risk.current_score:g}. Review it in pmf: its controls, "
                "likelihood and impact, and the next review date.",
            ),
            key=f"risk-review-{risk.pk}",
        )
