"""The PowerPoint deck of a document: opened again with python-pptx and read back."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pptx import Presentation
from pptx.util import Pt

from pmf.reports.charts import svg_as_png
from pmf.reports.document import Bullets, Chart, Document, Paragraph, Section, Table
from pmf.reports.formats import FORMATS, render_as
from pmf.reports.pptx import (
    CONTENT_BOTTOM,
    render_pptx,
    text_width,
    wrapped,
)

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
    '<rect x="10" y="10" width="380" height="180" fill="#1d70b8"/></svg>'
)


def chart(alt: str) -> Chart:
    return Chart(svg=SVG, png=svg_as_png(SVG), alt=alt, caption=f"Caption of {alt}")


def long_table(rows: int) -> Table:
    return Table(
        caption="Crimes by month",
        header=("Month", "Crimes", "Note"),
        rows=tuple((f"Month {n}", str(n * 7), "a note " * (n % 4)) for n in range(1, rows + 1)),
    )


def document() -> Document:
    return Document(
        title="Board paper <draft> & notes",
        subtitle="Cycle 8: data to March",
        organisation="Test Force",
        meta=(("Date", "1 April 2026"), ("Author", "Analyst & co <x>")),
        sections=(
            Section(
                "1.0",
                "Summary & <scope>",
                (
                    Paragraph("Short & sweet <b>not bold</b>\x07 text.", lead="Redlines"),
                    Bullets(("first <item>", "second & last")),
                ),
            ),
            Section(
                "2.0",
                "Charts",
                (
                    chart("SPC chart of crimes"),
                    long_table(4),
                    chart("Peer chart of crimes"),
                    Table("Peers", ("Unit", "Value"), (("North", "1"), ("South", "2"))),
                ),
                subsections=(Section("2.1", "A long table", (long_table(60),)),),
            ),
            Section(
                "3.0",
                "A long paragraph",
                (Paragraph(" ".join(f"Sentence number {n} is here." for n in range(400))),),
            ),
            Section(
                "Appendix One",
                "Parts",
                subsections=(Section("A.1", "Only part", (Paragraph("Text."),)),),
            ),
        ),
    )


def deck(doc: Document) -> Any:
    return Presentation(io.BytesIO(render_pptx(doc)))


def texts(slide: Any) -> str:
    return "\n".join(
        shape.text_frame.text for shape in slide.shapes if getattr(shape, "has_text_frame", False)
    )


def test_the_deck_is_wide_and_opens_with_a_title_slide() -> None:
    presentation = deck(document())
    assert presentation.slide_width * 9 == presentation.slide_height * 16
    first = presentation.slides[0]
    assert "Board paper <draft> & notes" in texts(first)
    assert "Author: Analyst & co <x>" in texts(first)
    assert presentation.core_properties.title == "Board paper <draft> & notes"


def test_every_section_heading_is_a_slide_title_numbered_as_in_the_paper() -> None:
    doc = document()
    titles = [slide.shapes.title.text_frame.text for slide in list(deck(doc).slides)[1:]]
    for _, section in doc.walk():
        assert section.title in titles
    assert "1.0 Summary & <scope>" in titles
    assert "Appendix One – Parts" in titles
    # The section of subsections only lists them.
    index = titles.index("Appendix One – Parts")
    assert "A.1 Only part" in texts(list(deck(doc).slides)[index + 1])


def test_user_text_is_kept_as_text_and_control_characters_are_dropped() -> None:
    slides = deck(document()).slides
    summary = texts(slides[1])
    assert "Short & sweet <b>not bold</b> text." in summary
    assert "first <item>" in summary
    assert "second & last" in summary


def test_each_chart_is_a_picture_described_by_its_alt_text_with_its_data_in_the_notes() -> None:
    doc = document()
    pictures = []
    for slide in deck(doc).slides:
        for shape in slide.shapes:
            if shape.shape_type == 13:  # MSO_SHAPE_TYPE.PICTURE
                pictures.append((shape._element.nvPicPr.cNvPr.get("descr"), slide))
    assert [alt for alt, _ in pictures] == ["SPC chart of crimes", "Peer chart of crimes"]
    notes = pictures[0][1].notes_slide.notes_text_frame.text
    assert "Month | Crimes | Note" in notes
    assert "Month 4 | 28 |" in notes
    assert "Peers" in pictures[1][1].notes_slide.notes_text_frame.text
    assert "South | 2" in pictures[1][1].notes_slide.notes_text_frame.text


def test_a_long_table_goes_on_over_slides_with_its_header_on_each() -> None:
    slides = deck(document()).slides
    tables = [
        shape.table
        for slide in slides
        for shape in slide.shapes
        if shape.has_table and shape.table.cell(1, 0).text.startswith("Month")
    ]
    long = [table for table in tables if len(table.rows) > 5 or table.cell(1, 0).text != "Month 1"]
    assert len(long) >= 2
    for table in long:
        assert [table.cell(0, column).text for column in range(3)] == ["Month", "Crimes", "Note"]
    body = [table.cell(row, 0).text for table in long for row in range(1, len(table.rows))]
    # Every row once, in order (the 4-row table of section 2.0 is the first).
    assert body[-60:] == [f"Month {n}" for n in range(1, 61)]
    continued = [slide for slide in slides if "2.1 A long table (continued)" in texts(slide)]
    assert continued
    assert "Crimes by month (continued)" in texts(continued[0])


def test_nothing_runs_off_the_slide() -> None:
    presentation = deck(document())
    width, height = presentation.slide_width, presentation.slide_height
    for number, slide in enumerate(presentation.slides):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= width, (number, shape.name)
            assert shape.top + shape.height <= height, (number, shape.name)
            if shape.has_table:
                rows = sum(row.height for row in shape.table.rows)
                assert shape.top + rows <= Pt(CONTENT_BOTTOM), (number, shape.name)


def test_a_long_paragraph_is_split_between_lines_over_slides() -> None:
    slides = deck(document()).slides
    words = " ".join(
        texts(slide).split("\n", 1)[1] for slide in slides if "3.0 A long paragraph" in texts(slide)
    )
    assert len([s for s in slides if "3.0 A long paragraph" in texts(s)]) > 2
    assert words.split() == " ".join(f"Sentence number {n} is here." for n in range(400)).split()


def test_wrapping_keeps_every_word_and_each_line_fits() -> None:
    text = "A fairly long sentence with an extraordinarilylongwordthatcannotfitatall in it."
    lines = wrapped(text, 18, 120)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(text_width(line, 18) <= 120 for line in lines)


def test_pptx_is_one_of_the_formats() -> None:
    assert FORMATS["pptx"].endswith("presentationml.presentation")
    assert render_as(document(), "pptx")[:2] == b"PK"


@pytest.mark.parametrize("rows", [0, 1])
def test_small_tables_and_a_chart_without_a_table(rows: int) -> None:
    doc = Document(
        "T",
        "S",
        "O",
        sections=(Section("1", "Only", (long_table(rows), chart("Alone"))),),
    )
    slides = deck(doc).slides
    notes = slides[-1].notes_slide.notes_text_frame.text
    assert "Chart: Alone" in notes
