"""Thin views for statutory returns: the list, and one return's check and export (analysts)."""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from pmf.web import pages
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.frameworks.models import Organisation
from pmf.web.returns import presenters, services


def _analyst(request: HttpRequest, org: str) -> tuple[Organisation, Collection[str] | None]:
    found, membership = pages.member(request, org)
    if membership.role != Membership.Role.ANALYST:
        raise PermissionDenied("Only the organisation's analysts make statutory returns.")
    if membership.unit is None:
        return found, None
    return found, {unit.code for unit in visible_units(membership, found)}


def returns(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """List the statutory returns of the framework file."""
    found, _scope = _analyst(request, org)
    data = presenters.returns_page(found)
    if as_json:
        return pages.json(data)
    return render(request, "returns/returns.html", data)


def statutory_return(
    request: HttpRequest, org: str, ret: str, as_json: bool = False
) -> HttpResponse:
    """Check a return for a period (``?period=``); an analyst for every unit exports it."""
    found, scope = _analyst(request, org)
    try:
        services.definition(found, ret)
    except LookupError:
        raise Http404("No such return.") from None
    source = request.POST if request.method == "POST" else request.GET
    period = source.get("period", "").strip()
    problems: list[str] = []
    checked = None
    if period:
        try:
            checked = services.check_return(found, ret, period, scope)
        except services.ReturnRefused as refused:
            problems = refused.problems
    elif request.method == "POST":
        problems = [_("period: Enter the return's period")]
    if request.method == "POST" and not problems:
        try:
            made = services.export_return(found, ret, period, scope=scope, user=request.user)
        except services.ReturnRefused as refused:
            problems = refused.problems
        else:
            response = HttpResponse(made.content, content_type=made.content_type)
            response["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
            return response
    data = presenters.return_page(found, ret, checked, scope)
    if as_json:
        return pages.json({**data, "refused": problems})
    status = 400 if request.method == "POST" else 200
    context = {**data, "period_typed": period, "refused": problems}
    return render(request, "returns/return.html", context, status=status)
