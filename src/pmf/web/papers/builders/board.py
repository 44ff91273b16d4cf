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

from pmf.core.calculation import with_rollup_inputs
from pmf.core.framework import NO_GRADE, Framework, Kind
from pmf.core.grading import DEFAULT_SCALE, GradeScale
from pmf.core.history import changes_summary, grade_changes, number_words
from pmf.core.periods import parse_period
from pmf.core.rollup import roll_up
from pmf.core.scorecard import MARKS, MARKS_LEGEND, NO_MARKS, ObservationMarks, marked
from pmf.core.text import format_value, join_words
from pmf.reports.charts import drawn, svg_as_png
from pmf.reports.charts.peer import peer_chart
from pmf.reports.charts.spc import spc_chart
from pmf.reports.charts.tube import tube_map_svg
from pmf.reports.document import Bullets, Chart, Document, Paragraph, Section, Table
from pmf.web.commentary.papers import commentary_blocks
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
from pmf.web.papers.builders.common import cycle_parts
from pmf.web.papers.builders.drivers import drivers_assessment, key_driver_blocks
from pmf.web.papers.builders.maps import map_blocks
from pmf.web.papers.builders.membership import membership_paragraphs
from pmf.web.papers.builders.periods import period_sections
from pmf.web.papers.builders.scores import scores_appendix
from pmf.web.scorecards.presenters import mark_items, peer_comparison, spc_series


def board_paper(cycle: Cycle) -> Document:
    """Return the board paper of a locked cycle; raise ``ValueError`` for a draft."""
    if cycle.locked_at is None:
        raise ValueError(f"cycle {cycle.number} is a draft: lock its data first")
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
    areas = tuple(
        _area_section(cycle, framework, top.code, top.name, area.code, titles, index, marks)
        for index, area in enumerate(framework.areas, start=1)
        if area.code in top_grades
    )
    data_to = parse_period(cycle.cut_off).label
    board = cycle.board_date.strftime("%-d %B %Y") if cycle.board_date else "not yet held"
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
    scores = scores_appendix(cycle, top.code, top.name, "Appendix Four")
    sections = [
        Section(
            "1.0",
            "Purpose of report",
            (
                Paragraph(
                    f"This paper provides an overview of the final grades for cycle "
                    f"{cycle.number} ({cycle.name}) of {organisation.name}'s scorecard, and the "
                    f"rationale for the grades of {top.name} as a whole, as determined at the "
                    f"board {'on ' + board if cycle.board_date else '(not yet held)'}. Data for "
                    f"cycle {cycle.number} are to {data_to}."
                ),
            ),
        ),
        Section(
            "2.0",
            "Recommendations",
            (Paragraph("There are no recommendations. This report is for the board to note."),),
        ),
        Section(
            "3.0",
            "Executive summary",
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
            "Introduction and background",
            (
                *_background(framework, organisation.name, grade_scale(organisation)),
                _data_quality(cycle),
                *membership_paragraphs(cycle),
            ),
        ),
        Section(
            "5.0",
            "Current work and performance",
            (
                Paragraph(
                    f"The rationale for the grades of {top.name} follows, area by area. Data "
                    f"for cycle {cycle.number} are to {data_to}."
                ),
                *_marks_legend(section for _, section in _walk(areas)),
            ),
            areas,
        ),
        Section(
            "6.0",
            "Implications",
            (
                Paragraph(
                    "The scorecard is used to identify and address performance issues at "
                    f"{top.name} level and below; the focus is on the areas graded at "
                    f"{_concerns(grade_scale(organisation))}, which are taken to the performance "
                    "meeting that follows the board."
                ),
                Paragraph(
                    "Risk is part of the grading: where the framework has a risk measure, risks "
                    "scoring above its threshold are a redline for every unit."
                ),
            ),
        ),
        _self_assessments(cycle),
        Section(
            "Appendix One",
            f"Grades of {top.name} since cycle 1",
            _tube_map(cycle, titles),
        ),
        Section(
            "Appendix Two",
            "Grades of every unit",
            (_grade_table(framework, current, earlier, cycle, previous),),
        ),
        Section(
            "Appendix Three",
            f"Making Data Count summary of {top.name}",
            _mdc_summary(cycle, top.code, top.name),
        ),
        *scores,
    ]
    sections.extend(
        period_sections(cycle, framework, top, "Appendix Five" if scores else "Appendix Four")
    )
    return Document(
        title=f"{organisation.name}: scorecard grades, cycle {cycle.number}",
        subtitle=f"{cycle.name}; data to {data_to}",
        organisation=organisation.name,
        meta=(
            ("Board", board),
            ("Cycle", f"{cycle.number} ({cycle.get_state_display().lower()})"),
            ("Figures as held", cycle.locked_at.strftime("%-d %B %Y, %H:%M")),
        ),
        sections=tuple(sections),
    )


def _mdc_summary(cycle: Cycle, top: str, top_name: str) -> tuple[Paragraph | Table, ...]:
    """Return the Making Data Count matrix of the top unit's measures at the cut-off.

    The rows are the scorecard's of the cycle's assessment (as the exception report's), so the
    matrix says what the scorecard said at the lock; ``pmf.core.mdc`` places them.
    """
    from pmf.core.mdc import ASSURANCE_COLUMNS, VARIATION_ROWS, summary_matrix
    from pmf.core.scorecard import SPC_LEGEND, build_scorecard
    from pmf.reports.charts.mdc_icons import icon_svg

    framework, assessment, _, label = cycle_parts(cycle)
    rows = [row.as_dict() for row in build_scorecard(framework, assessment, top).rows()]
    matrix = summary_matrix(rows)

    def icons(names: tuple[str, ...]) -> str:
        # Beside the heading's words, which say the same: not read out twice.
        return "".join(icon_svg(name, size=24, decorative=True) for name in names)

    blocks: list[Paragraph | Table] = [
        Paragraph(
            f"Each measure of {top_name}'s scorecard at the cut-off (data to {label}) by the "
            "variation of its SPC chart (rows) and, where it has a target, whether the process "
            "can be relied on to meet it (columns), as NHS integrated performance reports show "
            f"them. SPC: {SPC_LEGEND}"
        ),
        Table(
            caption=f"{top_name}: measures by variation and assurance, data to {label}",
            header=("Variation", *(title for _, title, _ in ASSURANCE_COLUMNS)),
            rows=tuple(
                (
                    title,
                    *(
                        "; ".join(item.name for item in matrix.cell(code, column)) or "–"
                        for column, _, _ in ASSURANCE_COLUMNS
                    ),
                )
                for code, title, _ in VARIATION_ROWS
            ),
            header_icons=("", *(icons(names) for _, _, names in ASSURANCE_COLUMNS)),
            row_icons=tuple(icons(names) for _, _, names in VARIATION_ROWS),
        ),
    ]
    if matrix.unassessed:
        names = ", ".join(item.name for item in matrix.unassessed)
        blocks.append(
            Paragraph(f"Too few figures for an SPC chart, so not in the matrix: {names}.")
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
                return (Paragraph(f"Marks: {MARKS_LEGEND}"),)
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
        blocks.append(Paragraph("", lead="Common and cross-cutting themes"))
        blocks.append(
            Bullets(
                tuple(
                    f"{theme['phrase']}: {', '.join(theme['unit_names'])}"
                    for theme in overview["themes"]
                )
            )
        )
    if not blocks:
        blocks.append(Paragraph("No overview has been written for this cycle."))
    units = tuple(
        Section(
            f"7.{index}",
            f"{self_assessment['unit']['name']}: self-assessment",
            (
                Paragraph(self_assessment["strengths"] or "–", lead="Strengths."),
                Paragraph(
                    self_assessment["areas_for_improvement"] or "–", lead="Areas for improvement."
                ),
                Paragraph(
                    self_assessment["risks"] or "–", lead="Risks and how they are addressed."
                ),
            ),
        )
        for index, self_assessment in enumerate(self_assessments["statements"], start=1)
    )
    return Section("7.0", "Self-assessments and the overview", tuple(blocks), units)


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
        count = number_words(len(areas), capital=True)
        noun = "area was" if len(areas) == 1 else "areas were"
        if grade == NO_GRADE:
            text = f"{count} {noun} not graded for {top_name}:"
        else:
            text = f"{count} {noun} graded as {scale.label(grade)} for {top_name}:"
        blocks.append(Paragraph(text))
        blocks.append(Bullets(tuple(areas)))
    if summary is not None and previous is not None:
        blocks.append(
            Paragraph(f"Changes in grades between cycle {previous.number} and this cycle:")
        )
        blocks.append(Bullets(tuple(f"Below {top_name}: {line}" for line in summary.command_level)))
        blocks.append(Bullets(tuple(f"{top_name}: {line}" for line in summary.top_level)))
    return tuple(blocks)


def _concerns(scale: GradeScale) -> str:
    """Return the grades taken to the performance meeting: those below Adequate, or below Good."""
    worst = [scale.code_for("requires_improvement"), scale.code_for("inadequate")]
    return " or ".join(scale.label(code) for code in worst if code is not None)


def _background(
    framework: Framework, name: str, scale: GradeScale
) -> tuple[Paragraph | Bullets, ...]:
    return (
        Paragraph(
            f"{name} uses a scorecard to assess its own performance. Grades are given for the "
            "organisation as a whole and for each of its units, for each area of the scorecard:"
        ),
        Bullets(tuple(area.title for area in framework.areas)),
        Paragraph(
            f"The grades are those {_scale_source(scale)}: "
            f"{join_words([scale.label(code) for code in scale.codes])}. Where possible "
            "performance is benchmarked against the Most Similar Group of peers, or against "
            "national or internal targets; the minimum standards that follow are the redline "
            "measures."
        ),
        Paragraph(
            "The process is quarterly. The figures are locked at the cut-off and a grade is "
            "recommended for every unit and area from the redlines and KPIs. Each unit then "
            "grades its own performance with a rationale; the grades are moderated, and the "
            "grades of the organisation as a whole are agreed at the board."
        ),
    )


def _scale_source(scale: GradeScale) -> str:
    """Say whose grades they are: "the inspectorates use", "of the HMICFRS PEEL scale"."""
    if scale == DEFAULT_SCALE:
        return "the inspectorates use"
    return f"of the {scale.name} scale"


def _data_quality(cycle: Cycle) -> Paragraph:
    """Return the spot checks' result: the share of the sampled figures verified against source."""
    if not draw_spot_checks(cycle):
        return Paragraph(
            "No figures of this cycle were sampled for an analyst to check against their source.",
            lead="Data quality.",
        )
    return Paragraph(
        f"{spot_check_summary(cycle)} The figures were drawn at random from those locked for "
        "the cycle, for an analyst to check against their source.",
        lead="Data quality.",
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
) -> Section:
    grade = cycle.grades.get(unit__code=top, area__code=area)
    blocks: list[Paragraph | Bullets | Table | Chart] = list(_markdown_blocks(grade.rationale))
    if grade.agreed_rationale:
        blocks.append(Paragraph(grade.agreed_rationale, lead="At the board:"))
    blocks.extend(_redline_charts(cycle, framework, top, top_name, area, marks))
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
        kind = "XmR chart" if plain else summary["chart_title"]
        if not plain and summary.get("fallback"):
            kind += f" ({summary['fallback']})"
        # An mR chart plots the moving ranges: its table lists them, not the figures.
        moving = not plain and summary.get("chart") == "mr"
        if summary.get("limits_vary"):
            limits = f"The limits vary with each figure's denominator, drawn as steps. {limits}"
        events = "; ".join(f"{event['label']}: {event['text']}" for event in summary["events"])
        blocks.append(
            Chart(
                svg=svg,
                png=png,
                alt=(
                    ("SPC chart" if plain else kind)
                    + f" of {measure.name} for {unit_name}, {rows[0]['label']} to "
                    f"{last['label']}: latest {last['value_text']}, mean "
                    f"{format_value(last['mean'], measure)}. {limits}"
                    + (f" Events: {events}." if events else "")
                ),
                caption=(
                    f"{measure.name}, {unit_name}: {kind} of the {len(rows)} figures "
                    f"{rows[0]['label']} to {last['label']}, with the "
                    + ("mean" if plain else "centre line")
                    + " and process limits"
                    + (" of each segment" if len(summary["segments"]) > 1 else "")
                    + f". {limits}"
                    + (
                        f" {summary['hidden']} earlier figures are not charted and set no limits."
                        if summary["hidden"]
                        else ""
                    )
                    + " The figures are in the table below."
                    + (f" {note}" if (note := formula_sentence(framework, measure.code)) else "")
                ),
            )
        )
        blocks.append(
            Table(
                caption=(
                    f"{measure.name}, {unit_name}: the figures charted. {limits}"
                    if plain
                    else f"{measure.name}, {unit_name}: the figures charted on the {kind}, "
                    f"with each one's limits. {limits}"
                ),
                header=(
                    "Period",
                    "Moving range" if moving else "Value",
                    "Mean" if plain else "Centre",
                    "Lower limit",
                    "Upper limit",
                    "Variation",
                    "Limits",
                    "Event",
                ),
                rows=tuple(
                    (
                        row["label"],
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
        blocks.extend(map_blocks(cycle.organisation, framework, rolled, measure))
        blocks.extend(key_driver_blocks(framework, drivers, unit, unit_name, measure))
    return blocks


def _limit_role(row: dict[str, Any]) -> str:
    """Say whether a charted figure set its segment's limits, and whether they are trial ones."""
    role = "baseline" if row["in_baseline"] else "judged"
    if row["rebase"]:
        role = f"rebased ({row['rebase']}); {role}"
    return f"{role} (trial)" if row["trial"] else role


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
            alt=(
                f"{measure.name}, {peers['period']}: {unit_name} and the {len(peers['rows'])} "
                f"members of {peers['group']}, with 95% intervals; the average is "
                f"{peers['average_text']}."
            ),
            caption=(
                f"{measure.name}, {peers['period']}: {unit_name} among {peers['group']}, with 95% "
                "confidence intervals and the group average (the line). The figures are in the "
                "table below."
            ),
        ),
        Table(
            caption=f"{measure.name}, {peers['period']}: {peers['group']}",
            header=("Unit", "Value", "95% interval"),
            rows=tuple(
                (
                    row["name"] + (" (this unit)" if row["is_unit"] else ""),
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
    return f"{format_value(row['lower'], measure)} to {format_value(row['upper'], measure)}"


def _tube_map(cycle: Cycle, titles: dict[str, str]) -> tuple[Chart | Table, ...]:
    cycles = list(
        cycle.organisation.cycles.filter(
            number__lte=cycle.number, locked_at__isnull=False
        ).order_by("number")
    )
    labels, grades = grade_history(cycles)
    areas = list(titles.items())
    scale = grade_scale(cycle.organisation)
    svg = tube_map_svg(labels, areas, grades, title="Grades by cycle", scale=scale)
    table = Table(
        caption="Grades by cycle",
        header=("Cycle", *(title for _, title in areas)),
        rows=tuple(
            (label, *(scale.label(grades.get((number, code)) or "no_grade") for code, _ in areas))
            for number, label in labels
        ),
    )
    return (
        Chart(
            svg=svg,
            png=svg_as_png(svg),
            alt=f"Tube map of the grades of each area over {len(cycles)} cycles.",
            caption="The tube map: one line per area, a station per cycle with the grade's "
            "letter. The same grades are in the table below.",
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
            text += f" (was {scale.label(then)})"
        return text

    units = [unit for unit in framework.units if not unit.external]
    return Table(
        caption=f"Grades for cycle {cycle.number}"
        + (f", with changes since cycle {previous.number}" if previous else ""),
        header=("Unit", *(area.name for area in framework.areas)),
        rows=tuple(
            (unit.name, *(cell(unit.code, area.code) for area in framework.areas))
            for unit in units
            if any((unit.code, area.code) in current for area in framework.areas)
        ),
    )
