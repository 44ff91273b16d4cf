"""Papers by email in real Chromium: the form with its errors and the schedules page pass axe."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.cycles import services
from pmf.web.deliveries.models import Schedule
from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_schedules_the_board_paper_from_the_papers_page(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    cycle = services.create_cycle(organisation, number=1, name="Spring", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/cycles/1/papers/")
    page.get_by_role(
        "link", name="Email these papers on a schedule or when a cycle moves on"
    ).click()
    page.get_by_role("heading", name="Papers by email").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Add a schedule").click()
    page.get_by_label("Name").fill("Board pack")
    page.get_by_label("PowerPoint").check()
    page.get_by_role("radio", name="Monthly").check()
    page.get_by_label("Day of the month (monthly)").fill("31")
    page.get_by_label("Recipients").fill("Jo Bloggs <jo@>")
    page.get_by_role("button", name="Save the schedule").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter a day of the month from 1 to 28" in summary.inner_text()
    assert "is not an email address" in summary.inner_text()
    check_accessibility(page)
    screenshot(page, "schedule-errors")
    page.get_by_label("Day of the month (monthly)").fill("3")
    page.get_by_label("Recipients").fill("Jo Bloggs <jo@example.org>")
    page.get_by_role("button", name="Save the schedule").click()
    page.get_by_role("heading", name="Papers by email").wait_for()
    assert page.get_by_role("link", name="Board pack").is_visible()
    check_accessibility(page)
    schedule = Schedule.objects.get()
    assert schedule.formats == ["pdf", "pptx"]
    assert schedule.day_of_month == 3
