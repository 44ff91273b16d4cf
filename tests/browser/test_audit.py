"""The audit trail page in real Chromium: filters, before and after, axe clean."""

from __future__ import annotations

import polars as pl
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.frameworks.models import Organisation
from pmf.web.observations.services import import_frame
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_reads_the_audit_trail_with_changes_marked(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    frame = pl.DataFrame({"unit": ["S"], "measure": ["ER"], "period": ["2019-07"], "value": ["86"]})
    import_frame(organisation, frame, file_name="correction.csv", source="test")
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.get_by_role("heading", name="Test Force").wait_for()
    page.goto(f"{base}/TST/audit/")
    page.get_by_role("heading", name="Audit trail").wait_for()
    check_accessibility(page)
    page.get_by_label("What changed").select_option("observation")
    page.get_by_label("Unit").select_option("S")
    page.get_by_role("button", name="Show changes").click()
    page.wait_for_url("**kind=observation**")
    newest = page.locator(".govuk-summary-card").first
    assert "correction.csv" in newest.inner_text()
    row = newest.get_by_role("row", name="ER 2019-07.value")
    assert row.locator("del").inner_text() == "85"
    assert row.locator("ins").inner_text() == "86"
    check_accessibility(page)
    screenshot(page, "audit-trail")
