"""The measure page's funnel, widened for overdispersion, in real Chromium with axe."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_police_funnel_says_its_limits_are_widened_and_lists_each_units(
    page: Page, live_server: object
) -> None:
    from pmf.sources.examples import registry
    from pmf.web.accounts.models import Membership
    from pmf.web.frameworks.models import Organisation
    from pmf.web.observations.services import load_example

    load_example(registry()["police"])
    organisation = Organisation.objects.get(code="MPS")
    # As if the file said `funnel: {overdispersion: shmi}`; saving stamps a new load.
    organisation.funnel = {"overdispersion": "shmi"}
    organisation.save()
    user = User.objects.create_user("analyst", password="correct horse battery staple")
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ANALYST)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/MPS/units/CW/measures/VWI_RATE/")
    page.get_by_role("heading", name="Funnel plot, November 2025").wait_for()
    page.locator("[data-chart='funnel-chart'] svg").wait_for()
    expect(page.locator("[data-funnel-adjustment]")).to_have_text(
        re.compile(r"Limits widened for overdispersion \(SHMI method, phi = [\d.]+\)\.")
    )
    expect(page.get_by_role("columnheader", name="99.8% limits")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Central West"))
    expect(row.last).to_contain_text(re.compile(r"\d+\.\d+ to \d+\.\d+"))
    drawn = page.locator("[data-chart='funnel-chart'] svg text").all_text_contents()
    assert "95% limits" in drawn and "99.8% limits" in drawn
    check_accessibility(page)
    screenshot(page, "measure-funnel-overdispersion")
