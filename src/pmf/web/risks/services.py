"""Every write to the risk register, who may make it, and who sees which records.

Risks: analysts create and change them; a risk's owner reviews it (controls, current
likelihood and impact, review date). Each change adds an event with who, when and what.
When the framework names a measure for the register (``risks.measure``), every change records
the number of open risks scoring above the threshold as that measure's figure for the month,
through the observations' import (all or nothing, revisions kept): see ``record_risk_measure``.

The register's scope rules (``scope_filter``, ``writable_units``, ``in_scope``) and its way
of cleaning, locking and recording changes are shared with ``pmf.web.recommendations``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pmf.core import risk as scoring
from pmf.core.framework import RiskRegister
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.audit import services as audit
from pmf.web.audit.services import Conflict
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.observations.services import ImportSummary, import_frame
from pmf.web.risks.models import Risk, RiskEvent

# What a risk's owner may change in a review; analysts change everything.
REVIEW_FIELDS = ("controls", "current_likelihood", "current_impact", "review_date")
RISK_FIELDS = (
    "title",
    "description",
    "category",
    "unit",
    "area",
    "owner",
    "controls",
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "target_likelihood",
    "target_impact",
    "review_date",
    "status",
)
LEVELS = (
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "target_likelihood",
    "target_impact",
)


class Refused(Exception):
    """Raise with every reason a change was refused, to show the person who asked."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def register_of(organisation: Organisation) -> RiskRegister:
    """Return the organisation's risk scales, threshold and measure (defaults if none)."""
    from pmf.web.frameworks.services import framework_of

    return framework_of(organisation).model.risks


# --------------------------------------------------------------------------------------------
# Who sees what
# --------------------------------------------------------------------------------------------


def scope_filter(organisation: Organisation, membership: Membership | None) -> Q:
    """Return the records the member sees: all, or their units' and their own."""
    if membership is None or membership.unit_id is None:
        return Q()
    units = [unit.pk for unit in visible_units(membership, organisation) if not unit.external]
    return Q(unit_id__in=units) | Q(owner_id=membership.user_id)


def visible_risks(organisation: Organisation, membership: Membership | None) -> QuerySet[Risk]:
    """Return the organisation's risks the member may see (``None``: every risk)."""
    return (
        Risk.objects.filter(organisation=organisation)
        .filter(scope_filter(organisation, membership))
        .select_related("unit", "area", "owner")
    )


def writable_units(membership: Membership) -> list[Unit] | None:
    """Return the units the member may give a risk or recommendation; None: any, or none.

    Members covering the whole organisation record them for any unit or for the whole of
    it (no unit); members scoped to a unit only for the units in their scope.
    """
    if membership.unit_id is None:
        return None
    return [unit for unit in visible_units(membership) if not unit.external]


def in_scope(membership: Membership, unit: Unit | None) -> bool:
    """Say whether a record of ``unit`` (None: the whole organisation) is in the member's scope."""
    units = writable_units(membership)
    if units is None:
        return True
    return unit is not None and any(candidate.pk == unit.pk for candidate in units)


def _unit_problem(membership: Membership | None, unit: Unit | None) -> list[str]:
    """Return the problem with giving a record ``unit``, for a member scoped to a unit."""
    if membership is None or in_scope(membership, unit):
        return []
    assert membership.unit is not None  # only scoped members are refused
    return [
        _(
            "Unit: choose {unit} or a unit below it; you may record only for your part of the "
            "organisation"
        ).format(unit=membership.unit.name)
    ]


def scope_checked(cleaned: Cleaned, membership: Membership | None) -> list[str]:
    """Return the problems of cleaned fields, with a unit outside the member's scope."""
    problems = list(cleaned.problems)
    if "unit" in cleaned.values and not any(problem.startswith("Unit:") for problem in problems):
        problems += _unit_problem(membership, cleaned.values["unit"])
    return problems


def may_edit_risk(membership: Membership, risk: Risk | None = None) -> bool:
    """Say whether the member may create (no risk) or change every field of a risk.

    Analysts of the organisation; scoped to a unit, only the risks of their scope.
    """
    return (
        membership.role == Membership.Role.ANALYST
        and (risk is None or risk.organisation_id == membership.organisation_id)
        and (risk is None or in_scope(membership, risk.unit))
    )


def may_review_risk(membership: Membership, risk: Risk) -> bool:
    """Say whether the member may review the risk: an analyst, or the risk's owner."""
    return may_edit_risk(membership, risk) or (
        risk.owner_id is not None and risk.owner_id == membership.user_id
    )


# --------------------------------------------------------------------------------------------
# Risks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cleaned:
    """Fields as typed, checked: the values to store and every problem found."""

    values: dict[str, Any]
    problems: list[str]


def _clean_risk(
    organisation: Organisation, data: Mapping[str, Any], fields: tuple[str, ...]
) -> Cleaned:
    register = register_of(organisation)
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name in fields:
        raw = data.get(name)
        text = "" if raw is None else str(raw).strip()
        label = name.replace("_", " ").capitalize()
        if name in LEVELS:
            scale = name.split("_", 1)[1]
            try:
                values[name] = scoring.check_level(register, scale, int(text))
            except ValueError:
                count = len(getattr(register, scale))
                problems.append(
                    _("{field}: choose a level from 1 to {count}").format(field=label, count=count)
                )
        elif name == "review_date":
            try:
                values[name] = dt.date.fromisoformat(text)
            except ValueError:
                problems.append(_("{field}: give a date as YYYY-MM-DD").format(field=label))
        elif name == "title":
            if not text:
                problems.append(_("Title: give the risk a title"))
            values[name] = text[:300]
        elif name == "status":
            if text not in Risk.Status.values:
                problems.append(_("Status: choose open or closed"))
            values[name] = text
        else:
            values[name] = relation(organisation, name, text, problems, label)
    return Cleaned(values, problems)


def relation(
    organisation: Organisation, name: str, text: str, problems: list[str], label: str
) -> Any:
    """Find the unit, area or owner a record names by code or username; note a problem."""
    if name == "unit":
        if not text:
            return None
        unit = organisation.units.filter(code=text, external=False).first()
        if unit is None:
            problems.append(
                _("Unit: {code} is not a unit of {organisation}").format(
                    code=repr(text), organisation=organisation.name
                )
            )
        return unit
    if name == "area":
        if not text:
            return None
        area = organisation.areas.filter(code=text).first()
        if area is None:
            problems.append(
                _("Area: {code} is not an area of {organisation}").format(
                    code=repr(text), organisation=organisation.name
                )
            )
        return area
    if name == "owner":
        if not text:
            return None
        owner = User.objects.filter(username=text, membership__organisation=organisation).first()
        if owner is None:
            problems.append(
                _("Owner: {username} is not a member of {organisation}").format(
                    username=repr(text), organisation=organisation.name
                )
            )
        return owner
    return text


def shown(value: Any) -> Any:
    """Return a value as history keeps it: codes, usernames and ISO dates."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "code"):
        return value.code
    if hasattr(value, "get_username"):
        return value.get_username()
    return value


def _rescore(risk: Risk, register: RiskRegister) -> None:
    for stage in ("inherent", "current", "target"):
        value = scoring.score(
            register, getattr(risk, f"{stage}_likelihood"), getattr(risk, f"{stage}_impact")
        )
        setattr(risk, f"{stage}_score", value)


def actor_or_none(user: User | AnonymousUser | None) -> Any:
    """Return the signed-in user to store, or None for the command line and pmf itself."""
    return audit.actor_of(user)[0]


@transaction.atomic
def create_risk(
    organisation: Organisation,
    membership: Membership | None,
    data: Mapping[str, Any],
    *,
    user: User | AnonymousUser | None = None,
    now: dt.datetime | None = None,
) -> Risk:
    """Add a risk to the register (analysts; ``membership`` None: the command line).

    Raise ``Refused`` listing every problem; nothing is stored then.
    """
    if membership is not None and not may_edit_risk(membership):
        raise Refused([_("Only analysts add risks to the register.")])
    cleaned = _clean_risk(organisation, {"status": "open", **data}, RISK_FIELDS)
    problems = scope_checked(cleaned, membership)
    if problems:
        raise Refused(problems)
    now = now or timezone.now()
    number = (
        Risk.objects.select_for_update()
        .filter(organisation=organisation)
        .aggregate(highest=Max("number"))["highest"]
        or 0
    ) + 1
    risk = Risk(organisation=organisation, number=number, created_at=now, updated_at=now)
    for name, value in cleaned.values.items():
        setattr(risk, name, value)
    _rescore(risk, register_of(organisation))
    risk.save()
    changes = {name: ["", shown(value)] for name, value in cleaned.values.items()}
    _risk_step(risk, RiskEvent.Step.CREATED, changes, user, now, "")
    _register_changed(organisation, now)
    return risk


@transaction.atomic
def update_risk(
    risk: Risk,
    membership: Membership | None,
    data: Mapping[str, Any],
    *,
    user: User | AnonymousUser | None = None,
    note: str = "",
    now: dt.datetime | None = None,
    version: int | None = None,
) -> Risk:
    """Change a risk: analysts change any field, its owner the review fields only.

    Only the fields in ``data`` change; each change is kept in the risk's history. Raise
    ``Refused`` listing every problem, and ``Conflict`` when ``version`` (the risk's version
    the form showed) is no longer the risk's latest.
    """
    if membership is not None and not may_review_risk(membership, risk):
        raise Refused([_("Only analysts and the risk's owner change a risk.")])
    allowed = (
        RISK_FIELDS if membership is None or may_edit_risk(membership, risk) else REVIEW_FIELDS
    )
    refused = sorted(set(data) & set(RISK_FIELDS) - set(allowed))
    if refused:
        raise Refused(
            [
                _("As the risk's owner you review it; you cannot change {fields}.").format(
                    fields=", ".join(refused)
                )
            ]
        )
    cleaned = _clean_risk(risk.organisation, data, tuple(f for f in allowed if f in data))
    problems = scope_checked(cleaned, membership)
    if problems:
        raise Refused(problems)
    lock(risk, version, _("Risk R{number}").format(number=risk.number), _risk_held)
    changes = {
        name: [shown(getattr(risk, name)), shown(value)]
        for name, value in cleaned.values.items()
        if shown(getattr(risk, name)) != shown(value)
    }
    if not changes and not note.strip():
        return risk
    now = now or timezone.now()
    for name, value in cleaned.values.items():
        setattr(risk, name, value)
    _rescore(risk, register_of(risk.organisation))
    risk.updated_at = now
    risk.save()
    step = (
        RiskEvent.Step.REVIEWED
        if "review_date" in changes or not changes
        else RiskEvent.Step.CHANGED
    )
    _risk_step(risk, step, changes, user, now, note.strip())
    _register_changed(risk.organisation, now)
    return risk


def _register_changed(organisation: Organisation, now: dt.datetime) -> None:
    # The redline's figure for this month follows the register in the same transaction.
    if register_of(organisation).measure is not None:
        record_risk_measure(organisation, month_of(timezone.localtime(now).date()))


# --------------------------------------------------------------------------------------------
# The risk measure: open risks above the threshold at each month end
# --------------------------------------------------------------------------------------------


def month_of(day: dt.date) -> str:
    """Return the month code of a day: ``2019-07``."""
    return f"{day.year:04d}-{day.month:02d}"


def _month_end(month: str) -> dt.datetime:
    """Return the first moment after the month ends, in local time."""
    year, number = (int(part) for part in month.split("-"))
    following = dt.datetime(year + number // 12, number % 12 + 1, 1)
    return timezone.make_aware(following)


def _months(first: str, last: str) -> list[str]:
    months = []
    year, number = (int(part) for part in first.split("-"))
    while f"{year:04d}-{number:02d}" <= last:
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def risks_above_threshold(organisation: Organisation, at: dt.datetime) -> list[int]:
    """Return the numbers of the risks open and scoring above the threshold at moment ``at``.

    Read from the risks' history: each risk as its last change before ``at`` left it.
    """
    register = register_of(organisation)
    state: dict[int, tuple[str, float]] = {}
    events = RiskEvent.objects.filter(risk__organisation=organisation, at__lt=at).values_list(
        "risk__number", "status", "current_score"
    )
    for number, status, score in events.order_by("at", "pk"):
        state[number] = (status, score)
    return sorted(
        number
        for number, (status, score) in state.items()
        if status == Risk.Status.OPEN and scoring.above_threshold(register, score)
    )


def risk_measure_frame(organisation: Organisation, as_of: str | None = None) -> pl.DataFrame:
    """Return the risk measure's figures from the register's first month to ``as_of``.

    ``as_of`` is a month (``2019-07``; default: this month). A month not yet over counts
    the register as it stands now. Raise ``LookupError`` if the framework names no measure.
    """
    from pmf.web.frameworks.services import framework_of

    framework = framework_of(organisation)
    register = framework.model.risks
    if register.measure is None:
        raise LookupError(
            f"the framework of {organisation.code} names no risk measure: add risks.measure"
        )
    unit = register.unit or framework.roots()[0].code
    last = as_of or month_of(timezone.localdate())
    first_event = RiskEvent.objects.filter(risk__organisation=organisation).order_by("at").first()
    first = month_of(timezone.localtime(first_event.at).date()) if first_event else last
    months = _months(min(first, last), last)
    now = timezone.now()
    values = [
        float(len(risks_above_threshold(organisation, min(_month_end(month), now))))
        for month in months
    ]
    return pl.DataFrame(
        {
            "unit": [unit] * len(months),
            "measure": [register.measure] * len(months),
            "period": months,
            "value": values,
        }
    )


@transaction.atomic
def record_risk_measure(organisation: Organisation, as_of: str | None = None) -> ImportSummary:
    """Write the open risks above the threshold at each month end as the measure's figures.

    Every month from the register's first change to ``as_of`` (a month, default this one),
    through the observations' import: all months or none, a changed month becomes a new
    revision, an unchanged one is skipped. Raise ``LookupError`` if the framework names no
    risk measure, ``ValueError`` if ``as_of`` is not a month.
    """
    if as_of is not None:
        try:
            dt.date.fromisoformat(f"{as_of}-01")
        except ValueError:
            raise ValueError(f"{as_of!r} is not a month: give it as YYYY-MM") from None
        as_of = as_of[:7]
    frame = risk_measure_frame(organisation, as_of)
    # Counted by pmf from the register, not typed: there is nothing to be implausible about.
    return import_frame(
        organisation,
        frame,
        file_name="risk register",
        source="Risk register",
        check_warnings=False,
    )


# --------------------------------------------------------------------------------------------
# For the dashboard
# --------------------------------------------------------------------------------------------


def risk_summary(
    risk: Risk, register: RiskRegister, today: dt.date | None = None
) -> dict[str, Any]:
    """Return one risk as pages and JSON show it."""
    today = today or timezone.localdate()
    return {
        "number": risk.number,
        "reference": f"R{risk.number}",
        "title": risk.title,
        "unit": risk.unit.code if risk.unit else None,
        "unit_name": risk.unit.name if risk.unit else None,
        "area": risk.area.code if risk.area else None,
        "category": risk.category,
        "owner": risk.owner.get_username() if risk.owner else None,
        "status": risk.status,
        "current": _rating(
            register, risk.current_likelihood, risk.current_impact, risk.current_score
        ),
        "review_date": risk.review_date.isoformat(),
        "review_overdue": risk.status == Risk.Status.OPEN and risk.review_date < today,
    }


def _rating(register: RiskRegister, likelihood: int, impact: int, value: float) -> dict[str, Any]:
    return {
        "likelihood": likelihood,
        "likelihood_label": _label(register.likelihood, likelihood),
        "impact": impact,
        "impact_label": _label(register.impact, impact),
        "score": value,
        "band": scoring.band(register, value),
        "band_position": scoring.band_position(register, value),
        "above_threshold": scoring.above_threshold(register, value),
    }


def _label(levels: tuple[str, ...], level: int) -> str:
    return levels[level - 1] if 1 <= level <= len(levels) else str(level)


def top_risks(
    organisation: Organisation, n: int = 5, membership: Membership | None = None
) -> list[dict[str, Any]]:
    """Return the ``n`` open risks with the highest current scores, highest first.

    Each is a dict: number, reference, title, unit, area, category, owner, status, current
    (likelihood, impact, score, band, above_threshold), review_date, review_overdue.
    ``membership`` limits them to what that member sees.
    """
    register = register_of(organisation)
    risks = visible_risks(organisation, membership).filter(status=Risk.Status.OPEN)
    return [risk_summary(risk, register) for risk in risks.order_by("-current_score", "number")[:n]]


def version_of(record: Any) -> int:
    """Return a risk's (or recommendation's) version: the id of its latest step (0: none)."""
    return record.events.order_by("-pk").values_list("pk", flat=True).first() or 0


def _risk_held(risk: Risk) -> str:
    return _("current score {score}, {status}").format(
        score=risk.current_score, status=risk.get_status_display().lower()
    )


def lock(record: Any, version: int | None, what: str, held: Any) -> None:
    """Lock the row and read it again; raise ``Conflict`` if it changed since ``version``."""
    type(record).objects.select_for_update().filter(pk=record.pk).first()
    record.refresh_from_db()
    if version is None:
        return
    latest = record.events.select_related("actor").order_by("-pk").first()
    if latest is not None and latest.pk != version:
        by = latest.actor.get_username() if latest.actor is not None else "pmf"
        raise Conflict(what, by, latest.at, held(record))


def record_register_step(
    step: Any,
    entry: Any,
    *,
    kind: str,
    label: str,
    created: bool,
    user: User | AnonymousUser | None,
    now: dt.datetime,
) -> None:
    """Record a step on a register's entry (a risk, a recommendation) and its audit event.

    ``step`` is the unsaved typed step, with its ``step``, ``changes`` and ``note`` set; the
    audit event's before and after are the changed fields (no before when ``created``).
    """
    changes: Mapping[str, Any] = step.changes
    audit.record_step(
        step,
        entry.organisation,
        kind=kind,
        action=step.step,
        label=label,
        object_id=entry.pk,
        unit_code=entry.unit.code if entry.unit is not None else "",
        before=None if created else {name: change[0] for name, change in changes.items()},
        after={name: change[1] for name, change in changes.items()},
        note=step.note,
        user=user,
        at=now,
    )


def _risk_step(
    risk: Risk,
    step: str,
    changes: dict[str, Any],
    user: User | AnonymousUser | None,
    now: dt.datetime,
    note: str,
) -> None:
    """Record a step on a risk, with the risk's status and score after it, and its audit event."""
    record_register_step(
        RiskEvent(
            risk=risk,
            step=step,
            changes=changes,
            status=risk.status,
            current_score=risk.current_score,
            note=note,
        ),
        risk,
        kind=audit.Kind.RISK,
        label=f"Risk R{risk.number}: {risk.title}",
        created=step == RiskEvent.Step.CREATED,
        user=user,
        now=now,
    )
