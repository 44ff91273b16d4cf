"""Accepting plausibility warnings in real Chromium: the import page and the entry form; axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# North's ER for 2019-07 is held as 75: 30 is a correction of -60 %.
WARNING = "30 is a change of -60 % from 75"


def held_value() -> float:
    from pmf.web.observations.models import Observation

    return Observation.objects.get(
        unit__code="N", measure__code="ER", period="2019-07", superseded_at__isnull=True
    ).value


def test_analyst_accepts_the_warnings_of_an_imported_file_with_a_reason(
    page: Page, live_server: object, analyst: User, tmp_path: Path, settings: object
) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]
    figures = tmp_path / "figures.csv"
    figures.write_text("unit,measure,period,value\nN,ER,2019-07,30\n", encoding="utf-8")
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/import/")
    page.get_by_label("CSV or XLSX file").set_input_files(str(figures))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Figures with plausibility warnings").wait_for()
    expect(page.get_by_role("table").filter(has_text=WARNING)).to_be_visible()
    check_accessibility(page)
    screenshot(page, "import-warnings")

    page.get_by_role("button", name="Import 1 figure").click()
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link", name="Accept the plausibility warnings")
    expect(link).to_be_visible()
    check_accessibility(page)
    assert held_value() == 75

    page.get_by_label("I have checked the figures with warnings").check()
    page.get_by_label("Why the figures are right").fill("Recount after the audit")
    page.get_by_role("button", name="Import 1 figure").click()
    page.wait_for_url(f"{base}/TST/")
    assert held_value() == 30


def test_member_accepts_the_warning_of_an_entered_figure_with_a_reason(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/N/enter/?period=2019-07")
    page.get_by_label("Value").first.fill("30")
    page.get_by_role("button", name="Save figures").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    expect(page.locator(".govuk-error-summary")).to_contain_text(WARNING)
    expect(page.get_by_role("group", name="Plausibility warnings")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "entry-warnings")
    assert held_value() == 75

    page.get_by_label("I have checked these figures").check()
    page.get_by_label("Why the figures are right").fill("Confirmed with the control room")
    page.get_by_role("button", name="Save figures").click()
    page.wait_for_url(f"{base}/TST/units/N/**")
    assert held_value() == 30
