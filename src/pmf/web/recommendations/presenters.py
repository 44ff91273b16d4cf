"""Data shaped for each recommendation page; the JSON versions are the same dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from pmf.web.accounts.models import Membership
from pmf.web.audit.services import Kind, history_url
from pmf.web.frameworks.models import Organisation
from pmf.web.recommendations import services
from pmf.web.recommendations.models import Recommendation
from pmf.web.risks.presenters import history_step, organisation_summary, unit_choices


def _recommendation(recommendation: Recommendation, today: dt.date) -> dict[str, Any]:
    return {
        "number": recommendation.number,
        "body": recommendation.body,
        "body_label": recommendation.get_body_display(),
        "report_title": recommendation.report_title,
        "report_date": recommendation.report_date.isoformat(),
        "text": recommendation.text,
        "unit": recommendation.unit.code if recommendation.unit else None,
        "owner": recommendation.owner.get_username() if recommendation.owner else None,
        "due_date": recommendation.due_date.isoformat(),
        "status": recommendation.status,
        "status_label": recommendation.get_status_display(),
        "overdue": services.is_overdue(recommendation, today),
        "evidence": recommendation.evidence,
        "closure_approved_by": (
            recommendation.closure_approved_by.get_username()
            if recommendation.closure_approved_by
            else None
        ),
    }


def recommendations_page(
    organisation: Organisation, membership: Membership, query: Mapping[str, str]
) -> dict[str, Any]:
    """Return the figures complete by body and report, and the recommendations, filtered."""
    today = timezone.localdate()
    body = str(query.get("body", "")).strip()
    overdue = bool(str(query.get("overdue", "")).strip())
    recommendations = services.visible_recommendations(organisation, membership)
    if body:
        recommendations = recommendations.filter(body=body)
    shown = [_recommendation(r, today) for r in recommendations.order_by("due_date", "number")]
    if overdue:
        shown = [r for r in shown if r["overdue"]]
    return {
        "organisation": organisation_summary(organisation),
        "filters": {"body": body, "overdue": "1" if overdue else ""},
        "bodies": [
            {"code": code, "label": str(label)} for code, label in Recommendation.Body.choices
        ],
        "figures": services.recommendation_counts(organisation, membership, today),
        "recommendations": shown,
    }


def recommendation_page(recommendation: Recommendation, membership: Membership) -> dict[str, Any]:
    """Return one recommendation, its history and the steps the member may take."""
    roles = [Membership.Role(role).label for role in services.CLOSURE_ROLES]
    return {
        "organisation": organisation_summary(recommendation.organisation),
        "recommendation": _recommendation(recommendation, timezone.localdate()),
        "closure_roles": roles,
        "steps": services.allowed_steps(recommendation, membership),
        "version": services.version_of(recommendation),
        "may_edit": services.may_edit_recommendation(membership, recommendation),
        "history": [history_step(event) for event in recommendation.events.select_related("actor")],
        "audit_url": history_url(
            recommendation.organisation, Kind.RECOMMENDATION, recommendation.pk
        ),
    }


def recommendation_form(
    organisation: Organisation,
    recommendation: Recommendation | None,
    membership: Membership,
    typed: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Return what the recommendation form shows."""
    fields = services.RECOMMENDATION_FIELDS
    if recommendation is None:
        values: dict[str, Any] = {}
    else:
        values = {name: services.shown(getattr(recommendation, name)) for name in fields}
    if typed:
        values.update({name: typed.get(name, "") for name in fields if name in typed})
    members = User.objects.filter(membership__organisation=organisation).order_by("username")
    return {
        "organisation": organisation_summary(organisation),
        "recommendation": None if recommendation is None else {"number": recommendation.number},
        "version": None if recommendation is None else services.version_of(recommendation),
        "values": {name: "" if value is None else str(value) for name, value in values.items()},
        "bodies": [
            {"code": code, "label": str(label)} for code, label in Recommendation.Body.choices
        ],
        **unit_choices(organisation, membership),
        "owners": [user.get_username() for user in members],
    }
