"""The board paper's appendix of scores: the top unit's measures scored and weighted, at the lock.

Computed by ``pmf.core.scoring`` from the framework the cycle was locked with (its weights
and thresholds) and its scorecard at the cut-off (the values as held when the data were
locked), as the unit's scores page computes them from today's.
"""

from __future__ import annotations

from pmf.core.scorecard import build_scorecard
from pmf.core.scoring import MeasureValue, score_unit
from pmf.reports.document import Paragraph, Section, Table
from pmf.web.cycles.models import Cycle
from pmf.web.papers.builders.common import cycle_parts


def scores_appendix(cycle: Cycle, top: str, top_name: str, number: str) -> tuple[Section, ...]:
    """Return the appendix of ``top``'s scores at the cycle's cut-off, or none without scoring."""
    framework, assessment, _, label = cycle_parts(cycle)
    if framework.model.scoring is None:
        return ()
    values = {
        row.measure: MeasureValue(row.measure, row.period, row.value, row.rank, row.group_size)
        for row in build_scorecard(framework, assessment, top).rows()
    }
    scores = score_unit(framework, top, values)
    if scores is None:
        return ()
    nof = scores.scale == "nof"
    overall = (
        f"The average metric score is {_number(scores.score)}: {scores.calculation}."
        if nof
        else f"The overall score is {_number(scores.score)}"
        + (f" ({scores.band})" if scores.band else "")
        + f": {scores.calculation}."
    )
    blocks: list[Paragraph | Table] = [
        Paragraph(
            f"{top_name}'s measures scored as the framework sets out ({scores.scale_text}), from "
            f"the values at the cut-off (data to {label}). Each measure's weight, thresholds "
            f"and calculation are shown; {'every metric score' if nof else 'each area score'} "
            f"counts by its weight. {overall}"
        ),
        Table(
            caption=f"{top_name}: scores by area, data to {label}",
            header=("Area", "Score", "Calculation"),
            rows=tuple((area.name, _number(area.score), area.calculation) for area in scores.areas),
        ),
        Table(
            caption=f"{top_name}: scores by measure, data to {label}",
            header=("Measure", "Figure", "Thresholds", "Weight", "Score", "Calculation"),
            rows=tuple(
                (
                    item.name,
                    item.value_text,
                    item.thresholds,
                    f"{item.weight:g}",
                    _number(item.score),
                    item.calculation,
                )
                for item in scores.measures
            ),
        ),
    ]
    return (Section(number, f"Scores of {top_name}", tuple(blocks)),)


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
