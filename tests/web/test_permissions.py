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
    "summary": ({"org": "TST", "unit": "N"}, {"org": "TST", "unit": "S"}),
    "summary-json": ({"org": "TST", "unit": "N"}, {"org": "TST", "unit": "F"}),
    "scores": ({"org": "TST", "unit": "N"}, {"org": "TST", "unit": "S"}),
    "scores-json": ({"org": "TST", "unit": "N"}, {"org": "TST", "unit": "F"}),
    "measure": (
        {"org": "TST", "unit": "N", "code": "CR"},
        {"org": "TST", "unit": "S", "code": "CR"},
    ),
    "measure-json": (
        {"org": "TST", "unit": "N", "code": "CR"},
        {"org": "TST", "unit": "F", "code": "CR"},
    ),
    # The organisation's most similar groups: a command lead sees their units' groups only
    # (scorecards/test_peer_groups_page.py), as the organisation page shows only their units.
    "peer-groups": ({"org": "TST"}, None),
    "peer-groups-json": ({"org": "TST"}, None),
    "peer-groups-version": ({"org": "TST", "number": 1}, None),
    "peer-groups-version-json": ({"org": "TST", "number": 1}, None),
    # The audit trail: every member reads it, scoped to their units (audit/test_views.py).
    "audit": ({"org": "TST"}, None),
    "audit-json": ({"org": "TST"}, None),
}
OPEN = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # Single sign-on's way in and back, the accessibility statement and the language
    # switcher: anyone, signed in or not (their cases are in test_permission_matrix.py).
    "sso-login",
    "sso-callback",
    "accessibility",
    "language",
}
NOT_PAGES = {"home", "logout", "password_change", "password_change_done"}
# Pages that change figures: who may use them depends on the role, in entry/test_views.py and
# entry/test_import_page.py (the import and its background jobs: analysts of the organisation only).
WRITE_PAGES = {"enter", "import", "import-job", "import-job-json", "import-job-progress"}
# Each user's own API tokens; the JSON API has its own matrix over every endpoint
# (api/test_views.py).
API = {"tokens"}
# The quarterly cycle's pages need a cycle: their own matrix is in cycles/test_views.py (spot
# checks: cycles/test_spot_checks.py and the generated matrix).
CYCLE_PAGES = {
    "cycles",
    "cycles-json",
    "cycle",
    "cycle-json",
    "grade",
    "grade-json",
    "papers",
    "paper",
    "annual-report",
    "spot-checks",
    "spot-checks-json",
}
# Owners' commentary: its matrix is the generated one (test_permission_matrix.py), with
# records in North and South, and commentary/test_views.py.
COMMENTARY_PAGES = {"commentary", "commentary-json", "commentary-list", "commentary-list-json"}
# The corporate dashboard and its tiles: their own matrix in dashboard/test_views.py.
DASHBOARD_PAGES = {"dashboard", "dashboard-json", "dashboard-tile", "dashboard-tile-json"}
# Interventions: members of the organisation only, by role and scope; their matrix is below.
INTERVENTION_PAGES = {
    "interventions",
    "interventions-json",
    "intervention-new",
    "intervention-new-json",
    "intervention",
    "intervention-json",
}
# A measure's rebases and events: analysts only, in and out of scope
# (frameworks/test_spc_marks.py, and the generated matrix in test_permission_matrix.py).
SPC_PAGES = {"measure-spc"}
# Statutory returns: analysts only, the scoped one their units' cells (returns/test_returns.py,
# and the generated matrices in test_permission_matrix.py and test_scope_matrix.py).
RETURN_PAGES = {"returns", "returns-json", "return", "return-json"}
# Papers on a schedule: analysts of the whole organisation only; the matrix in
# test_permission_matrix.py and deliveries/test_views.py.
SCHEDULE_PAGES = {
    "schedules", "schedules-json", "schedule-new", "schedule-edit", "schedule-delete",
}  # fmt: skip
# Improvement plans and self-assessments need a plan and a cycle: their matrix is in
# plans/test_views.py.
PLAN_PAGES = {
    "plans", "plans-json", "plan", "plan-json", "plan-edit", "plan-item-new", "plan-item",
    "plan-item-json", "plan-item-edit", "statements", "statements-json", "statement",
    "statement-json", "overview", "overview-json",
}  # fmt: skip
# The risk register and recommendations need records: their own matrices are in
# risks/test_views.py and recommendations/test_views.py (the forms: analysts, and owners for
# their own risks).
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


@pytest.fixture(autouse=True)
def _computed_peer_groups(request: pytest.FixtureRequest) -> None:
    """Give the test organisation a computed version of its groups, for the peer-group pages."""
    if "organisation" not in request.fixturenames:
        return
    import polars as pl

    from pmf.web.frameworks.services import compute_peer_groups

    context = pl.DataFrame({"unit": ["F", "N", "S", "X"], "x": [0.0, 5.0, 6.0, 20.0]})
    compute_peer_groups(request.getfixturevalue("organisation"), context, ["x"], None, 1)


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
    own_matrix = (
        API
        | CYCLE_PAGES
        | DASHBOARD_PAGES
        | INTERVENTION_PAGES
        | PLAN_PAGES
        | RISK_PAGES
        | SPC_PAGES
        | RETURN_PAGES
        | COMMENTARY_PAGES
        | SCHEDULE_PAGES
    )
    assert named_patterns() - OPEN - NOT_PAGES - WRITE_PAGES - own_matrix == set(CASES)


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


# --------------------------------------------------------------------------------------------
# Interventions: in North (the command lead's and owner's scope) and in South (outside it).
# --------------------------------------------------------------------------------------------


@pytest.fixture
def interventions(analyst: User, owner: User) -> dict[str, int]:
    from pmf.web.interventions.services import NewIntervention, create_intervention

    made = {}
    for unit in ("N", "S"):
        typed = NewIntervention(
            unit=unit,
            area="FOCUS",
            action="peer_review",
            category="1",
            owner="analyst",
            description="Peer review.",
        )
        made[unit] = create_intervention(analyst.membership, typed).pk
    return made


def intervention_urls(numbers: dict[str, int], unit: str) -> list[str]:
    return [
        url(name, {"org": "TST", "number": numbers[unit]})
        for name in ("intervention", "intervention-json")
    ]


LIST_URLS = [("interventions", {"org": "TST"}), ("interventions-json", {"org": "TST"})]
NEW_URLS = [("intervention-new", {"org": "TST"}), ("intervention-new-json", {"org": "TST"})]


def test_intervention_pages_send_anonymous_visitors_to_sign_in(
    interventions: dict[str, int],
) -> None:
    pages = [url(n, k) for n, k in LIST_URLS + NEW_URLS] + intervention_urls(interventions, "N")
    for page in pages:
        response = Client().get(page)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_analyst_sees_every_intervention_page(analyst: User, interventions: dict[str, int]) -> None:
    client = Client()
    client.force_login(analyst)
    pages = [url(n, k) for n, k in LIST_URLS + NEW_URLS]
    pages += intervention_urls(interventions, "N") + intervention_urls(interventions, "S")
    for page in pages:
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("fixture", ["command_lead", "owner"])
def test_command_leads_and_owners_see_only_their_units_and_agree_nothing(
    fixture: str, request: pytest.FixtureRequest, interventions: dict[str, int]
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(fixture))
    for name, kwargs in LIST_URLS:
        assert client.get(url(name, kwargs)).status_code == 200
    for page in intervention_urls(interventions, "N"):
        assert client.get(page).status_code == 200, page
    for page in intervention_urls(interventions, "S"):
        assert client.get(page).status_code == 404, page
    for name, kwargs in NEW_URLS:
        assert client.get(url(name, kwargs)).status_code == 404


def test_other_organisations_see_no_interventions(
    other_org_user: User, interventions: dict[str, int]
) -> None:
    client = Client()
    client.force_login(other_org_user)
    pages = [url(n, k) for n, k in LIST_URLS + NEW_URLS] + intervention_urls(interventions, "N")
    for page in pages:
        assert client.get(page).status_code == 404, page
        # A page's .json twin answers GET only: 405 to a POST from anyone.
        assert client.post(page, {"text": "x"}).status_code in {404, 405}, page


def test_partners_with_a_sharing_agreement_see_no_interventions(
    other_org_user: User, interventions: dict[str, int], organisation: object
) -> None:
    import datetime as dt

    from pmf.web.accounts.models import SharingAgreement

    SharingAgreement.objects.create(
        provider=organisation,
        recipient=other_org_user.membership.organisation,
        purpose="Joint working",
        starts=dt.date(2000, 1, 1),
    )
    client = Client()
    client.force_login(other_org_user)
    assert client.get(url("scorecard", {"org": "TST", "unit": "N"})).status_code == 200
    pages = [url(n, k) for n, k in LIST_URLS + NEW_URLS] + intervention_urls(interventions, "N")
    for page in pages:
        assert client.get(page).status_code == 404, page
        # A page's .json twin answers GET only: 405 to a POST from anyone.
        assert client.post(page, {"text": "x"}).status_code in {404, 405}, page
