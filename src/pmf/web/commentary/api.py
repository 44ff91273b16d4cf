"""The JSON API's commentary operations: read the commentary you may see, write it in rows.

Added to the API (``pmf.web.api.views.api``) as a router, with the pages' permissions:
members of the organisation read the commentary of the units they see; partners under a
sharing agreement read figures, not commentary (404).
"""

# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pmf.web import pages
from pmf.web.accounts.services import may_change, unit_for
from pmf.web.commentary import presenters, services

router = Router(tags=["commentary"])


class Problem(Schema):
    row: int | None
    field: str
    reason: str


class Refusal(Schema):
    detail: str
    problems: list[Problem] = Field(default_factory=list)


class Flag(Schema):
    claim: str = Field(examples=["improving"])
    words: str = Field(description="The words that make the claim.", examples=["improved"])
    reason: str = Field(description="Why the statistics contradict it.")


class CommentaryOut(Schema):
    measure: str
    measure_name: str
    unit: str
    unit_name: str
    period: str
    period_label: str
    owner: str | None
    due_date: str
    written: bool
    written_at: str | None
    what_happened: str
    why: str
    action: str
    overdue: bool = Field(description="Not written by its due date, or before its cycle locked.")
    flags: list[Flag] = Field(description="Claims in its words the statistics contradict.")


class CommentaryIn(Schema):
    """One commentary to write (any of the three texts) or to ask for (an owner)."""

    measure: str = Field("", examples=["ER"])
    unit: str = Field("", examples=["N"])
    period: str = Field("", examples=["2019-07"])
    what_happened: str = Field("", max_length=services.MAX_TEXT)
    why: str = Field("", max_length=services.MAX_TEXT)
    action: str = Field("", description="What is being done.", max_length=services.MAX_TEXT)
    owner: str = Field("", description="Ask this member (username) for it: analysts only.")
    due_date: str = Field("", description="YYYY-MM-DD; by default the framework's.")


class Written(Schema):
    rows: int
    message: str


class CommentaryFilters(Schema):
    unit: str | None = Field(None, description="Only this unit (code).", examples=["N"])
    measure: str | None = Field(None, description="Only this measure (code).")
    period: str | None = Field(None, description="Only this period.", examples=["2019-07"])


@router.get(
    "/organisations/{org}/commentary",
    response={200: list[CommentaryOut], 401: Refusal, 404: Refusal},
    summary="Owners' commentary you may read",
)
def commentary(request: HttpRequest, org: str, filters: Query[CommentaryFilters]) -> Any:
    """List the commentary on the units you see, with the claims the statistics contradict."""
    organisation, membership = pages.member(request, org)
    if filters.unit:
        unit_for(request.user, organisation, filters.unit)
    query = {"show": "all", "period": filters.period or ""}
    rows = presenters.commentary_list_page(organisation, membership, query)["commentary"]
    return [
        row
        for row in rows
        if (not filters.unit or row["unit"] == filters.unit)
        and (not filters.measure or row["measure"] == filters.measure)
    ]


@router.post(
    "/organisations/{org}/commentary",
    response={200: Written, 401: Refusal, 404: Refusal, 422: Refusal},
    summary="Write or ask for commentary, all rows or none",
)
def write_commentary(request: HttpRequest, org: str, rows: list[CommentaryIn]) -> Any:
    """Write commentary (a new version; the earlier ones are kept) or ask an owner for it.

    A row with any text is a version written by you: its owner, an analyst, or the owner of
    the measure where nobody was asked. A row with an owner (analysts) asks that member for
    it, by the due date given or the framework's. On any problem nothing is stored and the
    answer lists every one by row (counting from 1) and field.
    """
    organisation, membership = pages.member(request, org)
    if not may_change(membership, organisation):
        raise Http404("No such organisation.")
    try:
        count = services.write_rows(
            organisation, membership, [row.model_dump() for row in rows], user=request.user
        )
    except services.RowsRefused as refused:
        problems = [
            {"row": row, "field": field, "reason": reason}
            for row, field, reason in refused.problems
        ]
        return Status(422, {"detail": _("Nothing was stored."), "problems": problems})
    return {"rows": count, "message": _("{count} commentary row(s) stored.").format(count=count)}
