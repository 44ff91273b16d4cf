"""The board paper's Making Data Count summary: the top unit's measures by variation and
assurance at the lock, as a table in HTML, PDF and Word, with the icons in HTML and PDF."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from pmf.reports.document import Table
from pmf.reports.html import render_html
from pmf.reports.pdf import render_pdf
from pmf.reports.word import render_word
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.papers.builders.board import board_paper

pytestmark = pytest.mark.django_db

HEADER = ("Variation", "Consistently passes", "Hit and miss", "Consistently fails", "No target")
ROWS = {
    "special_cause_improvement": "Special cause improvement",
    "common_cause": "Common cause",
    "special_cause_concern": "Special cause concern",
    "special_cause_neutral_high": "Special cause, neither improvement nor concern",
    "special_cause_neutral_low": "Special cause, neither improvement nor concern",
}
COLUMNS = {
    "consistent_pass": "Consistently passes",
    "inconsistent": "Hit and miss",
    "consistent_fail": "Consistently fails",
    None: "No target",
}


def matrix_table(cycle: Cycle) -> Table:
    document = board_paper(cycle)
    (section,) = [s for _, s in document.walk() if s.number == "Appendix Three"]
    assert section.title == "Appendix Three – Making Data Count summary of Force"
    (table,) = [block for block in section.blocks if isinstance(block, Table)]
    return table


def test_the_matrix_holds_the_top_units_measures_as_assessed_at_the_lock(cycles: Cycle) -> None:
    table = matrix_table(cycles)
    assert table.header == HEADER
    assert [row[0] for row in table.rows] == [
        "Special cause improvement",
        "Common cause",
        "Special cause concern",
        "Special cause, neither improvement nor concern",
    ]
    framework = services.cycle_framework(cycles)
    assessment = services.cycle_assessment(cycles, units=["F"])
    expected: dict[tuple[str, str], list[str]] = {}
    for record in assessment.filter(assessment["unit"] == "F").iter_rows(named=True):
        if record["variation"] is not None:
            key = (ROWS[record["variation"]], COLUMNS[record["assurance"]])
            expected.setdefault(key, []).append(framework.measure(record["measure"]).name)
    assert expected, "the cycle's force has an SPC chart"
    found = {
        (row[0], HEADER[index]): cell.split("; ")
        for row in table.rows
        for index, cell in enumerate(row)
        if index and cell != "–"
    }
    assert found == expected


def test_the_html_and_pdf_draw_the_icons_and_word_has_the_table(
    cycles: Cycle, tmp_path: Path
) -> None:
    from docx import Document as WordDocument

    document = board_paper(cycles)
    html = render_html(document)
    matrix = html[html.index("Making Data Count summary of Force</h") :]
    # The icons beside the headings' words (hidden from screen readers: the words say it).
    assert '<th scope="col"><span class="icons"><svg' in matrix
    assert '<th scope="row"><span class="icons"><svg' in matrix
    assert matrix.count('<svg class="pmf-mdc-icon"') == 10
    assert matrix.count('aria-hidden="true"') == 10
    assert ">P</text>" in matrix and ">?</text>" in matrix and ">H</text>" in matrix
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(render_pdf(document))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    matrix_text = text[text.index("Making Data Count summary of Force") :]
    # The headings (wrapped in their narrow columns) and the icons' letters made it to a page.
    for words in ("Consistently", "Hit and", "No target", "Special cause concern", " P ", " F "):
        assert words in matrix_text, words
    word = WordDocument(io.BytesIO(render_word(document)))
    headers = [[cell.text for cell in table.rows[0].cells] for table in word.tables]
    assert list(HEADER) in headers
