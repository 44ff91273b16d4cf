"""The published static site in real Chromium, served as plain files: axe on every kind of page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.web.accessibility.config import load_config
from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.publishing import publish_cycle
from tests.browser.conftest import ROOT, check_accessibility, screenshot, served
from tests.factories import member, published
from tests.maps_world import mapped_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_public_site_needs_no_server_but_files_and_passes_axe(
    page: Page, organisation: Organisation, analyst: User, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    config = load_config(ROOT / "examples" / "police" / "accessibility.yaml")
    publish_cycle(published(organisation, analyst), site, accessibility=config)
    with served(site, page) as base:
        page.goto(f"{base}/index.html")
        page.get_by_role("heading", name="Test Force: how we are performing").wait_for()
        check_accessibility(page, site="public")
        screenshot(page, "public-index")
        page.get_by_role("link", name="North").click()
        page.get_by_role("heading", name="North").wait_for()
        check_accessibility(page, site="public")
        page.get_by_role("link", name="Open data").click()
        page.get_by_role("heading", name="Open data").wait_for()
        check_accessibility(page, site="public")
        page.get_by_role("link", name="Accessibility statement").click()
        page.get_by_role(
            "heading",
            name="Accessibility statement for Metropolitan Police Service performance scorecards",
        ).wait_for()
        check_accessibility(page, site="public")
        screenshot(page, "public-accessibility")


def test_the_public_sites_maps_draw_without_script_beside_their_tables_and_pass_axe(
    page: Page, tmp_path: Path
) -> None:
    organisation = mapped_organisation(tmp_path)
    analyst = member("analyst", organisation, Membership.Role.ANALYST)
    site = tmp_path / "site"
    publish_cycle(published(organisation, analyst), site)
    with served(site, page) as base:
        page.goto(f"{base}/index.html")
        page.get_by_role("link", name="Maps of the redlines, unit by unit").click()
        page.get_by_role("heading", name="Maps of the redlines", exact=True).wait_for()
        # Each map is a picture named by its text alternative, drawn in the page itself.
        drawing = page.get_by_role("img", name="Map of Crimes per 1,000 by unit, July 2019")
        assert drawing.locator("svg path").count() >= 2
        assert drawing.bounding_box()["width"] > 200  # type: ignore[index]
        table = page.get_by_role("table", name="Crimes per 1,000 by unit, July 2019")
        assert table.get_by_role("row").count() == 3
        check_accessibility(page, site="public")
        screenshot(page, "public-maps")
        table.get_by_role("link", name="South").click()
        page.get_by_role("heading", name="South").wait_for()
