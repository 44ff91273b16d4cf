"""The main flow in real Chromium: sign in, read the organisation and a scorecard; axe on each."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_signs_in_and_reads_a_scorecard(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.get_by_role("heading", name="Test Force").wait_for()
    check_accessibility(page)
    screenshot(page, "organisation")
    page.get_by_role("link", name="North").click()
    page.get_by_role("heading", name="North: scorecard as at July 2019").wait_for()
    assert page.get_by_role("row", name="Crimes per 1,000").count() == 1
    check_accessibility(page)
    screenshot(page, "scorecard")
    # The filters update the results in place (htmx), keeping the address in step.
    page.evaluate("window.pmfSamePage = true")
    page.get_by_label("kpi").check()
    page.wait_for_url("**kind=kpi**")
    page.get_by_role("status").filter(has_text="filtered").wait_for()
    assert page.get_by_role("row", name="Emergency response").count() == 0
    assert page.evaluate("window.pmfSamePage") is True
    check_accessibility(page)
    page.get_by_label("kpi").uncheck()
    page.get_by_label("FOCUS").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**area=FOCUS**")
    page.get_by_role("row", name="Emergency response").wait_for()
    assert page.url.endswith("/TST/units/N/?period=&area=FOCUS")
    assert page.evaluate("window.pmfSamePage") is True
    check_accessibility(page)
    screenshot(page, "scorecard-filtered")
    assert page.evaluate("window.pmfSamePage") is True
    screenshot(page, "scorecard-filtered")


def test_wrong_password_shows_an_accessible_error(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    check_accessibility(page)
    screenshot(page, "sign-in-error")


def test_measure_page_draws_the_spc_chart_with_its_table(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/N/")
    page.get_by_role("link", name="Crimes per 1,000").click()
    page.get_by_role("heading", name="Crimes per 1,000").wait_for()
    page.locator(".pmf-chart__canvas svg").first.wait_for()
    page.locator(".pmf-chart__canvas--peers svg").wait_for()
    assert page.get_by_role("row", name="July 2019").first.is_visible()
    check_accessibility(page)
    screenshot(page, "measure")


def test_owner_corrects_a_figure_in_the_browser(
    page: Page, live_server: object, owner: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "owner")
    page.goto(f"{base}/TST/units/N/")
    page.get_by_role("link", name="Enter or correct figures for North").click()
    page.get_by_label("Period").fill("2019-07")
    page.get_by_role("button", name="Choose period").click()
    page.get_by_label("Value").fill("seventy")
    page.get_by_role("button", name="Save figures").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    check_accessibility(page)
    screenshot(page, "enter-error")
    page.get_by_label("Value").fill("77.5")
    page.get_by_label("Comment").fill("late returns added")
    page.get_by_role("button", name="Save figures").click()
    page.get_by_role("heading", name="North: scorecard as at July 2019").wait_for()
    assert (
        page.get_by_role("row", name="Emergency response within target").inner_text().count("77.5%")
        == 1
    )
    check_accessibility(page)
    screenshot(page, "entered")


def test_analyst_imports_a_file_in_the_browser(
    page: Page, live_server: object, analyst: User, tmp_path: object, settings: object
) -> None:
    from pathlib import Path

    settings.PMF_UPLOAD_DIR = Path(str(tmp_path)) / "uploads"  # type: ignore[attr-defined]
    figures = Path(str(tmp_path)) / "figures.csv"
    figures.write_text("unit,measure,period,value\nN,ER,2019-08,81\n", encoding="utf-8")
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.get_by_role("link", name="Import figures from a file").click()
    check_accessibility(page)
    page.get_by_label("CSV or XLSX file").set_input_files(str(figures))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 1 figure").wait_for()
    check_accessibility(page)
    screenshot(page, "import-preview")
    page.get_by_role("button", name="Import 1 figure").click()
    page.get_by_text("1 row read: 1 added").wait_for()
    check_accessibility(page)


def test_police_example_measure_page_with_funnel(page: Page, live_server: object) -> None:
    from pmf.sources.examples import registry
    from pmf.web.accounts.models import Membership
    from pmf.web.frameworks.models import Organisation
    from pmf.web.observations.services import load_example

    load_example(registry()["police"])
    user = User.objects.create_user("analyst", password="correct horse battery staple")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(code="MPS"), role=Membership.Role.ANALYST
    )
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/MPS/units/CW/measures/VWI_RATE/")
    page.get_by_role("heading", name="Funnel plot, November 2025").wait_for()
    page.locator("[data-chart='funnel-chart'] svg").wait_for()
    assert page.get_by_role("row", name="Central West").count() >= 1
    # The limits span the boroughs, so the y axis fits them (it once ran to 600, every
    # borough flat on the axis); titles and the legend are drawn in full, not cut short.
    drawn = page.locator("[data-chart='funnel-chart'] svg text").all_text_contents()
    ticks = [float(text) for text in drawn if text.replace(".", "", 1).isdigit()]
    assert ticks and max(ticks) < 5, ticks
    assert "95% limits" in drawn and "99.8% limits" in drawn
    assert "Violence with injury per 1,000 population" in " ".join(drawn)
    assert not [text for text in drawn if text.endswith("…")]
    expect(page.get_by_role("cell", name="530,768")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "measure-police")


def test_a_forgotten_password_is_reset_through_an_emailed_link(
    page: Page, live_server: object, analyst: User
) -> None:
    import re

    from django.core import mail

    analyst.email = "analyst@example.org"
    analyst.save()
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_role("heading", name="Reset your password").wait_for()
    check_accessibility(page)
    page.get_by_label("Email").fill("analyst@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    check_accessibility(page)
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[-1].body)
    assert link
    page.goto(link.group(0))
    page.get_by_role("heading", name="Choose a new password").wait_for()
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    check_accessibility(page)
    screenshot(page, "password-reset-error")
    page.get_by_label("New password", exact=True).fill("a much longer new passphrase")
    page.get_by_label("New password confirmation").fill("a much longer new passphrase")
    page.get_by_role("button", name="Save the new password").click()
    page.get_by_role("heading", name="Your password has been changed").wait_for()
    check_accessibility(page)


def test_most_similar_groups_page_from_the_measure_page(
    page: Page, live_server: object, analyst: User
) -> None:
    import polars as pl

    from pmf.web.frameworks.models import Organisation
    from pmf.web.frameworks.services import compute_peer_groups

    organisation = Organisation.objects.get(code="TST")
    # North's nearest is South (which has figures to compare), then the Force.
    context = pl.DataFrame({"unit": ["F", "N", "S", "X"], "x": [0.0, 5.0, 6.0, 20.0]})
    compute_peer_groups(organisation, context, ["x"], None, 1, "Census 2011", user=analyst)
    compute_peer_groups(organisation, context, ["x"], None, 2, "Census 2011")
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/N/measures/CR/")
    page.get_by_role("link", name="computed from context figures (version 2)").click()
    page.get_by_role("heading", name="Most similar groups: version 2").wait_for()
    assert page.url.endswith("/TST/peer-groups/2/#unit-N")
    north = page.get_by_role("table", name="North")
    assert north.get_by_role("row", name="South (S)").count() == 1
    assert north.get_by_role("row", name="Force (F)").count() == 1
    page.get_by_role("heading", name="What changed since version 1").wait_for()
    check_accessibility(page)
    screenshot(page, "peer-groups")
    page.get_by_role("link", name="Version 1").click()
    page.get_by_role("heading", name="Most similar groups: version 1").wait_for()
    assert page.get_by_text("Superseded").first.is_visible()
    check_accessibility(page)
    screenshot(page, "peer-groups-version")
