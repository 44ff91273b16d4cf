"""Thin views for commentary: who may see it, presenter, service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from pmf.web import pages
from pmf.web.accounts.services import unit_for
from pmf.web.audit.services import Conflict, expected_version
from pmf.web.commentary import presenters, services

WRITE_FIELDS = services.TEXT_FIELDS
REQUEST_FIELDS = ("owner", "due_date")


def commentary(
    request: HttpRequest, org: str, unit: str, code: str, as_json: bool = False
) -> HttpResponse:
    """Show a unit's commentary on a measure for a period, every version; write or ask for it."""
    found, membership = pages.member(request, org)
    target = unit_for(request.user, found, unit)
    measure = found.measures.filter(code=code).first()
    if measure is None:
        raise Http404("No such measure.")
    period = str(request.POST.get("period") or request.GET.get("period") or "").strip()
    period = period or services.default_period(found, target, measure) or ""
    if not period:
        raise Http404("No figures, so no period to comment on: say which, ?period=2019-07.")
    problems: list[str] = []
    status = 400
    if request.method == "POST":
        step = request.POST.get("step", "")
        base = {"measure": measure.code, "unit": target.code, "period": period}
        try:
            if step == "request":
                if not services.may_request(membership, target):
                    raise PermissionDenied("Only analysts ask for commentary.")
                fields = {name: request.POST.get(name, "") for name in REQUEST_FIELDS}
                services.request_commentary(
                    found, membership, {**base, **fields}, user=request.user
                )
                said = _("Commentary asked for.")
            else:
                held = services.find(found, measure.code, target.code, period)
                if not services.may_write(membership, target, measure, held):
                    raise PermissionDenied("Only the owner or an analyst writes this commentary.")
                fields = {name: request.POST.get(name, "") for name in WRITE_FIELDS}
                services.write_commentary(
                    found,
                    membership,
                    {**base, **fields},
                    user=request.user,
                    version=expected_version(request.POST.get("version")),
                )
                said = _("Commentary saved; the earlier versions are kept.")
        except services.Refused as refused:
            problems.extend(refused.problems)
        except Conflict as conflict:
            problems.extend(conflict.problems)
            status = 409
        else:
            messages.success(request, said)
            url = reverse("commentary", args=[found.code, target.code, measure.code])
            return redirect(f"{url}?period={period}")
    try:
        data = presenters.commentary_page(found, membership, target, measure, period)
    except (ValueError, LookupError) as error:
        raise Http404(str(error)) from None
    if as_json:
        return pages.json(data)
    return render(
        request,
        "commentary/commentary.html",
        {**data, "problems": problems, "typed": request.POST},
        status=status if problems else 200,
    )


def commentary_list(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """Show the analyst's list of commentary the statistics contradict, and overdue commentary."""
    found, membership = pages.member(request, org)
    if not services.may_see_list(membership, found):
        raise PermissionDenied("Only analysts read the list of flagged and overdue commentary.")
    data = presenters.commentary_list_page(found, membership, request.GET)
    if as_json:
        return pages.json(data)
    return render(request, "commentary/commentary_list.html", data)
