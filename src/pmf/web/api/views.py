"""Thin views of the JSON API and of the tokens page: check who may, ask a service, answer.

Permissions are the pages' own (``pmf.web.accounts.services``): an organisation or unit the
caller may not see is a 404, never a 403, so that nobody learns what exists.
"""

# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from ninja import NinjaAPI, Query, Schema, Swagger
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.params import functions as param
from pydantic import Field

from pmf.core.framework import Kind
from pmf.core.periods import ParseError, Period, PeriodKind, read_period
from pmf.core.plausibility import number_text
from pmf.web import pages
from pmf.web.accounts.requests import AuthenticatedHttpRequest
from pmf.web.accounts.services import (
    may_change,
    readable_areas,
    unit_for,
)
from pmf.web.api import presenters, services
from pmf.web.api.auth import BearerToken, BrowserSession
from pmf.web.api.schemas import (
    ConflictProblem,
    Error,
    MeasureOut,
    ObservationIn,
    ObservationOut,
    ProblemReport,
    ReportingDelayOut,
    ScorecardOut,
    UnitOut,
    UpsertSummary,
)
from pmf.web.audit.services import Conflict
from pmf.web.observations.services import WarningsHeld
from pmf.web.scorecards import presenters as scorecard_presenters

DESCRIPTION = """\
Units, measures, observations and assessments of the organisations you belong to, with the
same permissions as the pages.

Send `Authorization: Bearer <token>` with a token from
[your tokens page](/accounts/tokens/) or `pmf token create`. On this page, signed in, you
can try requests out with your browser session instead.

An organisation or unit you may not see answers 404, as if it did not exist.
"""

api = NinjaAPI(
    title="pmf JSON API",
    version="1",
    description=DESCRIPTION,
    auth=[BearerToken(), BrowserSession()],
    urls_namespace="api",
    # Without deep links an operation's path is text, not a link inside its toggle button,
    # which screen readers cannot reach (axe: nested-interactive).
    docs=Swagger(settings={"deepLinking": False}),
)
NOT_VISIBLE = {401: Error, 404: Error}


class BadRequest(Exception):
    """Raise when a query parameter cannot be read; the message says why."""


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or _("Forbidden")}, status=403)


@api.exception_handler(BadRequest)
def bad_request(request: HttpRequest, error: BadRequest) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=400)


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, error: Conflict) -> HttpResponse:
    response = api.create_response(request, error.as_problem(), status=409)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(services.RowsRefused)
def rows_refused(request: HttpRequest, refused: services.RowsRefused) -> HttpResponse:
    problems = [
        {
            "row": problem.row or None,
            "field": problem.column,
            "value": problem.value,
            "reason": problem.reason,
        }
        for problem in refused.problems
    ]
    return _problem_report(request, problems)


@api.exception_handler(WarningsHeld)
def warnings_held(request: HttpRequest, held: WarningsHeld) -> HttpResponse:
    problems = [
        {
            "row": row["row"],
            "field": "value",
            "value": number_text(row["value"]),
            "reason": text,
        }
        for row in held.warned.iter_rows(named=True)
        for text in row["warnings"].splitlines()
    ]
    count = held.warned.height
    detail = ngettext(
        "{count} figure with plausibility warnings; nothing was stored. Check them against "
        "their source; if they are right, send the rows again with accept_warnings=REASON.",
        "{count} figures with plausibility warnings; nothing was stored. Check them against "
        "their source; if they are right, send the rows again with accept_warnings=REASON.",
        count,
    ).format(count=f"{count:,}")
    return api.create_response(request, {"detail": detail, "problems": problems}, status=422)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """Report a request that does not fit the schema in the same shape as the import's checks."""
    problems: dict[tuple[int | None, str], dict[str, Any]] = {}
    for found in error.errors:
        location = list(found.get("loc", ()))[1:]  # after "body", "query" or "path"
        index = next((i for i, part in enumerate(location) if isinstance(part, int)), None)
        row = location[index] + 1 if index is not None else None
        after = location[index + 1 :] if index is not None else location
        names = [str(part) for part in after if isinstance(part, str)]
        field = names[0] if names else "body"
        # A union (number or text) fails once per member; say it once, in our words.
        reason = (
            _("should be a number or text")
            if len(names) > 1
            else found.get("msg", _("is not valid"))
        )
        problems.setdefault(
            (row, field), {"row": row, "field": field, "value": None, "reason": reason}
        )
    return _problem_report(request, list(problems.values()))
    return _problem_report(request, problems)


def _problem_report(request: HttpRequest, problems: list[dict[str, Any]]) -> HttpResponse:
    count = len(problems)
    detail = ngettext(
        "{count} problem found; nothing was stored.",
        "{count} problems found; nothing was stored.",
        count,
    ).format(count=f"{count:,}")
    return api.create_response(request, {"detail": detail, "problems": problems}, status=422)


def _period(text: str | None, name: str) -> Period | None:
    if not text:
        return None
    try:
        return read_period(text, PeriodKind.MONTH)
    except ParseError as error:
        raise BadRequest(f"{name}: {error}") from None


@api.get(
    "/organisations/{org}/units",
    response={200: list[UnitOut], **NOT_VISIBLE},
    tags=["framework"],
    summary="The units you may see",
)
def units(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """List the units you may see: your unit and those below it, and the external comparators."""
    organisation, membership = pages.reader(request, org)
    return presenters.units(membership, organisation)


@api.get(
    "/organisations/{org}/measures",
    response={200: list[MeasureOut], **NOT_VISIBLE},
    tags=["framework"],
    summary="The framework's measures",
)
def measures(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """List the framework's measures with their area, kind, polarity and standards."""
    organisation, membership = pages.reader(request, org)
    return presenters.measures(membership, organisation)


class ObservationFilters(Schema):
    measure: str | None = Field(None, description="Only this measure (code).")
    unit: str | None = Field(None, description="Only this unit (code).")
    period_from: str | None = Field(
        None,
        description="Only periods starting on or after this period's start.",
        examples=["2019-04"],
    )
    period_to: str | None = Field(
        None,
        description="Only periods ending on or before this period's end.",
        examples=["2020-03"],
    )


# Offsets past what a database integer holds would reach SQL and fail there (a 500): refused
# at the door instead, as any other out-of-range parameter is (422).
MAX_OFFSET = 2**62


class BoundedPagination(LimitOffsetPagination):
    """Django Ninja's limit and offset, with the offset bounded to what databases hold."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


@api.get(
    "/organisations/{org}/observations",
    response={200: list[ObservationOut], 400: Error, **NOT_VISIBLE},
    tags=["observations"],
    summary="The figures held now",
)
@paginate(BoundedPagination)
def observations(request: HttpRequest, org: str, filters: Query[ObservationFilters]) -> Any:
    """List the figures held now for the units you may see; every correction is a revision."""
    organisation, membership = pages.reader(request, org)
    scope = [unit_for(request.user, organisation, filters.unit)] if filters.unit else None
    return services.current_observations(
        membership,
        organisation,
        units=scope,
        measure=filters.measure,
        period_from=_period(filters.period_from, "period_from"),
        period_to=_period(filters.period_to, "period_to"),
    )


@api.post(
    "/organisations/{org}/observations",
    response={
        200: UpsertSummary,
        403: Error,
        409: ConflictProblem,
        422: ProblemReport,
        **NOT_VISIBLE,
    },
    tags=["observations"],
    summary="Add or correct figures, all or none",
)
def upsert_observations(
    request: HttpRequest,
    org: str,
    rows: list[ObservationIn],
    # ninja.Query's function itself: to the type checker, ninja.Query is only an alias.
    accept_warnings: str | None = param.Query(
        None,
        description="The reason figures with plausibility warnings (an unlikely change, a "
        "value far outside its series' limits or its target's scale) are right. Without it, "
        "such figures are refused (422, each warning by row) and nothing is stored; with it, "
        "they are stored with their warnings and the reason, and the audit trail records it.",
        max_length=2000,
    ),
) -> dict[str, Any]:
    """Add or correct figures, checked exactly as a file import is: all rows, or none.

    Analysts may send figures for any measure and unit of their organisation; measure owners
    for the measures they own and the units in their scope; only analysts may sign figures
    off. A changed figure becomes a new revision and the earlier one is kept; a figure held
    unchanged is left alone, so sending the same rows again changes nothing. On any problem
    the answer lists every one, by row (counting from 1) and field, and nothing is stored.
    A row may carry the ``revision`` it was based on: if someone revised that figure since,
    the answer is 409 naming who, when and the figure held now, and nothing is stored.
    """
    organisation, membership = pages.reader(request, org)
    if not may_change(membership, organisation):
        # Partners read shared figures and write nothing: as for anyone outside, not found.
        raise Http404("No such organisation.")
    try:
        summary = services.upsert_observations(
            membership,
            organisation,
            [_text(row) for row in rows],
            accept_warnings=(accept_warnings or "").strip() or None,
        )
    except services.NothingToEnter as refused:
        raise PermissionDenied(str(refused)) from None
    return {
        "rows": summary.rows,
        "added": summary.added,
        "revised": summary.revised,
        "unchanged": summary.unchanged,
        "accepted": summary.accepted,
        "message": str(summary),
    }


def _text(row: ObservationIn) -> dict[str, str | None]:
    # The import's checks read text, as from a file: 75 and "75" are the same figure.
    return {
        name: value if value is None or isinstance(value, str) else repr(value)
        for name, value in row.model_dump().items()
    }


class AssessmentFilters(Schema):
    unit: str = Field(description="The unit (code) whose scorecard to assess.", examples=["N"])
    period: str | None = Field(
        None, description="Assess as at this period; by default the latest.", examples=["2019-07"]
    )
    area: list[str] = Field(default_factory=list, description="Only these areas (codes).")
    kind: list[Kind] = Field(default_factory=list, description="Only these kinds of measure.")
    exceptions: bool = Field(
        False, description="Only measures not met, or deteriorating on both comparisons."
    )


@api.get(
    "/organisations/{org}/assessments",
    response={200: ScorecardOut, 400: Error, **NOT_VISIBLE},
    tags=["assessments"],
    summary="A unit's scorecard for a period",
)
def assessments(
    request: HttpRequest, org: str, filters: Query[AssessmentFilters]
) -> dict[str, Any]:
    """Assess a unit's measures for a period: the scorecard page's data, filtered the same way."""
    organisation, membership = pages.reader(request, org)
    unit = unit_for(request.user, organisation, filters.unit)
    try:
        return scorecard_presenters.scorecard_page(
            organisation,
            unit,
            period=_period(filters.period, "period"),
            areas=readable_areas(membership, organisation, filters.area),
            kinds=[kind.value for kind in filters.kind],
            exceptions_only=filters.exceptions,
        )
    except LookupError as error:
        raise BadRequest(str(error.args[0])) from None


@api.get(
    "/organisations/{org}/reporting-delay",
    response={200: ReportingDelayOut, **NOT_VISIBLE},
    tags=["cycles"],
    summary="Each cycle's reporting delay",
)
def reporting_delay(request: HttpRequest, org: str) -> dict[str, Any]:
    """Count the days from each cycle's period end to its figures locked, board and publication.

    Computed from the cycles' own moments whenever asked; the organisation's as a whole, so
    every member may read it (not a partner: cycles are the organisation's own, as their
    pages are).
    """
    from pmf.web.cycles.delay import reporting_delay_data

    organisation, _membership = pages.member(request, org)
    data = reporting_delay_data(organisation)
    data.pop("chart")
    return data


@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the signed-in user's API tokens; issue one (its key shown once) or revoke one."""
    key = None
    problems: list[str] = []
    if request.method == "POST" and "revoke" in request.POST:
        try:
            revoked = services.revoke_token(request.user, int(request.POST["revoke"]))
        except (LookupError, ValueError):
            problems.append(_("That token is not one of your active tokens"))
        else:
            messages.success(
                request, _("Revoked {token}: it no longer works.").format(token=revoked.name)
            )
            return redirect("tokens")
    elif request.method == "POST":
        try:
            _token, key = services.issue_token(request.user, request.POST.get("name", ""))
        except ValueError as error:
            problems.append(str(error))
    response = render(
        request,
        "api/tokens.html",
        {
            "tokens": services.tokens_of(request.user),
            "key": key,
            "name": request.POST.get("name", "") if problems else "",
            "problems": problems,
        },
        status=400 if problems else 200,
    )
    if key is not None:
        response["Cache-Control"] = "no-store"  # the key is shown once: keep it out of caches
    return response


# Commentary has its own operations, next to its app (pmf.web.commentary.api).
from pmf.web.commentary.api import router as commentary_router  # noqa: E402

api.add_router("/", commentary_router)
from pmf.web.deliveries.api import router as deliveries_router  # noqa: E402

api.add_router("/", deliveries_router)
