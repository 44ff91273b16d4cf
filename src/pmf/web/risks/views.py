"""Thin views for the risk register: who may see it, presenter, service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pmf.web import pages
from pmf.web.accounts.models import Membership
from pmf.web.audit.services import Conflict, expected_version
from pmf.web.frameworks.models import Organisation
from pmf.web.risks import presenters, services
from pmf.web.risks.models import Risk


def _risk(organisation: Organisation, membership: Membership, number: int) -> Risk:
    found = services.visible_risks(organisation, membership).filter(number=number).first()
    if found is None:
        raise Http404("No such risk.")
    return found


def heat_map(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """Show the open risks' current scores as a likelihood by impact grid of counts."""
    found, membership = pages.member(request, org)
    data = presenters.heat_map_page(found, membership)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "risks/heat_map.html",
        {**data, "can_add": services.may_edit_risk(membership)},
    )


def risks(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """List the risks, filtered: above the threshold, review overdue, unit, category."""
    found, membership = pages.member(request, org)
    data = presenters.risks_page(found, membership, request.GET)
    if as_json:
        return pages.json(data)
    return render(
        request, "risks/risks.html", {**data, "can_add": services.may_edit_risk(membership)}
    )


def risk(request: HttpRequest, org: str, number: int, as_json: bool = False) -> HttpResponse:
    """Show one risk: its ratings, controls and history."""
    found, membership = pages.member(request, org)
    data = presenters.risk_page(_risk(found, membership, number), membership)
    if as_json:
        return pages.json(data)
    return render(request, "risks/risk.html", data)


def risk_form(request: HttpRequest, org: str, number: int | None = None) -> HttpResponse:
    """Add a risk (analysts) or change one (analysts; the owner reviews their own)."""
    found, membership = pages.member(request, org)
    chosen = _risk(found, membership, number) if number is not None else None
    allowed = (
        services.may_edit_risk(membership)
        if chosen is None
        else services.may_review_risk(membership, chosen)
    )
    if not allowed:
        raise Http404("No such page.")
    problems: list[str] = []
    status = 400
    if request.method == "POST":
        data = presenters.risk_form(found, chosen, membership, None)
        posted = {name: request.POST[name] for name in data["fields"] if name in request.POST}
        try:
            if chosen is None:
                saved = services.create_risk(found, membership, posted, user=request.user)
            else:
                saved = services.update_risk(
                    chosen,
                    membership,
                    posted,
                    user=request.user,
                    note=request.POST.get("note", ""),
                    version=expected_version(request.POST.get("version")),
                )
        except services.Refused as refused:
            problems.extend(refused.problems)
        except Conflict as conflict:
            problems.extend(conflict.problems)
            status = 409
        else:
            messages.success(request, _("Risk R{number} saved.").format(number=saved.number))
            return redirect("risk", org=found.code, number=saved.number)
    data = presenters.risk_form(found, chosen, membership, request.POST or None)
    return render(
        request,
        "risks/risk_form.html",
        {**data, "problems": problems, "note": request.POST.get("note", "")},
        status=status if problems else 200,
    )
