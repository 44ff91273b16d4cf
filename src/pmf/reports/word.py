"""Render a ``Document`` as a Word file (python-docx): real headings, tables and figures."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from pmf.reports.document import Bullets, Chart, Document, Paragraph, Section, Table

if TYPE_CHECKING:
    from docx.document import Document as WordFile
    from docx.shared import Mm


def render_word(document: Document) -> bytes:
    """Return the document as .docx bytes, with Word's heading styles for navigation."""
    from docx import Document as WordDocument
    from docx.shared import Mm, Pt

    word = WordDocument()
    word.core_properties.title = document.title
    word.core_properties.subject = document.subtitle
    word.core_properties.author = document.organisation
    word.core_properties.language = document.language
    style = word.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    _set_language(style, document.language)
    word.add_heading(document.title, level=0)
    word.add_paragraph(document.subtitle)
    for key, value in document.meta:
        line = word.add_paragraph()
        line.add_run(f"{key}: ").bold = True
        line.add_run(value)
    for section in document.sections:
        _section(word, section, 1, Mm)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _set_language(style: Any, language: str) -> None:
    """Mark the text of ``style`` (and so of the styles based on it) as in ``language``.

    Word's spelling and grammar checking and screen readers read the text in that language.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = style.element.get_or_add_rPr()
    found = properties.find(qn("w:lang"))
    if found is None:
        found = OxmlElement("w:lang")
        properties.append(found)
    found.set(qn("w:val"), language)


def _section(word: WordFile, section: Section, level: int, mm: type[Mm]) -> None:
    if section.is_appendix:
        word.add_page_break()  # type: ignore[no-untyped-call]  # unannotated in python-docx
    word.add_heading(section.title, level=min(level, 9))
    for block in section.blocks:
        if isinstance(block, Paragraph):
            paragraph = word.add_paragraph()
            if block.lead:
                paragraph.add_run(f"{block.lead} ").bold = True
            paragraph.add_run(block.text)
        elif isinstance(block, Bullets):
            for item in block.items:
                word.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            caption = word.add_paragraph()
            caption.add_run(block.caption).bold = True
            table = word.add_table(rows=1, cols=len(block.header))
            table.style = "Light List"
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = text
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
        elif isinstance(block, Chart):
            word.add_picture(io.BytesIO(block.png), width=mm(block.width_mm))
            word.paragraphs[-1].runs[-1]._r.xpath("./w:drawing/wp:inline/wp:docPr")[0].set(
                "descr", block.alt
            )
            word.add_paragraph(block.caption, style="Caption")
    for child in section.subsections:
        _section(word, child, level + 1, mm)
