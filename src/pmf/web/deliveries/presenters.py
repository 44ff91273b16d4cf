"""The schedules page and its form: data shaped for the templates and the JSON twin."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from pmf.reports.formats import FORMATS
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries import services
from pmf.web.deliveries.models import Schedule, Sent
from pmf.web.frameworks.models import Organisation

SENT_SHOWN = 100  # the latest sends on the page; `pmf sent` lists them all


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i") if moment else ""


def schedules_page(organisation: Organisation) -> dict[str, Any]:
    """Return the organisation's schedules and the latest sends, newest first."""
    schedules = list(
        Schedule.objects.filter(organisation=organisation).prefetch_related("recipients")
    )
    sent = list(Sent.objects.filter(organisation=organisation)[:SENT_SHOWN])
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        # No mail server set (PMF_EMAIL_HOST): the worker prints the emails in its log.
        "printing": services.printing(),
        "schedules": [
            {
                "id": schedule.pk,
                "name": schedule.name,
                "paper": schedule.paper,
                "paper_label": str(Schedule.Paper(schedule.paper).label),
                "cycle": schedule.cycle_number,
                "formats": list(schedule.formats),
                "format_labels": ", ".join(
                    str(services.FORMAT_NAMES[fmt]) for fmt in schedule.formats
                ),
                "when": services.rule_text(schedule),
                "language": schedule.language,
                "language_label": str(Schedule.Language(schedule.language).label),
                "next_send": _when(services.next_send(schedule)),
                "paused": schedule.paused,
                "recipients": [
                    {"name": r.name, "email": r.email} for r in schedule.recipients.all()
                ],
            }
            for schedule in schedules
        ],
        "sent": [
            {
                "at": _when(row.at),
                "at_iso": row.at.isoformat(),
                "schedule": row.schedule_name,
                "language": row.language,
                "language_label": str(Schedule.Language(row.language).label),
                "cycle": row.cycle_number,
                "paper": row.paper,
                "paper_label": str(Schedule.Paper(row.paper).label),
                "recipient_name": row.recipient_name,
                "recipient_email": row.recipient_email,
                "subject": row.subject,
                "attachments": row.attachments,
                "outcome": row.outcome,
                "outcome_label": str(Sent.Outcome(row.outcome).label),
                "error": row.error,
                "attempt": row.attempt,
            }
            for row in sent
        ],
    }


def schedule_form(
    organisation: Organisation, schedule: Schedule | None, posted: Any = None
) -> dict[str, Any]:
    """Return the form's choices and values: those posted, the schedule's, or the defaults."""
    if posted is not None:
        values = {name: posted.get(name, "") for name in services.FIELDS if name != "formats"}
        values["formats"] = posted.getlist("formats")
    elif schedule is not None:
        values = {
            "name": schedule.name,
            "paper": schedule.paper,
            "cycle": "" if schedule.cycle_number is None else str(schedule.cycle_number),
            "formats": list(schedule.formats),
            "frequency": schedule.frequency,
            "day_of_month": "" if schedule.day_of_month is None else str(schedule.day_of_month),
            "weekday": "" if schedule.weekday is None else str(schedule.weekday),
            "at_time": schedule.at_time.strftime("%H:%M") if schedule.at_time else "",
            "on_stage": schedule.on_stage,
            "language": schedule.language,
            "recipients": "\n".join(f"{r.name} <{r.email}>" for r in schedule.recipients.all()),
        }
    else:
        values = {
            "name": "",
            "paper": Schedule.Paper.BOARD.value,
            "cycle": "",
            "formats": ["pdf"],
            "frequency": "",
            "day_of_month": "",
            "weekday": "",
            "at_time": "07:30",
            "on_stage": Cycle.State.BOARD.value,
            "language": Schedule.Language.ENGLISH.value,
            "recipients": "",
        }
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "schedule": (
            {"id": schedule.pk, "name": schedule.name, "paused": schedule.paused}
            if schedule is not None
            else None
        ),
        "values": values,
        "papers": [{"value": v, "label": str(label)} for v, label in Schedule.Paper.choices],
        "formats": [
            {"value": fmt, "label": str(label)}
            for fmt, label in services.FORMAT_NAMES.items()
            if fmt in FORMATS
        ],
        "frequencies": [
            {"value": v, "label": str(label)} for v, label in Schedule.Frequency.choices
        ],
        "weekdays": [
            {"value": str(n), "label": str(day)} for n, day in enumerate(services.WEEKDAYS)
        ],
        "stages": [{"value": v, "label": str(label)} for v, label in services.STAGES],
        "languages": [{"value": v, "label": str(label)} for v, label in Schedule.Language.choices],
    }
