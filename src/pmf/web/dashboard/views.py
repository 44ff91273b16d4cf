"""Thin views for the corporate dashboard: own organisation's members only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import (
    own_organisation_for,
)
from pmf.web.dashboard import presenters
from pmf.web.frameworks.models import Organisation


def _member(request: HttpRequest, org: str) -> tuple[Organisation, Membership]:
    return own_organisation_for(request.user, org)


def dashboard(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """Show every tile with its count and first rows."""
    found, membership = _member(request, org)
    data = presenters.dashboard_page(found, membership)
    if as_json:
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return render(request, "dashboard/dashboard.html", data)


def tile(request: HttpRequest, org: str, code: str, as_json: bool = False) -> HttpResponse:
    """Show one tile's rows, each linking to where it is acted on."""
    found, membership = _member(request, org)
    try:
        data = presenters.tile_page(found, membership, code)
    except LookupError:
        raise Http404("No such tile.") from None
    if as_json:
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return render(request, "dashboard/tile.html", data)
