"""Reminders for the risk register: risks whose review is overdue.

Registered with ``pmf.web.interventions.reminders`` when the app is ready, so ``pmf remind``
sends them with the rest, once a day at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import translation
from django.utils.translation import gettext as _

from pmf.web.interventions.reminders import Reminder, day_text, recipient_language
from pmf.web.risks.models import Risk


def overdue_risk_reviews(on: dt.date) -> Iterator[Reminder]:
    """Remind each owner of an open risk whose review date has passed."""
    for risk in Risk.objects.filter(
        status=Risk.Status.OPEN, review_date__lt=on, owner__isnull=False
    ).select_related("owner", "organisation"):
        with translation.override(recipient_language(risk.owner)):
            reminder = Reminder(
                risk.owner,
                _("{organisation}: the review of risk {number} is overdue").format(
                    organisation=risk.organisation.name, number=risk.number
                ),
                (
                    _("'{title}' was due for review on {date}.").format(
                        title=risk.title, date=day_text(risk.review_date, padded=False)
                    ),
                    _(
                        "Its current score is {score}. Review it in pmf: its controls, "
                        "likelihood and impact, and the next review date."
                    ).format(score=f"{risk.current_score:g}"),
                ),
                key=f"risk-review-{risk.pk}",
            )
        yield reminder
