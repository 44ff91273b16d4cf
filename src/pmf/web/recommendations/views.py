"""Thin views for recommendations: who may see them, presenter, service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pmf.web import pages
from pmf.web.accounts.models import Membership
from pmf.web.audit.services import Conflict, expected_version
from pmf.web.frameworks.models import Organisation
from pmf.web.recommendations import presenters, services
from pmf.web.recommendations.models import Recommendation


def _recommendation(
    organisation: Organisation, membership: Membership, number: int
) -> Recommendation:
    found = services.visible_recommendations(organisation, membership).filter(number=number).first()
    if found is None:
        raise Http404("No such recommendation.")
    return found


def recommendations(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """Show the recommendations complete by body and report, and the list (overdue first)."""
    found, membership = pages.member(request, org)
    data = presenters.recommendations_page(found, membership, request.GET)
    if as_json:
        return pages.json(data)
    can_add = services.may_edit_recommendation(membership)
    return render(request, "recommendations/recommendations.html", {**data, "can_add": can_add})


def recommendation(
    request: HttpRequest, org: str, number: int, as_json: bool = False
) -> HttpResponse:
    """Show one recommendation; its owner submits evidence, an approver closes it."""
    found, membership = pages.member(request, org)
    chosen = _recommendation(found, membership, number)
    problems: list[str] = []
    status = 400
    if request.method == "POST":
        try:
            services.take_step(
                chosen,
                membership,
                request.POST.get("step", ""),
                request.POST.get("text", ""),
                user=request.user,
                version=expected_version(request.POST.get("version")),
            )
        except services.Refused as refused:
            problems.extend(refused.problems)
        except Conflict as conflict:
            problems.extend(conflict.problems)
            status = 409
        else:
            messages.success(
                request,
                _("Saved: the recommendation is {status}.").format(
                    status=chosen.get_status_display().lower()
                ),
            )
            return redirect("recommendation", org=found.code, number=chosen.number)
    data = presenters.recommendation_page(chosen, membership)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "recommendations/recommendation.html",
        {**data, "problems": problems, "typed": request.POST},
        status=status if problems else 200,
    )


def recommendation_form(request: HttpRequest, org: str, number: int | None = None) -> HttpResponse:
    """Record a recommendation or change its details: analysts only."""
    found, membership = pages.member(request, org)
    chosen = _recommendation(found, membership, number) if number is not None else None
    if not services.may_edit_recommendation(membership, chosen):
        raise Http404("No such page.")
    problems: list[str] = []
    status = 400
    if request.method == "POST":
        posted = {name: request.POST.get(name, "") for name in services.RECOMMENDATION_FIELDS}
        try:
            if chosen is None:
                saved = services.create_recommendation(found, membership, posted, user=request.user)
            else:
                saved = services.update_recommendation(
                    chosen,
                    membership,
                    posted,
                    user=request.user,
                    version=expected_version(request.POST.get("version")),
                )
        except services.Refused as refused:
            problems.extend(refused.problems)
        except Conflict as conflict:
            problems.extend(conflict.problems)
            status = 409
        else:
            messages.success(
                request, _("Recommendation {number} saved.").format(number=saved.number)
            )
            return redirect("recommendation", org=found.code, number=saved.number)
    data = presenters.recommendation_form(found, chosen, membership, request.POST or None)
    return render(
        request,
        "recommendations/recommendation_form.html",
        {**data, "problems": problems},
        status=status if problems else 200,
    )
