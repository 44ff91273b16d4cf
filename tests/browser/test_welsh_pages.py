"""The pages in Welsh in real Chromium: signing in, the scorecard, a measure and the dashboard.

The reader's language is the ``django_language`` cookie; axe runs on each page, and the
browser's console stays free of errors (the page's charts still draw).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_signs_in_and_reads_the_scorecard_in_welsh(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.context.add_cookies([{"name": "django_language", "value": "cy", "url": base}])
    page.goto(f"{base}/")
    page.get_by_role("heading", name="Mewngofnodi").wait_for()
    check_accessibility(page)
    page.locator("#id_username").fill("analyst")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Mewngofnodi").click()
    page.get_by_role("button", name="Allgofnodi").wait_for()
    page.goto(f"{base}/TST/units/F/")
    page.get_by_role("heading", name="Force: cerdyn sgorio").wait_for()
    assert page.title() == "Cerdyn sgorio Force – pmf"
    check_accessibility(page)
    screenshot(page, "scorecard-cy")
    page.goto(f"{base}/TST/units/F/measures/ER/")
    page.get_by_role("heading", name="Llinach y ffigur diweddaraf").wait_for()
    check_accessibility(page)
    page.goto(f"{base}/TST/dashboard/")
    page.get_by_role("heading", name="Test Force: beth sydd angen sylw").wait_for()
    check_accessibility(page)
