"""An analyst reads a calculated measure's key drivers on its page, in Chromium, with axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from pmf.web.accounts.models import Membership
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import member, sign_in
from tests.web.drivers_world import drivers_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_reads_the_key_drivers_and_follows_a_component(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    organisation = drivers_organisation(tmp_path)
    member("analyst", organisation, Membership.Role.ANALYST)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/DRV/units/F/measures/HIGH_HARM/")
    page.get_by_role("heading", name="Key drivers").wait_for()
    table = page.get_by_role(
        "table", name="Key drivers of High harm offences for Force, June 2025 against May 2025"
    )
    assert table.get_by_role("row", name="Violence with injury").inner_text().split("\t")[-4:] == [
        "+10",
        "+10",
        "−100.0%",
        "+6.2%",
    ]
    assert page.get_by_text("key drivers: Robbery <b>of</b> personal property −12.5%").count() == 1
    check_accessibility(page)
    screenshot(page, "key-drivers")
    page.get_by_role("link", name="Violence with injury").first.click()
    page.get_by_role("heading", name="Violence with injury", level=1).wait_for()
    check_accessibility(page)
