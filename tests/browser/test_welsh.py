"""Choosing Cymraeg in real Chromium: the page's language, Welsh names and the Welsh rationale."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from playwright.sync_api import Page

from pmf.core.framework import load_framework
from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import GOOD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WELSH_NAMES = (
    GOOD.replace(
        "name: Emergency response within target\n",
        "name: Emergency response within target\n    name_cy: Ymateb brys o fewn y targed\n",
    )
    .replace("    name: FOCUS\n", "    name: FOCUS\n    name_cy: FFOCWS\n", 1)
    .replace("{code: N, name: North,", "{code: N, name: North, name_cy: Gogledd,")
)


def test_a_reader_chooses_cymraeg_and_reads_the_scorecard_and_measure_in_welsh(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    store_framework(load_framework(WELSH_NAMES), "framework.yaml")
    cycle = services.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")
    with translation.override("cy"):
        # Locked by a Welsh reader: the rationale pmf drafts is written in Welsh.
        services.lock_cycle(cycle, analyst.membership)  # type: ignore[attr-defined]
    base = live_server.url  # type: ignore[attr-defined]

    # Before signing in: the sign-in page offers Cymraeg, and is served in it.
    page.goto(f"{base}/accounts/login/")
    switch = page.get_by_role("navigation", name="Choose a language")
    switch.get_by_role("link", name="Newid yr iaith i’r Gymraeg").click()
    page.wait_for_url(f"{base}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "cy"
    check_accessibility(page)
    page.get_by_role("navigation", name="Dewis iaith").get_by_role(
        "link", name="Change the language to English"
    ).click()
    assert page.locator("html").get_attribute("lang") == "en-GB"

    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/N/")
    page.get_by_text("Emergency response within target").first.wait_for()
    page.get_by_role("link", name="Newid yr iaith i’r Gymraeg").click()
    page.wait_for_url(f"{base}/TST/units/N/")
    assert page.locator("html").get_attribute("lang") == "cy"
    page.get_by_text("Ymateb brys o fewn y targed").first.wait_for()
    assert page.get_by_text("Emergency response within target").count() == 0
    page.get_by_text("FFOCWS").first.wait_for()
    check_accessibility(page)
    screenshot(page, "welsh-scorecard")

    page.goto(f"{base}/TST/units/N/measures/ER/")
    assert page.locator("html").get_attribute("lang") == "cy"
    page.get_by_text("Ymateb brys o fewn y targed").first.wait_for()
    check_accessibility(page)
    screenshot(page, "welsh-measure")

    page.goto(f"{base}/TST/cycles/1/units/N/areas/FOCUS/")
    rationale = page.locator("main").inner_text()
    assert "Llinellau coch" in rationale, rationale
    assert "Ymateb brys o fewn y targed – " in rationale
    check_accessibility(page)
    screenshot(page, "welsh-rationale")
