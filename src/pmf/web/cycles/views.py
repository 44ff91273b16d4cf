"""Thin views for the quarterly cycle: who may see it, the presenter, and each workflow step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmf.web import pages
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import (
    unit_for,
)
from pmf.web.audit.services import Conflict, expected_version
from pmf.web.cycles import languages, presenters, services
from pmf.web.cycles.models import AreaGrade, Cycle, SpotCheck
from pmf.web.frameworks.models import Organisation


def cycles(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """List the cycles with the tube map; analysts start a new cycle here."""
    found, membership = pages.member(request, org)
    problems: list[str] = []
    may_start = services.may_run_cycles(membership)
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied("Only analysts covering the whole organisation start a cycle.")
        try:
            board = request.POST.get("board_date", "").strip()
            created = services.create_cycle(
                found,
                number=int(request.POST.get("number", "0") or 0),
                name=request.POST.get("name", ""),
                cut_off=request.POST.get("cut_off", "").strip(),
                board_date=dt.date.fromisoformat(board) if board else None,
            )
        except ValueError as error:
            problems.extend(
                getattr(error, "problems", None)
                or [_("Check the dates: {error}").format(error=error)]
            )
        except services.WorkflowRefused as refused:
            problems.extend(refused.problems)
        else:
            messages.success(
                request, _("Cycle {number} started as a draft.").format(number=created.number)
            )
            return redirect("cycle", org=found.code, number=created.number)
    data = presenters.cycles_page(found, whole=membership.unit_id is None)
    if as_json:
        return pages.json(data)
    numbers = [cycle["number"] for cycle in data["cycles"]]
    return render(
        request,
        "cycles/cycles.html",
        {
            **data,
            "can_start": may_start,
            "problems": problems,
            "next_number": max(numbers, default=0) + 1,
            "typed": request.POST,
        },
        status=400 if problems else 200,
    )


def cycle(request: HttpRequest, org: str, number: int, as_json: bool = False) -> HttpResponse:
    """Show a cycle's grades against the previous cycle; analysts move it on."""
    found, membership = pages.member(request, org)
    chosen = _cycle(found, number)
    problems: list[str] = []
    data: dict[str, Any] | None = None
    asking = False
    if request.method == "POST":
        # Locking and every move on are the whole organisation's: a member scoped to a unit
        # takes only their units' steps, on the grade pages.
        if not services.may_run_cycles(membership):
            raise PermissionDenied(
                "Only analysts covering the whole organisation move the cycle on."
            )
        # Locking with provisional figures or figures stored with warnings is the analyst's
        # call: the page asks once, with the figures listed, and does not refuse.
        if chosen.state == Cycle.State.DRAFT and request.POST.get("confirm") != "yes":
            data = presenters.cycle_page(chosen, membership)
            checks = data["checks"]
            asking = bool(checks and (checks["provisional_count"] or checks["warned"]))
        if not asking:
            try:
                state = services.advance(chosen, membership)
            except services.WorkflowRefused as refused:
                problems.extend(refused.problems)
            else:
                messages.success(
                    request,
                    _("Cycle {number} is now at {state}.").format(
                        number=chosen.number, state=state.label.lower()
                    ),
                )
                return redirect("cycle", org=found.code, number=chosen.number)
    data = data or presenters.cycle_page(chosen, membership)
    if as_json:
        return pages.json(data)
    can_advance = services.may_run_cycles(membership) and data["next_state"] is not None
    return render(
        request,
        "cycles/cycle.html",
        {
            **data,
            "can_advance": can_advance,
            "asking": asking,
            "problems": problems,
            # The papers collate every unit: for members who cover the whole organisation.
            "papers": membership.unit_id is None,
        },
        status=400 if problems else 200,
    )


def spot_checks(request: HttpRequest, org: str, number: int, as_json: bool = False) -> HttpResponse:
    """Show the cycle's sample of figures to verify against source; analysts record results."""
    found, membership = pages.member(request, org)
    chosen = _cycle(found, number)
    if chosen.locked_at is None:
        raise Http404("The sample is drawn when the data are locked.")
    # A cycle locked before spot checks existed draws its sample now: the same one it would
    # have drawn at the lock, as the draw reads only the figures held then.
    services.draw_spot_checks(chosen)
    problems: list[str] = []
    failed: int | None = None
    if request.method == "POST":
        try:
            position = int(request.POST.get("position", ""))
            check = chosen.spot_checks.select_related(
                "observation__unit", "observation__measure", "cycle__organisation"
            ).get(position=position)
        except (ValueError, SpotCheck.DoesNotExist):
            raise Http404("No such spot check.") from None
        try:
            services.record_spot_check(
                check,
                membership,
                request.POST.get("result", ""),
                request.POST.get("note", ""),
            )
        except services.WorkflowRefused as refused:
            # Named after the form's own fields: one form per sampled figure on the page.
            problems.extend(
                f"{problem.partition(': ')[0]}-{position}: {problem.partition(': ')[2]}"
                if problem.startswith(("result: ", "note: "))
                else _("Spot check {number}: {problem}").format(number=position, problem=problem)
                for problem in refused.problems
            )
            failed = position
        else:
            messages.success(request, _("Spot check {number} saved.").format(number=position))
            return redirect(
                f"{reverse('spot-checks', args=[found.code, chosen.number])}#check-{position}"
            )
    data = presenters.spot_checks_page(chosen, membership)
    if as_json:
        return pages.json(data)
    return render(
        request,
        "cycles/spot_checks.html",
        {**data, "problems": problems, "failed": failed, "typed": request.POST},
        status=400 if problems else 200,
    )


STEPS = {
    "self": services.self_assess,
    "moderate": services.moderate,
    "agree": services.agree,
}


def grade(
    request: HttpRequest, org: str, number: int, unit: str, area: str, as_json: bool = False
) -> HttpResponse:
    """Show one unit's grade for one area with its steps; take the step that is the member's."""
    found, membership = pages.member(request, org)
    chosen = _cycle(found, number)
    target = unit_for(request.user, found, unit)
    try:
        found_grade = chosen.grades.select_related("unit", "area", "cycle").get(
            unit=target, area__code=area
        )
    except AreaGrade.DoesNotExist:
        raise Http404("No such grade.") from None
    problems: list[str] = []
    status = 400
    if request.method == "POST":
        step = request.POST.get("step", "")
        # The version of the grade the form showed: a step saved since then is a conflict.
        version = expected_version(request.POST.get("version"))
        try:
            if step == "rationale":
                services.edit_rationale(
                    found_grade,
                    membership,
                    request.POST.get("rationale", ""),
                    version,
                    # A person's version in each other language the form offers (Welsh).
                    versions={
                        language: request.POST[f"rationale_{language}"]
                        for language in languages.other_languages()
                        if f"rationale_{language}" in request.POST
                    },
                )
            elif step in STEPS:
                STEPS[step](
                    found_grade,
                    membership,
                    request.POST.get("grade", ""),
                    request.POST.get("text", ""),
                    version,
                )
            else:
                problems.append(_("Choose a step to take."))
        except services.WorkflowRefused as refused:
            problems.extend(refused.problems)
        except Conflict as conflict:
            problems.extend(conflict.problems)
            status = 409
        if not problems:
            messages.success(request, _("Saved."))
            return redirect("grade", org=found.code, number=chosen.number, unit=unit, area=area)
    data = presenters.grade_page(found_grade)
    if as_json:
        return pages.json(data)
    state = chosen.state
    role = membership.role
    allowed = {
        "self": role == Membership.Role.COMMAND_LEAD and state == Cycle.State.SELF_ASSESSMENT,
        "moderate": role == Membership.Role.MODERATOR and state == Cycle.State.MODERATION,
        "agree": role == Membership.Role.BOARD_MEMBER
        and state == Cycle.State.BOARD
        and data["unit"]["top"],
        "rationale": role == Membership.Role.ANALYST
        and state in (Cycle.State.LOCKED, Cycle.State.SELF_ASSESSMENT, Cycle.State.MODERATION),
    }
    return render(
        request,
        "cycles/grade.html",
        {
            **data,
            "allowed": allowed,
            "problems": problems,
            "typed": request.POST,
            "rationale_form": _rationale_form(found_grade, request.POST)
            if allowed["rationale"]
            else None,
        },
        status=status if problems else 200,
    )


# The rationale's edit form's box for a person's version in each other language of the site.
VERSION_LABELS = {
    "cy": (
        gettext_lazy("The rationale in Welsh (optional)"),
        gettext_lazy(
            "Welsh readers read this version. Left empty, or as pmf wrote it, they read pmf's "
            "Welsh while the rationale above is pmf's, and the rationale above as written once "
            "it is yours."
        ),
    ),
}


def _rationale_form(grade: AreaGrade, typed: Mapping[str, str]) -> dict[str, Any]:
    """Return what the rationale's edit form holds: the rationale as stored (pmf's English or a
    person's text), and a box for each other language with the version readers of it read;
    after a refused save, what the person typed."""
    return {
        "text": grade.rationale,
        "in_english": languages.reader_language() is not None
        and grade.rationale == grade.rationale_generated,
        "versions": [
            {
                "field": f"rationale_{language}",
                "language": language,
                "label": VERSION_LABELS[language][0],
                "hint": VERSION_LABELS[language][1],
                "text": typed[f"rationale_{language}"]
                if f"rationale_{language}" in typed
                else languages.person_version(grade, language)
                or languages.kept_generated(grade, language),
            }
            for language in languages.other_languages()
            if language in VERSION_LABELS
        ],
    }


def _cycle(organisation: Organisation, number: int) -> Cycle:
    try:
        return organisation.cycles.get(number=number)
    except Cycle.DoesNotExist:
        raise Http404("No such cycle.") from None
