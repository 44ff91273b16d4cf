"""Thin views for the rebases and events of a measure's SPC chart: who may, the service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pmf.core.periods import PeriodKind
from pmf.web import pages
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import unit_for
from pmf.web.frameworks import services

EXAMPLES = {
    PeriodKind.MONTH: "2025-04",
    PeriodKind.QUARTER: "2025 Q2",
    PeriodKind.FINANCIAL_QUARTER: "2025/26 Q1",
    PeriodKind.FINANCIAL_YEAR: "2025/26",
    PeriodKind.YEAR: "2025",
    PeriodKind.WEEK: "2025-W15",
    PeriodKind.DAY: "2025-04-07",
}


def spc_marks(request: HttpRequest, org: str, unit: str, code: str) -> HttpResponse:
    """List a measure's rebases and events for a unit; analysts add, change and withdraw them."""
    found, membership = pages.member(request, org)
    chosen = unit_for(request.user, found, unit)
    if membership.role != Membership.Role.ANALYST:
        raise PermissionDenied("Only the organisation's analysts set rebases and events.")
    framework = services.framework_of(found)
    try:
        measure = framework.measure(code)
    except KeyError:
        raise Http404("No such measure.") from None
    problems: dict[str, str] = {}
    prefix = ""
    typed: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        data = {key: request.POST.get(key, "") for key in ("kind", "period", "text", "scope")}
        try:
            if action == "add":
                typed = data
                services.add_spc_mark(
                    found,
                    membership,
                    measure_code=code,
                    unit=None if data["scope"] == "all" else chosen,
                    kind=data["kind"],
                    period=data["period"],
                    text=data["text"],
                    user=request.user,
                )
                done = _("The rebase or event was added; the chart now uses it.")
            elif action in ("change", "withdraw"):
                number = _number(request.POST.get("number", ""))
                prefix = f"m{number}-"
                if action == "change":
                    services.change_spc_mark(
                        found,
                        membership,
                        number,
                        period=data["period"],
                        text=data["text"],
                        reason=request.POST.get("reason", ""),
                        user=request.user,
                    )
                    done = _("The rebase or event was changed; the chart now uses it.")
                else:
                    services.withdraw_spc_mark(
                        found,
                        membership,
                        number,
                        reason=request.POST.get("reason", ""),
                        user=request.user,
                    )
                    done = _("The rebase or event was withdrawn; the chart now uses it.")
            else:
                raise services.SpcMarkRefused({"kind": _("Choose what to do.")})
        except services.SpcMarkRefused as refused:
            problems = refused.problems
        except LookupError as error:
            raise Http404(str(error)) from None
        else:
            messages.success(request, done)
            return redirect("measure-spc", org=found.code, unit=chosen.code, code=code)
    try:
        marks = services.spc_marks(found, chosen, code)
    except LookupError as error:
        raise Http404(str(error)) from None
    for item in marks["set"]:
        item["prefix"] = f"m{item['number']}-"
    return render(
        request,
        "frameworks/spc_marks.html",
        {
            "organisation": {"code": found.code, "name": found.name},
            "unit": {"code": chosen.code, "name": chosen.name},
            "measure": {"code": measure.code, "name": measure.name},
            "marks": marks,
            "problems": problems,
            "form_prefix": prefix,
            "typed": typed,
            "example_period": EXAMPLES.get(measure.frequency, "2025-04"),
            # A mark for every unit is for analysts covering the whole organisation.
            "whole": membership.unit_id is None,
        },
        status=400 if problems else 200,
    )


def _number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise Http404("No such rebase or event.") from None
