"""Every write to interventions, and who may make it: agree, report progress, escalate.

Who may do what (members of the organisation only; partners reading shared figures see no
interventions at all):

- analysts, moderators and board members agree interventions and report on any of them;
- an intervention's owner reports progress on their own;
- everyone else sees the interventions of the units they cover (command leads their units)
  and those they own.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pmf.core.framework import Interventions
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.audit import services as audit
from pmf.web.audit.services import Conflict
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.frameworks.services import framework_of
from pmf.web.interventions.models import Escalation, Intervention, ProgressUpdate

Status = Intervention.Status
FINISHED = (Status.COMPLETED, Status.CLOSED)
# Where each status may go next; completed and closed are final.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    Status.OPEN: (Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED),
    Status.IN_PROGRESS: (Status.COMPLETED, Status.CLOSED),
    Status.COMPLETED: (),
    Status.CLOSED: (),
}
AGREEING_ROLES = (Membership.Role.ANALYST, Membership.Role.MODERATOR, Membership.Role.BOARD_MEMBER)


class InterventionRefused(ValueError):
    """Raise with every problem of a change that was not made; nothing is stored."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later, or the month's last day when it is shorter.

    >>> add_months(dt.date(2025, 1, 31), 1)
    datetime.date(2025, 2, 28)
    >>> add_months(dt.date(2024, 8, 31), 6)
    datetime.date(2025, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def menu_of(organisation: Organisation) -> Interventions:
    """Return the organisation's menu of interventions (the default menu when its file has none)."""
    return framework_of(organisation).model.interventions


def may_agree(membership: Membership) -> bool:
    """Say whether the member may agree (create) interventions."""
    return membership.role in AGREEING_ROLES


def may_report(membership: Membership, intervention: Intervention) -> bool:
    """Say whether the member may report progress on the intervention."""
    if membership.organisation_id != intervention.organisation_id:
        return False
    return may_agree(membership) or intervention.owner_id == membership.user_id


def visible_interventions(membership: Membership) -> QuerySet[Intervention]:
    """Return the interventions of the member's organisation that the member may see."""
    units = [unit.pk for unit in visible_units(membership) if not unit.external]
    return (
        Intervention.objects.filter(organisation_id=membership.organisation_id)
        .filter(Q(unit_id__in=units) | Q(owner_id=membership.user_id))
        .select_related("unit", "area", "measure", "owner")
    )


def intervention_for(membership: Membership, number: int) -> Intervention | None:
    """Return intervention ``number`` if the member may see it, else None."""
    return visible_interventions(membership).filter(pk=number).first()


def is_overdue(intervention: Intervention, on: dt.date) -> bool:
    """Say whether the intervention is past its due date and not finished: then it is escalated."""
    return intervention.status not in FINISHED and intervention.due_on < on


def owners_choice(organisation: Organisation) -> list[User]:
    """Return the users who may own an intervention: the organisation's members, by username."""
    return list(User.objects.filter(membership__organisation=organisation).order_by("username"))


@dataclass(frozen=True)
class NewIntervention:
    """What a person typed to agree an intervention; every field as text."""

    unit: str
    area: str = ""
    measure: str = ""
    action: str = ""
    category: str = ""
    owner: str = ""
    description: str = ""
    agreed_on: str = ""

    @classmethod
    def from_data(cls, data: Any) -> NewIntervention:
        """Read the fields from a form or a mapping."""
        return cls(**{name: str(data.get(name, "")).strip() for name in cls.__dataclass_fields__})


@transaction.atomic
def create_intervention(
    membership: Membership, typed: NewIntervention, today: dt.date | None = None
) -> Intervention:
    """Agree an intervention from the menu; raise ``InterventionRefused`` listing every problem."""
    organisation = membership.organisation
    if not may_agree(membership):
        raise InterventionRefused(
            [_("Only analysts, moderators and board members agree interventions.")]
        )
    problems: list[str] = []
    units = {unit.code: unit for unit in visible_units(membership) if not unit.external}
    unit: Unit | None = units.get(typed.unit)
    if unit is None:
        problems.append(_("Choose a unit."))
    measure = organisation.measures.select_related("area").filter(code=typed.measure).first()
    if typed.measure and measure is None:
        problems.append(
            _("{code} is not a measure of {organisation}.").format(
                code=repr(typed.measure), organisation=organisation.name
            )
        )
    area = organisation.areas.filter(code=typed.area).first()
    if typed.area and area is None:
        problems.append(
            _("{code} is not an area of {organisation}.").format(
                code=repr(typed.area), organisation=organisation.name
            )
        )
    if measure is not None:
        if area is not None and measure.area_id != area.pk:
            problems.append(
                _("{measure} is in {area}, not {other}.").format(
                    measure=measure.name, area=measure.area.name, other=area.name
                )
            )
        area = measure.area
    elif not typed.area and not typed.measure:
        problems.append(_("Choose an area or a measure."))
    menu = menu_of(organisation)
    action = next((item for item in menu.actions if item.code == typed.action), None)
    if action is None:
        problems.append(_("Choose an intervention from the menu."))
    category = next((item for item in menu.categories if item.code == typed.category), None)
    if category is None:
        problems.append(_("Choose a category (when to report back)."))
    owner = User.objects.filter(username=typed.owner, membership__organisation=organisation).first()
    if owner is None:
        problems.append(_("Choose an owner from the organisation's members."))
    if not typed.description:
        problems.append(_("Say what is to be done."))
    agreed_on = today or timezone.localdate()
    if typed.agreed_on:
        try:
            agreed_on = dt.date.fromisoformat(typed.agreed_on)
        except ValueError:
            problems.append(
                _("Agreed on {date}: give a date as YYYY-MM-DD.").format(date=repr(typed.agreed_on))
            )
    if problems:
        raise InterventionRefused(problems)
    assert unit is not None and area is not None and action and category and owner
    created = Intervention.objects.create(
        organisation=organisation,
        unit=unit,
        area=area,
        measure=measure,
        action=action.code,
        action_name=action.name,
        category=category.code,
        category_name=category.name,
        report_within_months=category.report_within_months,
        agreed_on=agreed_on,
        due_on=add_months(agreed_on, category.report_within_months),
        owner=owner,
        description=typed.description,
        status=Status.OPEN,
        created_at=timezone.now(),
        created_by=membership.user,
    )
    audit.record(
        organisation,
        kind=audit.Kind.INTERVENTION,
        action="agree",
        label=_label(created),
        object_id=created.pk,
        unit_code=unit.code,
        after=_audited(created),
        user=membership.user,
        at=created.created_at,
    )
    return created


def _audited(intervention: Intervention) -> dict[str, Any]:
    """Return an intervention's fields as the audit trail keeps them."""
    return {
        "unit": intervention.unit.code,
        "area": intervention.area.code,
        "measure": intervention.measure.code if intervention.measure else "",
        "action": intervention.action,
        "category": intervention.category,
        "agreed_on": intervention.agreed_on.isoformat(),
        "due_on": intervention.due_on.isoformat(),
        "owner": intervention.owner.get_username(),
        "description": intervention.description,
        "status": intervention.status,
    }


def intervention_version(intervention: Intervention) -> int:
    """Return the intervention's version: the id of its latest progress update (0: none)."""
    return intervention.progress.order_by("-pk").values_list("pk", flat=True).first() or 0


@transaction.atomic
def report_progress(
    membership: Membership,
    intervention: Intervention,
    text: str,
    status: str = "",
    version: int | None = None,
) -> ProgressUpdate:
    """Add a progress update, moving the status on if ``status`` is given; raise if refused.

    Raise ``Conflict`` when ``version`` (the form's) is no longer the latest update.
    """
    problems: list[str] = []
    if not may_report(membership, intervention):
        raise InterventionRefused(
            [_("Only the owner, analysts, moderators and board members report progress.")]
        )
    current = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if version is not None:
        latest = current.progress.select_related("actor").order_by("-pk").first()
        if latest is not None and latest.pk != version:
            raise Conflict(
                _("Intervention {number}").format(number=current.pk),
                latest.actor.get_username() if latest.actor is not None else "pmf",
                latest.at,
                _("status {status}").format(status=current.get_status_display().lower()),
            )
    before = _audited(current)
    if current.status in FINISHED:
        problems.append(
            _("The intervention is {status}.").format(status=current.get_status_display().lower())
        )
    if not text.strip():
        problems.append(_("Say what has been done."))
    if status and status != current.status and status not in NEXT_STATUSES[current.status]:
        allowed = ", ".join(Status(s).label.lower() for s in NEXT_STATUSES[current.status])
        problems.append(
            _("{status} can move on to {allowed}.").format(
                status=current.get_status_display(), allowed=allowed
            )
            if allowed
            else _("{status} can move on to nothing.").format(status=current.get_status_display())
        )
    if problems:
        raise InterventionRefused(problems)
    changed = status if status and status != current.status else ""
    if changed:
        current.status = changed
        current.save(update_fields=["status"])
        intervention.status = changed
    update = audit.record_step(
        ProgressUpdate(intervention=current, text=text.strip(), status=changed),
        current.organisation,
        kind=audit.Kind.INTERVENTION,
        action="report progress",
        label=_label(current),
        object_id=current.pk,
        unit_code=current.unit.code,
        before=before,
        after=_audited(current),
        note=text.strip(),
        user=membership.user,
    )
    return update


def _label(intervention: Intervention) -> str:
    """Return the intervention as the audit trail labels it."""
    action, unit = intervention.action_name, intervention.unit.name
    return f"Intervention {intervention.pk}: {action} for {unit}"


def escalation_targets(intervention: Intervention) -> tuple[str, list[User]]:
    """Return the next level above the owner, and its people.

    The next level is the command leads of the intervention's unit or, when it has none (or
    only the owner), of the nearest unit above that has one; at the top, the moderators and
    board members (the performance group). Return its name and its people.
    """
    unit: Unit | None = intervention.unit
    while unit is not None:
        leads = list(
            User.objects.filter(
                membership__organisation_id=intervention.organisation_id,
                membership__role=Membership.Role.COMMAND_LEAD,
                membership__unit=unit,
            )
            .exclude(pk=intervention.owner_id)
            .order_by("username")
        )
        if leads:
            return f"command lead of {unit.name}", list(leads)
        unit = unit.parent
    group = User.objects.filter(
        membership__organisation_id=intervention.organisation_id,
        membership__role__in=[Membership.Role.MODERATOR, Membership.Role.BOARD_MEMBER],
    ).order_by("username")
    return "moderators and board members", list(group)


def overdue(on: dt.date) -> QuerySet[Intervention]:
    """Return every unfinished intervention of every organisation past its due date on ``on``."""
    return (
        Intervention.objects.exclude(status__in=FINISHED)
        .filter(due_on__lt=on)
        .select_related("unit__parent", "owner", "organisation")
    )


@transaction.atomic
def escalate_overdue(on: dt.date) -> list[Escalation]:
    """Escalate each overdue intervention not yet escalated for its due date; return those made."""
    made = []
    for intervention in overdue(on):
        if intervention.escalations.filter(due_on=intervention.due_on).exists():
            continue
        level, people = escalation_targets(intervention)
        escalation = audit.record_step(
            Escalation(intervention=intervention, on=on, due_on=intervention.due_on, level=level),
            intervention.organisation,
            kind=audit.Kind.INTERVENTION,
            action="escalate",
            label=_label(intervention),
            object_id=intervention.pk,
            unit_code=intervention.unit.code,
            after={"escalated_to": level, "due_on": intervention.due_on.isoformat()},
            note=f"Overdue since {intervention.due_on.isoformat()}: escalated to the {level}.",
        )
        escalation.to.set(people)
        made.append(escalation)
    return made
