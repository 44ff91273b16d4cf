"""A cycle on PEEL's five grades in real Chromium: Adequate chosen, shown and tagged; axe."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page

from pmf.core.framework import load_framework
from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import GOOD, advance_to, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_command_lead_grades_adequate_on_the_peel_scale(
    page: Page,
    browser: Browser,
    live_server: object,
    analyst: User,
    command_lead: User,
    organisation: Organisation,
) -> None:
    store_framework(load_framework(GOOD + "grading:\n  scale: peel\n"), "framework.yaml")
    cycle = services.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    advance_to(cycle, analyst, cycle.State.SELF_ASSESSMENT)
    base = live_server.url  # type: ignore[attr-defined]

    lead = signed_in(browser, base, "command_lead")
    lead.goto(f"{base}/TST/cycles/1/units/N/areas/FOCUS/")
    lead.get_by_role("heading", name="Your self-assessment").wait_for()
    options = lead.get_by_role("group", name="Grade").get_by_role("radio")
    labels = [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert labels == [
        "outstanding",
        "good",
        "adequate",
        "requires_improvement",
        "inadequate",
        "no_grade",
    ]
    lead.get_by_text("The HMICFRS PEEL scale, best first.").wait_for()
    lead.get_by_label("Adequate", exact=True).check()
    lead.get_by_label("Rationale").fill("Both redlines met; one KPI of concern.")
    lead.get_by_role("button", name="Save the grade").click()
    lead.get_by_text("Saved.").wait_for()
    check_accessibility(lead)
    screenshot(lead, "grade-scale-adequate")
    lead.context.close()

    analyst_page = signed_in(browser, base, "analyst")
    analyst_page.goto(f"{base}/TST/cycles/1/")
    row = analyst_page.get_by_role("table", name="Grades for cycle 1").get_by_role(
        "row", name="North"
    )
    assert "Adequate" in row.inner_text()
    check_accessibility(analyst_page)
    analyst_page.goto(f"{base}/TST/cycles/")
    analyst_page.get_by_role("img", name="Test Force: grades by cycle").wait_for()
    caption = analyst_page.locator("figcaption").first.inner_text()
    assert "A Adequate" in caption and "RI Requires improvement" in caption
    check_accessibility(analyst_page)
    analyst_page.context.close()
