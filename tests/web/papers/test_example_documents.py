"""Every document for the example force, from its real data: numbers, PDF pages, Word headings.

One test, because loading the Metropolitan Police example with its eight cycles is the slow
part (about ten seconds); each document is then built from it and checked.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from pmf.core.framework import Kind
from pmf.core.text import format_value
from pmf.reports.document import Table
from pmf.reports.pdf import render_pdf
from pmf.reports.word import render_word
from pmf.sources.examples import registry
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.observations.services import load_example
from pmf.web.papers.builders.annual import annual_report
from pmf.web.papers.builders.board import board_paper
from pmf.web.papers.builders.exceptions import exception_report
from pmf.web.papers.builders.outcomes import outcomes_report

pytestmark = pytest.mark.django_db


def pdf_pages(pdf: bytes, folder: Path) -> list[Path]:
    path = folder / "document.pdf"
    path.write_bytes(pdf)
    for old in folder.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(path), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def test_every_document_of_the_example_force(tmp_path: Path) -> None:
    from docx import Document as WordDocument
    from PIL import Image

    load_example(registry()["police"])
    cycle = Cycle.objects.get(organisation__code="MPS", number=8)
    framework = services.cycle_framework(cycle)
    assessment = services.cycle_assessment(cycle, units=["MPS"])
    documents = {
        "board": board_paper(cycle),
        "exceptions": exception_report(cycle),
        "outcomes": outcomes_report(cycle),
        "annual": annual_report(cycle.organisation, "2025/26"),
    }
    # The numbers in the text are the assessment's: every redline of the force in the board
    # paper, every measure of the force in the outcomes report.
    for record in assessment.iter_rows(named=True):
        measure = framework.measure(record["measure"])
        shown = format_value(record["value"], measure)
        if measure.kind is Kind.REDLINE:
            assert shown in documents["board"].text(), measure.code
        assert shown in documents["outcomes"].text(), measure.code
    for name, document in documents.items():
        pages = pdf_pages(render_pdf(document), tmp_path)
        assert pages, name
        # No table is cut off: every row's first cell of every table is in the PDF's text.
        text = " ".join(
            subprocess.run(
                ["pdftotext", str(tmp_path / "document.pdf"), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        )
        tables = [b for _, s in document.walk() for b in s.blocks if isinstance(b, Table)]
        # (A cell that wraps has its words on several lines of the text, between other cells'.)
        words = set(text.split())
        for table in tables:
            for row in table.rows:
                assert set(row[0].split()) <= words, (name, table.caption, row[0])
        for page in pages:
            image = Image.open(page).convert("L")
            dark = sum(1 for value in image.get_flattened_data() if value < 200)
            assert dark > 100, f"{name}: {page.name} is almost empty"
        word = WordDocument(io.BytesIO(render_word(document)))
        headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
        titles = [section.title for _, section in document.walk()]
        assert headings == titles, name
    # The board paper draws an SPC chart and a map of the boroughs of each redline of the force
    # with figures, and the tube map of the eight cycles; each with a table of its data.
    from pmf.reports.document import Chart

    figures = [
        block
        for _, section in documents["board"].walk()
        for block in section.blocks
        if isinstance(block, Chart)
    ]
    redlines = [m for m in framework.measures if m.kind is Kind.REDLINE]
    assert len(figures) == 2 * len(redlines) + 1
    maps = [figure for figure in figures if figure.alt.startswith("Map of ")]
    assert len(maps) == len(redlines)
    assert all("32 units with a figure" in figure.alt for figure in maps)
    # Coloured against the standard as cycle 8 judged each borough; North West's boroughs,
    # not yet members, are drawn with their figures and said not to be judged.
    map_tables = [
        block
        for _, section in documents["board"].walk()
        for block in section.blocks
        if isinstance(block, Table) and "ONS code" in block.header
    ]
    assert len(map_tables) == len(redlines)
    for table in map_tables:
        assert table.header[-1] == "Against the standard"
        judged = {row[0]: row[3] for row in table.rows}
        assert judged["Barnet"] == "not judged against the standard"
        assert {judged[name] for name in judged if name not in {"Barnet", "Brent", "Harrow"}} <= {
            "+ meets the standard",
            "~ close to the standard",
            "x does not meet the standard",
        }
    assert all(figure.alt and figure.svg.startswith("<svg") for figure in figures)
    # The deck of each document: every section's heading a slide's title, every chart a
    # picture described by its alternative text, with the figures of its table in the notes.
    from pptx import Presentation

    from pmf.reports.document import chart_data
    from pmf.reports.pptx import render_pptx

    for name, document in documents.items():
        deck = Presentation(io.BytesIO(render_pptx(document)))
        titles = {slide.shapes.title.text_frame.text for slide in list(deck.slides)[1:]}
        assert {section.title for _, section in document.walk()} <= titles, name
        described = [
            (shape._element.nvPicPr.cNvPr.get("descr"), slide.notes_slide.notes_text_frame.text)
            for slide in deck.slides
            for shape in slide.shapes
            if shape.shape_type == 13  # a picture
        ]
        charts = [
            (block, chart_data(section.blocks, index))
            for _, section in document.walk()
            for index, block in enumerate(section.blocks)
            if isinstance(block, Chart)
        ]
        assert [alt for alt, _ in described] == [chart.alt for chart, _ in charts], name
        for (_, notes), (chart, data) in zip(described, charts, strict=True):
            assert data is not None, (name, chart.caption)
            assert " | ".join(data.header) in notes
            assert all(" | ".join(row) in notes for row in data.rows), (name, data.caption)
