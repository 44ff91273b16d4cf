"""The thin view of the audit trail: who may read it, then the presenter, as a page or JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pmf.web import pages
from pmf.web.audit import presenters


def audit(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """List the changes the member may read, newest first, filtered and paginated."""
    found, membership = pages.member(request, org)
    data = presenters.audit_page(found, membership, request.GET)
    if as_json:
        return pages.json(data)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit.html",
        {**data, "query": query.urlencode()},
        status=400 if data["problems"] else 200,
    )
