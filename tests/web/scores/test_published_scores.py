"""A published cycle's public unit pages show the unit's scores at the lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.web.publishing import publish_cycle
from tests.factories import GOOD, member, published
from tests.web.scores.test_scores_page import SCORING, store

pytestmark = pytest.mark.django_db


def test_the_public_unit_page_has_the_scores_with_their_calculations(tmp_path: Path) -> None:
    organisation = store(tmp_path, GOOD + SCORING)
    analyst = member("publisher", organisation, "analyst")
    publish_cycle(published(organisation, analyst), tmp_path / "site")
    north = (tmp_path / "site" / "units" / "N.html").read_text(encoding="utf-8")
    assert '<h2 class="govuk-heading-m" id="scores">Scores</h2>' in north
    assert "Overall score 5.21 (yellow): (5.21 × 1) ÷ 1 = 5.21." in north
    assert "3.33 + (75.0% − 70.0%) ÷ (80.0% − 70.0%) × 3.33 = 5.00" in north


def test_without_scoring_the_public_unit_page_has_no_scores(tmp_path: Path) -> None:
    organisation = store(tmp_path, GOOD)
    analyst = member("publisher", organisation, "analyst")
    publish_cycle(published(organisation, analyst), tmp_path / "site")
    assert 'id="scores"' not in (tmp_path / "site" / "units" / "N.html").read_text()
