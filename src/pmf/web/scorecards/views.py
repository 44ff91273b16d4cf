"""Thin views: check who may see what, ask the presenter, render HTML or JSON."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from pmf.core.periods import ParseError, PeriodKind, parse_period, read_period
from pmf.web import pages
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import (
    may_change,
    membership_of,
    readable_areas,
    readable_organisations,
    shared_areas,
    unit_for,
)
from pmf.web.cache import cached, data_version
from pmf.web.commentary.presenters import measure_commentary
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.scorecards import presenters
from pmf.web.scorecards.drivers import key_drivers_section
from pmf.web.scores.presenters import scores_data

KINDS = ("redline", "kpi", "context")


def home(request: HttpRequest) -> HttpResponse:
    """Send a member to their organisation's page."""
    membership = membership_of(request.user)
    if membership is None:
        raise Http404("You are not a member of any organisation yet.")
    return redirect("organisation", org=membership.organisation.code)


def organisation(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    """Show the units of the organisation that the user may see."""
    found, membership = pages.reader(request, org)
    data = _only_shared_areas(presenters.organisation_page(found, membership), membership, found)
    if may_change(membership, found):
        data = _with_latest_grades(data, found)
    if as_json:
        return JsonResponse(data)
    can_import = membership.role == membership.Role.ANALYST and may_change(membership, found)
    others = [
        {"code": other.code, "name": other.name}
        for other in readable_organisations(membership)
        if other.pk != found.pk
    ]
    return render(
        request,
        "scorecards/organisation.html",
        {
            **data,
            "can_import": can_import,
            "other_organisations": others,
            "own": may_change(membership, found),
            # The table is most of the page; the same units, areas and counts give the same.
            "units_html": pages.fragment(
                "scorecards/_organisation_units.html",
                {key: data[key] for key in ("organisation", "areas", "units", "figures_at")},
            ),
        },
    )


def _with_latest_grades(data: dict[str, Any], found: Organisation) -> dict[str, Any]:
    """Add each unit and area's grade from the latest cycle whose data are locked."""
    from pmf.web.cycles.presenters import grade_text
    from pmf.web.frameworks.services import grade_scale

    scale = grade_scale(found)
    latest = found.cycles.filter(locked_at__isnull=False).order_by("-number").first()
    if latest is None:
        return {**data, "grades_from": None}
    grades = {
        (grade.unit.code, grade.area.code): grade.grade
        for grade in latest.grades.select_related("unit", "area")
    }
    codes = [area["code"] for area in data["areas"]]
    return {
        **data,
        "grades_from": {
            "number": latest.number,
            "name": latest.name,
            "state": latest.state,
            "data_to": parse_period(latest.cut_off).label,
        },
        "units": [
            {
                **unit,
                "areas": [
                    {
                        **cell,
                        "grade": grade_text(
                            grades.get((unit["code"], code), ""), latest, scale=scale
                        ),
                    }
                    for code, cell in zip(codes, unit["areas"], strict=True)
                ],
            }
            for unit in data["units"]
        ],
    }


def _only_shared_areas(
    data: dict[str, Any], membership: Membership, found: Organisation
) -> dict[str, Any]:
    """Drop the area columns that a sharing agreement does not cover."""
    allowed = shared_areas(membership, found)
    if allowed is None:
        return data
    keep = [index for index, area in enumerate(data["areas"]) if area["code"] in allowed]
    return {
        **data,
        "areas": [data["areas"][index] for index in keep],
        "units": [
            {**unit, "areas": [unit["areas"][index] for index in keep]} for unit in data["units"]
        ],
    }


def scorecard(request: HttpRequest, org: str, unit: str, as_json: bool = False) -> HttpResponse:
    """Show a unit's scorecard, filtered by area, kind and exceptions."""
    found, membership = pages.reader(request, org)
    target = unit_for(request.user, found, unit)
    period_text = request.GET.get("period", "").strip()
    try:
        period = read_period(period_text, PeriodKind.MONTH) if period_text else None
    except ParseError as error:
        return _bad_request(request, str(error), as_json)
    kinds = [kind for kind in request.GET.getlist("kind") if kind in KINDS]
    areas = request.GET.getlist("area")
    areas = readable_areas(membership, found, areas)  # a partner's: only what is shared
    exceptions = request.GET.get("exceptions")
    filters: dict[str, Any] = {
        "period": period,
        "areas": areas,
        "kinds": kinds,
        "exceptions_only": exceptions == "1",
    }
    if as_json:
        try:
            return pages.json(presenters.scorecard_page(found, target, **filters))
        except LookupError as error:
            return _bad_request(request, str(error.args[0]), as_json)
    try:
        # The page's data, its rendered tables and the organisation's areas are the same for
        # everyone who may see this unit with these filters (``areas`` is already cut to what
        # the reader may read): one cache read a request, under the version of what the
        # unit's assessment reads (ADR 0031).
        shared = cached(
            presenters.scorecard_version(found, target.code),
            "scorecard-view",
            (target.code, target.name, period_text, tuple(areas), tuple(kinds), exceptions),
            lambda: _scorecard_view(found, target, filters),
        )
    except LookupError as error:
        return _bad_request(request, str(error.args[0]), as_json)
    data = shared["data"]
    own = may_change(membership, found)
    if membership.role == Membership.Role.ANALYST:
        can_enter = own and shared["any_measure"]  # what may_enter asks, read with the page
    else:
        from pmf.web.entry.services import may_enter

        can_enter = own and may_enter(membership)
    readable = readable_areas(membership, found, [])
    all_areas = [area for area in shared["all_areas"] if not readable or area["code"] in readable]
    shown = sum(len(area["measures"]) for area in data["areas"])
    return render(
        request,
        "scorecards/scorecard.html",
        {
            **data,
            "period": period_text,
            "kinds": [(kind, presenters.kind_words(kind)) for kind in KINDS],
            "can_enter": can_enter,
            "own": own,
            "all_areas": all_areas,
            "shown": shown,
            "shown_text": f"{shown:,}",
            "areas_html": shared["areas_html"],
            "scores_summary": (
                scores_data(shared["scores"], readable or None) if shared["scores"] else {}
            ),
        },
    )


def summary(request: HttpRequest, org: str, unit: str, as_json: bool = False) -> HttpResponse:
    """Show a unit's Making Data Count summary: its measures by variation and assurance."""
    found, membership = pages.reader(request, org)
    target = unit_for(request.user, found, unit)
    areas = readable_areas(membership, found, [])  # a partner's: only what is shared
    try:
        data = presenters.summary_page(found, target, areas=areas)
    except LookupError as error:
        return _bad_request(request, str(error.args[0]), as_json)
    if as_json:
        return pages.json(data)
    return render(request, "scorecards/summary.html", data)


def _scorecard_view(found: Organisation, target: Unit, filters: dict[str, Any]) -> dict[str, Any]:
    """Return what a scorecard page shows whoever reads it: data, tables, areas to filter by.

    Raise LookupError as the presenter does (a period with no figures).
    """
    data = presenters.scorecard_page(found, target, **filters)
    # The tables are most of the page's rendering, and the same for everyone who may see them.
    areas_html = mark_safe(render_to_string("scorecards/_scorecard_areas.html", data))  # noqa: S308 - our template's output
    return {
        "data": data,
        "areas_html": areas_html,
        "all_areas": [
            {"code": area.code, "name": area.shown_name}
            for area in found.areas.order_by("position")
        ],
        "any_measure": found.measures.exists(),
        # The unit's scores come from the same figures (unfiltered), so they are kept with them.
        "scores": _unit_scores(found, target, filters["period"]),
    }


def _unit_scores(found: Organisation, target: Unit, period: Any) -> Any:
    """Return the unit's scores as at ``period``, or None without scoring or figures."""
    from pmf.web.scores.presenters import unit_scores

    try:
        return unit_scores(found, target, period)
    except LookupError:
        return None


def _bad_request(request: HttpRequest, message: str, as_json: bool) -> HttpResponse:
    if as_json:
        return JsonResponse({"error": message}, status=400)
    return render(request, "scorecards/error.html", {"message": message}, status=400)


def measure(
    request: HttpRequest, org: str, unit: str, code: str, as_json: bool = False
) -> HttpResponse:
    """Show one measure of one unit: SPC chart with its data table, and the figure's lineage."""
    found, membership = pages.reader(request, org)
    target = unit_for(request.user, found, unit)
    allowed = shared_areas(membership, found)
    if allowed is not None and not found.measures.filter(code=code, area__code__in=allowed):
        raise Http404("No such measure.")
    # Read before the page's data (which reads it too), so that the figures rendered under
    # it are never older than it says.
    version = data_version(found, None, code)
    from pmf.web.frameworks.services import framework_of, target_history
    from pmf.web.scorecards.calculations import calculation_section

    framework = framework_of(found)  # read once for the page and its sections
    try:
        data = presenters.measure_page(found, target, code, framework=framework)
    except LookupError as error:
        raise Http404(str(error.args[0])) from None
    data["targets"] = target_history(found, target, code)
    data["calculation"] = calculation_section(
        found, target, code, data["rows"], allowed, framework=framework
    )
    data["key_drivers"] = key_drivers_section(
        found, target, code, _latest_period(data), allowed, framework=framework
    )
    data["commentary"] = measure_commentary(found, membership, target, code, _latest_period(data))
    if as_json:
        return pages.json(data)
    may_set_spc = membership.role == Membership.Role.ANALYST and may_change(membership, found)
    # The charts and tables of figures are most of the page, and the same for everyone who
    # may see this unit's measure: kept as the page's figures are, under the data version.
    shown = {key: value for key, value in data.items() if key not in PERSONAL}
    observations_html = cached(
        version,
        "measure-figures-html",
        (target.code, target.name, code),
        lambda: mark_safe(render_to_string("scorecards/_measure_figures.html", shown)),  # noqa: S308 - our template's output
    )
    return render(
        request,
        "scorecards/measure.html",
        {**data, "may_set_spc": may_set_spc, "observations_html": observations_html},
    )


# What the measure page shows beside its figures, read afresh (it names people): not in the
# rendered figures, whose template does not read them.
PERSONAL = ("revisions", "targets", "commentary")


def _latest_period(data: dict[str, Any]) -> str | None:
    """Return the period of the measure page's latest figure (not one for a future period)."""
    rows = [row for row in data.get("rows", []) if not row.get("future")]
    return str(rows[-1]["period"]) if rows else None


def peer_groups(
    request: HttpRequest, org: str, number: int | None = None, as_json: bool = False
) -> HttpResponse:
    """Show how the most similar groups were computed, and each unit's group with distances."""
    found, membership = pages.reader(request, org)
    try:
        data = presenters.peer_groups_page(found, membership, number)
    except LookupError as error:
        raise Http404(str(error.args[0])) from None
    if as_json:
        return pages.json(data)
    return render(request, "scorecards/peer_groups.html", data)
