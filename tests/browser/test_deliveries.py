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


def test_an_analyst_deletes_a_schedule_after_confirming_it(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    from pmf.web.deliveries import services as deliveries

    cycle = services.create_cycle(organisation, number=1, name="Spring", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    schedule = deliveries.create_schedule(
        organisation,
        analyst.membership,
        {
            "name": "Board pack",
            "paper": "board",
            "on_stage": "board",
            "language": "cy",
            "recipients": "Jo Bloggs <jo@example.org>",
        },
        ["html"],
    )
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/schedules/{schedule.pk}/")
    assert page.get_by_label("Cymraeg").is_checked()
    page.get_by_role("button", name="Delete the schedule Board pack").click()
    page.get_by_role("heading", name="Delete the schedule “Board pack”?").wait_for()
    check_accessibility(page)
    screenshot(page, "schedule-delete")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("heading", name="Board pack").wait_for()
    assert Schedule.objects.filter(pk=schedule.pk).exists()
    page.get_by_role("button", name="Delete the schedule Board pack").click()
    page.get_by_role("button", name="Delete the schedule").click()
    page.get_by_role("heading", name="Papers by email").wait_for()
    assert "Schedule “Board pack” deleted." in page.locator("main").inner_text()
    check_accessibility(page)
    assert not Schedule.objects.exists()


def test_the_delete_confirmation_in_welsh_passes_axe(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    from pmf.web.deliveries import services as deliveries

    schedule = deliveries.create_schedule(
        organisation,
        analyst.membership,
        {"name": "Pecyn", "paper": "board", "on_stage": "board", "recipients": "jo@example.org"},
        ["pdf"],
    )
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.context.add_cookies([{"name": "django_language", "value": "cy", "url": base}])
    page.goto(f"{base}/TST/schedules/{schedule.pk}/delete/")
    page.get_by_role("heading", name="Dileu’r amserlen “Pecyn”?").wait_for()
    assert page.locator("html").get_attribute("lang") == "cy"
    check_accessibility(page)
