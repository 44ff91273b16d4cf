"""Every write to improvement plans and self-assessments, with who may make it.

Plans: analysts create and edit plans, themes and items; an item's accountable owner (or an
analyst) records its progress with a status. Self-assessments: one statement per unit per
cycle, written by a command lead whose part of the organisation includes the unit, and
editable until the cycle reaches the board; the head of improvement (an analyst) writes the
cycle's overview beside the themes pmf finds common to two or more units. Every change is
kept (``ItemUpdate``, ``SelfAssessmentVersion``, ``Overview``, written with their audit events by
``audit.record_step``) and in the audit trail (plans, themes). ``self_assessments_for``,
``overview_for`` and ``plan_counts`` return plain dicts for the board paper and dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.audit import services as audit
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.plans.models import (
    Item,
    ItemUpdate,
    Overview,
    Plan,
    SelfAssessment,
    SelfAssessmentVersion,
    Theme,
)
from pmf.web.plans.themes import common_themes

Status = Item.Status
# Statements and the overview may change until the board sees them.
EDITABLE_STATES = {
    Cycle.State.DRAFT,
    Cycle.State.LOCKED,
    Cycle.State.SELF_ASSESSMENT,
    Cycle.State.MODERATION,
}


class Refused(Exception):
    """Raise with the reasons a change may not be made; nothing is changed."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def _analyst(membership: Membership, organisation: Organisation, refusal: str) -> None:
    # The plan and the overview are the whole organisation's (they name no unit): an analyst
    # scoped to one unit writes its self-assessment, not them.
    if membership.organisation_id != organisation.pk or not covers_organisation(membership):
        raise Refused(refusal.format(organisation=organisation.name))


def covers_organisation(membership: Membership) -> bool:
    """Say whether the member is an analyst of the whole organisation, who edits its plan."""
    return membership.role == Membership.Role.ANALYST and membership.unit_id is None


def person_name(user: Any) -> str:
    if user is None:
        return "pmf"
    return str(user.get_full_name() or user.get_username())


def moment_label(moment: dt.datetime) -> str:
    """Return a moment as people read it, its month in the reader's language."""
    from pmf.core.text import format_moment

    return format_moment(timezone.localtime(moment))


# --------------------------------------------------------------------------------------------
# Improvement plans
# --------------------------------------------------------------------------------------------


def _plan_fields(name: str, starts: int, ends: int) -> str:
    problems = []
    if not name.strip():
        problems.append(_("name: must not be empty"))
    if not 1900 <= starts <= 2200 or not 1900 <= ends <= 2200:
        problems.append(_("years: give the first and last year, such as 2008 and 2011"))
    elif ends < starts:
        problems.append(_("years: the plan cannot end before it starts"))
    if problems:
        raise Refused(*problems)
    return name.strip()


def create_plan(
    organisation: Organisation,
    membership: Membership,
    *,
    name: str,
    starts: int,
    ends: int,
    refreshed_on: dt.date | None = None,
) -> Plan:
    """Create an improvement plan over the years ``starts`` to ``ends``. Analysts only."""
    _analyst(
        membership,
        organisation,
        _("only analysts covering the whole of {organisation} may create an improvement plan"),
    )
    plan = Plan.objects.create(
        organisation=organisation,
        name=_plan_fields(name, starts, ends),
        starts=starts,
        ends=ends,
        refreshed_on=refreshed_on,
    )
    _audit_plan(plan, "create plan", None, membership)
    return plan


def edit_plan(
    plan: Plan,
    membership: Membership,
    *,
    name: str,
    starts: int,
    ends: int,
    refreshed_on: dt.date | None,
) -> Plan:
    """Rename the plan, change its years or record its annual refresh. Analysts only."""
    _analyst(
        membership,
        plan.organisation,
        _("only analysts covering the whole of {organisation} may edit the improvement plan"),
    )
    before = _plan_audited(plan)
    plan.name = _plan_fields(name, starts, ends)
    plan.starts, plan.ends, plan.refreshed_on = starts, ends, refreshed_on
    plan.save()
    _audit_plan(plan, "edit plan", before, membership)
    return plan


def _plan_audited(plan: Plan) -> dict[str, Any]:
    refreshed = plan.refreshed_on.isoformat() if plan.refreshed_on else None
    return {"name": plan.name, "starts": plan.starts, "ends": plan.ends, "refreshed_on": refreshed}


def plan_object(plan: Plan) -> str:
    """Return the plan's object in the audit trail: ``plan-<id>`` (its items are ``item-``)."""
    return f"plan-{plan.pk}"


def item_object(item: Item) -> str:
    """Return the item's object in the audit trail: ``item-<id>``."""
    return f"item-{item.pk}"


def _audit_plan(
    plan: Plan,
    action: str,
    before: dict[str, Any] | None,
    membership: Membership,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        plan.organisation,
        kind=audit.Kind.PLAN,
        action=action,
        label=f"Improvement plan: {plan.name} {plan.period}",
        object_id=plan_object(plan),
        before=before,
        after=after if after is not None else _plan_audited(plan),
        user=membership.user,
    )


def add_theme(plan: Plan, membership: Membership, name: str) -> Theme:
    """Add a theme at the end of the plan. Analysts only."""
    _analyst(
        membership,
        plan.organisation,
        _("only analysts covering the whole of {organisation} may add a theme"),
    )
    if not name.strip():
        raise Refused(_("theme: give the theme a name"))
    position = plan.themes.count()
    theme = Theme.objects.create(plan=plan, name=name.strip(), position=position)
    _audit_plan(plan, "add theme", None, membership, {"theme": theme.name})
    return theme


@dataclass
class ItemFields:
    """What a person gives for an item: measures by code, the owner by username."""

    title: str
    owner: str
    description: str = ""
    target: str = ""
    measures: list[str] = field(default_factory=list)
    target_measure: str = ""
    target_value: float | None = None
    target_date: dt.date | None = None


def _resolve(organisation: Organisation, fields: ItemFields) -> dict[str, Any]:
    """Check an item's fields against the organisation; raise ``Refused`` listing problems."""
    problems = []
    if not fields.title.strip():
        problems.append(_("title: must not be empty"))
    owner = (
        User.objects.filter(
            username=fields.owner.strip(), membership__organisation=organisation
        ).first()
        if fields.owner.strip()
        else None
    )
    if owner is None:
        problems.append(
            _("owner: choose a person of {organisation}").format(organisation=organisation.name)
        )
    known = {measure.code: measure for measure in organisation.measures.all()}
    codes = list(dict.fromkeys(code.strip() for code in fields.measures if code.strip()))
    unknown = [code for code in codes if code not in known]
    if unknown:
        problems.append(
            _("measures: {organisation} has no measure {codes}").format(
                organisation=organisation.code, codes=", ".join(unknown)
            )
        )
    target_measure = None
    if fields.target_measure.strip():
        target_measure = known.get(fields.target_measure.strip())
        if target_measure is None:
            problems.append(
                _("target measure: {organisation} has no measure of that code").format(
                    organisation=organisation.code
                )
            )
    elif fields.target_value is not None or fields.target_date is not None:
        problems.append(_("target measure: a target value or date needs the measure it is for"))
    if target_measure is not None and fields.target_value is None:
        problems.append(_("target value: give the value the measure should reach"))
    if problems:
        raise Refused(*problems)
    measures = [known[code] for code in codes]
    if target_measure is not None and target_measure not in measures:
        measures.append(target_measure)
    return {
        "title": fields.title.strip(),
        "description": fields.description.strip(),
        "target": fields.target.strip(),
        "owner": owner,
        "target_measure": target_measure,
        "target_value": fields.target_value if target_measure is not None else None,
        "target_date": fields.target_date if target_measure is not None else None,
        "measures": measures,
    }


@transaction.atomic
def create_item(theme: Theme, membership: Membership, fields: ItemFields) -> Item:
    """Add an item to a theme, not started, with its owner and measures. Analysts only."""
    _analyst(
        membership,
        theme.plan.organisation,
        _("only analysts covering the whole of {organisation} may add an item to the plan"),
    )
    values = _resolve(theme.plan.organisation, fields)
    measures = values.pop("measures")
    item = Item.objects.create(theme=theme, position=theme.items.count(), **values)
    item.measures.set(measures)
    _update(item, ItemUpdate.Kind.CREATED, "", membership.user, None)
    return item


@transaction.atomic
def edit_item(
    item: Item, membership: Membership, fields: ItemFields, theme: Theme | None = None
) -> Item:
    """Change an item's text, target, owner, measures or theme; the history says what changed."""
    _analyst(
        membership,
        item.theme.plan.organisation,
        _("only analysts covering the whole of {organisation} may edit the plan's items"),
    )
    values = _resolve(item.theme.plan.organisation, fields)
    measures = values.pop("measures")
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    if {m.pk for m in measures} != set(item.measures.values_list("pk", flat=True)):
        changed.append("measures")
    if theme is not None and theme.pk != item.theme_id:
        if theme.plan_id != item.theme.plan_id:
            raise Refused(_("theme: choose a theme of the same plan"))
        values["theme"] = theme
        changed.append("theme")
    if not changed:
        return item
    before = _item_audited(item)
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    item.measures.set(measures)
    text = "Changed " + ", ".join(name.replace("_", " ") for name in changed) + "."
    _update(item, ItemUpdate.Kind.EDITED, text, membership.user, before)
    return item


def may_update(membership: Membership, item: Item) -> bool:
    """Say whether the member may record progress: the item's owner, or an analyst covering
    the whole organisation."""
    if membership.organisation_id != item.theme.plan.organisation_id:
        return False
    return membership.user_id == item.owner_id or covers_organisation(membership)


@transaction.atomic
def record_progress(item: Item, membership: Membership, status: str, text: str) -> ItemUpdate:
    """Record progress on an item with its status now; the owner or an analyst."""
    if not may_update(membership, item):
        raise Refused(_("only the item's accountable owner or an analyst may record progress"))
    problems = []
    if status not in Status.values:
        problems.append(
            _("status: choose one of {statuses}").format(
                statuses=", ".join(str(label) for label in Status.labels)
            )
        )
    if not text.strip():
        problems.append(_("progress: say what has happened"))
    if problems:
        raise Refused(*problems)
    before = _item_audited(item)
    item.status = status
    item.save(update_fields=["status"])
    return _update(item, ItemUpdate.Kind.PROGRESS, text.strip(), membership.user, before)


ITEM_ACTIONS: dict[str, str] = {
    ItemUpdate.Kind.CREATED: "add item",
    ItemUpdate.Kind.EDITED: "edit item",
    ItemUpdate.Kind.PROGRESS: "report progress",
}


def _item_audited(item: Item) -> dict[str, Any]:
    return {
        "title": item.title,
        "theme": item.theme.name,
        "owner": item.owner.get_username(),
        "target": item.target,
        "target_measure": item.target_measure.code if item.target_measure else None,
        "target_value": item.target_value,
        "target_date": item.target_date.isoformat() if item.target_date else None,
        "measures": ", ".join(sorted(item.measures.values_list("code", flat=True))),
        "status": item.status,
    }


def _update(
    item: Item, kind: str, text: str, user: Any, before: dict[str, Any] | None
) -> ItemUpdate:
    """Record a step in the item's history and its audit event."""
    return audit.record_step(
        ItemUpdate(item=item, kind=kind, status=item.status, text=text),
        item.theme.plan.organisation,
        kind=audit.Kind.PLAN,
        action=ITEM_ACTIONS[kind],
        label=f"Improvement plan item: {item.title}",
        object_id=item_object(item),
        before=before,
        after=_item_audited(item),
        note=text,
        user=user,
    )


def current_plan(organisation: Organisation) -> Plan | None:
    """Return the plan running this year, or else the one that starts latest."""
    year = timezone.localdate().year
    plans = organisation.plans.order_by("-starts", "-pk")
    return plans.filter(starts__lte=year, ends__gte=year).first() or plans.first()


def plan_counts(organisation: Organisation) -> dict[str, Any]:
    """Return the current plan's items by status, for a dashboard tile.

    ``{"plan": None, ...}`` when the organisation has no plan; every status is listed, in
    order, with its count (zero too).
    """
    plan = current_plan(organisation)
    counts = {status: 0 for status in Status.values}
    if plan is not None:
        for status in Item.objects.filter(theme__plan=plan).values_list("status", flat=True):
            counts[status] += 1
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "plan": {"id": plan.pk, "name": plan.name, "period": plan.period}
        if plan is not None
        else None,
        "items": sum(counts.values()),
        "by_status": [
            {"status": status, "label": Status(status).label, "items": counts[status]}
            for status in Status.values
        ],
    }


# --------------------------------------------------------------------------------------------
# Self-assessments and the head of improvement's overview
# --------------------------------------------------------------------------------------------


def may_write_self_assessment(membership: Membership, cycle: Cycle, unit: Unit) -> bool:
    """Say whether the member may write the unit's statement for the cycle now."""
    try:
        _check_self_assessment(membership, cycle, unit)
    except Refused:
        return False
    return True


def _check_self_assessment(membership: Membership, cycle: Cycle, unit: Unit) -> None:
    if (
        membership.organisation_id != cycle.organisation_id
        or membership.role != Membership.Role.COMMAND_LEAD
    ):
        raise Refused(
            _("only command leads of {organisation} write self-assessments").format(
                organisation=cycle.organisation.name
            )
        )
    if unit.external or not any(u.pk == unit.pk for u in visible_units(membership)):
        raise Refused(_("{unit} is not in your part of the organisation").format(unit=unit.name))
    _check_editable(
        cycle, _("cycle {number} is at {state}: self-assessments can no longer be changed")
    )


def _check_editable(cycle: Cycle, refusal: str) -> None:
    if cycle.state not in EDITABLE_STATES:
        raise Refused(refusal.format(number=cycle.number, state=cycle.get_state_display().lower()))


@transaction.atomic
def write_self_assessment(
    cycle: Cycle,
    unit: Unit,
    membership: Membership,
    *,
    strengths: str,
    areas_for_improvement: str,
    risks: str,
) -> SelfAssessment:
    """Write or rewrite the unit's statement for the cycle, keeping every version."""
    _check_self_assessment(membership, cycle, unit)
    texts = {
        "strengths": strengths.strip(),
        "areas_for_improvement": areas_for_improvement.strip(),
        "risks": risks.strip(),
    }
    if not any(texts.values()):
        raise Refused(_("statement: write at least one of the three parts"))
    now = timezone.now()
    held = SelfAssessment.objects.filter(cycle=cycle, unit=unit).first()
    before = {name: getattr(held, name) for name in texts} if held is not None else None
    self_assessment, _created = SelfAssessment.objects.update_or_create(
        cycle=cycle, unit=unit, defaults={**texts, "actor": membership.user, "at": now}
    )
    audit.record_step(
        SelfAssessmentVersion(self_assessment=self_assessment, **texts),
        cycle.organisation,
        kind=audit.Kind.SELF_ASSESSMENT,
        action="write self-assessment",
        label=f"Cycle {cycle.number}: self-assessment of {unit.name}",
        object_id=self_assessment.pk,
        unit_code=unit.code,
        before=before,
        after=texts,
        user=membership.user,
        at=now,
    )
    return self_assessment


def cycle_themes(cycle: Cycle) -> list[dict[str, Any]]:
    """Return the themes two or more units' areas for improvement and risks share."""
    self_assessments = list(cycle.self_assessments.select_related("unit"))
    names = {
        self_assessment.unit.code: self_assessment.unit.name for self_assessment in self_assessments
    }
    themes = common_themes(
        {
            written.unit.code: f"{written.areas_for_improvement}\n{written.risks}"
            for written in self_assessments
        }
    )
    return [
        {**theme.as_dict(), "unit_names": [names[code] for code in theme.units]} for theme in themes
    ]


@transaction.atomic
def write_overview(cycle: Cycle, membership: Membership, text: str) -> Overview:
    """Save the head of improvement's overview beside the themes as generated now."""
    _analyst(
        membership,
        cycle.organisation,
        _("only analysts covering the whole of {organisation} may write the overview"),
    )
    _check_editable(cycle, _("cycle {number} is at {state}: the overview can no longer be changed"))
    if not text.strip():
        raise Refused(_("overview: must not be empty"))
    held = cycle.overviews.order_by("-at", "-pk").first()
    return audit.record_step(
        Overview(cycle=cycle, text=text.strip(), themes=cycle_themes(cycle)),
        cycle.organisation,
        kind=audit.Kind.SELF_ASSESSMENT,
        action="write overview",
        label=f"Cycle {cycle.number}: overview of the self-assessments",
        object_id=overview_object(cycle),
        before={"text": held.text} if held is not None else None,
        after={"text": text.strip()},
        user=membership.user,
    )


def overview_object(cycle: Cycle) -> str:
    """Return the cycle's overview as an object of the audit trail: ``overview-<cycle id>``."""
    return f"overview-{cycle.pk}"


def cycle_summary(cycle: Cycle) -> dict[str, Any]:
    return {
        "number": cycle.number,
        "name": cycle.name,
        "state": cycle.state,
        "state_label": cycle.get_state_display(),
        "editable": cycle.state in EDITABLE_STATES,
    }


def self_assessments_for(cycle: Cycle, units: list[Unit] | None = None) -> dict[str, Any]:
    """Return the cycle's statements (of ``units`` only, when given) and who has not written.

    Plain data for pages, JSON and the board paper: each statement's three texts (Markdown),
    who wrote it and when, and how many versions it has had.
    """
    chosen = units if units is not None else list(cycle.organisation.units.all())
    internal = [unit for unit in chosen if not unit.external]
    shown = {unit.pk for unit in internal}
    self_assessments = [
        self_assessment
        for self_assessment in cycle.self_assessments.select_related(
            "unit", "actor"
        ).prefetch_related("versions")
        if self_assessment.unit_id in shown
    ]
    written = {self_assessment.unit_id for self_assessment in self_assessments}
    return {
        "organisation": {"code": cycle.organisation.code, "name": cycle.organisation.name},
        "cycle": cycle_summary(cycle),
        "statements": [
            {
                "unit": {"code": s.unit.code, "name": s.unit.name},
                "strengths": s.strengths,
                "areas_for_improvement": s.areas_for_improvement,
                "risks": s.risks,
                "by": person_name(s.actor),
                "at": s.at.isoformat(timespec="seconds"),
                "at_label": moment_label(s.at),
                "versions": len(s.versions.all()),
            }
            for s in self_assessments
        ],
        "units_without": [
            {"code": unit.code, "name": unit.name} for unit in internal if unit.pk not in written
        ],
    }


def overview_for(cycle: Cycle) -> dict[str, Any]:
    """Return the overview: the generated common themes, the latest text and its history.

    ``text`` is None until the head of improvement writes it; ``history`` lists every
    version, oldest first, each with the themes as they were generated when it was saved.
    """
    versions = list(cycle.overviews.select_related("actor"))
    latest = versions[-1] if versions else None
    return {
        "organisation": {"code": cycle.organisation.code, "name": cycle.organisation.name},
        "cycle": cycle_summary(cycle),
        "statements": cycle.self_assessments.count(),
        "themes": cycle_themes(cycle),
        "text": latest.text if latest else None,
        "by": person_name(latest.actor) if latest else None,
        "at": latest.at.isoformat(timespec="seconds") if latest else None,
        "at_label": moment_label(latest.at) if latest else None,
        "history": [
            {
                "text": version.text,
                "by": person_name(version.actor),
                "at": version.at.isoformat(timespec="seconds"),
                "at_label": moment_label(version.at),
                "themes": version.themes,
            }
            for version in versions
        ],
    }
