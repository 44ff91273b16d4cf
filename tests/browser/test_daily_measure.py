"""A daily measure in Chromium, with axe: its chart by day, its months and quarters, its entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in
from tests.web.scorecards.test_daily_measure_page import daily

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_daily_measure_page_and_entry_form(
    page: Page, live_server: object, analyst: User, organisation: Organisation, tmp_path: Path
) -> None:
    daily(organisation, tmp_path)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/F/measures/UNALLOCATED/")
    page.get_by_role("heading", name="Unallocated cases").first.wait_for()
    page.locator("[data-chart='spc-chart'] svg").wait_for()
    page.get_by_role("heading", name="By month and quarter").wait_for()
    months = page.get_by_role("table", name="Unallocated cases for Force by month")
    january = months.get_by_role("row", name="January 2024").get_by_role("cell").all_inner_texts()
    assert january == ["13", "31 of 31 days, 2024-01-01 to 2024-01-31", "Yes"], january
    quarters = page.get_by_role("table", name="Unallocated cases for Force by quarter")
    assert quarters.get_by_role("row", name="2023/24 Q4").count() == 1
    check_accessibility(page)
    screenshot(page, "measure-daily")

    page.goto(f"{base}/TST/units/N/enter/?period=2024-04-10")
    page.get_by_text("Unallocated cases").first.wait_for()
    check_accessibility(page)
