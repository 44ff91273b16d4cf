"""The board paper's map beside a redline: against the standard as the cycle assessed it, with its
table, in every format and in Welsh."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import polars as pl
import pytest

from pmf.reports.document import Chart, Document, Table
from pmf.reports.html import render_html
from pmf.reports.pdf import render_pdf
from pmf.reports.word import render_word
from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from pmf.web.papers.builders.board import board_paper
from pmf.web.papers.builders.common import written_in
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


def test_the_board_paper_maps_a_redline_against_the_standard_as_the_cycle_assessed_it(
    tmp_path: Path,
) -> None:
    document = _paper(mapped_organisation(tmp_path))
    blocks = _blocks(document)
    (table,) = [b for b in blocks if isinstance(b, Table) and b.caption == CAPTION]
    assert table.header == ("Unit", "ONS code", "Value", "Against the standard")
    # Crimes per 1,000 against the commands' average (5.0): North is above it, South below.
    assert table.rows == (
        ("North", "E09000007", "6.0", "x does not meet the standard"),
        ("South", "E09000019", "4.0", "+ meets the standard"),
        ("Other Force", "E09000012", "no figure", "–"),
    )
    (chart,) = [b for b in blocks if isinstance(b, Chart) and b.alt.startswith("Map of Crimes")]
    assert chart.alt == (
        "Map of Crimes per 1,000 by unit, July 2019: 2 units with a figure. Highest: North "
        "(6.0). Lowest: South (4.0). Standard v. MSG average: 1 of 2 meet it. Meet the standard: "
        "South. "
        "Do not meet the standard: North. No figure: Other Force."
    )
    assert chart.svg.startswith("<svg") and "Crimes per 1,000, July 2019" in chart.svg
    # Coloured and marked against the standard: the legend's classes and the units' symbols.
    assert "+ meets the standard" in chart.svg and "x does not meet the standard" in chart.svg
    assert "Against the standard: colour and symbol" in chart.svg
    assert chart.caption.startswith(
        "Crimes per 1,000, July 2019: a map of each unit's figure against the standard"
    )
    assert chart.png.startswith(b"\x89PNG")
    assert "Contains OS data © Crown copyright" in chart.caption
    # The chart sits just before its table, after the redline's own blocks.
    assert blocks.index(table) == blocks.index(chart) + 1


def test_each_units_class_on_the_map_is_the_cycles_assessment_of_it(tmp_path: Path) -> None:
    organisation = mapped_organisation(tmp_path)
    document = _paper(organisation)
    cycle = organisation.cycles.get(number=1)
    assessment = services.cycle_assessment(cycle)
    words = {"green": "+ meets the standard", "red": "x does not meet the standard"}
    tables = {
        b.caption: b for b in _blocks(document) if isinstance(b, Table) and "ONS code" in b.header
    }
    names = {"N": "North", "S": "South"}
    measures = {"Crimes per 1,000": "CR"}
    assert set(tables) == {f"{name} by unit, July 2019" for name in measures}
    checked = 0
    for name, code in measures.items():
        table = tables[f"{name} by unit, July 2019"]
        judged = assessment.filter(pl.col("measure") == code, pl.col("unit").is_in(list(names)))
        for row in judged.iter_rows(named=True):
            (shown,) = [line for line in table.rows if line[0] == names[row["unit"]]]
            assert shown[3] == words[row["rag"]], (row["unit"], code)
            checked += 1
    assert checked == 2


def test_the_welsh_board_paper_maps_against_the_standard_in_welsh(tmp_path: Path) -> None:
    organisation = mapped_organisation(tmp_path)
    analyst = member("analyst", organisation, Membership.Role.ANALYST)
    cycle = services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    with written_in("cy"):
        document = board_paper(cycle)
    blocks = _blocks(document)
    (table,) = [
        b for b in blocks if isinstance(b, Table) and b.caption.startswith("Crimes per 1,000 fesul")
    ]
    assert table.caption == "Crimes per 1,000 fesul uned, Gorffennaf 2019"
    assert table.header == ("Uned", "Cod ONS", "Gwerth", "Yn erbyn y safon")
    assert table.rows[0][3] == "x nid yw’n cyrraedd y safon"
    assert table.rows[1][3] == "+ yn cyrraedd y safon"
    assert table.rows[2][2] == "dim ffigur"
    (chart,) = [
        b for b in blocks if isinstance(b, Chart) and b.alt.startswith("Map o'r mesur Crimes")
    ]
    assert "Yn cyrraedd y safon: South." in chart.alt
    assert "Heb gyrraedd y safon: North." in chart.alt
    assert "yn erbyn y safon" in chart.caption and "Gorffennaf 2019" in chart.caption
    assert "Gorffennaf 2019" in chart.svg and "+ yn cyrraedd y safon" in chart.svg


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
        [cell.text for cell in table.rows[0].cells]
        == ["Unit", "ONS code", "Value", "Against the standard"]
        for table in word.tables
    )


def test_a_paper_without_boundaries_has_no_map(cycles: object) -> None:
    blocks = _blocks(board_paper(cycles))  # type: ignore[arg-type]
    assert not [b for b in blocks if isinstance(b, Table) and "ONS code" in b.header]
