"""Shape a unit's scores (``pmf.core.scoring``) for its page, its JSON twin, papers and commands.

The values scored are the unit's scorecard's (``scorecard_page``): the latest figure of each
measure as at the period, and its rank in the peer group, so the scores say what the
scorecard says.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmf.core.framework import Framework
from pmf.core.periods import Period
from pmf.core.scorecard import Scorecard
from pmf.core.scoring import MeasureValue, UnitScores, score_unit
from pmf.web.frameworks.models import Organisation, Unit

BAND_WORDS = {
    "green": gettext_lazy("at or beyond the goal"),
    "yellow": gettext_lazy("between the red flag and the goal"),
    "red": gettext_lazy("at or beyond the red flag"),
}


def unit_scores(
    organisation: Organisation, unit: Unit, period: Period | None = None
) -> UnitScores | None:
    """Return the unit's scores as at ``period`` (default: latest), or None without scoring.

    Raise ``LookupError`` as the scorecard does (a period with no values).
    """
    from pmf.web.frameworks.services import framework_of
    from pmf.web.scorecards.presenters import scorecard_page

    framework = framework_of(organisation)
    if framework.model.scoring is None:
        return None
    scorecard = scorecard_page(organisation, unit, period=period)
    values = {
        row["measure"]: MeasureValue(
            measure=row["measure"],
            period=row["period"],
            value=row["value"],
            rank=row["rank"],
            group_size=row["group_size"],
        )
        for area in scorecard["areas"]
        for row in area["measures"]
    }
    return score_unit(framework, unit.code, values)


def scores_data(scores: UnitScores | None, areas: list[str] | None = None) -> dict[str, Any]:
    """Return ``scores`` as plain data: areas with their measures, weights and calculations.

    ``areas``, when given, are the only areas the reader may see (a partner's sharing
    agreement): the others are left out, and so is the overall score, which they count in.
    """
    if scores is None:
        return {"scored": False}
    shown = [area for area in scores.areas if areas is None or area.area in areas]
    whole = len(shown) == len(scores.areas)
    return {
        "scored": True,
        "scale": scores.scale,
        "scale_text": _(scores.scale_text),
        "score": scores.score if whole else None,
        "score_text": _number(scores.score) if whole else "–",
        "calculation": scores.calculation if whole else _("not shown: it counts areas not shared"),
        "band": scores.band if whole else None,
        "band_text": str(BAND_WORDS.get(scores.band or "", "")) if whole else "",
        "segment": scores.segment if whole else None,
        "areas": [
            {
                "code": area.area,
                "name": area.name,
                "weight": area.weight,
                "score": area.score,
                "score_text": _number(area.score),
                "calculation": area.calculation,
                "measures": [
                    {
                        "measure": item.measure,
                        "name": item.name,
                        "period": item.period,
                        "period_label": _label(item.period),
                        "value": item.value,
                        "value_text": item.value_text,
                        "weight": item.weight,
                        "method": item.method,
                        "thresholds": item.thresholds,
                        "score": item.score,
                        "score_text": _number(item.score),
                        "calculation": item.calculation,
                    }
                    for item in area.measures
                ],
            }
            for area in shown
        ],
    }


def scores_page(
    organisation: Organisation,
    unit: Unit,
    *,
    period: Period | None = None,
    areas: list[str] | None = None,
) -> dict[str, Any]:
    """Return a unit's scores page: the organisation, the unit, the period and the scores."""
    scores = unit_scores(organisation, unit, period)
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "unit": {"code": unit.code, "name": unit.name},
        "period": period.code if period is not None else None,
        "as_at": period.label if period is not None else _("the latest figures"),
        "scores": scores_data(scores, areas),
    }


def _label(code: str | None) -> str:
    from pmf.core.text import period_name

    return period_name(code) if code else "–"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def scorecard_scores(
    organisation: Organisation,
    unit: Unit,
    period: Period | None = None,
    areas: list[str] | None = None,
) -> dict[str, Any]:
    """Return the unit's area and overall scores for its scorecard page ({} without scoring)."""
    try:
        scores = unit_scores(organisation, unit, period)
    except LookupError:
        return {}
    return scores_data(scores, areas) if scores is not None else {}


def scores_of_scorecard(framework: Framework, scorecard: Scorecard) -> dict[str, Any]:
    """Return the scores of a scorecard already built (a published cycle's), as plain data."""
    values = {
        row.measure: MeasureValue(row.measure, row.period, row.value, row.rank, row.group_size)
        for row in scorecard.rows()
    }
    return scores_data(score_unit(framework, scorecard.unit, values))
