"""Interventions in real Chromium: list, agree and report progress; axe on every page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from tests.browser.conftest import check_accessibility, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Test Force").wait_for()


def test_agree_an_intervention_and_report_progress(
    page: Page, live_server: object, analyst: User, owner: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/N/")
    page.get_by_role("link", name="Interventions for North").click()
    page.get_by_role("heading", name="Interventions", exact=True).wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Agree an intervention").click()
    page.get_by_role("heading", name="Agree an intervention").wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="Agree the intervention").click()
    page.get_by_text("There is a problem").wait_for()
    check_accessibility(page)
    page.get_by_label("Unit").select_option("N")
    page.get_by_label("Measure (optional)").select_option("ER")
    page.get_by_label("Strategic review").check()
    page.get_by_label("Category four: within 1 month").check()
    page.get_by_label("Owner").select_option("owner")
    page.get_by_label("Agreed on (optional)").fill("2019-01-31")
    page.get_by_label("What is to be done").fill("Review the response model in North.")
    page.get_by_role("button", name="Agree the intervention").click()
    page.get_by_text("agreed.").wait_for()
    page.get_by_text("28 February 2019").wait_for()
    page.get_by_text("Overdue, escalated").first.wait_for()
    check_accessibility(page)
    screenshot(page, "intervention")
    page.get_by_label("What has been done").fill("Review started.")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save progress").click()
    page.get_by_text("Progress saved.").wait_for()
    page.get_by_role("cell", name="Review started.").wait_for()
    check_accessibility(page)
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Interventions"
    ).click()
    page.get_by_label("Overdue").check()
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Strategic review").wait_for()
    check_accessibility(page)
