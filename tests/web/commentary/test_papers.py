"""Commentary in the board paper, beside the chart of the measure it is about."""

from __future__ import annotations

import pytest

from pmf.reports.document import Chart, Paragraph
from pmf.reports.html import render_html
from pmf.web.commentary import services
from pmf.web.cycles.models import Cycle
from pmf.web.papers.builders.board import board_paper

pytestmark = pytest.mark.django_db


def test_the_board_paper_shows_the_written_commentary_under_its_chart(cycles: Cycle) -> None:
    services.write_commentary(
        cycles.organisation,
        None,
        {
            "measure": "CR",
            "unit": "F",
            "period": "2019-07",
            "what_happened": "Crime fell <sharply>",
            "why": "Two burglars arrested",
            "action": "Patrols kept up.",
        },
    )
    document = board_paper(cycles)
    for _, section in document.walk():
        blocks = list(section.blocks)
        found = [
            i
            for i, b in enumerate(blocks)
            if isinstance(b, Paragraph) and b.lead == "Commentary on July 2019"
        ]
        if found:
            break
    else:
        pytest.fail("no commentary in the board paper")
    paragraph = blocks[found[0]]
    assert isinstance(paragraph, Paragraph)
    assert paragraph.text.startswith(
        "What happened: Crime fell <sharply>. Why: Two burglars arrested. What is being done: "
        "Patrols kept up. (Written by pmf, "
    )
    # Under the chart of Crimes per 1,000 and its table.
    charts = [b for b in blocks[: found[0]] if isinstance(b, Chart)]
    assert charts and charts[-1].caption.startswith("Crimes per 1,000, Force")
    assert "Crime fell &lt;sharply&gt;" in render_html(document)


def test_commentary_not_written_is_not_in_the_paper(cycles: Cycle, owner: object) -> None:
    services.request_commentary(
        cycles.organisation,
        None,
        {"measure": "CR", "unit": "F", "period": "2019-07", "owner": "owner"},
    )
    assert "Commentary on" not in board_paper(cycles).text()
