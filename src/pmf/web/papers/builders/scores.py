"""The board paper's appendix of scores: the top unit's measures scored and weighted, at the lock.

Computed by ``pmf.core.scoring`` from the framework the cycle was locked with (its weights
and thresholds) and its scorecard at the cut-off (the values as held when the data were
locked), as the unit's scores page computes them from today's.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from pmf.core.scorecard import build_scorecard
from pmf.core.scoring import MeasureValue, score_unit
from pmf.reports.document import Paragraph, Section, Table
from pmf.web.cycles.models import Cycle
from pmf.web.papers.builders.common import cycle_parts


def scores_appendix(cycle: Cycle, top: str, top_name: str, number: str) -> tuple[Section, ...]:
    """Return the appendix of ``top``'s scores at the cycle's cut-off, or none without scoring."""
    framework, assessment, _units, label = cycle_parts(cycle)
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
    words = {
        "score": _number(scores.score),
        "calculation": scores.calculation,
        "band": scores.band,
        "unit": top_name,
        "scale": _(scores.scale_text),
        "period": label,
    }
    if nof:
        overall = _("The average metric score is {score}: {calculation}.").format(**words)
    elif scores.band:
        overall = _("The overall score is {score} ({band}): {calculation}.").format(**words)
    else:
        overall = _("The overall score is {score}: {calculation}.").format(**words)
    blocks: list[Paragraph | Table] = [
        Paragraph(
            (
                _(
                    "{unit}'s measures scored as the framework sets out ({scale}), from the values "
                    "at the cut-off (data to {period}). Each measure's weight, thresholds and "
                    "calculation are shown; every metric score counts by its weight."
                )
                if nof
                else _(
                    "{unit}'s measures scored as the framework sets out ({scale}), from the values "
                    "at the cut-off (data to {period}). Each measure's weight, thresholds and "
                    "calculation are shown; each area score counts by its weight."
                )
            ).format(**words)
            + f" {overall}"
        ),
        Table(
            caption=_("{unit}: scores by area, data to {period}").format(**words),
            header=(_("Area"), _("Score"), _("Calculation")),
            rows=tuple((area.name, _number(area.score), area.calculation) for area in scores.areas),
        ),
        Table(
            caption=_("{unit}: scores by measure, data to {period}").format(**words),
            header=(
                _("Measure"),
                _("Figure"),
                _("Thresholds"),
                _("Weight"),
                _("Score"),
                _("Calculation"),
            ),
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
    return (
        Section(number, _("Scores of {unit}").format(unit=top_name), tuple(blocks), appendix=True),
    )


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
