"""A unit's scores page and the scorecard's table of area scores, in real Chromium with axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, screenshot, served
from tests.factories import GOOD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _analyst(organisation: object) -> None:
    from pmf.web.accounts.models import Membership

    user = User.objects.create_user("analyst", password="correct horse battery staple")
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ANALYST)


def test_spider_scores_show_each_weight_threshold_and_sum(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    from tests.web.scores.test_scores_page import SCORING, store

    _analyst(store(tmp_path, GOOD + SCORING))
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/N/")
    table = page.locator("#scorecard-scores")
    expect(table).to_contain_text("Spider Impact scores, 0 to 10")
    expect(table.get_by_role("row", name=re.compile("FOCUS"))).to_contain_text("5.21")
    check_accessibility(page)
    page.get_by_role("link", name="Scores of North").click()
    page.get_by_role("heading", name="North: scores").wait_for()
    expect(page.locator("#overall-score")).to_have_text(
        "5.21 (yellow: between the red flag and the goal)"
    )
    row = page.get_by_role("row", name=re.compile("Emergency response within target"))
    expect(row).to_contain_text("red flag 70.0%, goal 80.0%")
    expect(row).to_contain_text("3.33 + (75.0% − 70.0%) ÷ (80.0% − 70.0%) × 3.33 = 5.00")
    check_accessibility(page)
    screenshot(page, "scores-spider")


def test_trafford_is_placed_in_a_segment_by_its_ranks_among_its_neighbours(
    page: Page, live_server: object
) -> None:
    from pmf.sources.examples import registry
    from pmf.web.frameworks.models import Organisation
    from pmf.web.observations.services import load_example

    load_example(registry()["trafford"])
    _analyst(Organisation.objects.get(code="E08000009"))
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/E08000009/units/E08000009/scores/")
    page.get_by_role("heading", name="Trafford: scores").wait_for()
    expect(page.locator("#segment")).to_have_text(re.compile(r"^[1-4]$"))
    row = page.get_by_role(
        "row", name=re.compile("Female life expectancy|life expectancy.*female", re.I)
    )
    expect(row.first).to_contain_text(re.compile(r"rank \d+ of 16: 1 \+ 3 × \d+ ÷ 15 = \d\.\d\d"))
    expect(page.get_by_role("link", name="These scores as JSON")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "scores-nof-trafford")


def test_the_public_unit_page_shows_the_scores_and_passes_axe(page: Page, tmp_path: Path) -> None:
    from pmf.web.publishing import publish_cycle
    from tests.factories import member, published
    from tests.web.scores.test_scores_page import SCORING, store

    organisation = store(tmp_path, GOOD + SCORING)
    site = tmp_path / "site"
    publish_cycle(published(organisation, member("publisher", organisation, "analyst")), site)
    with served(site, page) as base:
        page.goto(f"{base}/units/N.html")
        page.get_by_role("heading", name="Scores").wait_for()
        expect(page.get_by_role("table", name=re.compile("FOCUS: 5.21"))).to_be_visible()
        check_accessibility(page, site="public")
        screenshot(page, "public-unit-scores")
