"""Shape the plan and self-assessment pages' data; the HTML and the JSON both come from here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.audit.services import Kind, history_url
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.observations.services import scorecard_for
from pmf.web.plans import services
from pmf.web.plans.models import Item, Plan, SelfAssessment

Status = Item.Status


def _organisation(organisation: Organisation) -> dict[str, str]:
    return {"code": organisation.code, "name": organisation.name}


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "name": plan.name,
        "starts": plan.starts,
        "ends": plan.ends,
        "period": plan.period,
        "refreshed_on": plan.refreshed_on.isoformat() if plan.refreshed_on else None,
    }


def _counts(statuses: list[str]) -> list[dict[str, Any]]:
    return [
        {"status": status, "label": Status(status).label, "items": statuses.count(status)}
        for status in Status.values
    ]


def plans_page(organisation: Organisation) -> dict[str, Any]:
    """Return the organisation's plans, newest first, each with its items by status."""
    plans = list(organisation.plans.prefetch_related("themes__items"))
    return {
        "organisation": _organisation(organisation),
        "plans": [
            {
                **_plan(plan),
                "by_status": _counts(
                    [item.status for theme in plan.themes.all() for item in theme.items.all()]
                ),
            }
            for plan in plans
        ],
    }


def latest_observations(organisation: Organisation) -> dict[str, dict[str, Any]]:
    """Return each measure's latest figure and RAG for the whole organisation, by code.

    From the scorecard of the organisation's top unit (the assessment every scorecard uses),
    so a plan shows the same figure and colour as the scorecard.
    """
    try:
        scorecard = scorecard_for(organisation)
    except LookupError:
        return {}
    return {
        row.measure: {
            "code": row.measure,
            "name": row.name,
            "period": row.period,
            "period_label": row.period_label,
            "value": row.value,
            "value_text": row.value_text,
            "standard": row.standard_text,
            "rag": row.rag,
            "met_text": row.met_text,
            "direction": row.direction_previous,
            "direction_text": row.direction_previous_text,
            "unit": scorecard.unit,
        }
        for row in scorecard.rows()
    }


def _measure(code: str, name: str, latest: dict[str, dict[str, Any]]) -> dict[str, Any]:
    found = latest.get(code)
    if found is None:
        return {"code": code, "name": name, "value_text": _("no figures"), "rag": None}
    return found


def _item(item: Item, latest: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "description": item.description,
        "target": item.target,
        "target_figure": {
            "measure": item.target_measure.code,
            "measure_name": item.target_measure.name,
            "value": item.target_value,
            "by": item.target_date.isoformat() if item.target_date else None,
        }
        if item.target_measure is not None
        else None,
        "owner": {"username": item.owner.get_username(), "name": services.person_name(item.owner)},
        "status": item.status,
        "status_label": item.get_status_display(),
        "measures": [
            _measure(measure.code, measure.name, latest) for measure in item.measures.all()
        ],
    }


def plan_page(plan: Plan) -> dict[str, Any]:
    """Return the plan's themes with their items, each item's measures with their latest RAG."""
    latest = latest_observations(plan.organisation)
    themes = list(
        plan.themes.prefetch_related("items__measures", "items__owner", "items__target_measure")
    )
    rows: list[dict[str, Any]] = [
        {
            "id": theme.pk,
            "name": theme.name,
            "items": [_item(item, latest) for item in theme.items.all()],
        }
        for theme in themes
    ]
    return {
        "organisation": _organisation(plan.organisation),
        "plan": _plan(plan),
        "by_status": _counts([item["status"] for theme in rows for item in theme["items"]]),
        "themes": rows,
    }


def item_page(item: Item) -> dict[str, Any]:
    """Return one item with its measures' latest figures and its whole history."""
    plan = item.theme.plan
    return {
        "organisation": _organisation(plan.organisation),
        "plan": _plan(plan),
        "theme": {"id": item.theme.pk, "name": item.theme.name},
        "item": _item(item, latest_observations(plan.organisation)),
        "audit_url": history_url(plan.organisation, Kind.PLAN, services.item_object(item)),
        "history": [
            {
                "kind": update.kind,
                "kind_label": update.get_kind_display(),
                "status": update.status,
                "status_label": update.get_status_display(),
                "text": update.text,
                "by": services.person_name(update.actor),
                "at": update.at.isoformat(timespec="seconds"),
                "at_label": services.moment_label(update.at),
            }
            for update in item.updates.select_related("actor")
        ],
    }


def self_assessments_page(cycle: Cycle, membership: Membership) -> dict[str, Any]:
    """Return the statements of the units the member may see, and which they may write."""
    units = [unit for unit in visible_units(membership, cycle.organisation) if not unit.external]
    data = services.self_assessments_for(cycle, units)
    writable = [
        unit.code for unit in units if services.may_write_self_assessment(membership, cycle, unit)
    ]
    return {**data, "writable": writable}


def self_assessment_page(cycle: Cycle, unit: Unit) -> dict[str, Any]:
    """Return one unit's statement for the cycle, with every version, oldest first."""
    self_assessment = (
        SelfAssessment.objects.filter(cycle=cycle, unit=unit)
        .select_related("actor")
        .prefetch_related("versions__actor")
        .first()
    )
    texts = ("strengths", "areas_for_improvement", "risks")
    return {
        "organisation": _organisation(cycle.organisation),
        "cycle": services.cycle_summary(cycle),
        "unit": {"code": unit.code, "name": unit.name},
        "statement": {
            **{name: getattr(self_assessment, name) for name in texts},
            "by": services.person_name(self_assessment.actor),
            "at": self_assessment.at.isoformat(timespec="seconds"),
            "at_label": services.moment_label(self_assessment.at),
        }
        if self_assessment is not None
        else None,
        "audit_url": history_url(cycle.organisation, Kind.SELF_ASSESSMENT, self_assessment.pk)
        if self_assessment is not None
        else None,
        "history": [
            {
                **{name: getattr(version, name) for name in texts},
                "by": services.person_name(version.actor),
                "at": version.at.isoformat(timespec="seconds"),
                "at_label": services.moment_label(version.at),
            }
            for version in (self_assessment.versions.all() if self_assessment is not None else [])
        ],
    }


def overview_page(cycle: Cycle) -> dict[str, Any]:
    """Return the overview with every statement it collates."""
    return {
        **services.overview_for(cycle),
        "collation": services.self_assessments_for(cycle)["statements"],
        "audit_url": history_url(
            cycle.organisation, Kind.SELF_ASSESSMENT, services.overview_object(cycle)
        ),
    }


def item_form(plan: Plan) -> dict[str, Any]:
    """Return the choices an item's form offers: the plan's themes, people and measures."""
    organisation = plan.organisation
    return {
        "organisation": _organisation(organisation),
        "plan": _plan(plan),
        "themes": [{"id": theme.pk, "name": theme.name} for theme in plan.themes.all()],
        "people": [
            {"username": m.user.get_username(), "name": services.person_name(m.user)}
            for m in organisation.memberships.select_related("user").order_by("user__username")
        ],
        "measures": [
            {"code": measure.code, "name": measure.name}
            for measure in organisation.measures.order_by("position")
        ],
        "statuses": [{"value": value, "label": label} for value, label in Status.choices],
    }
