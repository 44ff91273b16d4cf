"""Reminders for recommendations: each owner of one past its due date and not closed.

Registered with ``pmf.web.interventions.reminders`` when the app is ready, so ``pmf remind``
sends them with the rest, once a day at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import translation
from django.utils.translation import gettext as _

from pmf.web.interventions.reminders import Reminder, day_text, recipient_language
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
        with translation.override(recipient_language(recommendation.owner)):
            reminder = Reminder(
                recommendation.owner,
                _("{organisation}: recommendation {number} is overdue").format(
                    organisation=recommendation.organisation.name, number=recommendation.number
                ),
                (
                    _("The {body} recommendation from '{report}' was due on {date}:").format(
                        body=recommendation.get_body_display(),
                        report=recommendation.report_title,
                        date=day_text(recommendation.due_date, padded=False),
                    ),
                    recommendation.text,
                    _(
                        "Its status is {status}. Submit the evidence in pmf for closure to be "
                        "approved."
                    ).format(status=recommendation.get_status_display().lower()),
                ),
                key=f"recommendation-{recommendation.pk}",
            )
        yield reminder
