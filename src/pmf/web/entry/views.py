"""Thin views for entering figures: who may, the form, and the result."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmf.core.periods import ParseError, parse_period
from pmf.core.text import format_bytes
from pmf.web import pages
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import (
    may_change,
    unit_for,
    writable_units,
)
from pmf.web.audit.services import Conflict, expected_version
from pmf.web.entry import presenters
from pmf.web.entry.services import (
    Entry,
    EntryRefused,
    WarningsToAccept,
    enter_observations,
    enterable_measures,
)
from pmf.web.frameworks.models import Organisation


def enter(request: HttpRequest, org: str, unit: str) -> HttpResponse:
    """Show the figures of the chosen period for the member's measures, and store changes."""
    found, membership = pages.reader(request, org)
    target = unit_for(request.user, found, unit)
    if not may_change(membership, found):
        # Partners read shared figures and change nothing: as for anyone outside, not found.
        raise Http404("No such page.")
    if not enterable_measures(membership):
        raise PermissionDenied("You do not own any measures to enter figures for.")
    if target.pk not in {unit.pk for unit in writable_units(membership, found)}:
        raise PermissionDenied(f"You may not enter figures for {target.name}.")
    period_text = (request.POST.get("period") or request.GET.get("period") or "").strip()
    period = None
    problems: list[str] = []
    typed: dict[str, dict[str, str]] = {}
    conflict = False
    accept, reason, reason_problem = _acceptance(request)
    warnings_held = accept
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
                revision=expected_version(request.POST.get(f"revision-{code}")),
            )
            for code in request.POST.getlist("measure")
        ]
        try:
            if reason_problem:
                raise EntryRefused([reason_problem])
            summary = enter_observations(
                membership, found, target, period.code, entries, accept_warnings=reason or None
            )
        except (EntryRefused, Conflict) as refused:
            problems.extend(refused.problems)
            conflict = isinstance(refused, Conflict)
            warnings_held = warnings_held or isinstance(refused, WarningsToAccept)
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
            messages.success(request, str(summary))
            return redirect("scorecard", org=found.code, unit=target.code)
    data = presenters.entry_page(found, target, membership, period, typed)
    return render(
        request,
        "entry/enter.html",
        {
            **data,
            "period_text": period_text,
            "problems": problems,
            "warnings_held": warnings_held,
            "accept_warnings": accept,
            "warnings_reason": reason,
        },
        status=(409 if conflict else 400) if problems else 200,
    )


REASON_MISSING = gettext_lazy("Why the figures are right: give a reason to accept the warnings")


def _acceptance(request: HttpRequest) -> tuple[bool, str, str]:
    """Return whether plausibility warnings were accepted, the reason, and any problem."""
    accept = request.POST.get("accept-warnings") == "yes"
    reason = request.POST.get("warnings-reason", "").strip() if accept else ""
    return accept, reason, str(REASON_MISSING) if accept and not reason else ""


def import_file(request: HttpRequest, org: str) -> HttpResponse:
    """Upload a file, map its columns, see every problem or a preview, then import it.

    Files of more than ``PMF_BACKGROUND_IMPORT_ROWS`` figures go to the worker: the person is
    sent to the job's page to watch its progress.
    """
    from pmf.sources.readers import ReadError
    from pmf.web.entry.services import (
        import_reviewed,
        keep_upload,
        owns_upload,
        queue_import,
        review_upload,
    )

    found, membership = _analyst(request, org)
    if request.method != "POST":
        return render(request, "entry/import.html", presenters.import_page(found, membership))
    token = request.POST.get("token", "")
    name = request.POST.get("name", "") or "upload"
    if not token:
        upload = request.FILES.get("file")
        if upload is None:
            data = presenters.import_page(
                found, membership, problems=[_("Choose a CSV or XLSX file to upload")]
            )
            return render(request, "entry/import.html", data, status=400)
        name = upload.name or "upload"
        if upload.size is not None and upload.size > settings.PMF_MAX_UPLOAD_BYTES:
            limit = settings.PMF_MAX_UPLOAD_BYTES
            problem = _(
                "{file}: is {size}, more than the {limit} allowed; split it into smaller files"
            ).format(file=name, size=format_bytes(upload.size), limit=format_bytes(limit))
            data = presenters.import_page(found, membership, problems=[problem])
            return render(request, "entry/import.html", data, status=400)
        token = keep_upload(name, upload.read(), found, request.user)
    elif not owns_upload(token, found, request.user):
        # Someone else's upload, or one sent to another organisation: nothing of it shows.
        raise Http404("No such upload.")
    try:
        review = review_upload(
            found,
            token,
            name,
            request.POST if "layout" in request.POST else None,
            membership=membership,
        )
    except (LookupError, ReadError) as error:
        data = presenters.import_page(found, membership, problems=[str(error)])
        return render(request, "entry/import.html", data, status=400)
    accept, reason, reason_problem = _acceptance(request)
    problems = []
    if "token" in request.POST and request.POST.get("action") != "check" and review.ready:
        if reason_problem:
            problems.append(reason_problem)
        elif review.background:
            job = queue_import(membership, found, review, accept_warnings=reason or None)
            return redirect("import-job", org=found.code, job=job.pk)
        else:
            try:
                summary = import_reviewed(membership, found, review, accept_warnings=reason or None)
            except WarningsToAccept:
                problems.append(str(WARNINGS_NOT_ACCEPTED))
            else:
                messages.success(request, _("{file}: {summary}").format(file=name, summary=summary))
                return redirect("organisation", org=found.code)
    data = presenters.import_page(found, membership, review=review, problems=problems)
    data.update(accept_warnings=accept, warnings_reason=reason)
    status = 200 if review.ready and not problems else 400
    return render(request, "entry/import.html", data, status=status)


WARNINGS_NOT_ACCEPTED = gettext_lazy(
    "Accept the plausibility warnings: some figures are unlikely; check them against their "
    "source, then tick to accept the warnings and say why the figures are right"
)


def import_job(
    request: HttpRequest, org: str, job: int, as_json: bool = False, fragment: bool = False
) -> HttpResponse:
    """Show a background import: its progress while it runs, then what it stored or why not."""
    from pmf.web.entry.services import import_job as find_job

    found, membership = _analyst(request, org)
    try:
        chosen = find_job(found, job)
    except LookupError:
        raise Http404("No such import.") from None
    # A job's problems quote its file's rows, whatever their units: an analyst scoped to a
    # unit follows their own imports only.
    if membership.unit_id is not None and chosen.created_by_id != membership.user_id:
        raise Http404("No such import.")
    data = presenters.job_page(chosen)
    if as_json:
        return pages.json(data)
    template = "entry/_job_progress.html" if fragment else "entry/import_job.html"
    return render(request, template, {"job": data, "fragment": fragment})


def _analyst(request: HttpRequest, org: str) -> tuple[Organisation, Membership]:
    found, membership = pages.reader(request, org)
    if not may_change(membership, found):
        # Partners read shared figures and import nothing: as for anyone outside, not found.
        raise Http404("No such page.")
    if membership.role != membership.Role.ANALYST:
        raise PermissionDenied("Only analysts import files.")
    return found, membership
