"""Every write to inspection and audit recommendations, and who may make it.

Analysts record recommendations and change their details; the owner starts work and submits
evidence; only a member in one of ``CLOSURE_ROLES`` approves closure or returns the evidence.
Each step is kept (``RecommendationEvent``) with its audit event. Who sees which record, and
how changes are cleaned, locked and recorded, are the risk register's (``pmf.web.risks``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pmf.web.accounts.models import Membership
from pmf.web.audit import services as audit
from pmf.web.frameworks.models import Organisation
from pmf.web.recommendations.models import Recommendation, RecommendationEvent
from pmf.web.risks.services import (
    Cleaned,
    Refused,
    actor_or_none,
    in_scope,
    lock,
    record_register_step,
    relation,
    scope_checked,
    scope_filter,
    shown,
    version_of,
)

__all__ = ["Refused", "shown", "version_of"]
# Who may approve a recommendation's closure: never its owner, who submits the evidence.
CLOSURE_ROLES = (Membership.Role.MODERATOR, Membership.Role.BOARD_MEMBER)
RECOMMENDATION_FIELDS = (
    "body",
    "report_title",
    "report_date",
    "text",
    "unit",
    "owner",
    "due_date",
)


def visible_recommendations(
    organisation: Organisation, membership: Membership | None
) -> QuerySet[Recommendation]:
    """Return the organisation's recommendations the member may see (``None``: all)."""
    return (
        Recommendation.objects.filter(organisation=organisation)
        .filter(scope_filter(organisation, membership))
        .select_related("unit", "owner", "closure_approved_by")
    )


def may_edit_recommendation(
    membership: Membership, recommendation: Recommendation | None = None
) -> bool:
    """Say whether the member may record (none) or change a recommendation's details.

    Analysts of the organisation; scoped to a unit, only the recommendations of their scope.
    """
    return (
        membership.role == Membership.Role.ANALYST
        and (recommendation is None or recommendation.organisation_id == membership.organisation_id)
        and (recommendation is None or in_scope(membership, recommendation.unit))
    )


def _clean_recommendation(
    organisation: Organisation, data: Mapping[str, Any], fields: tuple[str, ...]
) -> Cleaned:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name in fields:
        raw = data.get(name)
        text = "" if raw is None else str(raw).strip()
        label = name.replace("_", " ").capitalize()
        if name == "body":
            if text not in Recommendation.Body.values:
                problems.append(_("Body: choose who made the recommendation"))
            values[name] = text
        elif name in ("report_date", "due_date"):
            try:
                values[name] = dt.date.fromisoformat(text)
            except ValueError:
                problems.append(_("{field}: give a date as YYYY-MM-DD").format(field=label))
        elif name in ("report_title", "text"):
            if not text:
                problems.append(_("{field}: must not be empty").format(field=label))
            values[name] = text[:300] if name == "report_title" else text
        else:
            values[name] = relation(organisation, name, text, problems, label)
    return Cleaned(values, problems)


@transaction.atomic
def create_recommendation(
    organisation: Organisation,
    membership: Membership | None,
    data: Mapping[str, Any],
    *,
    user: User | AnonymousUser | None = None,
    now: dt.datetime | None = None,
) -> Recommendation:
    """Record an inspection's or audit's recommendation (analysts). Raise ``Refused``."""
    if membership is not None and not may_edit_recommendation(membership):
        raise Refused([_("Only analysts record recommendations.")])
    cleaned = _clean_recommendation(organisation, data, RECOMMENDATION_FIELDS)
    problems = scope_checked(cleaned, membership)
    if problems:
        raise Refused(problems)
    now = now or timezone.now()
    number = (
        Recommendation.objects.select_for_update()
        .filter(organisation=organisation)
        .aggregate(highest=Max("number"))["highest"]
        or 0
    ) + 1
    recommendation = Recommendation.objects.create(
        organisation=organisation, number=number, created_at=now, **cleaned.values
    )
    changes = {name: ["", shown(value)] for name, value in cleaned.values.items()}
    _recommendation_step(recommendation, RecommendationEvent.Step.CREATED, changes, user, now, "")
    return recommendation


@transaction.atomic
def update_recommendation(
    recommendation: Recommendation,
    membership: Membership | None,
    data: Mapping[str, Any],
    *,
    user: User | AnonymousUser | None = None,
    now: dt.datetime | None = None,
    version: int | None = None,
) -> Recommendation:
    """Change a recommendation's details (analysts); closing needs approval. Raise ``Refused``.

    Raise ``Conflict`` when ``version`` is no longer the recommendation's latest.
    """
    if membership is not None and not may_edit_recommendation(membership, recommendation):
        raise Refused([_("Only analysts change a recommendation's details, in their scope.")])
    fields = tuple(name for name in RECOMMENDATION_FIELDS if name in data)
    cleaned = _clean_recommendation(recommendation.organisation, data, fields)
    problems = scope_checked(cleaned, membership)
    if problems:
        raise Refused(problems)
    lock(
        recommendation,
        version,
        _("Recommendation {number}").format(number=recommendation.number),
        _recommendation_held,
    )
    changes = {
        name: [shown(getattr(recommendation, name)), shown(value)]
        for name, value in cleaned.values.items()
        if shown(getattr(recommendation, name)) != shown(value)
    }
    if not changes:
        return recommendation
    for name, value in cleaned.values.items():
        setattr(recommendation, name, value)
    recommendation.save()
    _recommendation_step(
        recommendation, RecommendationEvent.Step.CHANGED, changes, user, now or timezone.now(), ""
    )
    return recommendation


def allowed_steps(recommendation: Recommendation, membership: Membership) -> list[str]:
    """Return the steps the member may take on the recommendation now."""
    status = recommendation.status
    is_owner = recommendation.owner_id is not None and recommendation.owner_id == membership.user_id
    doer = is_owner or membership.role == Membership.Role.ANALYST
    approver = membership.role in CLOSURE_ROLES and not is_owner
    steps = []
    if doer and status == Recommendation.Status.OPEN:
        steps.append("start")
    if doer and status in (Recommendation.Status.OPEN, Recommendation.Status.IN_PROGRESS):
        steps.append("evidence")
    if approver and status == Recommendation.Status.EVIDENCE_SUBMITTED:
        steps.extend(["approve", "return"])
    return steps


STEP_WORDS = {
    "start": "start work on",
    "evidence": "submit evidence for",
    "approve": "approve the closure of",
    "return": "return the evidence of",
}


def _step_refusal(step: str, status: str) -> str:
    """Return the whole sentence refusing a step on a recommendation, in the reader's language.

    Approving and returning are for the roles in ``CLOSURE_ROLES`` (a moderator or a board
    member), not the owner; the other steps are refused at the wrong status.
    """
    sentences = {
        "start": _("You may not start work on this recommendation now (it is {status})."),
        "evidence": _("You may not submit evidence for this recommendation now (it is {status})."),
        "approve": _(
            "Only a moderator or board member (not the owner) may approve the closure of a "
            "recommendation with evidence submitted."
        ),
        "return": _(
            "Only a moderator or board member (not the owner) may return the evidence of a "
            "recommendation with evidence submitted."
        ),
    }
    return sentences[step].format(status=status)


@transaction.atomic
def take_step(
    recommendation: Recommendation,
    membership: Membership,
    step: str,
    text: str = "",
    *,
    user: User | AnonymousUser | None = None,
    now: dt.datetime | None = None,
    version: int | None = None,
) -> Recommendation:
    """Take one step: ``start``, ``evidence`` (with the evidence), ``approve`` or ``return``.

    The owner (or an analyst) starts work and submits evidence; only a member whose role is
    in ``CLOSURE_ROLES``, and who is not the owner, approves the closure or returns the
    evidence with a reason. Raise ``Refused`` saying why a step is not allowed.
    """
    if step not in STEP_WORDS:
        raise Refused([_("Choose a step to take.")])
    lock(
        recommendation,
        version,
        _("Recommendation {number}").format(number=recommendation.number),
        _recommendation_held,
    )
    if step not in allowed_steps(recommendation, membership):
        raise Refused([_step_refusal(step, recommendation.get_status_display().lower())])
    text = text.strip()
    if step == "evidence" and not text:
        raise Refused([_("Evidence: say what shows the recommendation is done.")])
    if step == "return" and not text:
        raise Refused([_("Reason: say why the evidence is not enough.")])
    now = now or timezone.now()
    before = recommendation.status
    events = {
        "start": (Recommendation.Status.IN_PROGRESS, RecommendationEvent.Step.STARTED),
        "evidence": (Recommendation.Status.EVIDENCE_SUBMITTED, RecommendationEvent.Step.EVIDENCE),
        "approve": (Recommendation.Status.CLOSED, RecommendationEvent.Step.APPROVED),
        "return": (Recommendation.Status.IN_PROGRESS, RecommendationEvent.Step.RETURNED),
    }
    status, event = events[step]
    recommendation.status = status
    if step == "evidence":
        recommendation.evidence = text
    if step == "approve":
        recommendation.closure_approved_by = actor_or_none(user)
        recommendation.closed_at = now
    recommendation.save()
    _recommendation_step(recommendation, event, {"status": [before, status]}, user, now, text)
    return recommendation


def _recommendation_held(recommendation: Recommendation) -> str:
    return _("status {status}").format(status=recommendation.get_status_display().lower())


def is_overdue(recommendation: Recommendation, today: dt.date) -> bool:
    """Say whether a recommendation is past its due date and not closed."""
    return recommendation.status != Recommendation.Status.CLOSED and recommendation.due_date < today


def recommendation_counts(
    organisation: Organisation,
    membership: Membership | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Return "recommendations complete" figures: in all, by body and by report.

    Each group has total, complete (closure approved), percent_complete (None with none),
    open (not complete) and overdue (not complete and past the due date). ``membership``
    limits them to what that member sees.
    """
    today = today or timezone.localdate()
    recommendations = list(visible_recommendations(organisation, membership))
    bodies: dict[str, list[Recommendation]] = {}
    reports: dict[tuple[str, str, str], list[Recommendation]] = {}
    for recommendation in recommendations:
        bodies.setdefault(recommendation.body, []).append(recommendation)
        key = (
            recommendation.body,
            recommendation.report_title,
            recommendation.report_date.isoformat(),
        )
        reports.setdefault(key, []).append(recommendation)
    labels = dict(Recommendation.Body.choices)
    return {
        **_counts(recommendations, today),
        "by_body": [
            {"body": body, "label": labels[body], **_counts(bodies[body], today)}
            for body in Recommendation.Body.values
            if body in bodies
        ],
        "by_report": [
            {
                "body": body,
                "label": labels[body],
                "report_title": title,
                "report_date": date,
                **_counts(group, today),
            }
            for (body, title, date), group in sorted(reports.items(), key=lambda item: item[0][2])
        ],
    }


def _counts(recommendations: list[Recommendation], today: dt.date) -> dict[str, Any]:
    total = len(recommendations)
    complete = sum(1 for r in recommendations if r.status == Recommendation.Status.CLOSED)
    return {
        "total": total,
        "complete": complete,
        "percent_complete": round(100 * complete / total, 1) if total else None,
        "open": total - complete,
        "overdue": sum(1 for r in recommendations if is_overdue(r, today)),
    }


def _recommendation_step(
    recommendation: Recommendation,
    step: str,
    changes: dict[str, Any],
    user: User | AnonymousUser | None,
    now: dt.datetime,
    note: str,
) -> None:
    """Record a step on a recommendation, with its status after it, and its audit event."""
    record_register_step(
        RecommendationEvent(
            recommendation=recommendation,
            step=step,
            changes=changes,
            status=recommendation.status,
            note=note,
        ),
        recommendation,
        kind=audit.Kind.RECOMMENDATION,
        label=f"Recommendation {recommendation.number}: {recommendation.report_title}",
        created=step == RecommendationEvent.Step.CREATED,
        user=user,
        now=now,
    )
