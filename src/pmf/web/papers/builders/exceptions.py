"""Build a cycle's exception report: only what needs attention at the cut-off, unit by unit."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmf.core.history import number_words
from pmf.core.scorecard import MARKS_LEGEND, met_words
from pmf.core.text import period_name
from pmf.reports.document import Bullets, Document, Paragraph, Section, Table
from pmf.web.cycles.models import Cycle
from pmf.web.observations.marks import marks_for
from pmf.web.papers.builders.calculated import formula_notes
from pmf.web.papers.builders.common import cycle_parts, in_language, paper_language


def exception_report(cycle: Cycle) -> Document:
    """Return only what needs attention at the cycle's cut-off, unit by unit.

    An exception is a measure not met, or deteriorating against both the previous period
    and the same period last year (the scorecard's "exceptions only"); each is listed with
    its standard, its directions of travel, its place among its peers and its SPC variation.
    """
    from pmf.core.scorecard import (
        DIRECTION_LEGEND,
        SPC_LEGEND,
        build_scorecard,
        variation_words,
    )

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
                caption=_("Exceptions for {unit}").format(unit=unit.name),
                header=(
                    _("Measure"),
                    _("Value"),
                    _("Standard"),
                    _("Met"),
                    _("v. previous"),
                    _("v. last year"),
                    _("MSG rank"),
                    _("SPC"),
                ),
                rows=tuple(
                    (
                        row.name,
                        f"{row.value_marked} ({period_name(row.period)})",
                        row.standard_text,
                        met_words(row.met_text),
                        row.direction_previous_text,
                        row.direction_last_year_text,
                        row.rank_text,
                        variation_words(row.variation, "–"),
                    )
                    for row in rows
                ),
            )
        ]
        if notes:
            blocks.append(Bullets(tuple(notes)))
        blocks.extend(formula_notes(framework, [row.measure for row in rows]))
        sections.append(Section(f"{len(sections) + 2}.0", unit.name, tuple(blocks)))
    # The count in words ("Three exceptions in two units"), and in figures for a language
    # whose words for numbers change with the noun.
    count = {
        "exceptions": number_words(total, capital=True),
        "units": number_words(len(sections)),
        "exception_count": total,
        "unit_count": len(sections),
    }
    intro = Section(
        "1.0",
        _("About this report"),
        (
            Paragraph(
                _(
                    "Only what needs attention at the cut-off of cycle {number} (data to "
                    "{period}): each measure not met against its standard, or deteriorating "
                    "against both the previous period and the same period last year, for every "
                    "unit."
                ).format(number=cycle.number, period=label)
                + " "
                + _counted(total, len(sections)).format(**count)
            ),
            Paragraph(
                _("Directions of travel: {legend}").format(legend=in_language(DIRECTION_LEGEND))
            ),
            Paragraph(_("SPC: {legend}").format(legend=in_language(SPC_LEGEND))),
            *(
                (Paragraph(_("Marks: {legend}").format(legend=in_language(MARKS_LEGEND))),)
                if any_marked
                else ()
            ),
        ),
    )
    return Document(
        title=_("{organisation}: exception report, cycle {number}").format(
            organisation=cycle.organisation.name, number=cycle.number
        ),
        subtitle=_("{name}; data to {period}").format(name=cycle.name, period=label),
        organisation=cycle.organisation.name,
        sections=(intro, *sections)
        if sections
        else (
            intro,
            Section("2.0", _("No exceptions"), (Paragraph(_("Nothing needs attention.")),)),
        ),
        language=paper_language(),
    )


def _counted(exceptions: int, units: int) -> str:
    """Return the sentence counting the exceptions and their units, one or more of each."""
    # The Welsh gives the counts in figures ({exception_count}, {unit_count}).
    if units == 1:
        return ngettext(
            # xgettext: no-python-brace-format
            "{exceptions} exception in one unit.",
            "{exceptions} exceptions in one unit.",
            exceptions,
        )
    return ngettext(
        # xgettext: no-python-brace-format
        "{exceptions} exception in {units} units.",
        "{exceptions} exceptions in {units} units.",
        exceptions,
    )
