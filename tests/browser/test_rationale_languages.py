"""The rationale of a cycle locked in English, read and edited in Welsh in real Chromium."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import grade_of, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_welsh_analyst_reads_pmfs_welsh_and_writes_a_welsh_version(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    cycle = services.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)  # type: ignore[attr-defined]
    north = grade_of(cycle, "N")
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/cycles/1/units/N/areas/FOCUS/")
    page.get_by_role("link", name="Newid yr iaith i’r Gymraeg").click()
    page.wait_for_url(f"{base}/TST/cycles/1/units/N/areas/FOCUS/")
    rationale = page.locator(".pmf-rationale").inner_text()
    assert "Llinellau coch" in rationale, rationale
    assert "Redlines" not in rationale
    assert "2 o’r 2 llinell goch heb eu cyrraedd" in page.locator("main").inner_text()
    check_accessibility(page)

    # Saved as the browser sends it (lines ended CR LF): the English box unchanged is not an
    # edit; the Welsh box is what Welsh readers read.
    page.get_by_label("Y rhesymeg yn Gymraeg (dewisol)").fill("Ein geiriau ni am y Gogledd.")
    page.get_by_role("button", name="Cadw'r rhesymeg").click()
    page.locator(".pmf-rationale").get_by_text("Ein geiriau ni am y Gogledd.").wait_for()
    north.refresh_from_db()
    assert north.rationale == north.rationale_generated
    assert north.translations["cy"]["rationale"] == "Ein geiriau ni am y Gogledd."
    page.get_by_text("Y rhesymeg fel y'i cynhyrchwyd gan pmf").wait_for()
    check_accessibility(page)
    screenshot(page, "welsh-rationale-version")

    # English readers read pmf's English, not edited.
    page.get_by_role("link", name="Change the language to English").click()
    page.wait_for_url(f"{base}/TST/cycles/1/units/N/areas/FOCUS/")
    rationale = page.locator(".pmf-rationale").inner_text()
    assert "Redlines" in rationale, rationale
    assert page.get_by_text("The rationale as pmf generated it").count() == 0
