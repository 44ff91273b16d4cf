"""The board paper's appendix of scores: the top unit's measures scored at the lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.reports.document import Paragraph, Table
from pmf.reports.html import render_html
from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.papers.builders.board import board_paper
from tests.factories import GOOD, member
from tests.web.scores.test_scores_page import SCORING, store

pytestmark = pytest.mark.django_db


def locked(tmp_path: Path, text: str) -> services.Cycle:
    organisation = store(tmp_path, text)
    analyst = member("paper_analyst", organisation, Membership.Role.ANALYST)
    cycle = services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, Membership.objects.get(user=analyst))
    cycle.refresh_from_db()
    return cycle


def test_the_appendix_scores_the_top_unit_with_weights_and_calculations(tmp_path: Path) -> None:
    document = board_paper(locked(tmp_path, GOOD + SCORING))
    (section,) = [s for _, s in document.walk() if s.number == "Appendix Four"]
    assert section.title == "Appendix Four – Scores of Force"
    intro, areas, measures = section.blocks
    assert isinstance(intro, Paragraph) and isinstance(areas, Table)
    assert isinstance(measures, Table)
    # The force has no response figure of its own (no roll-up): crimes only, 10 per 2,000
    # residents = 5.0 per 1,000, at its goal (score 6.67).
    assert measures.rows == (
        (
            "Emergency response within target",
            "–",
            "red flag 70.0%, goal 80.0%",
            "3",
            "–",
            "no figure: not scored",
        ),
        ("Crimes per 1,000", "5.0", "red flag 9.0, goal 5.0", "1", "6.67", measures.rows[1][5]),
    )
    assert areas.rows == (
        ("FOCUS", "6.67", "(6.67 × 1) ÷ 1 = 6.67; 1 measure without a score left out"),
    )
    assert "The overall score is 6.67 (green)" in intro.text
    assert "Scores of Force" in render_html(document)


def test_a_framework_without_scoring_has_no_appendix_of_scores(tmp_path: Path) -> None:
    document = board_paper(locked(tmp_path, GOOD))
    assert not [s for _, s in document.walk() if s.number == "Appendix Four"]


def test_the_appendix_keeps_the_thresholds_the_cycle_was_locked_with(tmp_path: Path) -> None:
    from pmf.core.framework import load_framework
    from pmf.web.frameworks.services import store_framework

    cycle = locked(tmp_path, GOOD + SCORING)
    store_framework(load_framework(GOOD + SCORING.replace("goal: 5,", "goal: 3,")), "later.yaml")
    document = board_paper(cycle)
    (section,) = [s for _, s in document.walk() if s.number == "Appendix Four"]
    measures = section.blocks[2]
    assert isinstance(measures, Table)
    assert measures.rows[1][2] == "red flag 9.0, goal 5.0"
