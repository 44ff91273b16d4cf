"""The board paper's map beside a redline: a chart (SVG and PNG) and its table, in every format."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from pmf.reports.document import Chart, Document, Table
from pmf.reports.html import render_html
from pmf.reports.pdf import render_pdf
from pmf.reports.word import render_word
from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from pmf.web.papers.builders.board import board_paper
from tests.factories import member
from tests.maps_world import mapped_organisation

pytestmark = pytest.mark.django_db

CAPTION = "Crimes per 1,000 by unit, July 2019"


def _paper(organisation: Organisation) -> Document:
    analyst = member("analyst", organisation, Membership.Role.ANALYST)
    cycle = services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    return board_paper(cycle)


def _blocks(document: Document) -> list[object]:
    return [block for _, section in document.walk() for block in section.blocks]


def test_the_board_paper_maps_a_redline_with_its_table(tmp_path: Path) -> None:
    document = _paper(mapped_organisation(tmp_path))
    blocks = _blocks(document)
    (table,) = [b for b in blocks if isinstance(b, Table) and b.caption == CAPTION]
    assert table.header == ("Unit", "ONS code", "Value")
    assert table.rows == (
        ("North", "E09000007", "6.0"),
        ("South", "E09000019", "4.0"),
        ("Other Force", "E09000012", "no figure"),
    )
    (chart,) = [b for b in blocks if isinstance(b, Chart) and b.alt.startswith("Map of Crimes")]
    assert chart.alt == (
        "Map of Crimes per 1,000 by unit, July 2019: 2 units with a figure. Highest: North "
        "(6.0). Lowest: South (4.0). No figure: Other Force."
    )
    assert chart.svg.startswith("<svg") and "Crimes per 1,000, July 2019" in chart.svg
    assert chart.png.startswith(b"\x89PNG")
    assert "Contains OS data © Crown copyright" in chart.caption
    # The chart sits just before its table, after the redline's own blocks.
    assert blocks.index(table) == blocks.index(chart) + 1


def test_the_map_and_its_table_reach_the_html_pdf_and_word(tmp_path: Path) -> None:
    from docx import Document as WordDocument

    document = _paper(mapped_organisation(tmp_path))
    html = render_html(document)
    assert CAPTION in html and "E09000007" in html
    assert 'role="img" aria-label="Map of Crimes per 1,000 by unit, July 2019' in html
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(render_pdf(document))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert CAPTION in text and "E09000019" in text
    word = WordDocument(io.BytesIO(render_word(document)))
    assert any(
        [cell.text for cell in table.rows[0].cells] == ["Unit", "ONS code", "Value"]
        for table in word.tables
    )


def test_a_paper_without_boundaries_has_no_map(cycles: object) -> None:
    blocks = _blocks(board_paper(cycles))  # type: ignore[arg-type]
    assert not [b for b in blocks if isinstance(b, Table) and "ONS code" in b.header]
