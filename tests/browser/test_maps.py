"""The map in real Chromium: drawn by Vega beside its table, on the dashboard and the measure
page, with axe's checks passing and no console error (the page fixture fails on any)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import member, sign_in
from tests.maps_world import mapped_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mapped(tmp_path: Path) -> Organisation:
    organisation = mapped_organisation(tmp_path)
    member("mapper", organisation, Membership.Role.ANALYST)
    member("lead", organisation, Membership.Role.COMMAND_LEAD, unit="N")
    return organisation


def _drawn_units(page: Page) -> int:
    """Return how many shapes Vega drew in the map (each unit one path)."""
    page.locator('[data-chart="map-chart"] svg').wait_for()
    return page.locator(
        '[data-chart="map-chart"] svg path[aria-roledescription="geoshape"]'
    ).count()


def test_the_dashboard_draws_the_map_beside_its_table_and_switches_measure(
    page: Page, live_server: object, mapped: Organisation
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "mapper")
    page.goto(f"{base}/TST/dashboard/")
    page.get_by_role("heading", name="Map: Emergency response within target, July 2019").wait_for()
    assert _drawn_units(page) == 3
    table = page.get_by_role("table", name="Emergency response within target by unit, July 2019")
    assert table.get_by_role("row", name="North E09000007 75.0%").is_visible()
    check_accessibility(page)
    screenshot(page, "map-dashboard")
    page.get_by_label("Measure on the map").select_option("CR")
    page.get_by_role("button", name="Show on the map").click()
    page.get_by_role("heading", name="Map: Crimes per 1,000, July 2019").wait_for()
    assert _drawn_units(page) == 3
    # The comparator has no figure of its own for crimes: grey, with its legend entry.
    assert "No figure for July 2019" in page.locator('[data-chart="map-chart"]').inner_html()
    check_accessibility(page)


def test_the_measure_page_colours_by_the_standard_with_symbols(
    page: Page, live_server: object, mapped: Organisation
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "mapper")
    page.goto(f"{base}/TST/units/N/measures/ER/")
    page.get_by_role("link", name="Colour by the standard").click()
    page.get_by_text("Coloured by the standard").wait_for()
    assert _drawn_units(page) == 3
    drawing = page.locator('[data-chart="map-chart"]').inner_html()
    assert "x does not meet the standard" in drawing and "+ meets the standard" in drawing
    check_accessibility(page)
    screenshot(page, "map-measure-standard")


def test_a_scoped_lead_sees_only_their_unit_and_the_comparator_drawn(
    page: Page, live_server: object, mapped: Organisation
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "lead")
    page.goto(f"{base}/TST/units/N/measures/ER/")
    page.get_by_role("heading", name="Map: Emergency response within target, July 2019").wait_for()
    assert _drawn_units(page) == 2
    assert page.locator("#map").get_by_text("South").count() == 0
    check_accessibility(page)
