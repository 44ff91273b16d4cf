"""Reminders by email: a registry of what is due, and one run that sends each reminder once a day.

Each kind of record registers a selector: a function that, given a date, returns the
reminders due on it, each to one user with a subject and the lines of the body::

    from pmf.web.interventions.reminders import Reminder, register

    def overdue_recommendations(on: datetime.date) -> Iterable[Reminder]:
        for recommendation in ...:
            yield Reminder(recommendation.owner, "Recommendation 4 is overdue", ("...",))

    register("recommendation", overdue_recommendations)   # in your AppConfig.ready()

``pmf remind`` (``send_reminders``) escalates overdue interventions, asks every selector,
and emails each reminder not already sent that day to the same user about the same thing
(its ``key``, by default its subject); every reminder sent is recorded in ``SentReminder``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmf.core.framework import Interventions
from pmf.core.periods import (
    Period,
    PeriodKind,
    financial_quarter,
    financial_year_of,
    month,
    quarter,
    week_of,
    year,
)
from pmf.core.text import period_name


class Reminder(NamedTuple):
    """One email to one user: a subject and the lines of its body.

    ``key`` names what it is about, so that it is sent at most once a day (default: the subject).
    """

    user: Any
    subject: str
    lines: tuple[str, ...] | list[str]
    key: str = ""


Selector = Callable[[dt.date], Iterable[Reminder]]

_SELECTORS: dict[str, Selector] = {}


def register(kind: str, selector: Selector) -> None:
    """Add (or replace) the selector of reminders of one kind, such as ``"recommendation"``."""
    _SELECTORS[kind] = selector


def registered() -> dict[str, Selector]:
    """Return the selectors by kind, in the order they were registered."""
    return dict(_SELECTORS)


def register_builtin() -> None:
    """Register the reminders this app sends: interventions due or overdue, and figures due."""
    register("intervention", intervention_reminders)
    register("data", data_due_reminders)


@dataclass
class Outcome:
    """What one run did (or, in a dry run, would do)."""

    on: dt.date
    dry_run: bool
    sent: list[tuple[str, Reminder, str]] = field(default_factory=list)
    already_sent: list[tuple[str, Reminder]] = field(default_factory=list)
    no_address: list[tuple[str, Reminder]] = field(default_factory=list)
    escalated: list[tuple[Any, str, list[Any]]] = field(default_factory=list)


def due_reminders(on: dt.date) -> list[tuple[str, Reminder]]:
    """Return every registered selector's reminders for ``on``, with their kind."""
    found = []
    for kind, selector in registered().items():
        for item in selector(on):
            found.append((kind, Reminder(*item)))
    return found


def send_reminders(on: dt.date, dry_run: bool = False) -> Outcome:
    """Escalate overdue interventions and email every reminder due on ``on`` not yet sent that day.

    With ``dry_run`` nothing is escalated, sent or recorded: the outcome says what would be.
    """
    from pmf.web.interventions import services
    from pmf.web.interventions.models import SentReminder

    outcome = Outcome(on=on, dry_run=dry_run)
    if dry_run:
        for intervention in services.overdue(on):
            if not intervention.escalations.filter(due_on=intervention.due_on).exists():
                level, people = services.escalation_targets(intervention)
                outcome.escalated.append((intervention, level, people))
    else:
        for escalation in services.escalate_overdue(on):
            people = list(escalation.to.order_by("username"))
            outcome.escalated.append((escalation.intervention, escalation.level, people))
    for kind, reminder in due_reminders(on):
        key = (reminder.key or reminder.subject)[:200]
        if SentReminder.objects.filter(kind=kind, key=key, user=reminder.user, on=on).exists():
            outcome.already_sent.append((kind, reminder))
            continue
        address = getattr(reminder.user, "email", "") or ""
        if not address:
            outcome.no_address.append((kind, reminder))
            continue
        if not dry_run:
            with transaction.atomic():
                SentReminder.objects.create(
                    kind=kind,
                    key=key,
                    user=reminder.user,
                    on=on,
                    subject=reminder.subject[:300],
                    sent_at=timezone.now(),
                    address=address,
                )
                # Recorded first, in the same transaction: a failed send is not recorded.
                send_mail(reminder.subject, "\n".join(reminder.lines), None, [address])
        outcome.sent.append((kind, reminder, address))
    return outcome


def recipient_language(user: Any) -> str:
    """Return the language to write to ``user`` in: their choice, else the site's default.

    Each reminder is written in its recipient's language: build it inside
    ``translation.override(recipient_language(user))``.
    """
    from pmf.web import i18n

    # The user's own choice is read by pmf.web.i18n.language_for where the site has it.
    chosen = getattr(i18n, "language_for", None)
    if chosen is not None:
        return str(chosen(user))
    return str(settings.LANGUAGE_CODE)


def day_text(day: dt.date, *, padded: bool = True) -> str:
    """Return ``day`` as an email writes it (05 March 2019), its month in the active language.

    Not ``padded``: 5 March 2019.
    """
    return dateformat.format(day, "d F Y" if padded else "j F Y")


def _menus() -> Callable[[int], Interventions]:
    from pmf.web.frameworks.models import Organisation
    from pmf.web.frameworks.services import framework_of

    found: dict[int, Interventions] = {}

    def menu(organisation_id: int) -> Interventions:
        if organisation_id not in found:
            organisation = Organisation.objects.get(pk=organisation_id)
            found[organisation_id] = framework_of(organisation).model.interventions
        return found[organisation_id]

    return menu


def intervention_reminders(on: dt.date) -> Iterable[Reminder]:
    """Remind owners of interventions due soon or overdue; tell the next level of overdue ones.

    An overdue intervention is escalated: the people of the next level
    (``services.escalation_targets``) are told too, every day until it is finished.
    """
    from pmf.web.interventions import services
    from pmf.web.interventions.models import Intervention

    menu = _menus()
    unfinished = (
        Intervention.objects.exclude(status__in=services.FINISHED)
        .filter(due_on__lte=on + dt.timedelta(days=90))
        .select_related("unit__parent", "area", "measure", "owner")
        .order_by("due_on", "pk")
    )
    for intervention in unfinished:
        within = menu(intervention.organisation_id).remind_within_days
        if intervention.due_on > on + dt.timedelta(days=within):
            continue
        if services.is_overdue(intervention, on):
            days = (on - intervention.due_on).days
            level, people = services.escalation_targets(intervention)
            with translation.override(recipient_language(intervention.owner)):
                reminder = Reminder(
                    intervention.owner,
                    ngettext(
                        "Intervention {number} is overdue by {days} day",
                        "Intervention {number} is overdue by {days} days",
                        days,
                    ).format(number=intervention.pk, days=days),
                    [
                        *_intervention_lines(intervention),
                        "",
                        _escalated_line(level),
                    ],
                    f"intervention:{intervention.pk}",
                )
            yield reminder
            for person in people:
                with translation.override(recipient_language(person)):
                    reminder = Reminder(
                        person,
                        _("Escalated to you: intervention {number} is overdue").format(
                            number=intervention.pk
                        ),
                        [
                            *_intervention_lines(intervention),
                            "",
                            _escalated_to_you_line(intervention.owner.get_username(), level),
                        ],
                        f"intervention:{intervention.pk}:escalated",
                    )
                yield reminder
        else:
            with translation.override(recipient_language(intervention.owner)):
                reminder = Reminder(
                    intervention.owner,
                    _("Intervention {number} is due on {date}").format(
                        number=intervention.pk, date=day_text(intervention.due_on)
                    ),
                    _intervention_lines(intervention),
                    f"intervention:{intervention.pk}",
                )
            yield reminder


LEAD_LEVEL = "command lead of "
"""How ``services.escalation_targets`` names the command leads of a unit (before the unit)."""


def _escalated_line(level: str) -> str:
    """Return the owner's line saying to whom the intervention is escalated."""
    if level.startswith(LEAD_LEVEL):
        return _("It has been escalated to the command lead of {unit}.").format(
            unit=level.removeprefix(LEAD_LEVEL)
        )
    return _("It has been escalated to the moderators and board members.")


def _escalated_to_you_line(owner: str, level: str) -> str:
    """Return the line telling one of the next level why the reminder reaches them."""
    if level.startswith(LEAD_LEVEL):
        return _("Owner: {owner}. It is escalated to you as the command lead of {unit}.").format(
            owner=owner, unit=level.removeprefix(LEAD_LEVEL)
        )
    return _("Owner: {owner}. It is escalated to you as the moderators and board members.").format(
        owner=owner
    )


def _intervention_lines(intervention: Any) -> list[str]:
    """Return the body of an intervention's reminder, in the active language."""
    about = intervention.measure.name if intervention.measure else intervention.area.name
    return [
        _("{action} for {unit} ({about})").format(
            action=intervention.action_name, unit=intervention.unit.name, about=about
        ),
        "",
        intervention.description,
        "",
        _("Agreed on {agreed}, {category}: report back by {due}.").format(
            agreed=day_text(intervention.agreed_on),
            category=intervention.category_name,
            due=day_text(intervention.due_on),
        ),
        _("Status: {status}.").format(status=intervention.get_status_display()),
    ]


def expected_period(kind: PeriodKind, on: dt.date) -> Period | None:
    """Return the latest complete period of ``kind`` before ``on``; None for windows.

    >>> expected_period(PeriodKind.MONTH, dt.date(2019, 8, 5)).code
    '2019-07'
    >>> expected_period(PeriodKind.FINANCIAL_QUARTER, dt.date(2019, 7, 1)).code
    '2019/20 Q1'
    """
    start_year = on.year if on.month >= 4 else on.year - 1
    current = {
        PeriodKind.MONTH: lambda: month(on.year, on.month),
        PeriodKind.QUARTER: lambda: quarter(on.year, (on.month - 1) // 3 + 1),
        PeriodKind.FINANCIAL_QUARTER: lambda: financial_quarter(
            start_year, (on.month - 4) % 12 // 3 + 1
        ),
        PeriodKind.FINANCIAL_YEAR: lambda: financial_year_of(on),
        PeriodKind.YEAR: lambda: year(on.year),
        PeriodKind.WEEK: lambda: week_of(on),
        PeriodKind.DAY: lambda: Period(PeriodKind.DAY, on, on),
    }.get(kind)
    return current().previous() if current else None


def data_due_reminders(on: dt.date) -> Iterable[Reminder]:
    """Remind each measure owner of figures missing for the latest period that should be in.

    A period's figures are due by the framework's ``data_due_day`` of the month after it
    ends; owners are reminded from ``remind_within_days`` before that until the figures
    arrive, for their unit and every unit below it that has had figures for the measure.
    """
    from pmf.web.accounts.models import Membership
    from pmf.web.accounts.services import visible_units
    from pmf.web.observations.models import Observation

    menu = _menus()
    members = (
        Membership.objects.filter(measures__isnull=False)
        .distinct()
        .select_related("user", "organisation", "unit")
        .prefetch_related("measures")
        .order_by("organisation_id", "user__username")
    )
    for membership in members:
        menu_settings = menu(membership.organisation_id)
        units = [unit for unit in visible_units(membership) if not unit.external]
        missing: list[tuple[Any, Any, Period, bool, dt.date]] = []
        for measure in sorted(membership.measures.all(), key=lambda m: m.position):
            period = expected_period(PeriodKind(measure.frequency), on)
            if period is None:
                continue
            due = period.end + dt.timedelta(days=menu_settings.data_due_day)
            if on < due - dt.timedelta(days=menu_settings.remind_within_days):
                continue
            held = Observation.objects.filter(measure=measure, superseded_at__isnull=True)
            reporting = set(held.values_list("unit_id", flat=True).distinct())
            present = set(held.filter(period=period.code).values_list("unit_id", flat=True))
            for unit in units:
                if unit.pk in present or (
                    unit.pk != membership.unit_id and unit.pk not in reporting
                ):
                    continue
                missing.append((measure, unit, period, on > due, due))
        if missing:
            with translation.override(recipient_language(membership.user)):
                reminder = Reminder(
                    membership.user,
                    _("Figures due: {count} for {organisation}").format(
                        count=len(missing), organisation=membership.organisation.name
                    ),
                    [
                        _("These figures are not in pmf yet:"),
                        "",
                        *(_missing_line(*row) for row in missing),
                    ],
                    "data-due",
                )
            yield reminder


def _missing_line(measure: Any, unit: Any, period: Period, overdue: bool, due: dt.date) -> str:
    """Return one line of the figures due, in the active language."""
    text = (
        _("- {measure} ({code}), {unit}: {period}, overdue by {date}")
        if overdue
        else _("- {measure} ({code}), {unit}: {period}, due by {date}")
    )
    return text.format(
        measure=measure.name,
        code=measure.code,
        unit=unit.name,
        period=period_name(period),
        date=day_text(due),
    )
