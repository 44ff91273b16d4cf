"""A whole quarterly cycle in real Chromium, each role signed in in turn; axe on every page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import member, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save_grade(page: Page, grade: str, text: str) -> None:
    page.get_by_label(grade, exact=True).check()
    page.get_by_label(text[0]).fill(text[1])
    page.get_by_role("button", name="Save the grade").click()
    page.get_by_text("Saved.").wait_for()
    check_accessibility(page)


def test_a_cycle_from_draft_to_published(
    page: Page,
    browser: Browser,
    live_server: object,
    analyst: User,
    command_lead: User,
    organisation: Organisation,
) -> None:
    member("moderator", organisation, Membership.Role.MODERATOR)
    member("board", organisation, Membership.Role.BOARD_MEMBER)
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cycles").click()
    page.get_by_role("heading", name="Quarterly cycles").wait_for()
    check_accessibility(page)
    page.get_by_label("Name").fill("Summer 2019")
    page.get_by_label("Data to (the last period that counts)").fill("2019-07")
    page.get_by_label("Board date (optional)").fill("2019-10-14")
    page.get_by_role("button", name="Start the cycle").click()
    page.get_by_role("heading", name="Cycle 1: Summer 2019").wait_for()
    check_accessibility(page)
    page.get_by_role("heading", name="Figures to check").wait_for()
    page.get_by_role("button", name="Lock the data and recommend grades").click()
    # The figures are provisional: the page asks once, with them listed, and does not refuse.
    page.get_by_text("Lock the data anyway?").wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="Lock the data anyway").click()
    page.get_by_text("Cycle 1 is now at data locked.").wait_for()
    check_accessibility(page)
    screenshot(page, "cycle-locked")
    page.get_by_role("button", name="Move on to self-assessment").click()
    page.get_by_text("is now at self-assessment").wait_for()

    lead = signed_in(browser, base, "command_lead")
    lead.goto(f"{base}/TST/cycles/1/units/N/areas/FOCUS/")
    lead.get_by_role("heading", name="Your self-assessment").wait_for()
    check_accessibility(lead)
    screenshot(lead, "cycle-self-assessment")
    save_grade(lead, "Good", ("Rationale", "Both redlines met in July."))
    lead.context.close()

    page.reload()
    page.get_by_role("button", name="Move on to moderation").click()
    page.get_by_text("is now at moderation").wait_for()

    moderator = signed_in(browser, base, "moderator")
    moderator.goto(f"{base}/TST/cycles/1/units/N/areas/FOCUS/")
    moderator.get_by_label("Requires Improvement", exact=True).check()
    moderator.get_by_role("button", name="Save the grade").click()
    moderator.get_by_role("heading", name="There is a problem").wait_for()
    check_accessibility(moderator)
    save_grade(
        moderator,
        "Requires Improvement",
        ("Reason (needed to change the grade)", "Response times below target."),
    )
    moderator.context.close()

    page.reload()
    page.get_by_role("button", name="Move on to board").click()
    page.get_by_text("is now at board").wait_for()

    board = signed_in(browser, base, "board")
    for area in ("FOCUS", "PEOPLE"):
        board.goto(f"{base}/TST/cycles/1/units/F/areas/{area}/")
        board.get_by_role("heading", name="The board's grade").wait_for()
        save_grade(board, "Good", ("Rationale", "Agreed by the Force Performance Board."))
    screenshot(board, "cycle-board")
    board.context.close()

    page.reload()
    page.get_by_role("button", name="Move on to published").click()
    page.get_by_text("is now at published").wait_for()
    grades = page.get_by_role("table", name="Grades for cycle 1")
    assert grades.get_by_role("row", name="North").inner_text().count("Requires Improvement") == 1
    check_accessibility(page)
    screenshot(page, "cycle-published")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Cycles").click()
    page.get_by_role("img", name="Test Force: grades by cycle").wait_for()
    check_accessibility(page)
    screenshot(page, "cycles-tube-map")
