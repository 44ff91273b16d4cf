"""The police example's dashboard, registers and Most Similar Groups in Chromium, axe on each."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_example_registers_are_full_and_accessible(page: Page, live_server: object) -> None:
    from pmf.sources.examples import registry
    from pmf.web.accounts.models import Membership
    from pmf.web.frameworks.models import Organisation
    from pmf.web.observations.services import load_example
    from pmf.web.plans.models import Plan

    load_example(registry()["police"])
    police = Organisation.objects.get(code="MPS")
    user = User.objects.create_user("analyst", password="correct horse battery staple")
    Membership.objects.create(user=user, organisation=police, role=Membership.Role.ANALYST)
    plan = Plan.objects.get(organisation=police)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    pages = {
        "dashboard": ("/MPS/dashboard/", "Interventions overdue"),
        "risks": ("/MPS/risks/", "Example: "),
        "recommendations": ("/MPS/recommendations/", "Example: "),
        "interventions": ("/MPS/interventions/", "example-lead-"),
        "plan": (f"/MPS/plans/{plan.pk}/", "Example: "),
        "self-assessments": ("/MPS/cycles/9/self-assessments/", "Example: redlines met"),
        "peer-groups": ("/MPS/peer-groups/", "Central North (CN)"),
    }
    for name, (path, text) in pages.items():
        page.goto(f"{base}{path}")
        page.get_by_text(text).first.wait_for()
        check_accessibility(page)
        screenshot(page, f"example-{name}")
