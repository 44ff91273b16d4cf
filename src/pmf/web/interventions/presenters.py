"""Shape the intervention pages' data; the HTML and the JSON versions both come from here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pmf.core.text import format_date, format_moment
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.audit.services import Kind, history_url
from pmf.web.interventions import services
from pmf.web.interventions.models import Intervention


def _when(moment: dt.datetime) -> str:
    return format_moment(timezone.localtime(moment))


def _day(day: dt.date) -> str:
    return format_date(day)


def _summary(intervention: Intervention, on: dt.date) -> dict[str, Any]:
    overdue = services.is_overdue(intervention, on)
    return {
        "number": intervention.pk,
        "unit": {"code": intervention.unit.code, "name": intervention.unit.name},
        "area": {"code": intervention.area.code, "name": intervention.area.name},
        "measure": {"code": intervention.measure.code, "name": intervention.measure.name}
        if intervention.measure
        else None,
        "action": {"code": intervention.action, "name": intervention.action_name},
        "category": {
            "code": intervention.category,
            "name": intervention.category_name,
            "report_within_months": intervention.report_within_months,
        },
        "owner": intervention.owner.get_username(),
        "description": intervention.description,
        "status": intervention.status,
        "status_label": intervention.get_status_display(),
        "agreed_on": intervention.agreed_on.isoformat(),
        "agreed_on_label": _day(intervention.agreed_on),
        "due_on": intervention.due_on.isoformat(),
        "due_on_label": _day(intervention.due_on),
        "overdue": overdue,
        # Overdue is escalated: the next level is told by ``pmf remind``.
        "escalated": overdue,
    }


def list_page(
    membership: Membership, filters: dict[str, Any], on: dt.date | None = None
) -> dict[str, Any]:
    """Return the interventions the member may see, filtered: open, overdue, mine, by unit."""
    today = on or timezone.localdate()
    organisation = membership.organisation
    found = services.visible_interventions(membership)
    if filters.get("open"):
        found = found.exclude(status__in=services.FINISHED)
    if filters.get("overdue"):
        found = found.exclude(status__in=services.FINISHED).filter(due_on__lt=today)
    if filters.get("mine"):
        found = found.filter(owner_id=membership.user_id)
    if filters.get("unit"):
        found = found.filter(unit__code=filters["unit"])
    rows = [_summary(intervention, today) for intervention in found.order_by("due_on", "pk")]
    units = [unit for unit in visible_units(membership) if not unit.external]
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "today": today.isoformat(),
        "filters": {
            "open": bool(filters.get("open")),
            "overdue": bool(filters.get("overdue")),
            "mine": bool(filters.get("mine")),
            "unit": filters.get("unit") or "",
        },
        "units": [{"code": unit.code, "name": unit.name} for unit in units],
        "interventions": rows,
        "overdue_count": sum(row["overdue"] for row in rows),
    }


def detail_page(
    intervention: Intervention, membership: Membership, on: dt.date | None = None
) -> dict[str, Any]:
    """Return one intervention with its progress history and escalations, oldest first."""
    today = on or timezone.localdate()
    organisation = intervention.organisation
    updates = intervention.progress.select_related("actor")
    escalations = intervention.escalations.prefetch_related("to")
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "intervention": _summary(intervention, today),
        "intervention_id": intervention.pk,
        "audit_url": history_url(organisation, Kind.INTERVENTION, intervention.pk),
        # The version the progress form carries: an update saved after it is a conflict.
        "version": services.intervention_version(intervention),
        "progress": [
            {
                "at": update.at.isoformat(timespec="seconds"),
                "at_label": _when(update.at),
                "by": update.actor.get_username() if update.actor else "",
                "text": update.text,
                "status": update.status,
                "status_label": update.get_status_display() if update.status else "",
            }
            for update in updates
        ],
        "escalations": [
            {
                "on": escalation.on.isoformat(),
                "on_label": _day(escalation.on),
                "missed": escalation.due_on.isoformat(),
                "level": escalation.level,
                "to": [person.get_username() for person in escalation.to.all()],
            }
            for escalation in escalations
        ],
        "next_statuses": [
            {"value": value, "label": str(Intervention.Status(value).label)}
            for value in services.NEXT_STATUSES[intervention.status]
        ],
        "may_report": services.may_report(membership, intervention),
    }


def new_page(membership: Membership) -> dict[str, Any]:
    """Return the choices for agreeing an intervention: units, areas, measures, menu, owners."""
    organisation = membership.organisation
    menu = services.menu_of(organisation)
    units = [unit for unit in visible_units(membership) if not unit.external]
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "units": [{"code": unit.code, "name": unit.name} for unit in units],
        "areas": [
            {"code": area.code, "name": area.name}
            for area in organisation.areas.order_by("position")
        ],
        "measures": [
            {"code": measure.code, "name": measure.name, "area": measure.area.code}
            for measure in organisation.measures.select_related("area").order_by("position")
        ],
        "categories": [category.model_dump(mode="json") for category in menu.categories],
        "actions": [action.model_dump(mode="json") for action in menu.actions],
        "owners": [user.get_username() for user in services.owners_choice(organisation)],
    }
