"""Build a cycle's quarterly outcomes report: every measure of the organisation as a whole."""

from __future__ import annotations

from typing import Any

from pmf.core.periods import parse_period
from pmf.core.scorecard import MARKS_LEGEND
from pmf.core.text import format_value
from pmf.reports.document import Bullets, Document, Paragraph, Section, Table
from pmf.web.cycles.models import Cycle
from pmf.web.cycles.services import previous_cycle
from pmf.web.observations.marks import marks_for
from pmf.web.papers.builders.calculated import formula_notes
from pmf.web.papers.builders.common import cycle_parts


def outcomes_report(cycle: Cycle) -> Document:
    """Return the quarterly outcomes of the organisation as a whole, with comparative information.

    Every measure of the top unit, area by area: its value at the cut-off, at the previous
    cycle's cut-off and a year before, its standard and whether it is met, the MSG average
    and its rank, and the national value where the framework has one.
    """
    from pmf.core.scorecard import DIRECTION_LEGEND, SPC_LEGEND, build_scorecard

    framework, assessment, _, label = cycle_parts(cycle)
    top = framework.roots()[0]
    previous = previous_cycle(cycle)
    scorecard = build_scorecard(
        framework,
        assessment,
        top.code,
        as_at=label,
        previous=parse_period(previous.cut_off).label if previous else None,
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
            "About this report",
            (
                Paragraph(
                    f"The outcomes of {top.name} at the cut-off of cycle {cycle.number} (data to "
                    f"{label}), measure by measure, against the last cycle"
                    + (f" (cycle {previous.number})" if previous else "")
                    + ", the same period last year, the standard, the Most Similar Group of "
                    "peers and, where there is one, the national value."
                ),
                Paragraph(f"Directions of travel: {DIRECTION_LEGEND}"),
                Paragraph(f"SPC: {SPC_LEGEND}"),
                *((Paragraph(f"Marks: {MARKS_LEGEND}"),) if scorecard.has_marks else ()),
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
                        caption=f"{section.title}: outcomes of {top.name}",
                        header=(
                            "Measure",
                            "Value",
                            "Last cycle",
                            "Last year",
                            "Standard",
                            "Met",
                            "MSG average",
                            "MSG rank",
                            "National",
                        ),
                        rows=tuple(
                            (
                                row.name,
                                f"{row.value_marked} ({row.period_label})",
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
                                row.met_text,
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
        title=f"{cycle.organisation.name}: quarterly outcomes, cycle {cycle.number}",
        subtitle=f"{cycle.name}; data to {label}",
        organisation=cycle.organisation.name,
        sections=tuple(sections),
    )


def _then(value: float | None, direction: str, measure: Any) -> str:
    """Return an earlier figure with the direction of travel since, as "1.46 (↓ better)"."""
    if value is None:
        return "–"
    return f"{format_value(value, measure)} ({direction})"
