"""Build a cycle's board paper as a ``pmf.reports.document.Document``.

Shaped like the seed force paper: purpose, recommendations, executive summary (grades and
the changes since the last cycle), background, the rationale for each area with its
redlines and KPIs and an SPC chart of each redline, implications, and appendices with the
tube map and the grade tables. Every number comes from the cycle as it was locked: its
framework, the figures held at the lock, its recorded grades and rationale.
"""

from __future__ import annotations

import warnings
from typing import Any

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmf.core.calculation import with_rollup_inputs
from pmf.core.framework import NO_GRADE, Framework, Kind
from pmf.core.grading import DEFAULT_SCALE, GradeScale
from pmf.core.history import changes_summary, grade_changes, number_words
from pmf.core.periods import parse_period
from pmf.core.rollup import roll_up
from pmf.core.scorecard import MARKS, MARKS_LEGEND, NO_MARKS, ObservationMarks, marked
from pmf.core.text import format_value, join_words, period_name
from pmf.reports.charts import drawn, svg_as_png
from pmf.reports.charts.peer import peer_chart
from pmf.reports.charts.spc import spc_chart
from pmf.reports.charts.tube import tube_map_svg
from pmf.reports.document import (
    Bullets,
    Chart,
    Document,
    Paragraph,
    Section,
    Table,
    appendix_number,
)
from pmf.web.commentary.papers import commentary_blocks
from pmf.web.cycles import languages
from pmf.web.cycles.models import AreaGrade, Cycle
from pmf.web.cycles.services import (
    cut_off_date,
    cycle_framework,
    draw_spot_checks,
    grade_history,
    previous_cycle,
    spot_check_summary,
)
from pmf.web.frameworks.services import grade_scale
from pmf.web.observations.marks import marks_for
from pmf.web.observations.services import held_observations
from pmf.web.papers.builders.calculated import formula_sentence
from pmf.web.papers.builders.common import cycle_parts, in_language, long_date, paper_language
from pmf.web.papers.builders.drivers import drivers_assessment, key_driver_blocks
from pmf.web.papers.builders.maps import map_blocks
from pmf.web.papers.builders.membership import membership_paragraphs
from pmf.web.papers.builders.periods import period_sections
from pmf.web.papers.builders.scores import scores_appendix
from pmf.web.scorecards.presenters import mark_items, peer_comparison, spc_series


def board_paper(cycle: Cycle) -> Document:
    """Return the board paper of a locked cycle; raise ``ValueError`` for a draft."""
    if cycle.locked_at is None:
        raise ValueError(
            _("cycle {number} is a draft: lock its data first").format(number=cycle.number)
        )
    organisation = cycle.organisation
    framework = cycle_framework(cycle)
    previous = previous_cycle(cycle)
    grades = list(cycle.grades.select_related("unit", "area"))
    before = list(previous.grades.select_related("unit", "area")) if previous else []
    tops = [unit for unit in framework.roots() if not unit.external]
    top = tops[0]
    # The marks of the redlines' figures as held at the lock, for the tables of their charts:
    # every unit's, as the peer tables show the top unit's peers.
    marks = marks_for(
        organisation,
        framework,
        as_at=cycle.locked_at,
        measures=[measure.code for measure in framework.measures if measure.kind is Kind.REDLINE],
    )
    current = {(g.unit.code, g.area.code): g.grade for g in grades}
    earlier = {(g.unit.code, g.area.code): g.grade for g in before}
    unit_names = {unit.code: unit.name for unit in framework.units}
    area_names = {area.code: area.name for area in framework.areas}
    titles = {area.code: area.title for area in framework.areas}
    top_grades = {g.area.code: g for g in grades if g.unit.code == top.code}
    # The cycle's assessment of every internal unit, once: the MDC summary's rows and the
    # maps' comparison of each unit with the standard.
    parts = cycle_parts(cycle)
    areas = tuple(
        _area_section(
            cycle, framework, top.code, top.name, area.code, titles, index, marks, parts[1]
        )
        for index, area in enumerate(framework.areas, start=1)
        if area.code in top_grades
    )
    data_to = period_name(cycle.cut_off)
    board = long_date(cycle.board_date) if cycle.board_date else _("not yet held")
    summary = (
        changes_summary(
            grade_changes(earlier, current, grade_scale(organisation)),
            top_unit=top.code,
            unit_names=unit_names,
            area_names=area_names,
        )
        if previous
        else None
    )
    scores = scores_appendix(cycle, top.code, top.name, appendix_number(4))
    sections = [
        Section(
            "1.0",
            _("Purpose of report"),
            (
                Paragraph(
                    (
                        _(
                            "This paper provides an overview of the final grades for cycle "
                            "{number} ({name}) of {organisation}'s scorecard, and the rationale "
                            "for the grades of {unit} as a whole, as determined at the board on "
                            "{date}. Data for cycle {number} are to {period}."
                        )
                        if cycle.board_date
                        else _(
                            "This paper provides an overview of the final grades for cycle "
                            "{number} ({name}) of {organisation}'s scorecard, and the rationale "
                            "for the grades of {unit} as a whole, as determined at the board "
                            "(not yet held). Data for cycle {number} are to {period}."
                        )
                    ).format(
                        number=cycle.number,
                        name=cycle.name,
                        organisation=organisation.name,
                        unit=top.name,
                        date=board,
                        period=data_to,
                    )
                ),
            ),
        ),
        Section(
            "2.0",
            _("Recommendations"),
            (Paragraph(_("There are no recommendations. This report is for the board to note.")),),
        ),
        Section(
            "3.0",
            _("Executive summary"),
            _executive_summary(
                framework,
                top.name,
                top_grades,
                titles,
                summary,
                previous,
                grade_scale(organisation),
            ),
        ),
        Section(
            "4.0",
            _("Introduction and background"),
            (
                *_background(framework, organisation.name, grade_scale(organisation)),
                _data_quality(cycle),
                *membership_paragraphs(cycle),
            ),
        ),
        Section(
            "5.0",
            _("Current work and performance"),
            (
                Paragraph(
                    _(
                        "The rationale for the grades of {unit} follows, area by area. Data for "
                        "cycle {number} are to {period}."
                    ).format(unit=top.name, number=cycle.number, period=data_to)
                ),
                *_marks_legend(section for _depth, section in _walk(areas)),
            ),
            areas,
        ),
        Section(
            "6.0",
            _("Implications"),
            (
                Paragraph(
                    _(
                        "The scorecard is used to identify and address performance issues at "
                        "{unit} level and below; the focus is on the areas graded at {grades}, "
                        "which are taken to the performance meeting that follows the board."
                    ).format(unit=top.name, grades=_concerns(grade_scale(organisation)))
                ),
                Paragraph(
                    _(
                        "Risk is part of the grading: where the framework has a risk measure, "
                        "risks scoring above its threshold are a redline for every unit."
                    )
                ),
            ),
        ),
        _self_assessments(cycle),
        Section(
            appendix_number(1),
            _("Grades of {unit} since cycle 1").format(unit=top.name),
            _tube_map(cycle, titles),
            appendix=True,
        ),
        Section(
            appendix_number(2),
            _("Grades of every unit"),
            (_grade_table(framework, current, earlier, cycle, previous),),
            appendix=True,
        ),
        Section(
            appendix_number(3),
            _("Making Data Count summary of {unit}").format(unit=top.name),
            _mdc_summary(cycle, top.code, top.name, parts),
            appendix=True,
        ),
        *scores,
    ]
    sections.extend(period_sections(cycle, framework, top, appendix_number(5 if scores else 4)))
    return Document(
        title=_("{organisation}: scorecard grades, cycle {number}").format(
            organisation=organisation.name, number=cycle.number
        ),
        subtitle=_("{name}; data to {period}").format(name=cycle.name, period=data_to),
        organisation=organisation.name,
        meta=(
            (_("Board"), board),
            (
                _("Cycle"),
                _("{number} ({state})").format(
                    number=cycle.number, state=cycle.get_state_display().lower()
                ),
            ),
            (_("Figures as held"), long_date(cycle.locked_at, time=True)),
        ),
        sections=tuple(sections),
        language=paper_language(),
    )


def _mdc_summary(
    cycle: Cycle, top: str, top_name: str, parts: tuple[Framework, pl.DataFrame, Any, str]
) -> tuple[Paragraph | Table, ...]:
    """Return the Making Data Count matrix of the top unit's measures at the cut-off.

    The rows are the scorecard's of the cycle's assessment (as the exception report's), so the
    matrix says what the scorecard said at the lock; ``pmf.core.mdc`` places them.
    """
    from pmf.core.mdc import ASSURANCE_COLUMNS, VARIATION_ROWS, summary_matrix
    from pmf.core.scorecard import SPC_LEGEND, build_scorecard
    from pmf.reports.charts.mdc_icons import icon_svg

    framework, assessment, _units, label = parts
    rows = [row.as_dict() for row in build_scorecard(framework, assessment, top).rows()]
    matrix = summary_matrix(rows)

    def icons(names: tuple[str, ...]) -> str:
        # Beside the heading's words, which say the same: not read out twice.
        return "".join(icon_svg(name, size=24, decorative=True) for name in names)

    blocks: list[Paragraph | Table] = [
        Paragraph(
            _(
                "Each measure of {unit}'s scorecard at the cut-off (data to {period}) by the "
                "variation of its SPC chart (rows) and, where it has a target, whether the "
                "process can be relied on to meet it (columns), as NHS integrated performance "
                "reports show them. SPC: {legend}"
            ).format(unit=top_name, period=label, legend=in_language(SPC_LEGEND))
        ),
        Table(
            caption=_("{unit}: measures by variation and assurance, data to {period}").format(
                unit=top_name, period=label
            ),
            header=(_("Variation"), *(in_language(title) for _c, title, _n in ASSURANCE_COLUMNS)),
            rows=tuple(
                (
                    in_language(title),
                    *(
                        "; ".join(item.name for item in matrix.cell(code, column)) or "–"
                        for column, _t, _n in ASSURANCE_COLUMNS
                    ),
                )
                for code, title, _n in VARIATION_ROWS
            ),
            header_icons=("", *(icons(names) for _c, _t, names in ASSURANCE_COLUMNS)),
            row_icons=tuple(icons(names) for _c, _t, names in VARIATION_ROWS),
        ),
    ]
    if matrix.unassessed:
        names = ", ".join(item.name for item in matrix.unassessed)
        blocks.append(
            Paragraph(
                _("Too few figures for an SPC chart, so not in the matrix: {names}.").format(
                    names=names
                )
            )
        )
    return tuple(blocks)


def _walk(sections: tuple[Section, ...]) -> list[tuple[int, Section]]:
    return Document("", "", "", sections=sections).walk()


def _marks_legend(sections: Any) -> tuple[Paragraph, ...]:
    """Return the marks' legend when a table of ``sections`` shows a marked figure, or nothing."""
    letters = tuple(f" [{letter}" for letter in MARKS.values())
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Table) and any(
                letter in cell for row in block.rows for cell in row for letter in letters
            ):
                return (Paragraph(_("Marks: {legend}").format(legend=in_language(MARKS_LEGEND))),)
    return ()


def _self_assessments(cycle: Cycle) -> Section:
    """Return 7.0: the head of improvement's overview and each unit's self-assessment."""
    from pmf.web.plans.services import overview_for, self_assessments_for

    overview = overview_for(cycle)
    self_assessments = self_assessments_for(cycle)
    blocks: list[Paragraph | Bullets] = []
    if overview["text"]:
        blocks.extend(_markdown_blocks(overview["text"]))
    if overview["themes"]:
        blocks.append(Paragraph("", lead=_("Common and cross-cutting themes")))
        blocks.append(
            Bullets(
                tuple(
                    f"{theme['phrase']}: {', '.join(theme['unit_names'])}"
                    for theme in overview["themes"]
                )
            )
        )
    if not blocks:
        blocks.append(Paragraph(_("No overview has been written for this cycle.")))
    units = tuple(
        Section(
            f"7.{index}",
            _("{unit}: self-assessment").format(unit=self_assessment["unit"]["name"]),
            (
                Paragraph(self_assessment["strengths"] or "–", lead=_("Strengths.")),
                Paragraph(
                    self_assessment["areas_for_improvement"] or "–",
                    lead=_("Areas for improvement."),
                ),
                Paragraph(
                    self_assessment["risks"] or "–", lead=_("Risks and how they are addressed.")
                ),
            ),
        )
        for index, self_assessment in enumerate(self_assessments["statements"], start=1)
    )
    return Section("7.0", _("Self-assessments and the overview"), tuple(blocks), units)


def _executive_summary(
    framework: Framework,
    top_name: str,
    top_grades: dict[str, AreaGrade],
    titles: dict[str, str],
    summary: Any,
    previous: Cycle | None,
    scale: GradeScale,
) -> tuple[Paragraph | Bullets | Table, ...]:
    blocks: list[Paragraph | Bullets | Table] = []
    for grade in scale.values:
        areas = [
            titles[area.code]
            for area in framework.areas
            if area.code in top_grades and top_grades[area.code].grade == grade
        ]
        if not areas:
            continue
        # ``count`` is the number in words ("Three"); ``number`` in figures, for a language
        # whose words for numbers change with the noun.
        words = {
            "count": number_words(len(areas), capital=True),
            "number": len(areas),
            "unit": top_name,
            "grade": scale.label(grade),
        }
        if grade == NO_GRADE:
            text = ngettext(
                # xgettext: no-python-brace-format (the Welsh writes {number}, in figures)
                "{count} area was not graded for {unit}:",
                "{count} areas were not graded for {unit}:",
                len(areas),
            )
        else:
            text = ngettext(
                # xgettext: no-python-brace-format (the Welsh writes {number}, in figures)
                "{count} area was graded as {grade} for {unit}:",
                "{count} areas were graded as {grade} for {unit}:",
                len(areas),
            )
        blocks.append(Paragraph(text.format(**words)))
        blocks.append(Bullets(tuple(areas)))
    if summary is not None and previous is not None:
        blocks.append(
            Paragraph(
                _("Changes in grades between cycle {number} and this cycle:").format(
                    number=previous.number
                )
            )
        )
        blocks.append(
            Bullets(
                tuple(
                    _("Below {unit}: {change}").format(unit=top_name, change=line)
                    for line in summary.command_level
                )
            )
        )
        blocks.append(
            Bullets(
                tuple(
                    _("{unit}: {change}").format(unit=top_name, change=line)
                    for line in summary.top_level
                )
            )
        )
    return tuple(blocks)


def _concerns(scale: GradeScale) -> str:
    """Return the grades taken to the performance meeting: those below Adequate, or below Good."""
    worst = [scale.code_for("requires_improvement"), scale.code_for("inadequate")]
    labels = [scale.label(code) for code in worst if code is not None]
    if len(labels) == 2:
        return _("{first} or {second}").format(first=labels[0], second=labels[1])
    return labels[0] if labels else ""


def _background(
    framework: Framework, name: str, scale: GradeScale
) -> tuple[Paragraph | Bullets, ...]:
    return (
        Paragraph(
            _(
                "{organisation} uses a scorecard to assess its own performance. Grades are given "
                "for the organisation as a whole and for each of its units, for each area of the "
                "scorecard:"
            ).format(organisation=name)
        ),
        Bullets(tuple(area.title for area in framework.areas)),
        Paragraph(
            _scale_sentence(scale).format(
                grades=join_words([scale.label(code) for code in scale.codes]),
                scale=scale.shown_name,
            )
        ),
        Paragraph(
            _(
                "The process is quarterly. The figures are locked at the cut-off and a grade is "
                "recommended for every unit and area from the redlines and KPIs. Each unit then "
                "grades its own performance with a rationale; the grades are moderated, and the "
                "grades of the organisation as a whole are agreed at the board."
            )
        ),
    )


def _scale_sentence(scale: GradeScale) -> str:
    """Say whose grades they are ("the inspectorates use", "of the HMICFRS PEEL scale")."""
    if scale == DEFAULT_SCALE:
        return _(
            "The grades are those the inspectorates use: {grades}. Where possible performance "
            "is benchmarked against the Most Similar Group of peers, or against national or "
            "internal targets; the minimum standards that follow are the redline measures."
        )
    return _(
        "The grades are those of the {scale} scale: {grades}. Where possible performance is "
        "benchmarked against the Most Similar Group of peers, or against national or internal "
        "targets; the minimum standards that follow are the redline measures."
    )


def _data_quality(cycle: Cycle) -> Paragraph:
    """Return the spot checks' result: the share of the sampled figures verified against source."""
    if not draw_spot_checks(cycle):
        return Paragraph(
            _(
                "No figures of this cycle were sampled for an analyst to check against their "
                "source."
            ),
            lead=_("Data quality."),
        )
    return Paragraph(
        _(
            "{summary} The figures were drawn at random from those locked for the cycle, for an "
            "analyst to check against their source."
        ).format(summary=spot_check_summary(cycle)),
        lead=_("Data quality."),
    )


def _area_section(
    cycle: Cycle,
    framework: Framework,
    top: str,
    top_name: str,
    area: str,
    titles: dict[str, str],
    index: int,
    marks: ObservationMarks | None = None,
    assessment: pl.DataFrame | None = None,
) -> Section:
    grade = cycle.grades.get(unit__code=top, area__code=area)
    # pmf's rationale in the paper's language; a person's as written (``languages``).
    blocks: list[Paragraph | Bullets | Table | Chart] = []
    if languages.rationale_in_english(grade):
        # A cycle locked before pmf kept its texts in Welsh: said, not passed off as Welsh.
        blocks.append(
            Paragraph(
                _(
                    "This cycle was locked before pmf kept its rationale in Welsh: it is shown "
                    "in English, as pmf wrote it."
                )
            )
        )
    blocks += _markdown_blocks(languages.shown_rationale(grade))
    agreed = languages.shown_field(grade, "agreed_rationale")
    if agreed:
        blocks.append(Paragraph(agreed, lead=_("At the board:")))
    blocks.extend(_redline_charts(cycle, framework, top, top_name, area, marks, assessment))
    label = grade_scale(cycle.organisation).label(grade.grade)
    return Section(f"5.{index}", f"{titles[area]} – {label}", tuple(blocks))


def _markdown_blocks(text: str) -> list[Paragraph | Bullets]:
    """Turn the rationale's simple Markdown (headings, bullets, paragraphs) into blocks."""
    blocks: list[Paragraph | Bullets] = []
    items: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("- ", "* ")):
            items.append(line[2:].strip())
            continue
        if items:
            blocks.append(Bullets(tuple(items)))
            items = []
        if not line or line.startswith("## "):
            continue  # the grade line is the section's heading
        if line.startswith("#"):
            blocks.append(Paragraph("", lead=line.lstrip("#").strip()))
        else:
            blocks.append(Paragraph(line.replace("**", "")))
    if items:
        blocks.append(Bullets(tuple(items)))
    return blocks


def _redline_charts(
    cycle: Cycle,
    framework: Framework,
    unit: str,
    unit_name: str,
    area: str,
    marks: ObservationMarks | None = None,
    assessment: pl.DataFrame | None = None,
) -> list[Chart | Table | Paragraph]:
    """Return an SPC chart and its table (and its commentary) for each redline with figures."""
    redlines = [m for m in framework.measures if m.area == area and m.kind is Kind.REDLINE]
    if not redlines:
        return []
    observations = held_observations(
        cycle.organisation,
        as_at=cycle.locked_at,
        measures=with_rollup_inputs(framework, [m.code for m in redlines]),
    )
    cut = cut_off_date(cycle)
    rolled = roll_up(framework, observations)
    ends = {code: parse_period(code).end for code in rolled["period"].unique().to_list()}
    rolled = rolled.filter(pl.col("period").replace_strict(ends, return_dtype=pl.Date) <= cut)
    blocks: list[Chart | Table | Paragraph] = []
    drivers = drivers_assessment(cycle, framework, unit, redlines)
    for measure in redlines:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            every, summary = spc_series(framework, rolled, unit, measure, marks)
        # The chart's window is the one its limits and the scorecard's variation come from.
        rows = [row for row in every if row["charted"]]
        if len(rows) < 2 or not summary:
            continue
        svg, png = drawn(spc_chart(measure.name, unit_name, rows, summary), width=520, height=220)
        last = rows[-1]
        limits = summary["limits"]
        # The XmR chart with Making Data Count's rules is drawn and worded as ever; another
        # chart names itself and its rules, and why it fell back to XmR if it did.
        plain = summary.get("plain", True)
        kind = _("XmR chart") if plain else in_language(summary["chart_title"])
        if not plain and summary.get("fallback"):
            kind = _("{chart} ({reason})").format(chart=kind, reason=summary["fallback"])
        # An mR chart plots the moving ranges: its table lists them, not the figures.
        moving = not plain and summary.get("chart") == "mr"
        if summary.get("limits_vary"):
            limits = _(
                "The limits vary with each figure's denominator, drawn as steps. {limits}"
            ).format(limits=limits)
        events = "; ".join(
            f"{period_name(event['period'])}: {event['text']}" for event in summary["events"]
        )
        words = {
            "chart": kind,
            "measure": measure.name,
            "unit": unit_name,
            "first": period_name(rows[0]["period"]),
            "last": period_name(last["period"]),
            "count": len(rows),
        }
        alt = _(
            "{chart} of {measure} for {unit}, {first} to {last}: latest {latest}, mean {mean}."
        ).format(
            **{**words, "chart": _("SPC chart") if plain else kind},
            latest=last["value_text"],
            mean=format_value(last["mean"], measure),
        )
        alt += f" {limits}"
        if events:
            alt += " " + _("Events: {events}.").format(events=events)
        caption = _chart_caption(plain, len(summary["segments"]) > 1).format(**words)
        caption += f" {limits}"
        if summary["hidden"]:
            caption += " " + _("{count} earlier figures are not charted and set no limits.").format(
                count=summary["hidden"]
            )
        caption += " " + _("The figures are in the table below.")
        if note := formula_sentence(framework, measure.code):
            caption += f" {note}"
        blocks.append(Chart(svg=svg, png=png, alt=alt, caption=caption))
        blocks.append(
            Table(
                caption=(
                    _("{measure}, {unit}: the figures charted. {limits}")
                    if plain
                    else _(
                        "{measure}, {unit}: the figures charted on the {chart}, with each one's "
                        "limits. {limits}"
                    )
                ).format(measure=measure.name, unit=unit_name, chart=kind, limits=limits),
                header=(
                    _("Period"),
                    _("Moving range") if moving else _("Value"),
                    _("Mean") if plain else _("Centre"),
                    _("Lower limit"),
                    _("Upper limit"),
                    _("Variation"),
                    _("Limits"),
                    _("Event"),
                ),
                rows=tuple(
                    (
                        period_name(row["period"]),
                        marked(
                            row["plotted_text"] if moving else row["value_text"],
                            row["provisional"],
                            row["warned"],
                        ),
                        # As the measure page shows them (finer than the figures on a
                        # chart other than XmR).
                        row["mean_text"],
                        row["lpl_text"],
                        row["upl_text"],
                        row["point_text"],
                        _limit_role(row),
                        row["event"] or "",
                    )
                    for row in rows
                ),
            )
        )
        blocks.extend(commentary_blocks(cycle.organisation, unit, measure.code, last["period"]))
        blocks.extend(
            _peer_blocks(framework, rolled, unit, unit_name, measure, rows[-1]["period"], marks)
        )
        if assessment is not None:
            blocks.extend(map_blocks(cycle.organisation, framework, rolled, measure, assessment))
        blocks.extend(key_driver_blocks(framework, drivers, unit, unit_name, measure))
    return blocks


def _chart_caption(plain: bool, segments: bool) -> str:
    """Return the first sentence of an SPC chart's caption, to be filled with its words."""
    if plain and segments:
        return _(
            "{measure}, {unit}: {chart} of the {count} figures {first} to {last}, with the mean "
            "and process limits of each segment."
        )
    if plain:
        return _(
            "{measure}, {unit}: {chart} of the {count} figures {first} to {last}, with the mean "
            "and process limits."
        )
    if segments:
        return _(
            "{measure}, {unit}: {chart} of the {count} figures {first} to {last}, with the "
            "centre line and process limits of each segment."
        )
    return _(
        "{measure}, {unit}: {chart} of the {count} figures {first} to {last}, with the centre "
        "line and process limits."
    )


def _limit_role(row: dict[str, Any]) -> str:
    """Say whether a charted figure set its segment's limits, and whether they are trial ones."""
    role = _("baseline") if row["in_baseline"] else _("judged")
    if row["rebase"]:
        role = _("rebased ({rebase}); {role}").format(rebase=row["rebase"], role=role)
    return _("{role} (trial)").format(role=role) if row["trial"] else role


def _peer_blocks(
    framework: Framework,
    rolled: pl.DataFrame,
    unit: str,
    unit_name: str,
    measure: Any,
    period: str,
    marks: ObservationMarks | None = None,
) -> list[Chart | Table]:
    """Return the unit among its peer group at the period, as a chart and its table."""
    peers = peer_comparison(framework, rolled, unit, measure, period)
    if not peers["rows"]:
        return []
    mark_items(peers["rows"], rolled, marks or NO_MARKS, measure.code, peers["period_code"])
    svg, png = drawn(peer_chart(measure.name, peers), width=480)
    return [
        Chart(
            svg=svg,
            png=png,
            alt=_(
                # xgettext: no-python-format (95% is a percentage)
                "{measure}, {period}: {unit} and the {count} members of {group}, with 95% "
                "intervals; the average is {average}."
            ).format(
                measure=measure.name,
                period=peers["period"],
                unit=unit_name,
                count=len(peers["rows"]),
                group=peers["group"],
                average=peers["average_text"],
            ),
            caption=_(
                # xgettext: no-python-format (95% is a percentage)
                "{measure}, {period}: {unit} among {group}, with 95% confidence intervals and "
                "the group average (the line). The figures are in the table below."
            ).format(
                measure=measure.name, period=peers["period"], unit=unit_name, group=peers["group"]
            ),
        ),
        Table(
            caption=f"{measure.name}, {peers['period']}: {peers['group']}",
            header=(
                _("Unit"),
                _("Value"),
                # xgettext: no-python-format (95% is a percentage)
                _("95% interval"),
            ),
            rows=tuple(
                (
                    _("{unit} (this unit)").format(unit=row["name"])
                    if row["is_unit"]
                    else row["name"],
                    marked(row["value_text"], row["provisional"], row["warned"]),
                    _interval(row, measure),
                )
                for row in peers["rows"]
            ),
        ),
    ]


def _interval(row: dict[str, Any], measure: Any) -> str:
    if row["lower"] is None or row["upper"] is None:
        return "–"
    return _("{lower} to {upper}").format(
        lower=format_value(row["lower"], measure), upper=format_value(row["upper"], measure)
    )


def _tube_map(cycle: Cycle, titles: dict[str, str]) -> tuple[Chart | Table, ...]:
    cycles = list(
        cycle.organisation.cycles.filter(
            number__lte=cycle.number, locked_at__isnull=False
        ).order_by("number")
    )
    labels, grades = grade_history(cycles)
    areas = list(titles.items())
    scale = grade_scale(cycle.organisation)
    svg = tube_map_svg(labels, areas, grades, title=_("Grades by cycle"), scale=scale)
    table = Table(
        caption=_("Grades by cycle"),
        header=(_("Cycle"), *(title for _code, title in areas)),
        rows=tuple(
            (label, *(scale.label(grades.get((number, code)) or "no_grade") for code, _ in areas))
            for number, label in labels
        ),
    )
    return (
        Chart(
            svg=svg,
            png=svg_as_png(svg),
            alt=_("Tube map of the grades of each area over {count} cycles.").format(
                count=len(cycles)
            ),
            caption=_(
                "The tube map: one line per area, a station per cycle with the grade's letter. "
                "The same grades are in the table below."
            ),
        ),
        table,
    )


def _grade_table(
    framework: Framework,
    current: dict[tuple[str, str], str],
    earlier: dict[tuple[str, str], str],
    cycle: Cycle,
    previous: Cycle | None,
) -> Table:
    scale = grade_scale(cycle.organisation)

    def cell(unit: str, area: str) -> str:
        now = current.get((unit, area))
        text = scale.label(now) if now else "–"
        then = earlier.get((unit, area))
        if previous is not None and then and then != now:
            text = _("{grade} (was {earlier})").format(grade=text, earlier=scale.label(then))
        return text

    units = [unit for unit in framework.units if not unit.external]
    return Table(
        caption=(
            _("Grades for cycle {number}, with changes since cycle {previous}").format(
                number=cycle.number, previous=previous.number
            )
            if previous
            else _("Grades for cycle {number}").format(number=cycle.number)
        ),
        header=(_("Unit"), *(area.name for area in framework.areas)),
        rows=tuple(
            (unit.name, *(cell(unit.code, area.code) for area in framework.areas))
            for unit in units
            if any((unit.code, area.code) in current for area in framework.areas)
        ),
    )
