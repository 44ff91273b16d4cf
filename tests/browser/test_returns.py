"""An analyst checks a statutory return, reads its problems, and downloads it, in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in
from tests.web.returns.test_returns import organisation_with_a_return

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(tmp_path: Path) -> Organisation:
    return organisation_with_a_return(tmp_path)


def test_analyst_checks_a_return_and_exports_it(
    page: Page, live_server: object, analyst: User, tmp_path: Path
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/")
    page.get_by_role("link", name="Returns").click()
    page.get_by_role("heading", name="Statutory returns").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Crimes return").click()
    page.get_by_label("Period of the return").fill("2019-07")
    page.get_by_role("button", name="Check the return").click()
    page.get_by_text("Not ready").wait_for()
    problem = "B4 (CR, S, 2019-07): the figure is provisional; the return needs validated figures"
    assert page.get_by_text(problem).first.is_visible()
    assert page.get_by_role("button", name="Export CRIMES").count() == 0
    check_accessibility(page)
    screenshot(page, "return-not-ready")
    page.get_by_label("Period of the return").fill("2019-06")
    page.get_by_role("button", name="Check the return").click()
    page.get_by_text("Ready to export").wait_for()
    assert page.get_by_role("row", name="B3").is_visible()
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CRIMES for 2019-06 (CSV)").click()
    made = download.value
    assert made.suggested_filename == "TST-CRIMES-2019-06.csv"
    target = tmp_path / made.suggested_filename
    made.save_as(target)
    assert target.read_text(encoding="utf-8").splitlines()[:3] == [
        "Month,2019-06,",
        "Unit,Crimes,",
        "North,6,",
    ]
    page.reload()
    page.get_by_role("cell", name="TST-CRIMES-2019-06.csv").wait_for()
    check_accessibility(page)
    screenshot(page, "return-exported")
