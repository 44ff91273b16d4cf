"""An analyst reads an SPC chart with a rebase and an event, and adds a rebase, in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import load_charted, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_adds_a_rebase_from_the_measure_page(
    page: Page, live_server: object, analyst: User, organisation: Organisation, tmp_path: Path
) -> None:
    load_charted(organisation, tmp_path)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/N/measures/ER/")
    page.locator(".pmf-chart__canvas svg").first.wait_for()
    assert (
        "Limits from the 20 months August 2016 to March 2018"
        in page.locator("#spc-limits").inner_text()
    )
    segment = page.get_by_role("row", name="January 2019 to July 2019 (rebased: new dispatch")
    assert segment.is_visible() and "Trial limits" in segment.inner_text()
    check_accessibility(page)
    screenshot(page, "measure-spc-segments")
    page.get_by_role("link", name="Add, change or withdraw rebases and events").click()
    page.get_by_role("heading", name="Rebases and events", exact=True).wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="Add").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.get_by_role("link", name="Enter the period, for example 2025-04.").is_visible()
    check_accessibility(page)
    screenshot(page, "spc-marks-error")
    page.get_by_label("A rebase: a new baseline starts in this period").check()
    page.get_by_label("Period", exact=True).fill("2018-06")
    page.get_by_label("Reason for the rebase, or text of the event").fill("New shift pattern")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("row", name="June 2018").wait_for()
    check_accessibility(page)
    screenshot(page, "spc-marks")
    page.goto(f"{base}/TST/units/N/measures/ER/")
    assert "from June 2018 (rebased: New shift pattern)" in page.locator("#spc-limits").inner_text()
