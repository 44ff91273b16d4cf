"""Thin views for interventions: who may see them, the presenter, and each change."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pmf.web import pages
from pmf.web.audit.services import Conflict, expected_version
from pmf.web.interventions import presenters, services


def interventions(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """List the interventions the member may see, with filters."""
    _found, membership = pages.member(request, org)
    filters = {name: request.GET.get(name, "") for name in ("open", "overdue", "mine", "unit")}
    data = presenters.list_page(membership, filters)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "interventions/interventions.html",
        {**data, "may_agree": services.may_agree(membership)},
    )


def new(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """Agree an intervention from the menu: analysts, moderators and board members."""
    found, membership = pages.member(request, org)
    if not services.may_agree(membership):
        raise Http404("No such page.")
    problems: list[str] = []
    if request.method == "POST":
        try:
            created = services.create_intervention(
                membership, services.NewIntervention.from_data(request.POST)
            )
        except services.InterventionRefused as refused:
            problems = refused.problems
        else:
            messages.success(request, _("Intervention {number} agreed.").format(number=created.pk))
            return redirect("intervention", org=found.code, number=created.pk)
    data = presenters.new_page(membership)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "interventions/new.html",
        {**data, "problems": problems, "typed": request.POST},
        status=400 if problems else 200,
    )


def intervention(
    request: HttpRequest, org: str, number: int, as_json: bool = False
) -> HttpResponse:
    """Show one intervention and its progress; its owner (and those who agree them) report here."""
    found, membership = pages.member(request, org)
    chosen = services.intervention_for(membership, number)
    if chosen is None:
        raise Http404("No such intervention.")
    problems: list[str] = []
    status = 400
    if request.method == "POST":
        try:
            services.report_progress(
                membership,
                chosen,
                request.POST.get("text", ""),
                request.POST.get("status", ""),
                version=expected_version(request.POST.get("version")),
            )
        except services.InterventionRefused as refused:
            problems = refused.problems
        except Conflict as conflict:
            problems = conflict.problems
            status = 409
        else:
            messages.success(request, _("Progress saved."))
            return redirect("intervention", org=found.code, number=chosen.pk)
    data = presenters.detail_page(chosen, membership)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "interventions/intervention.html",
        {**data, "problems": problems, "typed": request.POST},
        status=status if problems else 200,
    )
