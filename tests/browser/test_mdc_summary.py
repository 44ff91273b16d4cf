"""The Making Data Count summary in real Chromium: from the scorecard to the matrix and on to
a measure, the icons named for screen readers, and the dashboard's matrix; axe on each page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import member, sign_in
from tests.web.mdc_world import store_matrix_force

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_summary_matrix_links_each_measure_and_names_each_icon(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    organisation = store_matrix_force(tmp_path)
    member("matrix_analyst", organisation, "analyst")
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "matrix_analyst")

    page.goto(f"{base}/MDC/units/N/")
    # The scorecard's SPC column: the icons beside the words, each an image with a name.
    expect(page.get_by_role("img", name="Special cause variation: concern, high")).to_have_count(1)
    expect(page.get_by_role("img", name="Assurance: consistently passes the target")).to_have_count(
        1
    )
    check_accessibility(page)
    page.get_by_role("link", name="Making Data Count summary of North").click()
    as_at = "Making Data Count summary as at August 2025"
    page.get_by_role("heading", name=f"North: {as_at}").wait_for()
    check_accessibility(page)
    screenshot(page, "mdc-summary")

    table = page.get_by_role("table", name="Measures by variation and assurance")
    expect(table.get_by_role("columnheader")).to_have_count(5)
    expect(table.get_by_role("rowheader")).to_have_count(4)
    concern = table.get_by_role("row", name="Special cause concern")
    # The heading's icons (high and low) are drawn, hidden from screen readers: the words say it.
    expect(concern.locator("svg.pmf-mdc-icon")).to_have_count(2)
    expect(concern.get_by_role("img")).to_have_count(0)
    expect(concern.get_by_role("rowheader")).to_have_accessible_name("Special cause concern")
    concern.get_by_role("link", name="Calls answered late").click()
    page.get_by_role("heading", name="Calls answered late").wait_for()
    expect(page.get_by_role("img", name="Special cause variation: concern, high")).to_have_count(1)
    check_accessibility(page)

    page.goto(f"{base}/MDC/dashboard/")
    page.get_by_role("heading", name=f"Force: {as_at}").wait_for()
    table = page.get_by_role("table", name="Measures of Force by variation and assurance")
    expect(table.get_by_role("link", name="Arrests")).to_have_count(1)
    check_accessibility(page)
    screenshot(page, "mdc-dashboard")
