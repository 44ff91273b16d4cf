"""Thin views for the corporate dashboard: own organisation's members only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pmf.web import pages
from pmf.web.dashboard import presenters


def dashboard(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """Show every tile with its count and first rows."""
    found, membership = pages.member(request, org)
    data = presenters.dashboard_page(found, membership)
    if as_json:
        return pages.json(data)
    return render(request, "dashboard/dashboard.html", data)


def tile(request: HttpRequest, org: str, code: str, as_json: bool = False) -> HttpResponse:
    """Show one tile's rows, each linking to where it is acted on."""
    found, membership = pages.member(request, org)
    try:
        data = presenters.tile_page(found, membership, code)
    except LookupError:
        raise Http404("No such tile.") from None
    if as_json:
        return pages.json(data)
    return render(request, "dashboard/tile.html", data)
