"""Thin views for entering figures: who may, the form, and the result."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmf.core.periods import ParseError, parse_period
from pmf.web.accounts.services import may_change, membership_of, organisation_for, unit_for
from pmf.web.entry import presenters
from pmf.web.entry.services import Entry, EntryRefused, enter_figures, enterable_measures


def enter(request: HttpRequest, org: str, unit: str) -> HttpResponse:
    """Show the figures of the chosen period for the member's measures, and store changes."""
    found = organisation_for(request.user, org)
    target = unit_for(request.user, found, unit)
    membership = membership_of(request.user)
    assert membership is not None  # organisation_for has checked it
    if not may_change(membership, found):
        raise PermissionDenied("Figures shared by another organisation are read-only.")
    if not enterable_measures(membership):
        raise PermissionDenied("You do not own any measures to enter figures for.")
    period_text = (request.POST.get("period") or request.GET.get("period") or "").strip()
    period = None
    problems: list[str] = []
    typed: dict[str, dict[str, str]] = {}
    if period_text:
        try:
            period = parse_period(period_text)
        except ParseError as error:
            problems.append(str(error))
    if request.method == "POST" and period is not None:
        entries = [
            Entry(
                measure=code,
                value=request.POST.get(f"value-{code}", "").strip(),
                numerator=request.POST.get(f"numerator-{code}", "").strip(),
                denominator=request.POST.get(f"denominator-{code}", "").strip(),
                status=request.POST.get(f"status-{code}", "provisional"),
                note=request.POST.get(f"note-{code}", "").strip(),
            )
            for code in request.POST.getlist("measure")
        ]
        try:
            summary = enter_figures(membership, found, target, period.code, entries)
        except EntryRefused as refused:
            problems.extend(refused.problems)
            typed = {
                entry.measure: {
                    "value": entry.value,
                    "numerator": entry.numerator,
                    "denominator": entry.denominator,
                    "status": entry.status,
                    "note": entry.note,
                }
                for entry in entries
            }
        else:
            messages.success(request, f"Saved: {summary}")
            return redirect("scorecard", org=found.code, unit=target.code)
    data = presenters.entry_page(found, target, membership, period, typed)
    return render(
        request,
        "entry/enter.html",
        {**data, "period_text": period_text, "problems": problems},
        status=400 if problems else 200,
    )


def import_file(request: HttpRequest, org: str) -> HttpResponse:
    """Upload a CSV or XLSX file, see every problem or a preview, then confirm the import."""
    from pmf.sources.importer import MappingError
    from pmf.sources.readers import ReadError
    from pmf.web.entry.services import check_upload, import_upload, keep_upload, uploaded

    found = organisation_for(request.user, org)
    membership = membership_of(request.user)
    assert membership is not None  # organisation_for has checked it
    if membership.role != membership.Role.ANALYST or not may_change(membership, found):
        raise PermissionDenied("Only analysts import files, into their own organisation.")
    context: dict[str, object] = {"organisation": {"code": found.code, "name": found.name}}
    if request.method == "POST" and request.POST.get("token"):
        name = request.POST.get("name", "upload")
        try:
            summary = import_upload(membership, found, request.POST["token"], name)
        except (LookupError, EntryRefused) as error:
            context["problems"] = getattr(error, "problems", [str(error)])
            return render(request, "entry/import.html", context, status=400)
        messages.success(request, f"{name}: {summary}")
        return redirect("organisation", org=found.code)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["problems"] = ["Choose a CSV or XLSX file to upload"]
            return render(request, "entry/import.html", context, status=400)
        token = keep_upload(upload.name, upload.read())
        try:
            result = check_upload(found, uploaded(token), upload.name)
        except (ReadError, MappingError) as error:
            context["problems"] = [str(error)]
            return render(request, "entry/import.html", context, status=400)
        context.update(
            name=upload.name,
            token=token if result.ok else "",
            rows=result.observations.height,
            preview=result.observations.head(20).to_dicts(),
            row_problems=result.problems[:200],
            problem_count=len(result.problems),
        )
        return render(request, "entry/import.html", context, status=200 if result.ok else 400)
    return render(request, "entry/import.html", context)
