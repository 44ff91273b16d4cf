"""Check a statutory return against the figures held, and export it: every export audited.

A return is checked before it goes out (``pmf.core.returns.check``): each cell must have a
figure, validated or signed off as the return asks, within the return's rules. ``export``
refuses a return with any problem, fills its template (``pmf.sources.returns``) and records
the export in the audit trail: who, when, which return and period, and the digests of the
template and of the file made, so that the file sent can be matched to the record later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from pmf.core.framework import Return
from pmf.core.returns import HeldObservation, ReturnCheck, check, plan, return_period
from pmf.sources.returns import write_return
from pmf.web.audit import services as audit
from pmf.web.frameworks.models import Organisation, StatutoryReturn
from pmf.web.frameworks.services import framework_of
from pmf.web.observations.services import held_observations

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReturnRefused(ValueError):
    """Raise when a return cannot go out; each problem names its cell, or the period."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Exported:
    """A return made for a period: its file's name, bytes and digest."""

    file_name: str
    content: bytes
    content_type: str
    sha256: str
    check: ReturnCheck


def definitions(organisation: Organisation) -> list[Return]:
    """Return the organisation's statutory returns, in framework file order."""
    return list(framework_of(organisation).model.returns)


def definition(organisation: Organisation, code: str) -> Return:
    """Return the statutory return ``code``; raise ``LookupError`` naming it if there is none."""
    try:
        return framework_of(organisation).return_(code)
    except KeyError:
        known = ", ".join(found.code for found in definitions(organisation)) or "none"
        raise LookupError(
            f"{code!r} is not a return of {organisation.code} (its returns: {known})"
        ) from None


def check_return(
    organisation: Organisation,
    code: str,
    period: str,
    scope: Collection[str] | None = None,
) -> ReturnCheck:
    """Check return ``code`` for ``period`` against the figures held now.

    ``scope`` (unit codes) leaves out other units' cells. Raise ``LookupError`` for an unknown
    return and ``ReturnRefused`` for a period that is not of the return's kind.
    """
    found = definition(organisation, code)
    try:
        chosen = return_period(found, period)
    except ValueError as error:
        raise ReturnRefused([_("period: {error}").format(error=error)]) from None
    framework = framework_of(organisation)
    cells = plan(found, chosen)
    held = held_observations(
        organisation,
        units={cell.unit for cell in cells},
        measures={cell.measure for cell in cells},
    )
    periods = {cell.period for cell in cells}
    observations = {
        (row["unit"], row["measure"], row["period"]): HeldObservation(
            row["value"], row["numerator"], row["denominator"], row["status"]
        )
        for row in held.iter_rows(named=True)
        if row["period"] in periods
    }
    return check(framework.model, found, chosen, observations, scope)


def export_return(
    organisation: Organisation,
    code: str,
    period: str,
    *,
    scope: Collection[str] | None = None,
    user: Any = None,
) -> Exported:
    """Check return ``code`` for ``period`` and fill its template; record the export.

    Raise ``ReturnRefused`` listing every problem (and record nothing) when a cell has no
    figure, a figure is not yet validated or signed off as the return asks, or breaks the
    return's rules, or when the return has cells outside ``scope``.
    """
    checked = check_return(organisation, code, period, scope)
    found = checked.definition
    if scope is not None:
        full = check_return(organisation, code, period)
        outside = len(full.cells) - len(checked.cells)
        if outside:
            raise ReturnRefused(
                [
                    _(
                        "return {code} has {count} cells for units outside your scope; an "
                        "analyst for the whole organisation exports it"
                    ).format(code=code, count=outside)
                ]
            )
    if not checked.ready:
        raise ReturnRefused(list(checked.problems))
    stored = StatutoryReturn.objects.get(organisation=organisation, code=code)
    content = write_return(found, bytes(stored.template), checked)
    digest = hashlib.sha256(content).hexdigest()
    file_name = f"{organisation.code}-{code}-{checked.period.replace('/', '-')}.{found.format}"
    file_name = file_name.replace(" ", "-")
    audit.record(
        organisation,
        kind=audit.Kind.FRAMEWORK,
        action="export_return",
        label=f"Return {code} for {checked.period} exported ({len(checked.cells)} cells)",
        object_id=code,
        after={
            "return": code,
            "name": found.name,
            "period": checked.period,
            "file": file_name,
            "cells": len(checked.cells),
            "sha256": digest,
            "template_sha256": stored.template_sha256,
        },
        user=user,
    )
    return Exported(file_name, content, CONTENT_TYPES[found.format], digest, checked)


def exports(organisation: Organisation, code: str, limit: int = 20) -> list[dict[str, Any]]:
    """Return the latest exports of return ``code`` from the audit trail, newest first."""
    from pmf.web.audit.models import AuditEvent

    events = AuditEvent.objects.filter(
        organisation=organisation,
        kind=audit.Kind.FRAMEWORK,
        action="export_return",
        object_id=code,
    ).order_by("-at", "-pk")[:limit]
    return [
        {
            "at": event.at,
            "by": event.actor_label,
            "period": (event.after or {}).get("period", ""),
            "file": (event.after or {}).get("file", ""),
            "sha256": (event.after or {}).get("sha256", ""),
        }
        for event in events
    ]
