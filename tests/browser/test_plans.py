"""The improvement plan and a cycle's self-assessments in real Chromium; axe on every page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page

from pmf.web.accounts.models import Membership
from pmf.web.cycles.services import create_cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.plans import services
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import member, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_improvement_plan_from_the_first_item_to_progress(
    page: Page,
    browser: Browser,
    live_server: object,
    analyst: User,
    owner: User,
    organisation: Organisation,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Improvement plans"
    ).click()
    page.get_by_role("heading", name="Improvement plans").wait_for()
    check_accessibility(page)
    page.get_by_label("Name").fill("Corporate Improvement Plan")
    page.get_by_label("First year").fill("2008")
    page.get_by_label("Last year").fill("2011")
    page.get_by_role("button", name="Start the plan").click()
    page.get_by_role("heading", name="Corporate Improvement Plan").wait_for()
    page.get_by_label("Theme").fill("Increasing customer and community focus")
    page.get_by_role("button", name="Add the theme").click()
    page.get_by_text("Theme added.").wait_for()
    page.get_by_role("link", name="Add an item").click()
    check_accessibility(page)
    page.get_by_label("Title").fill("Community safety")
    page.get_by_label("Target", exact=True).fill("Tackle violent crime and assault with injury")
    page.get_by_label("Accountable owner").select_option("owner")
    page.get_by_label("Crimes per 1,000").check()
    page.get_by_role("button", name="Save the item").click()
    page.get_by_role("heading", name="Community safety").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Corporate Improvement Plan").click()
    page.get_by_role("table", name="1. Increasing customer and community focus").wait_for()
    check_accessibility(page)
    screenshot(page, "plan-overview")

    lead = signed_in(browser, base, "owner")
    lead.goto(page.url)
    lead.get_by_role("link", name="Community safety").click()
    lead.get_by_label("At risk").check()
    lead.get_by_label("Progress").fill("Partnership **funding** is uncertain.")
    lead.get_by_role("button", name="Record progress").click()
    lead.get_by_text("Progress recorded.").wait_for()
    assert lead.locator("td strong", has_text="funding").count() == 1
    check_accessibility(lead)
    screenshot(lead, "plan-item")
    lead.context.close()


def test_self_assessments_and_the_overview(
    page: Page,
    browser: Browser,
    live_server: object,
    analyst: User,
    command_lead: User,
    organisation: Organisation,
) -> None:
    create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")
    south = member("south_lead", organisation, Membership.Role.COMMAND_LEAD, unit="S")
    services.write_self_assessment(
        organisation.cycles.get(number=1),
        organisation.units.get(code="S"),
        south.membership,
        strengths="Neighbourhood teams.",
        areas_for_improvement="Delays in call handling.",
        risks="Staffing at weekends.",
    )
    base = live_server.url  # type: ignore[attr-defined]
    lead = signed_in(browser, base, "command_lead")
    lead.goto(f"{base}/TST/cycles/1/")
    lead.get_by_role("link", name="Self-assessments").click()
    lead.get_by_role("link", name="Write the self-assessment for North").click()
    check_accessibility(lead)
    lead.get_by_label("Strengths").fill("Emergency response **above** target.")
    lead.get_by_label("Areas for improvement").fill("Call handling delays.")
    lead.get_by_label("Risks and how they are addressed").fill("Staff vacancies: recruiting.")
    lead.get_by_role("button", name="Save the self-assessment").click()
    lead.get_by_text("Self-assessment saved.").wait_for()
    check_accessibility(lead)
    screenshot(lead, "self-assessment")
    lead.context.close()

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/TST/cycles/1/self-assessments/")
    page.get_by_role("link", name="The head of improvement's overview").click()
    themes = page.get_by_role("table", name="Themes mentioned by two or more units")
    assert themes.get_by_role("row", name="call handling").inner_text().endswith("North, South")
    page.get_by_label("Write the overview").fill("Call handling is a cross-cutting theme.")
    page.get_by_role("button", name="Save the overview").click()
    page.get_by_text("Overview saved.").wait_for()
    check_accessibility(page)
    screenshot(page, "overview")
