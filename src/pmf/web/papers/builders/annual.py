"""Build the annual report: a year's grades, outcomes and what was done about them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from pmf.core.history import number_words
from pmf.core.periods import parse_period
from pmf.core.scorecard import MARKS_LEGEND, met_words
from pmf.core.text import period_name
from pmf.reports.document import Bullets, Document, Paragraph, Section, Table
from pmf.web.cycles.services import cut_off_date, cycle_assessment, cycle_framework
from pmf.web.frameworks.services import grade_scale
from pmf.web.observations.marks import marks_for
from pmf.web.papers.builders.calculated import formula_notes
from pmf.web.papers.builders.common import in_language, paper_language
from pmf.web.papers.builders.delay import delay_section
from pmf.web.returns.papers import returns_sections


def annual_report(organisation: Any, year: str) -> Document:
    """Return the year's report: the grades of each cycle, the outcomes at each cut-off, and
    what was done about them (interventions, recommendations).

    ``year`` is any period pmf reads ("2024/25", "2024"); the cycles counted are the locked
    ones whose cut-off falls within it. Raise ``ValueError`` when none does.
    """
    from pmf.core.scorecard import build_scorecard
    from pmf.web.interventions.models import Intervention
    from pmf.web.recommendations.services import recommendation_counts

    span = parse_period(year)
    cycles = [
        cycle
        for cycle in organisation.cycles.filter(locked_at__isnull=False).order_by("number")
        if span.start <= cut_off_date(cycle) <= span.end
    ]
    if not cycles:
        raise ValueError(
            _("{organisation} has no locked cycle with data to a month in {year}").format(
                organisation=organisation.code, year=span.label
            )
        )
    last = cycles[-1]
    framework = cycle_framework(last)
    top = framework.roots()[0]
    titles = {area.code: area.title for area in framework.areas}
    grade_rows = []
    scale = grade_scale(organisation)
    for cycle in cycles:
        grades = {
            g.area.code: g.grade
            for g in cycle.grades.filter(unit__code=top.code).select_related("area")
        }
        grade_rows.append(
            (
                _("{number}: {name} (data to {period})").format(
                    number=cycle.number, name=cycle.name, period=period_name(cycle.cut_off)
                ),
                *(scale.label(grades.get(code) or "no_grade") for code in titles),
            )
        )
    # Each measure of the organisation as a whole at each cycle's cut-off.
    values: dict[str, list[str]] = {}
    met: dict[str, str] = {}
    any_marked = False
    for cycle in cycles:
        assessment = cycle_assessment(cycle, units=[top.code])
        locked_with = cycle_framework(cycle)
        scorecard = build_scorecard(
            locked_with,
            assessment,
            top.code,
            marks=marks_for(
                organisation,
                locked_with,
                as_at=cycle.locked_at,
                units=[top.code, *(unit.code for unit in locked_with.descendants(top.code))],
                periods=set(assessment["period"].to_list()),
            ),
        )
        any_marked = any_marked or scorecard.has_marks
        shown = {row.measure: row for row in scorecard.rows()}
        for measure in framework.measures:
            row = shown.get(measure.code)
            values.setdefault(measure.code, []).append(row.value_marked if row else "–")
            if cycle is last and row is not None and row.standard:
                met[measure.code] = _("{met}. Standard: {standard}").format(
                    met=met_words(row.met_text), standard=row.standard_text
                )
    area_sections = []
    for index, area in enumerate(framework.areas, start=1):
        measures = [
            m
            for m in framework.measures
            if m.area == area.code and any(v != "–" for v in values[m.code])
        ]
        if not measures:
            continue
        area_sections.append(
            Section(
                f"3.{index}",
                area.title,
                (
                    Table(
                        caption=_("{area}: {unit} at each cut-off in {year}").format(
                            area=area.title, unit=top.name, year=span.label
                        ),
                        header=(
                            _("Measure"),
                            *(_("Cycle {number}").format(number=c.number) for c in cycles),
                            _("At year end"),
                        ),
                        rows=tuple(
                            (m.name, *values[m.code], met.get(m.code, "–")) for m in measures
                        ),
                    ),
                    *formula_notes(framework, [m.code for m in measures]),
                ),
            )
        )
    interventions = Intervention.objects.filter(
        organisation=organisation, agreed_on__gte=span.start, agreed_on__lte=span.end
    )
    by_status: dict[str, int] = {}
    for intervention in interventions:
        label = intervention.get_status_display()
        by_status[label] = by_status.get(label, 0) + 1
    counts = recommendation_counts(organisation)
    actions: list[Paragraph | Bullets | Table] = [
        Paragraph(
            (
                # xgettext: no-python-brace-format (the Welsh gives {number} in figures)
                _("{count} interventions were agreed in {year}: {statuses}.")
                if by_status
                # xgettext: no-python-brace-format (the Welsh gives {number} in figures)
                else _("{count} interventions were agreed in {year}.")
            ).format(
                count=number_words(sum(by_status.values()), capital=True),
                number=sum(by_status.values()),
                year=span.label,
                statuses=", ".join(
                    _("{count} {status}").format(count=count, status=label.lower())
                    for label, count in by_status.items()
                ),
            )
        ),
        Paragraph(
            (
                _(
                    "Inspection and audit recommendations: {complete} of {total} complete "
                    "({percent}%), {overdue} overdue, as they stand now."
                )
                if counts["percent_complete"] is not None
                else _(
                    "Inspection and audit recommendations: {complete} of {total} complete, "
                    "{overdue} overdue, as they stand now."
                )
            ).format(
                complete=counts["complete"],
                total=counts["total"],
                percent=f"{counts['percent_complete']:g}"
                if counts["percent_complete"] is not None
                else "",
                overdue=counts["overdue"],
            )
        ),
    ]
    return Document(
        title=_("{organisation}: annual report, {year}").format(
            organisation=organisation.name, year=span.label
        ),
        subtitle=_("{count} quarterly cycles, data to {period}").format(
            count=len(cycles), period=period_name(last.cut_off)
        ),
        organisation=organisation.name,
        language=paper_language(),
        sections=(
            Section(
                "1.0",
                _("About this report"),
                (
                    Paragraph(
                        _(
                            "The year {year} for {unit}: the grades of each quarterly cycle "
                            "whose data end in the year, each measure at each cycle's cut-off, "
                            "and what was done about performance that fell short."
                        ).format(year=span.label, unit=top.name)
                    ),
                ),
            ),
            Section(
                "2.0",
                _("Grades through the year"),
                (
                    Table(
                        caption=_("Grades of {unit}, cycle by cycle").format(unit=top.name),
                        header=(_("Cycle"), *titles.values()),
                        rows=tuple(grade_rows),
                    ),
                ),
            ),
            Section(
                "3.0",
                _("Outcomes through the year"),
                (Paragraph(_("Marks: {legend}").format(legend=in_language(MARKS_LEGEND))),)
                if any_marked
                else (),
                tuple(area_sections),
            ),
            Section("4.0", _("Acting on performance"), tuple(actions)),
            delay_section(organisation, cycles, "5.0"),
            *returns_sections(organisation, span, "6.0"),
        ),
    )
