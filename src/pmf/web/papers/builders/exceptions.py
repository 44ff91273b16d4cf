"""Build a cycle's exception report: only what needs attention at the cut-off, unit by unit."""

from __future__ import annotations

from pmf.core.history import number_words
from pmf.core.scorecard import MARKS_LEGEND
from pmf.reports.document import Bullets, Document, Paragraph, Section, Table
from pmf.web.cycles.models import Cycle
from pmf.web.observations.marks import marks_for
from pmf.web.papers.builders.calculated import formula_notes
from pmf.web.papers.builders.common import cycle_parts


def exception_report(cycle: Cycle) -> Document:
    """Return only what needs attention at the cycle's cut-off, unit by unit.

    An exception is a measure not met, or deteriorating against both the previous period
    and the same period last year (the scorecard's "exceptions only"); each is listed with
    its standard, its directions of travel, its place among its peers and its SPC variation.
    """
    from pmf.core.scorecard import DIRECTION_LEGEND, SPC_LEGEND, VARIATION_WORDS, build_scorecard

    framework, assessment, internal, label = cycle_parts(cycle)
    marks = marks_for(
        cycle.organisation,
        framework,
        as_at=cycle.locked_at,
        periods=set(assessment["period"].to_list()),
    )
    sections: list[Section] = []
    total = 0
    any_marked = False
    for unit in internal:
        scorecard = build_scorecard(
            framework, assessment, unit.code, exceptions_only=True, marks=marks
        )
        rows = scorecard.rows()
        if not rows:
            continue
        total += len(rows)
        any_marked = any_marked or scorecard.has_marks
        notes = [f"{row.name}: {row.note}." for row in rows if row.note]
        blocks: list[Paragraph | Bullets | Table] = [
            Table(
                caption=f"Exceptions for {unit.name}",
                header=(
                    "Measure",
                    "Value",
                    "Standard",
                    "Met",
                    "v. previous",
                    "v. last year",
                    "MSG rank",
                    "SPC",
                ),
                rows=tuple(
                    (
                        row.name,
                        f"{row.value_marked} ({row.period_label})",
                        row.standard_text,
                        row.met_text,
                        row.direction_previous_text,
                        row.direction_last_year_text,
                        row.rank_text,
                        VARIATION_WORDS.get(row.variation or "", "–"),
                    )
                    for row in rows
                ),
            )
        ]
        if notes:
            blocks.append(Bullets(tuple(notes)))
        blocks.extend(formula_notes(framework, [row.measure for row in rows]))
        sections.append(Section(f"{len(sections) + 2}.0", unit.name, tuple(blocks)))
    intro = Section(
        "1.0",
        "About this report",
        (
            Paragraph(
                f"Only what needs attention at the cut-off of cycle {cycle.number} (data to "
                f"{label}): each measure not met against its standard, or deteriorating against "
                "both the previous period and the same period last year, for every unit. "
                f"{number_words(total, capital=True)} exceptions in "
                f"{number_words(len(sections))} units."
            ),
            Paragraph(f"Directions of travel: {DIRECTION_LEGEND}"),
            Paragraph(f"SPC: {SPC_LEGEND}"),
            *((Paragraph(f"Marks: {MARKS_LEGEND}"),) if any_marked else ()),
        ),
    )
    return Document(
        title=f"{cycle.organisation.name}: exception report, cycle {cycle.number}",
        subtitle=f"{cycle.name}; data to {label}",
        organisation=cycle.organisation.name,
        sections=(intro, *sections)
        if sections
        else (intro, Section("2.0", "No exceptions", (Paragraph("Nothing needs attention."),))),
    )
