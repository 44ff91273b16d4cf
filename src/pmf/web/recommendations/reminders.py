"""Reminders for recommendations: each owner of one past its due date and not closed.

Registered with ``pmf.web.interventions.reminders`` when the app is ready, so ``pmf remind``
sends them with the rest, once a day at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pmf.web.interventions.reminders import Reminder
from pmf.web.recommendations.models import Recommendation


def overdue_recommendations(on: dt.date) -> Iterator[Reminder]:
    """Remind each owner of a recommendation past its due date and not closed."""
    # Here, not at the top: the app's ready() imports this module, and the services import
    # Polars and the assessment, which a command that sends no reminder never needs.
    from pmf.web.recommendations.services import is_overdue

    for recommendation in (
        Recommendation.objects.exclude(status=Recommendation.Status.CLOSED)
        .filter(due_date__lt=on, owner__isnull=False)
        .select_related("owner", "organisation")
    ):
        if not is_overdue(recommendation, on):
            continue
        name = recommendation.organisation.name
        yield Reminder(
            recommendation.owner,
            f"{name}: recommendation {recommendation.number} is overdue",
            (
                f"The {recommendation.get_body_display()} recommendation from "
                f"'{recommendation.report_title}' was due on {recommendation.due_date:%-d %B %Y}:",
                recommendation.text,
                f"Its status is {recommendation.get_status_display().lower()}. Submit the "
                "evidence in pmf for closure to be approved.",
            ),
            key=f"recommendation-{recommendation.pk}",
        )
