"""The corporate dashboard in real Chromium: tiles, a drill-down, axe on each page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_drills_down_to_a_measure(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="Test Force: what needs attention").wait_for()
    check_accessibility(page)
    screenshot(page, "dashboard")
    page.get_by_role("link", name="Redlines and KPIs not met").click()
    page.get_by_role("heading", name="Redlines and KPIs not met").wait_for()
    check_accessibility(page)
    page.get_by_role("row", name="North").get_by_role("link").first.click()
    page.get_by_role("heading", name="Emergency response within target").wait_for()
