"""The risk register and recommendations in real Chromium; axe on every page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.frameworks.models import Organisation
from pmf.web.recommendations import services as recommendations
from pmf.web.risks import services
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import details, rated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Test Force").wait_for()


def test_heat_map_list_form_and_detail(
    page: Page, live_server: object, analyst: User, owner: User, risk_register: Organisation
) -> None:
    services.create_risk(risk_register, None, rated(2, 2, unit="S", category="Finance"))
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/risks/heat-map/")
    page.get_by_role("heading", name="Risk heat map").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Add a risk").click()
    page.get_by_role("heading", name="Add a risk").wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="Save the risk").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    check_accessibility(page)
    page.get_by_label("Title").fill("Emergency response drivers")
    page.get_by_label("Unit").select_option("N")
    page.get_by_label("Owner").select_option("owner")
    for name, level in (
        ("Inherent likelihood (before controls)", "5"),
        ("Inherent impact (before controls)", "5"),
        ("Current likelihood", "4"),
        ("Current impact", "5"),
        ("Target likelihood", "2"),
        ("Target impact", "3"),
    ):
        page.get_by_label(name).select_option(level)
    page.get_by_label("Next review").fill("2030-01-31")
    page.get_by_role("button", name="Save the risk").click()
    page.get_by_role("heading", name="R2: Emergency response drivers").wait_for()
    assert "80 (above)" in page.get_by_role("row", name="Current").inner_text()
    check_accessibility(page)
    screenshot(page, "risk-detail")
    page.get_by_role("link", name="Heat map").click()
    page.get_by_role("link", name="1 risk with likelihood 4 and impact 5").click()
    page.get_by_role("heading", name="Risk register").wait_for()
    assert page.get_by_role("link", name="R2: Emergency response drivers").is_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Heat map").click()
    screenshot(page, "risk-heat-map")
    page.goto(f"{base}/TST/risks/?status=all")
    page.get_by_label("Scoring above 75").check()
    page.get_by_role("button", name="Filter the risks").click()
    page.get_by_role("caption").filter(has_text="1 risk,").wait_for()
    check_accessibility(page)
    screenshot(page, "risk-register")


def test_recommendations_list_and_detail(
    page: Page,
    live_server: object,
    analyst: User,
    owner: User,
    moderator: User,
    organisation: Organisation,
) -> None:
    recommendations.create_recommendation(organisation, None, details())
    recommendations.create_recommendation(organisation, None, details(due_date="2019-12-31"))
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "owner")
    page.goto(f"{base}/TST/recommendations/")
    page.get_by_role("heading", name="Inspection and audit recommendations").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="1: Improve emergency response").click()
    page.get_by_label("Evidence that the recommendation is done").fill("A new rota from May.")
    page.get_by_role("button", name="Submit the evidence").click()
    page.get_by_text("evidence submitted").first.wait_for()
    check_accessibility(page)
    page.context.clear_cookies()
    sign_in(page, base, "moderator")
    page.goto(f"{base}/TST/recommendations/1/")
    page.get_by_role("button", name="Approve the closure").click()
    page.get_by_text("closure approved by moderator").wait_for()
    check_accessibility(page)
    screenshot(page, "recommendation")
    page.get_by_role("link", name="Inspection and audit recommendations").first.click()
    assert "1 of 2 complete (50%)" in page.locator("main").inner_text()
    check_accessibility(page)
    screenshot(page, "recommendations")
    page.context.clear_cookies()
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/recommendations/new/")
    check_accessibility(page)
