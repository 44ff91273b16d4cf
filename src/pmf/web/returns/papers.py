"""The statutory returns' part of the annual report: each return made for the year's periods."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pmf.core.periods import ParseError, Period, parse_period
from pmf.core.text import period_name
from pmf.reports.document import Paragraph, Section, Table
from pmf.web.frameworks.models import Organisation


def returns_sections(
    organisation: Organisation, span: Period, number: str = "6.0"
) -> tuple[Section, ...]:
    """Return the annual report's section on statutory returns, or none without returns.

    Every export recorded in the audit trail whose period ends within ``span``, oldest first:
    the return, its period, when and by whom it was exported and the file's SHA-256.
    """
    from pmf.web.audit.models import AuditEvent
    from pmf.web.returns.services import definitions

    known = {found.code: found.name for found in definitions(organisation)}
    if not known:
        return ()
    rows: list[tuple[Any, ...]] = []
    events = AuditEvent.objects.filter(
        organisation=organisation, kind=AuditEvent.Kind.FRAMEWORK, action="export_return"
    ).order_by("at", "pk")
    for event in events:
        after = event.after or {}
        try:
            period = parse_period(str(after.get("period", "")))
        except ParseError:
            continue
        if not span.start <= period.end <= span.end:
            continue
        code = str(after.get("return", event.object_id))
        rows.append(
            (
                f"{known.get(code, after.get('name', code))} ({code})",
                period_name(period),
                event.at.date().isoformat(),
                event.actor_label,
                str(after.get("sha256", ""))[:12],
            )
        )
    blocks: tuple[Paragraph | Table, ...]
    year = period_name(span)
    if rows:
        blocks = (
            Table(
                caption=_("Statutory returns exported for periods in {year}").format(year=year),
                header=(
                    _("Return"),
                    _("Period"),
                    _("Exported"),
                    # Translators: the column of who exported a return.
                    pgettext("exported by", "By"),
                    _("SHA-256 (first 12)"),
                ),
                rows=tuple(rows),
            ),
        )
    else:
        blocks = (
            Paragraph(
                _("No statutory return was exported for a period in {year}.").format(year=year)
            ),
        )
    return (Section(number, _("Statutory returns"), blocks),)
