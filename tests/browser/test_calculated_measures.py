"""A calculated measure's page (formula and lineage) in real Chromium, checked with axe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import CALCULATED, sign_in, value_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_formula_and_the_input_figures_are_shown_and_accessible(
    page: Page, live_server: object
) -> None:
    from pmf.core.framework import load_framework
    from pmf.web.accounts.models import Membership
    from pmf.web.frameworks.services import store_framework
    from pmf.web.observations.services import store_observations

    organisation = store_framework(load_framework(CALCULATED), "framework.yaml")
    rows = [
        (unit, measure, f"2019-{month:02d}", value + month)
        for unit in ("N", "S")
        for month in range(1, 8)
        for measure, value in (("STOPS", 30.0), ("SEARCHES", 10.0))
    ]
    store_observations(
        organisation,
        value_rows(rows),
        file_name="figures.csv",
        sha256="x",
        layout="long",
        now=dt.datetime(2019, 8, 1, tzinfo=dt.UTC),
    )
    user = User.objects.create_user("analyst", password="correct horse battery staple")
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ANALYST)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")

    page.goto(f"{base}/TST/units/N/measures/SHARE/")
    expect(page.get_by_role("heading", name="How it is calculated")).to_be_visible()
    expect(page.locator("code.pmf-formula").first).to_have_text("SEARCHES / ACTIVITY * 100")
    table = page.get_by_role("table", name="The input figures of July 2019")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table).to_contain_text("Stops and searches (ACTIVITY)")
    check_accessibility(page)
    screenshot(page, "measure-calculated")

    page.get_by_role("link", name="Stops and searches").first.click()
    expect(page.get_by_role("heading", name="Stops and searches", level=1)).to_be_visible()
    page.goto(f"{base}/TST/units/F/measures/ACTIVITY/")
    expect(page.get_by_text("it is made when the page is drawn, by its formula")).to_be_visible()
    check_accessibility(page)
    page.goto(f"{base}/TST/units/N/measures/STOPS/")
    expect(page.get_by_role("heading", name="Used in calculated measures")).to_be_visible()
    check_accessibility(page)
