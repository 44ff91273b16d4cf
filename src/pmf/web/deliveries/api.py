"""The JSON API's schedules: list them, add one, and read the record of what was sent.

Added to the API (``pmf.web.api.views.api``) as a router, with the page's permissions:
analysts who cover the whole organisation (anyone else: 404, as for the page).
"""

# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from pmf.web import pages
from pmf.web.deliveries import presenters, services
from pmf.web.deliveries.models import Schedule
from pmf.web.frameworks.models import Organisation

router = Router(tags=["papers by email"])


class RecipientOut(Schema):
    name: str
    email: str


class ScheduleOut(Schema):
    id: int
    name: str
    paper: str = Field(examples=["board"])
    cycle: int | None = Field(description="Empty: the latest cycle whose data are locked.")
    formats: list[str] = Field(examples=[["pdf", "pptx"]])
    when: str = Field(examples=["Monthly on day 1 at 07:30; when a cycle moves on to Board"])
    next_send: str = Field(description="The next moment on the calendar, if any.")
    language: str = Field(
        examples=["en", "cy"],
        description="The language for recipients who are not pmf users (users get theirs).",
    )
    paused: bool
    recipients: list[RecipientOut]


class AttachmentOut(Schema):
    name: str
    format: str
    sha256: str
    bytes: int


class SentOut(Schema):
    at: str = Field(alias="at_iso")
    schedule: str
    cycle: int | None
    paper: str
    language: str = Field(examples=["en", "cy"], description="The email's and papers' language.")
    recipient_name: str
    recipient_email: str
    subject: str
    attachments: list[AttachmentOut]
    outcome: str = Field(examples=["sent", "failed"])
    error: str
    attempt: int


class ScheduleIn(Schema):
    """A schedule to add: as the page's form, the recipients as a list."""

    name: str
    paper: str = Field("board", examples=["board", "exceptions", "outcomes"])
    cycle: int | None = Field(None, description="Always this cycle's paper; empty: the latest.")
    formats: list[str] = Field(["pdf"], examples=[["pdf", "pptx"]])
    frequency: str = Field("", examples=["", "monthly", "weekly"])
    day_of_month: int | None = Field(None, description="Monthly: 1 to 28.")
    weekday: int | None = Field(None, description="Weekly: 0 (Monday) to 6 (Sunday).")
    at_time: str = Field("", examples=["07:30"])
    on_stage: str = Field("", examples=["board"])
    language: str = Field(
        "en",
        examples=["en", "cy"],
        description="For recipients who are not pmf users; pmf users get the language they chose.",
    )
    recipients: list[RecipientOut]


class Problem(Schema):
    row: int | None = None
    field: str
    reason: str


class Refusal(Schema):
    detail: str
    problems: list[Problem] = Field(default_factory=list)


def _scheduler(request: HttpRequest, org: str) -> tuple[Organisation, Any]:
    found, membership = pages.member(request, org)
    if not services.may_schedule(membership):
        raise Http404("No such organisation.")
    return found, membership


@router.get(
    "/organisations/{org}/schedules",
    response={200: list[ScheduleOut], 401: Refusal, 404: Refusal},
    summary="The schedules that email the papers",
)
def schedules(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """List the schedules: paper, formats, recipients, when, and the next calendar moment."""
    found, _membership = _scheduler(request, org)
    return list(presenters.schedules_page(found)["schedules"])


@router.post(
    "/organisations/{org}/schedules",
    response={200: ScheduleOut, 401: Refusal, 404: Refusal, 422: Refusal},
    summary="Add a schedule",
)
def add_schedule(request: HttpRequest, org: str, schedule: ScheduleIn) -> Any:
    """Add a schedule, checked as the page's form is: every problem by field, or stored."""
    found, membership = _scheduler(request, org)
    fields = {
        "name": schedule.name,
        "paper": schedule.paper,
        "cycle": "" if schedule.cycle is None else str(schedule.cycle),
        "frequency": schedule.frequency,
        "day_of_month": "" if schedule.day_of_month is None else str(schedule.day_of_month),
        "weekday": "" if schedule.weekday is None else str(schedule.weekday),
        "at_time": schedule.at_time,
        "on_stage": schedule.on_stage,
        "language": schedule.language,
        "recipients": "\n".join(f"{r.name} <{r.email}>" for r in schedule.recipients),
    }
    try:
        made = services.create_schedule(
            found, membership, fields, schedule.formats, user=request.user
        )
    except services.Refused as refused:
        problems = []
        for text in refused.problems:
            field, colon, reason = text.partition(": ")
            problems.append(
                {"field": field, "reason": reason} if colon else {"field": "", "reason": text}
            )
        return Status(422, {"detail": "Nothing was stored.", "problems": problems})
    return next(s for s in presenters.schedules_page(found)["schedules"] if s["id"] == made.pk)


@router.delete(
    "/organisations/{org}/schedules/{schedule_id}",
    response={204: None, 401: Refusal, 404: Refusal},
    summary="Delete a schedule",
)
def delete_schedule(request: HttpRequest, org: str, schedule_id: int) -> Any:
    """Delete a schedule: nothing more is sent on it; the record of what it sent stays."""
    found, membership = _scheduler(request, org)
    chosen = Schedule.objects.filter(organisation=found, pk=schedule_id).first()
    if chosen is None:
        raise Http404("No such schedule.")
    services.delete_schedule(chosen, membership, user=request.user)
    return Status(204, None)


@router.get(
    "/organisations/{org}/sent",
    response={200: list[SentOut], 401: Refusal, 404: Refusal},
    summary="The record of papers emailed",
)
def sent(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """List the latest emails of the schedules, sent or failed, with each attachment's SHA-256."""
    found, _membership = _scheduler(request, org)
    return list(presenters.schedules_page(found)["sent"])
