"""GOV.UK Frontend in real Chromium: it starts, error summaries take focus and link to fields.

The harness (conftest.py) fails each test on any console error and on a page of the app whose
``<body>`` lacks ``govuk-frontend-supported`` after loading; axe runs on every page shown.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/TST/")


def text(page: Page, selector: str) -> str:
    """Return the text of an element as a screen reader reads it, hidden prefixes included."""
    return " ".join((page.locator(selector).text_content() or "").split())


def summary_links(page: Page) -> list[tuple[str, str]]:
    summary = page.locator(".govuk-error-summary")
    return [
        (link.inner_text(), link.get_attribute("href") or "")
        for link in summary.get_by_role("link").all()
    ]


def test_govuk_frontend_starts_on_the_sign_in_page(page: Page, live_server: object) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/accounts/login/")
    classes = page.locator("body").get_attribute("class") or ""
    assert "govuk-frontend-supported" in classes.split()
    # The skip link is a GOV.UK Frontend component: once started, it is marked as such.
    page.locator(".govuk-skip-link[data-govuk-skip-link-init]").wait_for(state="attached")


def test_an_empty_sign_in_shows_a_focused_summary_linked_to_each_field(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert summary_links(page) == [
        ("Enter your username", "#id_username"),
        ("Enter your password", "#id_password"),
    ]
    assert text(page, "#id_username-error") == "Error: Enter your username"
    described = page.get_by_label("Username").get_attribute("aria-describedby") or ""
    assert "id_username-error" in described.split()
    check_accessibility(page)
    screenshot(page, "sign-in-empty")
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password")).to_be_focused()


def test_a_plan_submitted_empty_shows_errors_with_labels_inline_and_in_the_summary(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/plans/")
    page.get_by_role("button", name="Start the plan").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    links = summary_links(page)
    # The field's label, not its name ("name: must not be empty"); both link to their fields.
    assert links[0] == ("Name: must not be empty", "#name")
    assert links[1][0].startswith("Years: give the first and last year")
    assert links[1][1] == "#starts"
    name_group = page.locator(".govuk-form-group", has=page.locator("#name"))
    assert "govuk-form-group--error" in (name_group.get_attribute("class") or "")
    assert text(page, "#name-error") == "Error: Must not be empty"
    assert "govuk-input--error" in (page.locator("#name").get_attribute("class") or "")
    assert page.locator("#name").get_attribute("aria-describedby") == "name-error"
    assert page.locator("#starts-error").is_visible()
    check_accessibility(page)
    screenshot(page, "plan-empty")
    page.locator(".govuk-error-summary").get_by_role("link").nth(1).click()
    expect(page.locator("#starts")).to_be_focused()


def test_an_intervention_agreed_empty_links_each_sentence_to_its_field(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/interventions/new/")
    page.get_by_role("button", name="Agree the intervention").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    links = dict(summary_links(page))
    assert links["Choose an area or a measure."] == "#area"
    assert links["Say what is to be done."] == "#description"
    assert links["Choose an intervention from the menu."].startswith("#action-")
    # A group of radios: the fieldset, not each radio, is described by the error.
    radios = page.locator("fieldset.govuk-fieldset", has=page.locator("input[name=action]"))
    (error_id,) = (radios.get_attribute("aria-describedby") or "").split()
    assert text(page, f"#{error_id}") == "Error: Choose an intervention from the menu."
    group = page.locator(".govuk-form-group", has=radios)
    assert "govuk-form-group--error" in (group.get_attribute("class") or "")
    check_accessibility(page)
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="Choose an area or a measure.").click()
    expect(page.locator("#area")).to_be_focused()


def test_the_service_navigation_is_one_line_marking_the_current_page(
    page: Page, live_server: object, analyst: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{base}/TST/dashboard/")
    current = page.locator(".govuk-service-navigation__link[aria-current]")
    assert current.count() == 1
    assert current.inner_text() == "Dashboard"
    assert current.get_attribute("aria-current") == "page"
    screenshot(page, "service-navigation")
    tops = {round(box["y"]) for box in _boxes(page, ".govuk-service-navigation__item")}
    assert len(tops) == 1, f"the navigation wraps onto {len(tops)} lines"
    check_accessibility(page)
    page.goto(f"{base}/TST/units/N/")
    assert current.inner_text() == "Scorecards"
    assert current.get_attribute("aria-current") == "true"


@pytest.mark.parametrize("address", ["/TST/", "/TST/units/N/", "/TST/cycles/"])
def test_header_navigation_and_content_share_one_width(
    page: Page, live_server: object, analyst: User, address: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}{address}")
    widths = {
        (round(box["x"]), round(box["width"]))
        for box in _boxes(page, "body > * .govuk-width-container, body > .govuk-width-container")
    }
    assert len(widths) == 1, widths
    ((left, width),) = widths
    assert width == 1280 - 2 * 30  # wider than GOV.UK's 960px, with its 30px margins
    assert left == 30


def _boxes(page: Page, selector: str) -> list[dict[str, float]]:
    return [box for box in (e.bounding_box() for e in page.locator(selector).all()) if box]
