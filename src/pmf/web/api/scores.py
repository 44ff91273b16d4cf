"""The API's scores: a unit's measures scored and weighted, as its scores page shows them.

Registered on the API (``pmf.web.api.views.api``) when ``pmf.web.api.urls`` imports this
module. Scores are computed from the figures held, never stored (ADR 0046): the API reads them
only.
"""

# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from pmf.web import pages
from pmf.web.accounts.services import shared_areas, unit_for
from pmf.web.api.schemas import Error, Named
from pmf.web.api.views import NOT_VISIBLE, BadRequest, _period, api
from pmf.web.scores.presenters import scores_page


class MeasureScoreOut(Schema):
    """One measure's score: its figure, thresholds, weight and the calculation in words."""

    measure: str
    name: str
    period: str | None = Field(description="The period of the figure scored.")
    period_label: str = Field(examples=["November 2025"])
    value: float | None
    value_text: str
    weight: float = Field(description="Its weight in its area (or in the average metric score).")
    method: Literal["thresholds", "cuts", "ranked"]
    thresholds: str = Field(description="The goal and red flag, the cuts, or the ranking rule.")
    score: float | None = Field(description="Empty when the measure has no figure or rank.")
    score_text: str
    calculation: str = Field(examples=["3.33 + (75.0% − 70.0%) ÷ (80.0% − 70.0%) × 3.33 = 5.00"])


class AreaScoreOut(Schema):
    """An area's score: the weighted average of its measures' scores."""

    code: str
    name: str
    weight: float
    score: float | None
    score_text: str
    calculation: str
    measures: list[MeasureScoreOut]


class ScoresOut(Schema):
    """The scores of a unit; ``scored`` is false when no measure of the unit is scored."""

    scored: bool
    scale: Literal["spider", "nof"] | None = None
    scale_text: str | None = None
    score: float | None = Field(None, description="The overall or average metric score.")
    score_text: str | None = None
    calculation: str | None = None
    band: Literal["red", "yellow", "green"] | None = Field(None, description="Spider Impact.")
    band_text: str | None = None
    segment: int | None = Field(None, description="NHS Oversight Framework: 1 to 4.")
    areas: list[AreaScoreOut] = Field(default_factory=list)


class UnitScoresOut(Schema):
    """A unit's scores as at a period: the same data as its scores page."""

    organisation: Named
    unit: Named
    period: str | None
    as_at: str
    scores: ScoresOut


class ScoreFilters(Schema):
    unit: str = Field(description="The unit (code).")
    period: str | None = Field(None, description="As at this period (default: the latest).")


@api.get(
    "/organisations/{org}/scores",
    response={200: UnitScoresOut, 400: Error, **NOT_VISIBLE},
    tags=["assessments"],
    summary="A unit's scores and segment",
)
def scores(request: HttpRequest, org: str, filters: Query[ScoreFilters]) -> dict[str, Any]:
    """Score a unit's measures as the framework's scoring section says, with each calculation."""
    organisation, membership = pages.reader(request, org)
    unit = unit_for(request.user, organisation, filters.unit)
    allowed = shared_areas(membership, organisation)
    try:
        return scores_page(
            organisation,
            unit,
            period=_period(filters.period, "period"),
            areas=sorted(allowed) if allowed is not None else None,
        )
    except LookupError as error:
        raise BadRequest(str(error.args[0])) from None
