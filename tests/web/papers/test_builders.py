"""The board paper of a cycle: its numbers are the assessment's, and it renders as HTML,
a tagged PDF whose pages are neither empty nor missing their charts, and a Word file with
real headings and described figures."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from pmf.core.framework import Kind
from pmf.core.text import format_value
from pmf.reports.document import Chart, Table
from pmf.reports.html import render_html
from pmf.reports.pdf import render_pdf
from pmf.reports.word import render_word
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.papers.builders.board import board_paper

pytestmark = pytest.mark.django_db


def test_the_paper_has_the_seed_papers_sections(cycles: Cycle) -> None:
    document = board_paper(cycles)
    titles = [section.title for _, section in document.walk()]
    assert titles[:6] == [
        "1.0 Purpose of report",
        "2.0 Recommendations",
        "3.0 Executive summary",
        "4.0 Introduction and background",
        "5.0 Current work and performance",
        "5.1 FOCUS (formerly KEEPING PEOPLE SAFE) – Good",
    ]
    assert "Appendix One – Grades of Force since cycle 1" in titles
    text = document.text()
    assert "as determined at the board (not yet held)" in text
    assert "Changes in grades between cycle 1 and this cycle:" in text


def test_every_redline_value_in_the_paper_is_the_assessments(cycles: Cycle) -> None:
    document = board_paper(cycles)
    text = document.text()
    framework = services.cycle_framework(cycles)
    assessment = services.cycle_assessment(cycles, units=["F"])
    for record in assessment.iter_rows(named=True):
        measure = framework.measure(record["measure"])
        if measure.kind is Kind.REDLINE and record["value"] is not None:
            assert format_value(record["value"], measure) in text, record["measure"]


def test_a_draft_cycle_has_no_paper(organisation: Organisation) -> None:
    draft = services.create_cycle(organisation, number=1, name="Draft", cut_off="2019-07")
    with pytest.raises(ValueError, match="lock its data first"):
        board_paper(draft)


def test_the_pdf_is_tagged_with_pages_that_are_not_empty(cycles: Cycle, tmp_path: Path) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(render_pdf(board_paper(cycles)))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout
    pages = int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )
    assert pages >= 2
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    from PIL import Image

    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    coloured = 0
    for image_path in images:
        image = Image.open(image_path).convert("L")
        dark = sum(1 for value in image.get_flattened_data() if value < 200)
        assert dark > 300, f"{image_path.name} is almost empty"
        colour = Image.open(image_path).convert("RGB")
        coloured += sum(
            1 for r, g, b in colour.get_flattened_data() if abs(r - b) > 60 or abs(g - b) > 60
        )
    assert coloured > 100  # the charts and the tube map are drawn in colour
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for unit in ("Force", "North", "South"):
        assert unit in text  # the grade table's rows all made it onto a page


def test_the_word_file_has_headings_and_described_figures(cycles: Cycle) -> None:
    from docx import Document as WordDocument

    document = board_paper(cycles)
    word = WordDocument(io.BytesIO(render_word(document)))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["1.0 Purpose of report", "2.0 Recommendations", "3.0 Executive summary"]
    figures = [block for _, s in document.walk() for block in s.blocks if isinstance(block, Chart)]
    assert len(word.inline_shapes) == len(figures) > 0
    descriptions = [shape._inline.docPr.get("descr") for shape in word.inline_shapes]
    assert all(descriptions)
    tables = [block for _, s in document.walk() for block in s.blocks if isinstance(block, Table)]
    assert len(word.tables) == len(tables)


def test_the_html_escapes_every_text(cycles: Cycle) -> None:
    grade = cycles.grades.get(unit__code="F", area__code="FOCUS")
    grade.rationale = "<script>alert(1)</script> & more"
    grade.save()
    html = render_html(board_paper(cycles))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


def test_the_exception_report_lists_only_what_is_not_met_or_deteriorating(cycles: Cycle) -> None:
    from pmf.web.papers.builders.exceptions import exception_report

    document = exception_report(cycles)
    text = document.text()
    # North: emergency response 75% against >= 80%: an exception; South (85%) is not.
    north = next(s for _, s in document.walk() if s.heading == "North")
    table = next(b for b in north.blocks if isinstance(b, Table))
    assert any(row[0] == "Emergency response within target" for row in table.rows)
    south = [s for _, s in document.walk() if s.heading == "South"]
    assert not south or all(
        row[0] != "Emergency response within target"
        for block in south[0].blocks
        if isinstance(block, Table)
        for row in block.rows
    )
    # Both of North's exceptions, in the one unit: "unit" in the singular.
    assert "Two exceptions in one unit." in text


def test_the_outcomes_report_compares_with_the_last_cycle_and_peers(cycles: Cycle) -> None:
    from pmf.web.papers.builders.outcomes import outcomes_report

    document = outcomes_report(cycles)
    tables = [b for _, s in document.walk() for b in s.blocks if isinstance(b, Table)]
    assert tables[0].header[:4] == ("Measure", "Value", "Last cycle", "Last year")
    crimes = next(row for table in tables for row in table.rows if row[0] == "Crimes per 1,000")
    assert crimes[2].startswith("6.0")  # July 2018, the first cycle's cut-off


def test_self_assessments_and_the_overview_feed_the_board_paper(
    cycles: Cycle, analyst: User, command_lead: User
) -> None:
    from pmf.web.plans import services as plans

    cycles.state = Cycle.State.SELF_ASSESSMENT
    cycles.save()
    north = cycles.organisation.units.get(code="N")
    plans.write_self_assessment(
        cycles,
        north,
        command_lead.membership,
        strengths="Crime down.",
        areas_for_improvement="Emergency response times.",
        risks="Driver shortage: training booked.",
    )
    text = board_paper(cycles).text()
    assert "7.0 Self-assessments and the overview" in text
    assert "7.1 North: self-assessment" in text
    assert "Areas for improvement. Emergency response times." in text


def test_each_redline_with_a_peer_group_has_a_peer_chart_and_its_table(
    cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    from pmf.web.entry.services import Entry, enter_observations

    other_force = organisation.units.get(code="X")  # the force's MSG: one other force
    enter_observations(
        analyst.membership,
        organisation,
        other_force,
        "2019-07",
        [Entry("CR", numerator="5", denominator="1000")],
    )
    third = services.create_cycle(organisation, number=3, name="Again", cut_off="2019-07")
    services.lock_cycle(third, analyst.membership)
    document = board_paper(third)
    captions = [
        block.caption
        for _, section in document.walk()
        for block in section.blocks
        if isinstance(block, Table)
    ]
    assert "Crimes per 1,000, July 2019: MSG" in captions
    figures = [
        block
        for _, section in document.walk()
        for block in section.blocks
        if isinstance(block, Chart) and "among MSG" in block.caption
    ]
    assert figures and "95% intervals" in figures[0].alt


@pytest.mark.parametrize(
    ("exceptions", "units", "sentence"),
    [
        (0, 0, "No exceptions in no units."),
        (1, 1, "One exception in one unit."),
        (3, 1, "Three exceptions in one unit."),
        (5, 2, "Five exceptions in two units."),
    ],
)
def test_the_exception_report_counts_its_exceptions_and_units_in_good_english(
    exceptions: int, units: int, sentence: str
) -> None:
    from pmf.core.history import number_words
    from pmf.web.papers.builders.exceptions import _counted

    count = {
        "exceptions": number_words(exceptions, capital=True),
        "units": number_words(units),
        "exception_count": exceptions,
        "unit_count": units,
    }
    assert _counted(exceptions, units).format(**count) == sentence
