"""Data shaped for the commentary pages and the measure page's panel; JSON is the same dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from pmf.core.commentary import Contradiction
from pmf.core.periods import ParseError, parse_period
from pmf.core.text import period_name
from pmf.web.accounts.models import Membership
from pmf.web.audit.services import Kind, history_url
from pmf.web.commentary import services
from pmf.web.commentary.models import Commentary
from pmf.web.frameworks.models import Measure, Organisation, Unit


def _label(period: str) -> str:
    try:
        return period_name(period)
    except (ParseError, ValueError):
        return period


def _flag(found: Contradiction) -> dict[str, str]:
    return {"claim": found.claim.value, "words": found.words, "reason": found.reason}


def commentary_summary(
    commentary: Commentary,
    today: dt.date,
    locked: Mapping[str, dt.date],
    flagged: tuple[Contradiction, ...] = (),
) -> dict[str, Any]:
    """Return one commentary as pages, papers and the API show it."""
    return {
        "measure": commentary.measure.code,
        "measure_name": commentary.measure.name,
        "unit": commentary.unit.code,
        "unit_name": commentary.unit.name,
        "period": commentary.period,
        "period_label": _label(commentary.period),
        "owner": commentary.owner.get_username() if commentary.owner else None,
        "due_date": commentary.due_date.isoformat(),
        "written": commentary.written,
        "written_at": commentary.written_at.isoformat(timespec="seconds")
        if commentary.written_at
        else None,
        "what_happened": commentary.what_happened,
        "why": commentary.why,
        "action": commentary.action,
        "overdue": services.is_overdue(commentary, today, locked),
        "flags": [_flag(item) for item in flagged],
    }


def _history(commentary: Commentary) -> list[dict[str, Any]]:
    return [
        {
            "step": event.step,
            "step_label": event.get_step_display(),
            "at": event.at.isoformat(timespec="seconds"),
            "by": event.actor.get_username() if event.actor else "pmf",
            "owner": event.owner,
            "due_date": event.due_date.isoformat(),
            "what_happened": event.what_happened,
            "why": event.why,
            "action": event.action,
        }
        for event in commentary.events.select_related("actor").order_by("-at", "-pk")
    ]


def measure_commentary(
    organisation: Organisation,
    membership: Membership,
    unit: Unit,
    measure_code: str,
    period: str | None,
) -> dict[str, Any] | None:
    """Return the measure page's commentary: on ``period`` (its latest figure) and earlier.

    None for partners under a sharing agreement, who read figures, not commentary.
    """
    if membership.organisation_id != organisation.pk:
        return None
    # One query when there is none (the page is read often); the rest only for what is shown.
    shown = list(
        services.visible_commentary(organisation, membership).filter(
            measure__code=measure_code, unit=unit
        )
    )
    today = timezone.localdate()
    current = next((item for item in shown if item.period == period), None)
    # Written commentary is never overdue: the locks are read only for one still awaited.
    locked = services.locked_periods(organisation) if current and not current.written else {}
    flagged = services.flags(organisation, [current]) if current is not None else {}
    earlier = sorted(
        (item for item in shown if item.period != period and item.written),
        key=lambda item: _period_end(item.period),
        reverse=True,
    )[:4]
    return {
        "period": period,
        "period_label": _label(period) if period else None,
        "current": commentary_summary(current, today, locked, flagged.get(current.pk, ()))
        if current is not None
        else None,
        "earlier": [commentary_summary(item, today, locked) for item in earlier],
        "may_write": services.may_write(membership, unit, measure_code, current),
        "may_request": services.may_request(membership, unit),
    }


def _period_end(period: str) -> dt.date:
    try:
        return parse_period(period).end
    except (ParseError, ValueError):
        return dt.date.min


def commentary_page(
    organisation: Organisation,
    membership: Membership,
    unit: Unit,
    measure: Measure,
    period: str,
) -> dict[str, Any]:
    """Return one commentary (or none yet) with every version, and what the member may do."""
    found = (
        services.visible_commentary(organisation, membership)
        .filter(measure=measure, unit=unit, period=period)
        .first()
    )
    today = timezone.localdate()
    locked = services.locked_periods(organisation)
    flagged = services.flags(organisation, [found]) if found is not None else {}
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "unit": {"code": unit.code, "name": unit.name},
        "measure": {"code": measure.code, "name": measure.name},
        "period": period,
        "period_label": _label(period),
        "commentary": commentary_summary(found, today, locked, flagged.get(found.pk, ()))
        if found is not None
        else None,
        "history": _history(found) if found is not None else [],
        "version": services.version_of(found) if found is not None else 0,
        "may_write": services.may_write(membership, unit, measure, found),
        "may_request": services.may_request(membership, unit),
        "audit_url": history_url(organisation, Kind.COMMENTARY, found.pk) if found else None,
    }


def commentary_list_page(
    organisation: Organisation, membership: Membership | None, query: Mapping[str, str]
) -> dict[str, Any]:
    """Return the analyst's list: commentary flagged against the statistics, and overdue.

    ``show`` in the query: ``flagged``, ``overdue`` or ``all`` (default: flagged or overdue).
    ``period`` limits it to one period.
    """
    show = str(query.get("show", "")).strip()
    if show not in ("flagged", "overdue", "all"):
        show = ""
    period = str(query.get("period", "")).strip()
    found = services.visible_commentary(organisation, membership)
    if period:
        found = found.filter(period=period)
    items = list(found)
    today = timezone.localdate()
    locked = services.locked_periods(organisation)
    flagged = services.flags(organisation, items)
    rows = [commentary_summary(item, today, locked, flagged.get(item.pk, ())) for item in items]
    rows.sort(key=lambda row: (_period_end(row["period"]), row["unit"], row["measure"]))
    rows.reverse()
    counts = {
        "total": len(rows),
        "written": sum(1 for row in rows if row["written"]),
        "flagged": sum(1 for row in rows if row["flags"]),
        "overdue": sum(1 for row in rows if row["overdue"]),
    }
    if show == "flagged":
        rows = [row for row in rows if row["flags"]]
    elif show == "overdue":
        rows = [row for row in rows if row["overdue"]]
    elif show == "":
        rows = [row for row in rows if row["flags"] or row["overdue"]]
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "filters": {"show": show, "period": period},
        "counts": counts,
        "commentary": rows,
    }
