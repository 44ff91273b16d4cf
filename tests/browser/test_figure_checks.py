"""The cycle's figures to check, the spot checks and the scorecard's marks in real Chromium:
each page passes axe, and a spot check's error is linked from the summary to its field."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_figures_to_check_marks_and_spot_checks_in_the_browser(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    held = Observation.objects.filter(measure__organisation=organisation)
    held.update(status=Observation.Status.SIGNED_OFF)
    held.filter(unit__code="S", measure__code="ER").update(status=Observation.Status.PROVISIONAL)
    held.filter(unit__code="N", measure__code="ER").update(
        warnings="the value is 40% above the previous one", warnings_reason="a new shift pattern"
    )
    services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")

    page.goto(f"{base}/TST/units/S/")
    page.get_by_text("P the figure is provisional").wait_for()
    assert "(provisional)" in page.get_by_role("row", name="Emergency response").inner_text()
    check_accessibility(page)

    page.goto(f"{base}/TST/cycles/1/")
    page.get_by_role("heading", name="Figures to check").wait_for()
    page.get_by_role("table", name="Figures of cycle 1 stored with accepted warnings").wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="Lock the data and recommend grades").click()
    page.get_by_text("Lock the data anyway?").wait_for()
    check_accessibility(page)
    screenshot(page, "cycle-figures-to-check")
    page.get_by_role("button", name="Lock the data anyway").click()
    page.get_by_text("Cycle 1 is now at data locked.").wait_for()

    page.get_by_role("link", name="Data-quality spot checks").click()
    page.get_by_role("heading", name="Data-quality spot checks").wait_for()
    page.get_by_text("0 of 4 sampled figures verified against source").wait_for()
    check_accessibility(page)
    first = page.locator("#check-1")
    first.get_by_label("Discrepancy").check()
    first.get_by_role("button", name="Save spot check 1").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    # The error summary moves focus with GOV.UK Frontend's script, which runs once the page has
    # loaded: a click before then only scrolls.
    page.wait_for_load_state("load")
    summary.get_by_role("link", name="Note: say what differs from the source").click()
    expect(page.locator("#note-1")).to_be_focused()
    check_accessibility(page)
    first = page.locator("#check-1")
    first.get_by_label("Note").fill("The source says 76.")
    first.get_by_role("button", name="Save spot check 1").click()
    page.get_by_text("Spot check 1 saved.").wait_for()
    page.locator("#check-2").get_by_label("Verified against source").check()
    page.locator("#check-2").get_by_role("button", name="Save spot check 2").click()
    page.get_by_text(
        "1 of 4 sampled figures verified against source; 1 discrepancy: Emergency response "
        "within target, South, July 2019 (The source says 76); 2 not yet checked."
    ).wait_for()
    check_accessibility(page)
    screenshot(page, "spot-checks")
