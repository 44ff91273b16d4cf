"""Papers on a schedule: the schedules with the record of what was sent, and their form.

For analysts who cover the whole organisation, as its papers are (anyone else: 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pmf.web import pages
from pmf.web.accounts.models import Membership
from pmf.web.deliveries import presenters, services
from pmf.web.deliveries.models import Schedule
from pmf.web.frameworks.models import Organisation


def _scheduler(request: HttpRequest, org: str) -> tuple[Organisation, Membership]:
    found, membership = pages.member(request, org)
    if not services.may_schedule(membership):
        raise Http404("No such page.")
    return found, membership


def schedules(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """List the organisation's schedules and the latest emails sent (or failed)."""
    found, _membership = _scheduler(request, org)
    data = presenters.schedules_page(found)
    if as_json:
        return pages.json(data)
    return render(request, "deliveries/schedules.html", data)


def schedule_form(request: HttpRequest, org: str, schedule: int | None = None) -> HttpResponse:
    """Add a schedule, or change, pause or resume one."""
    found, membership = _scheduler(request, org)
    chosen = None
    if schedule is not None:
        chosen = Schedule.objects.filter(organisation=found, pk=schedule).first()
        if chosen is None:
            raise Http404("No such schedule.")
    problems: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if chosen is not None and action in {"pause", "resume"}:
                services.set_paused(chosen, membership, action == "pause", user=request.user)
                messages.success(
                    request,
                    (_("Schedule paused.") if action == "pause" else _("Schedule resumed.")),
                )
                return redirect("schedules", org=found.code)
            if chosen is None:
                saved = services.create_schedule(
                    found,
                    membership,
                    request.POST,
                    request.POST.getlist("formats"),
                    user=request.user,
                )
            else:
                saved = services.update_schedule(
                    chosen,
                    membership,
                    request.POST,
                    request.POST.getlist("formats"),
                    user=request.user,
                )
        except services.Refused as refused:
            problems.extend(refused.problems)
        else:
            messages.success(request, _("Schedule “{name}” saved.").format(name=saved.name))
            return redirect("schedules", org=found.code)
    data = presenters.schedule_form(found, chosen, request.POST if problems else None)
    return render(
        request,
        "deliveries/schedule_form.html",
        {**data, "problems": problems},
        status=400 if problems else 200,
    )


@require_http_methods(["GET", "POST"])
def schedule_delete(request: HttpRequest, org: str, schedule: int) -> HttpResponse:
    """Ask to confirm deleting a schedule (GET); delete it (POST), keeping what it sent."""
    found, membership = _scheduler(request, org)
    chosen = Schedule.objects.filter(organisation=found, pk=schedule).first()
    if chosen is None:
        raise Http404("No such schedule.")
    if request.method == "POST":
        name = chosen.name
        services.delete_schedule(chosen, membership, user=request.user)
        messages.success(request, _("Schedule “{name}” deleted.").format(name=name))
        return redirect("schedules", org=found.code)
    data = presenters.schedule_form(found, chosen)
    return render(
        request,
        "deliveries/schedule_delete.html",
        {**data, "sent_count": chosen.sent.count()},
    )
