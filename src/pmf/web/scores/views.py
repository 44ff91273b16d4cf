"""Thin views: check who may see the unit, ask the presenter, render HTML or JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from pmf.core.periods import ParseError, parse_period
from pmf.web import pages
from pmf.web.accounts.services import shared_areas, unit_for
from pmf.web.scores import presenters


def scores(request: HttpRequest, org: str, unit: str, as_json: bool = False) -> HttpResponse:
    """Show a unit's scores: by measure with weights and thresholds, by area, and overall."""
    found, membership = pages.reader(request, org)
    target = unit_for(request.user, found, unit)
    period_text = request.GET.get("period", "").strip()
    allowed = shared_areas(membership, found)
    try:
        period = parse_period(period_text) if period_text else None
        data = presenters.scores_page(
            found, target, period=period, areas=sorted(allowed) if allowed is not None else None
        )
    except (ParseError, LookupError) as error:
        message = str(error.args[0]) if error.args else str(error)
        if as_json:
            return JsonResponse({"error": message}, status=400)
        return render(request, "scorecards/error.html", {"message": message}, status=400)
    if as_json:
        return pages.json(data)
    return render(request, "scores/scores.html", data)
