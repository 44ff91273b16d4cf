"""Single sign-on in real Chromium, through a real OpenID Connect provider's page on loopback.

The provider (oidc-provider-mock, tests/sso_provider.py) serves its own authorisation page,
where a person types who they are; its page asks a CDN for a style sheet, which the test
answers with an empty one (the page is the provider's, not pmf's, and no request may leave
the machine). Everything of pmf's is held to the usual rules: axe-clean, no console error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from pmf.web.accounts.sso import forget_discovery
from pmf.web.accounts.sso_config import origin_of
from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.sso_provider import Running, running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAPPING = [
    {"group": "pmf-analysts", "organisation": "TST", "role": "analyst"},
    {"group": "pmf-north-leads", "organisation": "TST", "role": "command_lead", "unit": "N"},
]


@pytest.fixture(scope="module")
def provider() -> Iterator[Running]:
    with running_provider() as running:
        yield running


@pytest.fixture
def sso(provider: Running, settings: Any, organisation: Organisation) -> Running:
    settings.PMF_SSO = provider.config(MAPPING)
    # As the settings do for a configured provider: the sign-out form goes on to its site
    # (without it, Chromium blocks the redirect: "violates ... form-action 'self'").
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {
        **policy,
        "form-action": [*policy["form-action"], origin_of(provider.issuer)],
    }
    forget_discovery()
    return provider


def no_cdn(route: Route) -> None:
    route.fulfill(status=200, content_type="text/css", body="")


def through_the_provider(page: Page, base: str, subject: str) -> None:
    """Open pmf, choose the provider's button, and say who you are on the provider's page."""
    page.route("https://cdn.jsdelivr.net/**", no_cdn)
    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    button = page.get_by_role("button", name="Sign in with Test Identity")
    button.wait_for()
    check_accessibility(page)
    screenshot(page, "sign-in-with-sso")
    button.click()
    page.get_by_role("heading", name="Authorize Client").wait_for()
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()


def test_a_command_lead_signs_in_through_the_provider_and_sees_their_unit(
    page: Page, live_server: Any, sso: Running
) -> None:
    sso.set_claims("ada", email="ada@example.org", name="Ada Lovelace", groups=["pmf-north-leads"])
    base = live_server.url
    through_the_provider(page, base, "ada")
    page.get_by_role("heading", name="Test Force").wait_for()
    assert page.url.startswith(base)
    check_accessibility(page)
    page.goto(f"{base}/TST/units/N/")
    page.get_by_role("heading", name="North").first.wait_for()
    check_accessibility(page)
    screenshot(page, "sso-command-lead-north")
    # South is outside a North lead's scope: not found.
    answer = page.goto(f"{base}/TST/units/S/")
    assert answer is not None and answer.status == 404
    # Signing out ends pmf's session and goes on to end the provider's, then back to pmf.
    page.goto(f"{base}/TST/")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="End Session").wait_for()
    assert page.url.startswith(f"{sso.issuer}/oauth2/end_session?")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{base}/accounts/login/")
    page.get_by_role("button", name="Sign in with Test Identity").wait_for()
    check_accessibility(page)
    page.goto(f"{base}/TST/units/N/")
    assert "/accounts/login/" in page.url


def test_a_person_in_no_group_for_pmf_is_refused_with_a_page(
    page: Page, live_server: Any, sso: Running
) -> None:
    sso.set_claims("bob", email="bob@example.org", groups=["finance"])
    through_the_provider(page, live_server.url, "bob")
    page.get_by_role("heading", name="You cannot sign in to pmf").wait_for()
    assert "not in any group that has access to pmf" in page.inner_text("main")
    check_accessibility(page)
    screenshot(page, "sso-refused")


def test_someone_taken_out_of_their_groups_is_signed_out_at_the_next_re_check(
    page: Page, live_server: Any, sso: Running
) -> None:
    import time
    from importlib import import_module

    from django.conf import settings

    from pmf.web.accounts.sso import CHECKED_SESSION_KEY

    sso.set_claims("cleo", email="cleo@example.org", groups=["pmf-north-leads"])
    base = live_server.url
    through_the_provider(page, base, "cleo")
    page.get_by_role("heading", name="Test Force").wait_for()
    # Taken out of the group at the provider; a quarter of an hour passes (the session's
    # last check moved back rather than waited for).
    sso.set_claims("cleo", email="cleo@example.org", groups=["finance"])
    key = next(
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    session[CHECKED_SESSION_KEY] = time.time() - 16 * 60
    session.save()
    answer = page.goto(f"{base}/TST/units/N/")
    assert answer is not None and answer.status == 403
    page.get_by_role("heading", name="You cannot sign in to pmf").wait_for()
    assert "not in any group that has access to pmf" in page.inner_text("main")
    check_accessibility(page)
    screenshot(page, "sso-recheck-refused")
    # Signed out: pmf asks them to sign in again.
    page.goto(f"{base}/TST/units/N/")
    assert "/accounts/login/" in page.url
