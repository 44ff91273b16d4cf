"""The board paper shows a calculated redline's key drivers beside its chart, and its rationale
ends with their sentence."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document as WordDocument

from pmf.reports.document import Paragraph, Table
from pmf.reports.html import render_html
from pmf.reports.word import render_word
from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.papers.builders.board import board_paper
from tests.factories import member
from tests.web.drivers_world import drivers_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(tmp_path: Path) -> Cycle:
    organisation = drivers_organisation(tmp_path)
    analyst = member("drivers_analyst", organisation, Membership.Role.ANALYST)
    cycle = services.create_cycle(organisation, number=1, name="June", cut_off="2025-06")
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    return cycle


def test_the_paper_has_the_key_drivers_table_beside_the_redline(locked: Cycle) -> None:
    document = board_paper(locked)
    (harm,) = [section for _, section in document.walk() if section.number == "5.1"]
    assert "HARM" in harm.title
    (table,) = [
        block
        for block in harm.blocks
        if isinstance(block, Table) and "key drivers" in block.caption
    ]
    assert table.caption.startswith("High harm offences, Force: key drivers of the change to ")
    assert table.header == (
        "Component",
        "Since May 2025",
        "Since June 2024",
        "Against the target of ≤ 150",
    )
    assert table.rows == (
        ("Violence with injury", "+10 (+6.2%)", "+20 (+14.3%)", "+10 (+6.7%)"),
        ("Robbery <b>of</b> personal property", "−20 (−12.5%)", "−10 (−7.1%)", "−20 (−13.3%)"),
        ("Not explained by the components", "–", "–", "+10 (+6.7%)"),
        ("High harm offences (the change)", "−10 (−6.2%)", "+10 (+7.1%)", "+0 (+0.0%)"),
    )
    (said,) = [
        block
        for block in harm.blocks
        if isinstance(block, Paragraph) and block.lead == "Key drivers:"
    ]
    # The standard's comparison, which the rationale speaks of: on the target, within it a
    # fall in robbery and a rise in violence with injury.
    assert said.text == (
        "No overall change against the target of ≤ 150, but movement within it: Robbery "
        "<b>of</b> personal property (−20) and Violence with injury (+10)."
    )
    html = render_html(document)
    assert "Robbery &lt;b&gt;of&lt;/b&gt; personal property" in html
    assert "<b>of</b>" not in html
    word = WordDocument(io.BytesIO(render_word(document)))
    rows = [[cell.text for cell in row.cells] for table in word.tables for row in table.rows]
    assert list(table.header) in rows
    assert ["Not explained by the components", "–", "–", "+10 (+6.7%)"] in rows


def test_the_rationale_locked_with_the_cycle_says_the_key_drivers(locked: Cycle) -> None:
    grade = locked.grades.get(unit__code="F", area__code="HARM")
    assert "No overall change against the target of ≤ 150, but movement within it" in (
        grade.rationale
    )
