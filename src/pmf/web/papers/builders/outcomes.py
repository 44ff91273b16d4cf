"""Build a cycle's quarterly outcomes report: every measure of the organisation as a whole."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from pmf.core.scorecard import MARKS_LEGEND, met_words
from pmf.core.text import format_value, period_name
from pmf.reports.document import Bullets, Document, Paragraph, Section, Table
from pmf.web.cycles.models import Cycle
from pmf.web.cycles.services import previous_cycle
from pmf.web.observations.marks import marks_for
from pmf.web.papers.builders.calculated import formula_notes
from pmf.web.papers.builders.common import cycle_parts, in_language, paper_language


def outcomes_report(cycle: Cycle) -> Document:
    """Return the quarterly outcomes of the organisation as a whole, with comparative information.

    Every measure of the top unit, area by area: its value at the cut-off, at the previous
    cycle's cut-off and a year before, its standard and whether it is met, the MSG average
    and its rank, and the national value where the framework has one.
    """
    from pmf.core.scorecard import DIRECTION_LEGEND, SPC_LEGEND, build_scorecard

    framework, assessment, _units, label = cycle_parts(cycle)
    top = framework.roots()[0]
    previous = previous_cycle(cycle)
    scorecard = build_scorecard(
        framework,
        assessment,
        top.code,
        as_at=label,
        previous=period_name(previous.cut_off) if previous else None,
        marks=marks_for(
            cycle.organisation,
            framework,
            as_at=cycle.locked_at,
            units=[top.code, *(unit.code for unit in framework.descendants(top.code))],
            periods=set(assessment["period"].to_list()),
        ),
    )
    sections = [
        Section(
            "1.0",
            _("About this report"),
            (
                Paragraph(
                    (
                        _(
                            "The outcomes of {unit} at the cut-off of cycle {number} (data to "
                            "{period}), measure by measure, against the last cycle (cycle "
                            "{previous}), the same period last year, the standard, the Most "
                            "Similar Group of peers and, where there is one, the national value."
                        )
                        if previous
                        else _(
                            "The outcomes of {unit} at the cut-off of cycle {number} (data to "
                            "{period}), measure by measure, against the last cycle, the same "
                            "period last year, the standard, the Most Similar Group of peers and, "
                            "where there is one, the national value."
                        )
                    ).format(
                        unit=top.name,
                        number=cycle.number,
                        period=label,
                        previous=previous.number if previous else "",
                    )
                ),
                Paragraph(
                    _("Directions of travel: {legend}").format(legend=in_language(DIRECTION_LEGEND))
                ),
                Paragraph(_("SPC: {legend}").format(legend=in_language(SPC_LEGEND))),
                *(
                    (Paragraph(_("Marks: {legend}").format(legend=in_language(MARKS_LEGEND))),)
                    if scorecard.has_marks
                    else ()
                ),
            ),
        )
    ]
    for index, section in enumerate(scorecard.sections, start=2):
        if not section.rows:
            continue
        measures = {m.code: m for m in framework.measures}
        sections.append(
            Section(
                f"{index}.0",
                section.title,
                (
                    Table(
                        caption=_("{area}: outcomes of {unit}").format(
                            area=section.title, unit=top.name
                        ),
                        header=(
                            _("Measure"),
                            _("Value"),
                            _("Last cycle"),
                            _("Last year"),
                            _("Standard"),
                            _("Met"),
                            _("MSG average"),
                            _("MSG rank"),
                            _("National"),
                        ),
                        rows=tuple(
                            (
                                row.name,
                                f"{row.value_marked} ({period_name(row.period)})",
                                _then(
                                    row.previous_cycle_value,
                                    row.direction_previous_cycle_text,
                                    measures[row.measure],
                                ),
                                _then(
                                    row.last_year_value,
                                    row.direction_last_year_text,
                                    measures[row.measure],
                                ),
                                row.standard_text,
                                met_words(row.met_text),
                                format_value(row.peer_average, measures[row.measure])
                                if row.peer_average is not None
                                else "–",
                                row.rank_text,
                                format_value(row.national_value, measures[row.measure])
                                if row.national_value is not None
                                else "–",
                            )
                            for row in section.rows
                        ),
                    ),
                    *(
                        [
                            Bullets(
                                tuple(
                                    f"{row.name}: {row.note}." for row in section.rows if row.note
                                )
                            )
                        ]
                        if any(row.note for row in section.rows)
                        else []
                    ),
                    *formula_notes(framework, [row.measure for row in section.rows]),
                ),
            )
        )
    return Document(
        title=_("{organisation}: quarterly outcomes, cycle {number}").format(
            organisation=cycle.organisation.name, number=cycle.number
        ),
        subtitle=_("{name}; data to {period}").format(name=cycle.name, period=label),
        organisation=cycle.organisation.name,
        sections=tuple(sections),
        language=paper_language(),
    )


def _then(value: float | None, direction: str, measure: Any) -> str:
    """Return an earlier figure with the direction of travel since, as "1.46 (↓ better)"."""
    if value is None:
        return "–"
    return f"{format_value(value, measure)} ({direction})"
