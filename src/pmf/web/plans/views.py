"""Thin views for improvement plans and self-assessments: who may, the presenter, the service."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pmf.web import pages
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import (
    unit_for,
)
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.plans import presenters, services
from pmf.web.plans.models import Item, Plan


def _analyst(membership: Membership) -> bool:
    return services.covers_organisation(membership)


def _year(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return 0


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text.strip()) if text.strip() else None


def _plan(organisation: Organisation, number: int) -> Plan:
    try:
        return organisation.plans.get(pk=number)
    except Plan.DoesNotExist:
        raise Http404("No such plan.") from None


def _item(plan: Plan, number: int) -> Item:
    try:
        return Item.objects.select_related("theme__plan__organisation", "owner").get(
            pk=number, theme__plan=plan
        )
    except Item.DoesNotExist:
        raise Http404("No such item.") from None


def _cycle(organisation: Organisation, number: int) -> Cycle:
    try:
        return organisation.cycles.get(number=number)
    except Cycle.DoesNotExist:
        raise Http404("No such cycle.") from None


def plans(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """List the improvement plans; analysts start a new one here."""
    found, membership = pages.member(request, org)
    problems: list[str] = []
    if request.method == "POST":
        try:
            created = services.create_plan(
                found,
                membership,
                name=request.POST.get("name", ""),
                starts=_year(request.POST.get("starts", "")),
                ends=_year(request.POST.get("ends", "")),
            )
        except services.Refused as refused:
            problems.extend(refused.problems)
        else:
            messages.success(
                request, _("{plan} created: add its themes and items.").format(plan=created.name)
            )
            return redirect("plan", org=found.code, plan=created.pk)
    data = presenters.plans_page(found)
    if as_json:
        return pages.json(data)
    context = {**data, "can_edit": _analyst(membership), "problems": problems}
    return render(
        request,
        "plans/plans.html",
        {**context, "typed": request.POST},
        status=400 if problems else 200,
    )


def plan(request: HttpRequest, org: str, plan: int, as_json: bool = False) -> HttpResponse:
    """Show the plan's themes and items with their status; analysts add a theme here."""
    found, membership = pages.member(request, org)
    chosen = _plan(found, plan)
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.add_theme(chosen, membership, request.POST.get("theme", ""))
        except services.Refused as refused:
            problems.extend(refused.problems)
        else:
            messages.success(request, _("Theme added."))
            return redirect("plan", org=found.code, plan=chosen.pk)
    data = presenters.plan_page(chosen)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "plans/plan.html",
        {**data, "can_edit": _analyst(membership), "problems": problems},
        status=400 if problems else 200,
    )


def plan_edit(request: HttpRequest, org: str, plan: int) -> HttpResponse:
    """Change the plan's name and years, or record its annual refresh. Analysts only."""
    found, membership = pages.member(request, org)
    chosen = _plan(found, plan)
    if not _analyst(membership):
        raise PermissionDenied("Only analysts edit the plan.")
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.edit_plan(
                chosen,
                membership,
                name=request.POST.get("name", ""),
                starts=_year(request.POST.get("starts", "")),
                ends=_year(request.POST.get("ends", "")),
                refreshed_on=_date(request.POST.get("refreshed_on", "")),
            )
        except services.Refused as refused:
            problems.extend(refused.problems)
        except ValueError as error:
            problems.append(_("Check the date: {error}").format(error=error))
        else:
            messages.success(request, _("Plan saved."))
            return redirect("plan", org=found.code, plan=chosen.pk)
    return render(
        request,
        "plans/plan_edit.html",
        {
            "organisation": {"code": found.code, "name": found.name},
            "plan": chosen,
            "problems": problems,
            "typed": request.POST,
        },
        status=400 if problems else 200,
    )


def item(
    request: HttpRequest, org: str, plan: int, item: int, as_json: bool = False
) -> HttpResponse:
    """Show an item with its measures and history; its owner or an analyst records progress."""
    found, membership = pages.member(request, org)
    chosen = _item(_plan(found, plan), item)
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.record_progress(
                chosen, membership, request.POST.get("status", ""), request.POST.get("text", "")
            )
        except services.Refused as refused:
            problems.extend(refused.problems)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("plan-item", org=found.code, plan=plan, item=chosen.pk)
    data = presenters.item_page(chosen)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "plans/item.html",
        {
            **data,
            "can_update": services.may_update(membership, chosen),
            "can_edit": _analyst(membership),
            "statuses": presenters.item_form(chosen.theme.plan)["statuses"],
            "problems": problems,
            "typed": request.POST,
        },
        status=400 if problems else 200,
    )


def item_edit(request: HttpRequest, org: str, plan: int, item: int | None = None) -> HttpResponse:
    """Add an item to the plan, or change one. Analysts only."""
    found, membership = pages.member(request, org)
    chosen_plan = _plan(found, plan)
    chosen = _item(chosen_plan, item) if item is not None else None
    if not _analyst(membership):
        raise PermissionDenied("Only analysts edit the plan.")
    form = presenters.item_form(chosen_plan)
    problems: list[str] = []
    typed: dict[str, object]
    if request.method == "POST":
        post = request.POST
        theme = chosen_plan.themes.filter(pk=_year(post.get("theme", ""))).first()
        try:
            value = post.get("target_value", "").strip()
            fields = services.ItemFields(
                title=post.get("title", ""),
                owner=post.get("owner", ""),
                description=post.get("description", ""),
                target=post.get("target", ""),
                measures=post.getlist("measures"),
                target_measure=post.get("target_measure", ""),
                target_value=float(value) if value else None,
                target_date=_date(post.get("target_date", "")),
            )
            if theme is None:
                raise services.Refused("theme: choose the theme the item belongs to")
            if chosen is None:
                saved = services.create_item(theme, membership, fields)
            else:
                saved = services.edit_item(chosen, membership, fields, theme)
        except services.Refused as refused:
            problems.extend(refused.problems)
        except ValueError as error:
            problems.append(_("Check the target value and date: {error}").format(error=error))
        else:
            messages.success(request, _("{item} saved.").format(item=saved.title))
            return redirect("plan-item", org=found.code, plan=chosen_plan.pk, item=saved.pk)
        typed = {
            **{name: post.get(name, "") for name in post},
            "measures": post.getlist("measures"),
        }
    elif chosen is not None:
        data = presenters.item_page(chosen)["item"]
        typed = {
            "title": chosen.title,
            "theme": str(chosen.theme_id),
            "description": chosen.description,
            "target": chosen.target,
            "owner": chosen.owner.get_username(),
            "measures": [measure["code"] for measure in data["measures"]],
            "target_measure": chosen.target_measure.code if chosen.target_measure else "",
            "target_value": "" if chosen.target_value is None else f"{chosen.target_value:g}",
            "target_date": chosen.target_date.isoformat() if chosen.target_date else "",
        }
    else:
        typed = {"theme": request.GET.get("theme", ""), "measures": []}
    return render(
        request,
        "plans/item_edit.html",
        {**form, "item": chosen, "problems": problems, "typed": typed},
        status=400 if problems else 200,
    )


def self_assessments(
    request: HttpRequest, org: str, number: int, as_json: bool = False
) -> HttpResponse:
    """List the cycle's self-assessments the member may see, and which they may write."""
    found, membership = pages.member(request, org)
    data = presenters.self_assessments_page(_cycle(found, number), membership)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "plans/statements.html",
        {**data, "sees_overview": membership.unit_id is None},
    )


def self_assessment(
    request: HttpRequest, org: str, number: int, unit: str, as_json: bool = False
) -> HttpResponse:
    """Show a unit's self-assessment with its history; its command lead writes it here."""
    found, membership = pages.member(request, org)
    chosen = _cycle(found, number)
    target = unit_for(request.user, found, unit)
    if target.external:
        raise Http404("No such unit.")
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.write_self_assessment(
                chosen,
                target,
                membership,
                strengths=request.POST.get("strengths", ""),
                areas_for_improvement=request.POST.get("areas_for_improvement", ""),
                risks=request.POST.get("risks", ""),
            )
        except services.Refused as refused:
            problems.extend(refused.problems)
        else:
            messages.success(request, _("Self-assessment saved."))
            return redirect("statement", org=found.code, number=chosen.number, unit=target.code)
    data = presenters.self_assessment_page(chosen, target)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "plans/statement.html",
        {
            **data,
            "can_write": services.may_write_self_assessment(membership, chosen, target),
            "problems": problems,
            "typed": request.POST if problems else (data["statement"] or {}),
        },
        status=400 if problems else 200,
    )


def overview(request: HttpRequest, org: str, number: int, as_json: bool = False) -> HttpResponse:
    """Show the head of improvement's overview: every statement, the common themes, the text.

    For members who cover the whole organisation: it collates every unit's statement.
    """
    found, membership = pages.member(request, org)
    chosen = _cycle(found, number)
    if membership.unit_id is not None:
        raise Http404("No such page.")
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.write_overview(chosen, membership, request.POST.get("text", ""))
        except services.Refused as refused:
            problems.extend(refused.problems)
        else:
            messages.success(request, _("Overview saved."))
            return redirect("overview", org=found.code, number=chosen.number)
    data = presenters.overview_page(chosen)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "plans/overview.html",
        {
            **data,
            "can_write": _analyst(membership) and data["cycle"]["editable"],
            "problems": problems,
            "typed": request.POST,
        },
        status=400 if problems else 200,
    )
