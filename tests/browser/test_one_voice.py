"""The overview and a scorecard in real Chromium: a grade labelled with its cycle beside the
latest figures, the period each measure is at, a figure dated in the future flagged, and the
arrows' legend; axe on each."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import hold_from_before_the_rules, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_overview_and_a_scorecard_say_when_each_statement_is_from(
    page: Page, live_server: object, analyst: User, organisation: Organisation, tmp_path: Path
) -> None:
    cycle = services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    hold_from_before_the_rules(
        organisation, tmp_path / "typo.csv", "unit,measure,period,value\nN,ER,2099-07,70.0\n"
    )
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.get_by_role("heading", name="Test Force").wait_for()
    assert page.get_by_text("(cycle 1, data locked)").count() >= 1
    assert page.get_by_text("Latest figures (July 2019):").count() >= 1
    check_accessibility(page)
    screenshot(page, "overview-grades-with-cycle")
    page.get_by_role("link", name="North").click()
    # The mistyped 2099 figure does not become the "as at"; it is flagged instead.
    page.get_by_role("heading", name="North: scorecard as at July 2019").wait_for()
    page.get_by_text("Figures dated in the future are held for Emergency response").wait_for()
    page.get_by_text("↑ the figure rose, ↓ it fell").wait_for()
    row = page.get_by_role("row", name="Emergency response")
    assert "July 2019" in row.inner_text() and "75.0%" in row.inner_text()
    check_accessibility(page)
    screenshot(page, "scorecard-future-figure")
