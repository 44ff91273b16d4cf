"""Commentary in real Chromium: beside the chart, its page and form, the analyst's list; axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.commentary import services
from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import load_charted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Test Force").wait_for()


def test_the_owner_writes_commentary_and_the_analyst_sees_it_flagged(
    page: Page,
    live_server: object,
    analyst: User,
    owner: User,
    organisation: Organisation,
    tmp_path: Path,
) -> None:
    load_charted(organisation, tmp_path)
    services.request_commentary(
        organisation,
        None,
        {"measure": "ER", "unit": "N", "period": "2019-07", "owner": "owner"},
    )
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "owner")
    page.goto(f"{base}/TST/units/N/measures/ER/")
    page.get_by_role("heading", name="Commentary on July 2019").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Write or change the commentary").click()
    page.get_by_role("heading", name="Commentary on Emergency response within target").wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="Save the commentary").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    check_accessibility(page)
    page.get_by_label("What happened").fill("Answering improved.")
    page.get_by_label("Why", exact=True).fill("A new rota.")
    page.get_by_label("What is being done").fill("Keeping the rota.")
    page.get_by_role("button", name="Save the commentary").click()
    page.get_by_text("Commentary saved").wait_for()
    assert page.get_by_role("row", name="Written").count() == 1
    check_accessibility(page)
    screenshot(page, "commentary")
    page.context.clear_cookies()  # signed out
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/")
    page.get_by_role("link", name="Commentary", exact=True).click()
    page.get_by_role("heading", name="Commentary to check").wait_for()
    assert "says “improved”, but the SPC chart shows only common cause" in page.content()
    check_accessibility(page)
    screenshot(page, "commentary-list")
