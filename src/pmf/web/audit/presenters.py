"""The audit trail page: events newest first, each change shown as before → after."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.audit import services
from pmf.web.audit.models import AuditEvent
from pmf.web.dates import when
from pmf.web.frameworks.models import Organisation

PER_PAGE = 50
# Up to this many fields, every field is listed with the changed ones marked; beyond it (a
# framework, a thousand figures) only the changed ones are.
ALL_FIELDS_UP_TO = 12


def audit_page(
    organisation: Organisation, membership: Membership, query: Mapping[str, str]
) -> dict[str, Any]:
    """Return one page of the events the member may read, filtered, with each change listed."""
    problems: list[str] = []
    since = _day(query.get("from", ""), "From", problems)
    until = _day(query.get("to", ""), "To", problems)
    kind = query.get("kind", "").strip()
    if kind and kind not in AuditEvent.Kind.values:
        problems.append(
            _("Kind: choose one of {kinds}").format(kinds=", ".join(AuditEvent.Kind.values))
        )
        kind = ""
    filters = {
        "kind": kind,
        "unit": query.get("unit", "").strip(),
        "user": query.get("user", "").strip(),
        "object": query.get("object", "").strip(),
        "from": since.isoformat() if since else "",
        "to": until.isoformat() if until else "",
    }
    events = services.filter_events(
        services.visible_events(organisation, membership),
        kind=filters["kind"],
        unit=filters["unit"],
        user=filters["user"],
        object_id=filters["object"],
        since=since,
        until=until,
    )
    paginator = Paginator(events, PER_PAGE)
    page = paginator.get_page(query.get("page", "1"))
    shown = list(page.object_list)
    words = _grade_words(shown)
    whole = membership.role in services.WHOLE_ORGANISATION
    units = [
        {"code": unit.code, "name": unit.name}
        for unit in visible_units(membership, organisation)
        if not unit.external
    ]
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "scope": _("the whole organisation") if whole else _("the units in your part of it"),
        "filters": filters,
        "problems": problems,
        "kinds": [{"code": code, "label": str(label)} for code, label in AuditEvent.Kind.choices],
        "units": units,
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "previous_page": page.previous_page_number() if page.has_previous() else None,
        "next_page": page.next_page_number() if page.has_next() else None,
        "events": [event_summary(event, words) for event in shown],
    }


# The grades' fields whose recorded value may be pmf's own text (see ``_grade_words``).
GENERATED = ("rationale", "agreed_rationale")


def _grade_words(events: list[AuditEvent]) -> dict[str, str]:
    """Return pmf's English texts on the grades of these events with the reader's text.

    The trail records a grade's rationale and the recommendation's summary as written at the
    lock, in English; a reader of another language reads pmf's own text in their language
    where it was kept (``pmf.web.cycles.languages``). People's texts stay as written.
    """
    from pmf.web.cycles import languages
    from pmf.web.cycles.models import AreaGrade

    if languages.reader_language() is None:
        return {}
    ids = {event.object_id for event in events if event.kind == AuditEvent.Kind.GRADE}
    grades = AreaGrade.objects.filter(
        pk__in=[int(pk) for pk in ids if pk.isdigit()]
    ).prefetch_related("events")
    return languages.shown_words(grades)


def event_summary(event: AuditEvent, words: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return one event with its changes as rows of field, before, after and changed.

    ``words`` are pmf's texts of a grade in the reader's language, by their English
    (``_grade_words``): a grade's rationale or note that is exactly one of them is shown so.
    """
    changes = changed_fields(event.before, event.after)
    note = event.note
    if words and event.kind == AuditEvent.Kind.GRADE:
        note = words.get(note, note)
        for change in changes:
            if change["field"] in GENERATED:
                change["before"] = words.get(change["before"], change["before"])
                change["after"] = words.get(change["after"], change["after"])
    return {
        "id": event.pk,
        "at": event.at.isoformat(timespec="seconds"),
        "at_label": services.moment(event.at),
        "by": event.actor_label,
        "action": event.action,
        "kind": event.kind,
        "kind_label": str(AuditEvent.Kind(event.kind).label),
        "object": event.object_id,
        "unit": event.unit_code,
        "label": event.label,
        "note": note,
        "changes": changes,
        "changed": sum(1 for change in changes if change["changed"]),
        "before": event.before,
        "after": event.after,
    }


def changed_fields(before: Any, after: Any) -> list[dict[str, Any]]:
    """Compare two recorded states field by field, nested fields named with dots.

    Lists of records with a ``code`` are compared by code ("measures.CR.name"). When there
    are more than ``ALL_FIELDS_UP_TO`` fields only the changed ones are returned.
    """
    old = _flatten(before)
    new = _flatten(after)
    names = list(dict.fromkeys([*old, *new]))
    rows = [
        {
            "field": name,
            "before": _text(old.get(name)),
            "after": _text(new.get(name)),
            "changed": before is None
            or after is None
            or name not in old
            or name not in new
            or old[name] != new[name],
        }
        for name in names
    ]
    if len(rows) > ALL_FIELDS_UP_TO:
        rows = [row for row in rows if row["changed"]]
    return rows


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}{key}" if not prefix else f"{prefix}.{key}"))
        return flat
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, dict) and "code" in item for item in value)
    ):
        flat = {}
        for item in value:
            name = f"{prefix}.{item['code']}" if prefix else str(item["code"])
            flat.update(_flatten(item, name))
        return flat
    if value is None and not prefix:
        return {}
    return {prefix or "value": value}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    if isinstance(value, (int, float)):
        # Exactly as stored, every decimal, with thousands separators for people.
        return f"{value:,}"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        # Dates are kept as ISO text in the trail; people read them as every page writes them.
        return when(value)
    return str(value)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?")


def _day(text: str, label: str, problems: list[str]) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(
            _("{field}: give a date as YYYY-MM-DD, not {text}").format(field=label, text=repr(text))
        )
        return None
