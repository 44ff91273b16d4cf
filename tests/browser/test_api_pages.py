"""The API's pages in real Chromium: issue a token, then read and try the API on its docs page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_issues_a_token_and_tries_the_api_in_its_docs(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.get_by_role("heading", name="Test Force").wait_for()
    page.goto(f"{base}/accounts/tokens/")
    check_accessibility(page)
    page.get_by_label("Name").fill("nightly load")
    page.get_by_role("button", name="Issue token").click()
    page.get_by_role("heading", name="Token issued").wait_for()
    assert page.get_by_label("Your new token").input_value().startswith("pmf_")
    check_accessibility(page)
    screenshot(page, "api-tokens")

    page.goto(f"{base}/api/docs")
    units = page.locator("#operations-framework-pmf_web_api_views_units")
    units.wait_for()
    check_accessibility(page)
    screenshot(page, "api-docs")
    units.locator(".opblock-summary-control").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_placeholder("org").fill("TST")
    page.get_by_role("button", name="Execute").click()
    page.locator(".live-responses-table .response-col_status").first.wait_for()
    assert "North" in page.locator(".live-responses-table").inner_text()
    screenshot(page, "api-docs-tried")
