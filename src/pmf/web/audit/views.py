"""The thin view of the audit trail: who may read it, then the presenter, as a page or JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from pmf.web.accounts.services import own_organisation_for
from pmf.web.audit import presenters


def audit(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """List the changes the member may read, newest first, filtered and paginated."""
    found, membership = own_organisation_for(request.user, org)
    data = presenters.audit_page(found, membership, request.GET)
    if as_json:
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit.html",
        {**data, "query": query.urlencode()},
        status=400 if data["problems"] else 200,
    )
