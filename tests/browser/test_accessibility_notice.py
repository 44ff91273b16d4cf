"""The accessibility statement at /accessibility/ in real Chromium: no sign-in, axe on the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import ROOT, check_accessibility, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_anyone_reads_the_accessibility_statement_from_the_footer(
    page: Page, live_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMF_ACCESSIBILITY", str(ROOT / "examples/police/accessibility.yaml"))
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    page.get_by_role(
        "heading",
        name="Accessibility statement for Metropolitan Police Service performance framework",
    ).wait_for()
    assert "partially compliant" in page.locator("#compliance-status").inner_text()
    assert "2.4.4 Link Purpose (In Context) (A)" in page.content()
    check_accessibility(page)
    screenshot(page, "accessibility-statement")


def test_without_its_file_the_statement_says_what_is_missing(
    page: Page, live_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMF_ACCESSIBILITY", raising=False)
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/accessibility/")
    page.get_by_text("has not yet given the details").wait_for()
    check_accessibility(page)
