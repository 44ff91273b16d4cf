"""Papers in Welsh: the board paper and the exception report built in the reader's language.

The same builders write both languages: with Welsh active (a reader's choice in the web, or
``--language cy`` on the command line) every heading, appendix name, caption, chart
description and table header is the Welsh catalogue's, the paper says it is in Welsh (HTML
``lang``, the PDF's and the Word file's language) and its dates have Welsh month names; with
English active nothing changes.
"""

from __future__ import annotations

import io
import re
import subprocess
import zlib
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from pmf.reports.document import Chart, Document, Table
from pmf.reports.html import paper_style, render_html
from pmf.reports.pdf import render_pdf
from pmf.reports.word import render_word
from pmf.web.cycles.models import Cycle
from pmf.web.papers.builders.board import board_paper
from pmf.web.papers.builders.exceptions import exception_report

pytestmark = pytest.mark.django_db


def welsh_board_paper(cycle: Cycle) -> Document:
    with translation.override("cy"):
        return board_paper(cycle)


def blocks_of(document: Document, kind: type) -> list:
    return [block for _, s in document.walk() for block in s.blocks if isinstance(block, kind)]


def test_the_board_paper_in_welsh_has_welsh_headings_and_appendices(cycles: Cycle) -> None:
    document = welsh_board_paper(cycles)
    titles = [section.title for _, section in document.walk()]
    assert titles[:5] == [
        "1.0 Diben yr adroddiad",
        "2.0 Argymhellion",
        "3.0 Crynodeb gweithredol",
        "4.0 Cyflwyniad a chefndir",
        "5.0 Gwaith a pherfformiad cyfredol",
    ]
    assert "Atodiad Un – Graddau Force ers cylch 1" in titles
    assert "Atodiad Dau – Graddau pob uned" in titles
    assert "Atodiad Tri – Crynodeb Making Data Count: Force" in titles
    assert not [title for title in titles if "Appendix" in title]
    assert document.title == "Test Force: graddau'r cerdyn sgorio, cylch 2"
    assert document.language == "cy"
    text = document.text()
    assert "fel y'u pennwyd gan y bwrdd (nad yw wedi'i gynnal eto)" in text
    assert "Newidiadau yn y graddau rhwng cylch 1 a'r cylch hwn:" in text
    # The appendices still start a page of their own.
    assert [s.is_appendix for _, s in document.walk() if s.number.startswith("Atodiad")]
    assert all(s.is_appendix for _, s in document.walk() if s.number.startswith("Atodiad"))


def test_the_welsh_charts_have_welsh_descriptions_and_table_headers(cycles: Cycle) -> None:
    document = welsh_board_paper(cycles)
    charts = blocks_of(document, Chart)
    assert charts
    spc = [chart for chart in charts if chart.alt.startswith("Siart SPC:")]
    assert spc, [chart.alt for chart in charts]
    assert all("ar gyfer Force" in chart.alt for chart in spc)
    assert any(chart.alt.startswith("Map tiwb o raddau pob maes") for chart in charts)
    assert all("Mae'r ffigurau yn y tabl isod." in chart.caption for chart in spc)
    headers = {header for table in blocks_of(document, Table) for header in table.header}
    assert {"Cyfnod", "Gwerth", "Cymedr", "Terfyn isaf", "Terfyn uchaf", "Amrywiad"} <= headers
    assert "Lower limit" not in headers
    # The chart itself is drawn with Welsh words: its legend's title and its description.
    assert "Amrywiad" in spc[0].svg


def test_the_welsh_html_paper_says_it_is_in_welsh(cycles: Cycle) -> None:
    page = render_html(welsh_board_paper(cycles))
    assert '<html lang="cy">' in page
    assert '<h2 id="contents-title">Cynnwys</h2>' in page
    assert 'content: "Tudalen " counter(page) " o " counter(pages);' in page
    english = render_html(board_paper(cycles))
    assert '<html lang="en-GB">' in english
    assert '<h2 id="contents-title">Contents</h2>' in english


def test_the_welsh_pdf_reads_in_welsh(cycles: Cycle, tmp_path: Path) -> None:
    document = welsh_board_paper(cycles)
    pdf = render_pdf(document)  # in the document's language, whatever is active
    path = tmp_path / "papur.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    for heading in ("Cynnwys", "1.0 Diben yr adroddiad", "Atodiad Un", "Atodiad Dau"):
        assert heading in words, heading
    assert "Tudalen 1 o" in words
    assert "Appendix" not in words
    assert b"/Lang (cy)" in _pdf_objects(pdf)


def _pdf_objects(pdf: bytes) -> bytes:
    """Return the PDF's bytes with each compressed stream decompressed beside it."""
    found = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            found.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return b"\n".join(found)


def test_the_welsh_word_file_is_marked_welsh(cycles: Cycle) -> None:
    from docx import Document as WordDocument
    from docx.oxml.ns import qn

    word = WordDocument(io.BytesIO(render_word(welsh_board_paper(cycles))))
    assert word.core_properties.language == "cy"
    language = word.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert language.get(qn("w:val")) == "cy"
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "1.0 Diben yr adroddiad" in headings


def test_the_exception_report_in_welsh(cycles: Cycle) -> None:
    with translation.override("cy"):
        document = exception_report(cycles)
    titles = [section.title for _, section in document.walk()]
    assert titles[0] == "1.0 Ynglŷn â'r adroddiad hwn"
    assert document.title == "Test Force: adroddiad eithriadau, cylch 2"
    assert document.subtitle.startswith("Summer; data hyd at ddiwedd ")
    tables = blocks_of(document, Table)
    assert tables
    assert all(table.caption.startswith("Eithriadau ar gyfer ") for table in tables)
    assert tables[0].header[:4] == ("Mesur", "Gwerth", "Safon", "Wedi'i fodloni")
    assert "2 eithriad mewn un uned." in document.text()
    # The periods, the SPC words and the legends are Welsh too.
    assert document.subtitle == "Summer; data hyd at ddiwedd Gorffennaf 2019"
    assert "July 2019" not in document.text()
    assert "the latest figure against the limits" not in document.text()
    assert '<html lang="cy">' in render_html(document)


def test_english_papers_are_unchanged_with_english_active(cycles: Cycle) -> None:
    with translation.override("en-gb"):
        document = board_paper(cycles)
    assert document.language == "en-GB"
    assert document.sections[0].title == "1.0 Purpose of report"
    assert "Appendix One – Grades of Force since cycle 1" in document.text()


def test_the_web_paper_follows_the_readers_language(cycles: Cycle, analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    client.cookies["django_language"] = "cy"
    response = client.get("/TST/cycles/2/papers/board.html")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="cy">' in page
    assert "1.0 Diben yr adroddiad" in page
    # The page's policy lets the Welsh style sheet (its page numbers in Welsh) through.
    import base64
    import hashlib

    with translation.override("cy"):
        style = paper_style()  # the active language's words
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response["Content-Security-Policy"]
    pdf = client.get("/TST/cycles/2/papers/exceptions.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"/Lang (cy)" in _pdf_objects(pdf.content)
    english = Client()
    english.force_login(analyst)
    assert '<html lang="en-GB">' in english.get("/TST/cycles/2/papers/board.html").content.decode()


ENGLISH_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)


def test_the_welsh_board_papers_charts_and_tables_name_periods_and_limits_in_welsh(
    cycles: Cycle,
) -> None:
    document = welsh_board_paper(cycles)
    charts = blocks_of(document, Chart)
    tables = blocks_of(document, Table)
    words = [chart.alt for chart in charts] + [chart.caption for chart in charts]
    words += [table.caption for table in tables]
    words += [str(cell) for table in tables for row in table.rows for cell in row]
    words += [header for table in tables for header in table.header]
    assert [text for text in words if ENGLISH_MONTH.search(text)] == []
    assert [text for text in words if "Limits from" in text or "Hit and miss" in text] == []
    spc = [chart for chart in charts if chart.alt.startswith("Siart SPC:")]
    assert all("Terfynau" in chart.caption for chart in spc)
    # The SPC chart's own tooltips name the periods in Welsh.
    assert "Gorffennaf 2019" in spc[0].svg
    assert not ENGLISH_MONTH.search(spc[0].svg)
    # The Making Data Count matrix's headings are Welsh.
    headers = {header for table in tables for header in table.header}
    assert "Yn llwyddo’n gyson" in headers


def test_the_welsh_board_papers_changes_in_grades_need_no_mutated_grade(cycles: Cycle) -> None:
    text = welsh_board_paper(cycles).text()
    # A grade's name follows "y radd" as a label: "graddiwyd yn Da" would need "yn Dda".
    assert "Force: Y radd ar gyfer FOCUS yw Da (dim gradd yn y cylch diwethaf)." in text
    assert not re.search(r"\b(?:AG|RI)\b", text)
    assert (
        "Force: Graded at Good for FOCUS (no grade in the last cycle)."
        in board_paper(cycles).text()
    )
