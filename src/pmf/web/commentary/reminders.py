"""Reminders for commentary: each owner of commentary due soon, or overdue, not yet written.

Registered with ``pmf.web.interventions.reminders`` when the app is ready, so ``pmf remind``
sends them with the rest, once a day at most. An owner is reminded from the framework's
``commentary.remind_within_days`` before the due date until the commentary is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from pmf.core.periods import Period
from pmf.core.text import period_name
from pmf.web.interventions.reminders import Reminder, day_text, recipient_language


def commentary_reminders(on: dt.date) -> Iterator[Reminder]:
    """Remind each owner of commentary due within the framework's days, or overdue."""
    # Here, not at the top: the app's ready() imports this module, and the services import
    # the assessment, which a command that sends no reminder never needs.
    from pmf.core.periods import parse_period
    from pmf.web.commentary.models import Commentary
    from pmf.web.commentary.services import is_overdue, locked_periods
    from pmf.web.frameworks.services import framework_of

    settings: dict[int, tuple[int, dict[str, dt.date]]] = {}
    pending = (
        Commentary.objects.filter(written_at__isnull=True, owner__isnull=False)
        .select_related("owner", "organisation", "measure", "unit")
        .order_by("organisation_id", "due_date", "pk")
    )
    for commentary in pending:
        organisation = commentary.organisation
        if organisation.pk not in settings:
            within = framework_of(organisation).model.commentary.remind_within_days
            settings[organisation.pk] = (within, locked_periods(organisation))
        within, locked = settings[organisation.pk]
        overdue = is_overdue(commentary, on, locked)
        if not overdue and commentary.due_date > on + dt.timedelta(days=within):
            continue
        with translation.override(recipient_language(commentary.owner)):
            reminder = _commentary_reminder(commentary, parse_period(commentary.period), overdue)
        yield reminder


def _commentary_reminder(commentary: Any, period: Period, overdue: bool) -> Reminder:
    """Return the reminder of one commentary, in the active language."""
    values = {
        "organisation": commentary.organisation.name,
        "measure": commentary.measure.name,
        "unit": commentary.unit.name,
        "period": period_name(period),
        "date": day_text(commentary.due_date, padded=False),
    }
    if overdue:
        subject = _("{organisation}: commentary is overdue: {measure}, {unit}, {period}")
        opening = _("Your commentary on {measure}, {unit}, {period} is overdue.")
    else:
        subject = _("{organisation}: commentary is due by {date}: {measure}, {unit}, {period}")
        opening = _("Your commentary on {measure}, {unit}, {period} is due by {date}.")
    return Reminder(
        commentary.owner,
        subject.format(**values),
        (
            opening.format(**values),
            _(
                "Say what happened, why, and what is being done, on the measure's page in pmf "
                "or with pmf commentary import."
            ),
            _("It was due by {date}; commentary is due before the cycle locks.").format(**values),
        ),
        key=f"commentary-{commentary.pk}",
    )
