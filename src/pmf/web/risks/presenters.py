"""Data shaped for each risk page; the JSON versions are the same dicts."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone

from pmf.core import risk as scoring
from pmf.core.framework import RiskRegister
from pmf.core.text import format_moment
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.audit.services import Kind, history_url
from pmf.web.frameworks.models import Organisation
from pmf.web.risks import services
from pmf.web.risks.models import Risk


def organisation_summary(organisation: Organisation) -> dict[str, str]:
    """Return the organisation's code and name, as every register page gives them."""
    return {"code": organisation.code, "name": organisation.name}


def _register(register: RiskRegister) -> dict[str, Any]:
    return {
        "likelihood": [
            {"level": index, "label": label} for index, label in enumerate(register.likelihood, 1)
        ],
        "impact": [
            {"level": index, "label": label} for index, label in enumerate(register.impact, 1)
        ],
        "threshold": register.threshold,
        "max_score": scoring.max_score(register),
        "bands": [{"name": band.name, "min_score": band.min_score} for band in register.bands],
        "measure": register.measure,
    }


def heat_map_page(organisation: Organisation, membership: Membership) -> dict[str, Any]:
    """Return the heat map of the open risks' current scores the member sees."""
    register = services.register_of(organisation)
    risks = services.visible_risks(organisation, membership).filter(status=Risk.Status.OPEN)
    ratings = list(risks.values_list("current_likelihood", "current_impact"))
    rows = scoring.heat_map(register, ratings)
    return {
        "organisation": organisation_summary(organisation),
        "register": _register(register),
        "open": len(ratings),
        "above_threshold": sum(
            cell.count for row in rows for cell in row.cells if cell.above_threshold
        ),
        "rows": [
            {
                "impact": row.impact,
                "label": row.label,
                "cells": [
                    {
                        "likelihood": cell.likelihood,
                        "impact": cell.impact,
                        "score": cell.score,
                        "band": cell.band,
                        "band_position": cell.band_position,
                        "above_threshold": cell.above_threshold,
                        "count": cell.count,
                    }
                    for cell in row.cells
                ],
            }
            for row in rows
        ],
    }


FILTERS = ("status", "above", "overdue", "unit", "category", "likelihood", "impact")


def risks_page(
    organisation: Organisation, membership: Membership, query: Mapping[str, str]
) -> dict[str, Any]:
    """Return the risks the member sees, filtered as the query asks, highest score first."""
    register = services.register_of(organisation)
    today = timezone.localdate()
    filters = {name: str(query.get(name, "")).strip() for name in FILTERS}
    filters["status"] = filters["status"] or "open"
    risks = services.visible_risks(organisation, membership)
    if filters["status"] in Risk.Status.values:
        risks = risks.filter(status=filters["status"])
    if filters["above"]:
        risks = risks.filter(current_score__gt=register.threshold)
    if filters["overdue"]:
        risks = risks.filter(review_date__lt=today, status=Risk.Status.OPEN)
    if filters["unit"]:
        risks = risks.filter(unit__code=filters["unit"])
    if filters["category"]:
        risks = risks.filter(category=filters["category"])
    for level in ("likelihood", "impact"):
        if filters[level].isdigit():
            risks = risks.filter(**{f"current_{level}": int(filters[level])})
    everything = services.visible_risks(organisation, membership)
    return {
        "organisation": organisation_summary(organisation),
        "register": _register(register),
        "filters": filters,
        "risks": [
            services.risk_summary(risk, register, today)
            for risk in risks.order_by("-current_score", "number")
        ],
        "units": [
            {"code": unit.code, "name": unit.name}
            for unit in visible_units(membership, organisation)
            if not unit.external
        ],
        "categories": sorted(
            set(everything.exclude(category="").values_list("category", flat=True))
        ),
    }


def risk_page(risk: Risk, membership: Membership) -> dict[str, Any]:
    """Return one risk with its three ratings and its history, oldest change first."""
    register = services.register_of(risk.organisation)
    summary = services.risk_summary(risk, register)
    return {
        "organisation": organisation_summary(risk.organisation),
        "register": _register(register),
        "risk": {
            **summary,
            "area_name": risk.area.name if risk.area else None,
            "description": risk.description,
            "controls": risk.controls,
            "ratings": [
                {
                    "stage": stage,
                    **services._rating(
                        register,
                        getattr(risk, f"{stage}_likelihood"),
                        getattr(risk, f"{stage}_impact"),
                        getattr(risk, f"{stage}_score"),
                    ),
                }
                for stage in ("inherent", "current", "target")
            ],
        },
        "history": [history_step(event) for event in risk.events.select_related("actor")],
        "audit_url": history_url(risk.organisation, Kind.RISK, risk.pk),
        "may_edit": services.may_edit_risk(membership, risk),
        "may_review": services.may_review_risk(membership, risk),
    }


@functools.cache
def _choice_labels(step_label: str) -> dict[str, dict[str, str]]:
    """Return the words for each coded field of the entry that a step model (by label) records."""
    step_model = apps.get_model(step_label)
    entry = next(
        field.related_model
        for field in step_model._meta.fields
        if field.is_relation and field.name != "actor"
    )
    assert entry is not None and not isinstance(entry, str)  # a foreign key names its model
    return {
        field.name: {str(code): str(label) for code, label in field.flatchoices}
        for field in entry._meta.fields
        if field.choices
    }


def history_step(event: Any) -> dict[str, Any]:
    """Return one step of a risk's or recommendation's history as its page shows it.

    A change to a field with choices (a status, a body) keeps its stored code in ``before``
    and ``after`` and says it in words in ``before_text`` and ``after_text``.
    """
    labels = _choice_labels(event._meta.label)
    return {
        "step": event.step,
        "step_label": event.get_step_display(),
        "at": timezone.localtime(event.at).isoformat(timespec="minutes"),
        "at_label": format_moment(timezone.localtime(event.at)),
        "by": event.actor.get_username() if event.actor else None,
        "changes": [
            {
                "field": name.replace("_", " "),
                "before": pair[0],
                "after": pair[1],
                "before_text": labels.get(name, {}).get(str(pair[0]), pair[0]),
                "after_text": labels.get(name, {}).get(str(pair[1]), pair[1]),
            }
            for name, pair in event.changes.items()
        ],
        "note": event.note,
    }


def risk_form(
    organisation: Organisation,
    risk: Risk | None,
    membership: Membership,
    typed: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Return what the risk form shows: the fields the member may change and their values."""
    register = services.register_of(organisation)
    if risk is None:
        values: dict[str, Any] = {"status": "open"}
    else:
        values = {name: services.shown(getattr(risk, name)) for name in services.RISK_FIELDS}
    if typed:
        values.update({name: typed.get(name, "") for name in services.RISK_FIELDS if name in typed})
    fields = (
        services.RISK_FIELDS
        if risk is None or services.may_edit_risk(membership, risk)
        else services.REVIEW_FIELDS
    )
    members = User.objects.filter(membership__organisation=organisation).order_by("username")
    return {
        "organisation": organisation_summary(organisation),
        "register": _register(register),
        "risk": None if risk is None else {"number": risk.number, "title": risk.title},
        # The version the form carries: a change saved after it makes this save a conflict.
        "version": None if risk is None else services.version_of(risk),
        "fields": list(fields),
        "values": {name: "" if value is None else str(value) for name, value in values.items()},
        **unit_choices(organisation, membership),
        "areas": [{"code": area.code, "name": area.name} for area in organisation.areas.all()],
        "owners": [user.get_username() for user in members],
    }


def unit_choices(organisation: Organisation, membership: Membership) -> dict[str, Any]:
    """Return the units a form offers: those in the member's scope; the whole organisation
    (no unit) only to members who cover it."""
    units = services.writable_units(membership)
    if units is None:
        units = list(organisation.units.filter(external=False))
    return {
        "units": [{"code": unit.code, "name": unit.name} for unit in units],
        "whole": membership.unit_id is None,
    }
