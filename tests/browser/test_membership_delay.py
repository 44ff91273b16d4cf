"""Units joining the framework and the reporting delay in real Chromium, axe on each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page

from pmf.core.framework import load_framework
from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import GOOD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOUTH = "  - {code: S, name: South, type: command, parent: F}\n"
JOINED = "  - {code: S, name: South, type: command, parent: F, member: {from: 2019-07}}\n"


def test_the_dashboard_draws_the_reporting_delay_with_its_table(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    for number, cut_off, locked, board in (
        (1, "2018-07", "2018-08-09", dt.date(2018, 9, 17)),
        (2, "2019-07", "2019-08-12", dt.date(2019, 9, 16)),
    ):
        cycle = services.create_cycle(
            organisation,
            number=number,
            name=f"Cycle {number}",
            cut_off=cut_off,
            board_date=board,
        )
        services.lock_cycle(
            cycle,
            analyst.membership,  # type: ignore[attr-defined]
            at=timezone.make_aware(dt.datetime.fromisoformat(f"{locked}T10:00")),
        )
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/dashboard/")
    page.get_by_role("heading", name="How old the figures are: reporting delay").wait_for()
    page.locator("[data-chart='delay-chart'] svg").wait_for()
    table = page.get_by_role("table", name="Days from the end of each cycle's data period")
    assert table.get_by_role("row", name="2: Cycle 2").get_by_role("cell").all_inner_texts()[
        :2
    ] == ["July 2019", "12"]
    check_accessibility(page)
    screenshot(page, "dashboard-reporting-delay")


def test_the_measure_scorecard_and_cycle_pages_say_when_the_unit_joined(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    store_framework(load_framework(GOOD.replace(SOUTH, JOINED)), "framework.yaml")
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/S/measures/CR/")
    page.get_by_text("South joined the framework from July 2019").wait_for()
    check_accessibility(page)
    page.goto(f"{base}/TST/units/S/")
    page.get_by_text("South joined the framework from July 2019").wait_for()
    check_accessibility(page)
    first = services.create_cycle(organisation, number=1, name="Spring", cut_off="2019-06")
    services.lock_cycle(first, analyst.membership)  # type: ignore[attr-defined]
    services.create_cycle(organisation, number=2, name="Summer", cut_off="2019-07")
    page.goto(f"{base}/TST/cycles/2/")
    page.get_by_text("South joined the framework this cycle (from July 2019)").wait_for()
    page.get_by_text("Reporting delay, in days after July 2019 ended").wait_for()
    check_accessibility(page)
