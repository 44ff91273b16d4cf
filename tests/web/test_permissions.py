"""Every page and its JSON version, as every kind of visitor, in and out of scope.

The list of views comes from the URL configuration itself, so a new page without a case
here fails the first test instead of going unchecked.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Each named page with arguments inside the command lead's scope (North) and outside it.
CASES = {
    "organisation": ({"org": "TST"}, None),
    "organisation-json": ({"org": "TST"}, None),
    "scorecard": ({"org": "TST", "unit": "N"}, {"org": "TST", "unit": "S"}),
    "scorecard-json": ({"org": "TST", "unit": "N"}, {"org": "TST", "unit": "F"}),
    "measure": (
        {"org": "TST", "unit": "N", "code": "CR"},
        {"org": "TST", "unit": "S", "code": "CR"},
    ),
    "measure-json": (
        {"org": "TST", "unit": "N", "code": "CR"},
        {"org": "TST", "unit": "F", "code": "CR"},
    ),
}
OPEN = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
NOT_PAGES = {"home", "logout", "password_change", "password_change_done"}
# Pages that change figures: who may use them depends on the role, in test_entry.py and
# test_import_page.py (the import and its background jobs: analysts of the organisation only).
WRITE_PAGES = {"enter", "import", "import-job", "import-job-json", "import-job-progress"}
# Each user's own API tokens; the JSON API has its own matrix over every endpoint (test_api.py).
API = {"tokens"}
# The quarterly cycle's pages need a cycle: their own matrix is in test_cycles.py.
CYCLE_PAGES = {"cycles", "cycles-json", "cycle", "cycle-json", "grade", "grade-json"}
# The risk register and recommendations need records: their own matrices are in test_risks.py
# and test_recommendations.py (the forms: analysts, and owners for their own risks).
RISK_PAGES = {
    "risks",
    "risks-json",
    "risk-heat-map",
    "risk-heat-map-json",
    "risk",
    "risk-json",
    "risk-new",
    "risk-edit",
    "recommendations",
    "recommendations-json",
    "recommendation",
    "recommendation-json",
    "recommendation-new",
    "recommendation-edit",
}


def named_patterns(resolver: URLResolver | None = None) -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace != "api":
            names |= named_patterns(entry)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(entry.name)
    return names


def url(name: str, kwargs: dict[str, str]) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


def test_every_named_page_has_a_permission_case() -> None:
    assert (
        named_patterns() - OPEN - NOT_PAGES - WRITE_PAGES - API - CYCLE_PAGES - RISK_PAGES
        == set(CASES)
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_cannot_enter_figures(method: str, organisation: object) -> None:
    response = getattr(Client(), method)(url("enter", {"org": "TST", "unit": "N"}))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_other_organisations_cannot_enter_figures(other_org_user: User) -> None:
    client = Client()
    client.force_login(other_org_user)
    assert client.get(url("enter", {"org": "TST", "unit": "N"})).status_code == 404


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_visitors_are_sent_to_sign_in(name: str, organisation: object) -> None:
    inside, _ = CASES[name]
    response = Client().get(url(name, inside))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", sorted(CASES))
def test_analyst_sees_every_page(name: str, analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    for kwargs in filter(None, CASES[name]):
        assert client.get(url(name, kwargs)).status_code == 200, kwargs


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_lead_sees_only_their_scope(name: str, command_lead: User) -> None:
    client = Client()
    client.force_login(command_lead)
    inside, outside = CASES[name]
    assert client.get(url(name, inside)).status_code == 200
    if outside is not None:
        assert client.get(url(name, outside)).status_code == 404


@pytest.mark.parametrize("name", sorted(CASES))
def test_other_organisations_see_nothing(name: str, other_org_user: User) -> None:
    client = Client()
    client.force_login(other_org_user)
    for kwargs in filter(None, CASES[name]):
        assert client.get(url(name, kwargs)).status_code == 404, kwargs
