"""The JSON API: tokens, the pages' permissions on every endpoint, and the bulk upsert."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from pmf.web.api.models import ApiToken
from pmf.web.api.services import issue_token
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from tests.factories import api_client, member

pytestmark = pytest.mark.django_db

BASE = "/api/organisations"


def post_rows(client: Client, rows: list[dict[str, Any]], org: str = "TST") -> Any:
    return client.post(
        f"{BASE}/{org}/observations", json.dumps(rows), content_type="application/json"
    )


def current(unit: str, measure: str, period: str) -> Observation:
    return Observation.objects.get(
        unit__code=unit, measure__code=measure, period=period, superseded_at__isnull=True
    )


# --------------------------------------------------------------------------------------------
# Every endpoint, in and out of the command lead's scope (North; South is outside)
# --------------------------------------------------------------------------------------------

ROW_N = {"unit": "N", "measure": "ER", "period": "2019-08", "value": 81}
ROW_S = {"unit": "S", "measure": "ER", "period": "2019-08", "value": 81}
# (method, path under the organisation, request inside the scope, outside it or None)
ENDPOINTS: dict[str, tuple[str, str, Any, Any]] = {
    "units": ("get", "units", {}, None),
    "measures": ("get", "measures", {}, None),
    "observations": ("get", "observations", {"unit": "N"}, {"unit": "S"}),
    "assessments": ("get", "assessments", {"unit": "N"}, {"unit": "S"}),
    "scores": ("get", "scores", {"unit": "N"}, {"unit": "S"}),
    "upsert_observations": ("post", "observations", [ROW_N], [ROW_S]),
    # The organisation's cycles as a whole: no unit is outside anyone's scope.
    "reporting_delay": ("get", "reporting-delay", {}, None),
    "commentary": ("get", "commentary", {"unit": "N"}, {"unit": "S"}),
    "write_commentary": (
        "post",
        "commentary",
        [{"unit": "N", "measure": "ER", "period": "2019-07", "why": "A new rota."}],
        [{"unit": "S", "measure": "ER", "period": "2019-07", "why": "A new rota."}],
    ),
    # Papers by email: analysts who cover the whole organisation only (the papers are the
    # organisation's), so no scoped role may use them at all: see the test below.
    "schedules": ("get", "schedules", {}, None),
    "add_schedule": (
        "post",
        "schedules",
        {
            "name": "Board pack",
            "paper": "board",
            "formats": ["pdf"],
            "on_stage": "board",
            "recipients": [{"name": "Jo Bloggs", "email": "jo@example.org"}],
        },
        None,
    ),
    "sent": ("get", "sent", {}, None),
    # A schedule of TST's, made for each call (the fields as the page's form posts them).
    "delete_schedule": (
        "delete",
        "schedules/{id}",
        {"name": "Pack", "paper": "board", "on_stage": "board", "recipients": "Jo <jo@x.org>"},
        None,
    ),
}
WRITES = {"upsert_observations", "write_commentary", "add_schedule", "delete_schedule"}
WHOLE_ORGANISATION = {"schedules", "add_schedule", "sent", "delete_schedule"}
DOCS = {"openapi-json", "openapi-view", "api-root"}


def call(client: Client, name: str, scope: str, org: str = "TST") -> Any:
    method, path, inside, outside = ENDPOINTS[name]
    data = inside if scope == "inside" else outside
    if method == "delete":
        from pmf.web.deliveries import services

        tst = Organisation.objects.get(code="TST")
        made = services.create_schedule(tst, None, data, ["pdf"])
        return client.delete(f"{BASE}/{org}/{path.format(id=made.pk)}")
    if method == "post" and path != "observations":
        return client.post(
            f"{BASE}/{org}/{path}", json.dumps(data), content_type="application/json"
        )
    if method == "post":
        return post_rows(client, data, org)
    return client.get(f"{BASE}/{org}/{path}", data)


def api_patterns() -> set[str]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "api":
            return {p.name for p in entry.url_patterns if isinstance(p, URLPattern) and p.name}
    raise AssertionError("the API is not mounted")


def test_every_endpoint_has_a_permission_case() -> None:
    assert api_patterns() - DOCS == set(ENDPOINTS)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_without_a_token_the_answer_is_401_json(name: str, organisation: Organisation) -> None:
    response = call(Client(), name, "inside")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize(
    "header",
    ["Bearer pmf_not-a-real-key", "Bearer ", "Token abc", "Basic YW5hbHlzdDpwYXNzd29yZA=="],
)
def test_a_bad_token_is_401(header: str, analyst: User) -> None:
    response = Client(headers={"Authorization": header}).get(f"{BASE}/TST/units")
    assert response.status_code == 401


def test_a_revoked_token_is_401(analyst: User) -> None:
    from pmf.web.api.services import revoke_token

    token, key = issue_token(analyst, "script")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get(f"{BASE}/TST/units").status_code == 200
    revoke_token(analyst, token.pk)
    assert client.get(f"{BASE}/TST/units").status_code == 401
    assert post_rows(client, [ROW_N]).status_code == 401


def test_a_token_of_an_inactive_user_is_401(analyst: User) -> None:
    client = api_client(analyst)
    analyst.is_active = False
    analyst.save()
    assert client.get(f"{BASE}/TST/units").status_code == 401


def test_only_a_hash_of_the_key_is_stored_and_its_use_is_recorded(analyst: User) -> None:
    token, key = issue_token(analyst, "script")
    assert key.startswith(token.prefix) and len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert key not in {str(value) for value in stored.values()}
    assert token.last_used_at is None
    Client(headers={"Authorization": f"Bearer {key}"}).get(f"{BASE}/TST/units")
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_analyst_may_use_every_endpoint_in_and_out_of_a_command(name: str, analyst: User) -> None:
    client = api_client(analyst)
    for scope in ("inside", "outside"):
        if ENDPOINTS[name][3 if scope == "outside" else 2] is not None:
            response = call(client, name, scope)
            done = 204 if ENDPOINTS[name][0] == "delete" else 200
            assert response.status_code == done, (scope, response.content)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_other_organisations_get_404_everywhere(name: str, other_org_user: User) -> None:
    response = call(api_client(other_org_user), name, "inside")
    assert response.status_code == 404
    # The same answer as for an organisation that does not exist.
    assert call(api_client(other_org_user), name, "inside", org="NOPE").json() == response.json()


@pytest.mark.parametrize("name", sorted(WHOLE_ORGANISATION))
@pytest.mark.parametrize("role", ["command_lead", "owner"])
def test_scoped_roles_find_no_papers_by_email(
    name: str, role: str, request: pytest.FixtureRequest
) -> None:
    response = call(api_client(request.getfixturevalue(role)), name, "inside")
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(set(ENDPOINTS) - WRITES - WHOLE_ORGANISATION))
def test_command_lead_reads_only_their_scope(name: str, command_lead: User) -> None:
    client = api_client(command_lead)
    assert call(client, name, "inside").status_code == 200
    if ENDPOINTS[name][3] is not None:
        assert call(client, name, "outside").status_code == 404


@pytest.mark.parametrize("name", sorted(set(ENDPOINTS) - WRITES - WHOLE_ORGANISATION))
def test_owner_reads_only_their_scope(name: str, owner: User) -> None:
    client = api_client(owner)
    assert call(client, name, "inside").status_code == 200
    if ENDPOINTS[name][3] is not None:
        assert call(client, name, "outside").status_code == 404


@pytest.mark.parametrize("role", ["command_lead", "moderator", "board_member", "viewer"])
def test_roles_that_do_not_enter_figures_may_not_write(role: str, organisation: object) -> None:
    user = member(role, organisation, role, unit="N" if role == "command_lead" else None)  # type: ignore[arg-type]
    response = post_rows(api_client(user), [ROW_N])
    assert response.status_code == 403
    assert not Observation.objects.filter(period="2019-08").exists()


def test_unknown_unit_filters_are_404_like_units_out_of_scope(command_lead: User) -> None:
    client = api_client(command_lead)
    hidden = client.get(f"{BASE}/TST/observations", {"unit": "S"})
    unknown = client.get(f"{BASE}/TST/observations", {"unit": "NOPE"})
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()


def test_command_lead_sees_their_units_and_the_external_comparators(command_lead: User) -> None:
    client = api_client(command_lead)
    units = client.get(f"{BASE}/TST/units").json()
    assert [(u["code"], u["parent"], u["external"]) for u in units] == [
        ("N", "F", False),
        ("X", None, True),
    ]
    held = client.get(f"{BASE}/TST/observations").json()
    assert {item["unit"] for item in held["items"]} == {"N"}


def test_session_reads_but_writes_need_the_csrf_token(analyst: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(analyst)
    assert browser.get(f"{BASE}/TST/units").status_code == 200
    refused = post_rows(browser, [ROW_N])
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Observation.objects.filter(period="2019-08").exists()
    browser.get("/api/docs")  # sets the CSRF cookie, as the docs page does
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        f"{BASE}/TST/observations",
        json.dumps([ROW_N]),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200, accepted.content


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def test_measures_carry_area_kind_polarity_and_standards(viewer_client: Client) -> None:
    measures = {m["code"]: m for m in viewer_client.get(f"{BASE}/TST/measures").json()}
    assert measures["ER"]["kind"] == "redline"
    assert measures["ER"]["polarity"] == "higher_is_better"
    assert measures["ER"]["unit_of_measure"] == "percent"
    assert measures["ER"]["standards"] == [
        {
            "type": "target",
            "comparison": ">=",
            "value": 80.0,
            "amber_within": None,
            "unit_types": None,
        }
    ]
    assert measures["CR"]["denominator"]


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    return api_client(viewer)


def test_observations_filter_by_measure_and_period_and_page(analyst: User) -> None:
    client = api_client(analyst)
    every = client.get(f"{BASE}/TST/observations").json()
    assert every["count"] == 6
    first = every["items"][0]
    assert set(first) == {
        "unit", "measure", "period", "value", "numerator", "denominator", "status", "note",
        "source", "revision", "recorded_at", "recorded_by",
    }  # fmt: skip
    crimes = client.get(f"{BASE}/TST/observations", {"measure": "CR"}).json()
    assert {item["measure"] for item in crimes["items"]} == {"CR"} and crimes["count"] == 4
    recent = client.get(f"{BASE}/TST/observations", {"period_from": "2019-04"}).json()
    assert {item["period"] for item in recent["items"]} == {"2019-07"}
    old = client.get(f"{BASE}/TST/observations", {"period_to": "2018/19"}).json()
    assert {item["period"] for item in old["items"]} == {"2018-07"}
    page = client.get(f"{BASE}/TST/observations", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 6 and page["items"] == every["items"][2:4]


def test_a_period_filter_that_is_not_a_period_is_400(analyst: User) -> None:
    response = api_client(analyst).get(f"{BASE}/TST/observations", {"period_from": "2019-13"})
    assert response.status_code == 400
    assert "period_from" in response.json()["detail"]


def test_assessments_are_the_scorecard_pages_json(analyst: User) -> None:
    client = api_client(analyst)
    api = client.get(f"{BASE}/TST/assessments", {"unit": "N", "period": "2019-07"}).json()
    browser = Client()
    browser.force_login(analyst)
    page = browser.get("/TST/units/N.json", {"period": "2019-07"}).json()
    assert api == page
    er = api["areas"][0]["measures"][0]
    assert (er["measure"], er["value"], er["met"], er["rag"]) == ("ER", 75.0, False, "red")


def test_assessments_filter_by_kind_and_exceptions(analyst: User) -> None:
    client = api_client(analyst)
    kpis = client.get(f"{BASE}/TST/assessments", {"unit": "N", "kind": "kpi"}).json()
    assert all(not area["measures"] for area in kpis["areas"])
    exceptions = client.get(f"{BASE}/TST/assessments", {"unit": "S", "exceptions": True}).json()
    assert exceptions["filters"]["exceptions"] is True
    unknown = client.get(f"{BASE}/TST/assessments", {"unit": "N", "area": "NOPE"})
    assert unknown.status_code == 400


# --------------------------------------------------------------------------------------------
# Writing: the bulk upsert
# --------------------------------------------------------------------------------------------


def test_bulk_upsert_adds_figures_with_who_sent_them(analyst: User) -> None:
    rows = [
        {"unit": "N", "measure": "ER", "period": "2019-08", "value": 82.5, "status": "validated"},
        {"unit": "South", "measure": "CR", "period": "Aug 2019", "numerator": "1,200",
         "denominator": 300000, "note": "from the nightly load"},
    ]  # fmt: skip
    response = post_rows(api_client(analyst), rows)
    assert response.status_code == 200, response.content
    assert response.json() | {"message": ""} == {
        "rows": 2, "added": 2, "revised": 0, "unchanged": 0, "accepted": 0, "message": ""
    }  # fmt: skip
    held = current("N", "ER", "2019-08")
    assert (held.value, held.status, held.recorded_by) == (82.5, "validated", analyst)
    assert held.source == "sent through the API by analyst"
    crimes = current("S", "CR", "2019-08")
    assert (crimes.value, crimes.note) == (4.0, "from the nightly load")  # per 1,000


def test_bad_rows_are_each_named_by_row_and_field_and_nothing_is_stored(analyst: User) -> None:
    before = Observation.objects.count()
    rows = [
        {"unit": "N", "measure": "ER", "period": "2019-08", "value": 80},
        {"unit": "Atlantis", "measure": "ER", "period": "2019-13", "value": "lots"},
        {"unit": "N", "measure": "CR", "period": "2019-08", "numerator": 5, "denominator": 0},
        {"unit": "N", "measure": "ER", "period": "2019-08", "value": 81, "status": "final"},
    ]
    response = post_rows(api_client(analyst), rows)
    assert response.status_code == 422
    report = response.json()
    assert report["detail"].startswith("6 problems found; nothing was stored")
    found = {(p["row"], p["field"]): p for p in report["problems"]}
    assert set(found) == {
        (2, "unit"), (2, "period"), (2, "value"), (3, "denominator"), (4, "status"), (4, "period")
    }  # fmt: skip
    assert found[(2, "value")] == {
        "row": 2, "field": "value", "value": "lots", "reason": "is not a number"
    }  # fmt: skip
    assert "repeats row 1" in found[(4, "period")]["reason"]
    assert Observation.objects.count() == before


def test_rows_that_do_not_fit_the_schema_are_named_by_row_and_field(analyst: User) -> None:
    response = post_rows(
        api_client(analyst),
        [ROW_N, {"unit": "N", "measure": "ER", "value": {"nested": 1}}],
    )
    assert response.status_code == 422
    problems = {(p["row"], p["field"]): p["reason"] for p in response.json()["problems"]}
    assert problems == {(2, "period"): "Field required", (2, "value"): "should be a number or text"}
    assert post_rows(api_client(analyst), []).status_code == 422


def test_sending_the_same_rows_again_changes_nothing(analyst: User) -> None:
    client = api_client(analyst)
    assert post_rows(client, [ROW_N]).json()["added"] == 1
    count = Observation.objects.count()
    again = post_rows(client, [ROW_N, {**ROW_N, "unit": "N", "period": "2019-07", "value": 75}])
    assert again.json() | {"message": ""} == {
        "rows": 2, "added": 0, "revised": 0, "unchanged": 2, "accepted": 0, "message": ""
    }  # fmt: skip
    assert "nothing changed" in again.json()["message"]
    assert Observation.objects.count() == count


def test_a_changed_figure_is_a_new_revision_and_the_old_one_is_kept(analyst: User) -> None:
    client = api_client(analyst)
    response = post_rows(client, [{**ROW_N, "period": "2019-07", "value": 77, "note": "late"}])
    assert response.json()["revised"] == 1
    revisions = Observation.objects.filter(
        unit__code="N", measure__code="ER", period="2019-07"
    ).order_by("revision")
    assert [(o.revision, o.value, o.superseded_at is None) for o in revisions] == [
        (1, 75.0, False),
        (2, 77.0, True),
    ]
    listed = client.get(f"{BASE}/TST/observations", {"unit": "N", "measure": "ER"}).json()
    assert [(i["revision"], i["value"], i["recorded_by"]) for i in listed["items"]] == [
        (2, 77.0, "analyst")
    ]


def test_owner_writes_only_their_measures_for_units_in_scope(owner: User) -> None:
    client = api_client(owner)
    assert post_rows(client, [ROW_N]).status_code == 200
    refused = post_rows(
        client,
        [
            {**ROW_N, "period": "2019-09"},
            {**ROW_S, "period": "2019-09"},
            {
                "unit": "N",
                "measure": "CR",
                "period": "2019-09",
                "numerator": 5,
                "denominator": 1000,
            },
            {**ROW_N, "period": "2019-10", "status": "Signed off"},
        ],
    )
    assert refused.status_code == 422
    problems = {(p["row"], p["field"]): p["reason"] for p in refused.json()["problems"]}
    assert problems == {
        # The same words as for a unit that does not exist: nobody learns what is out of scope.
        (2, "unit"): "is not a unit of TST (by code or name)",
        (3, "measure"): "is not a measure you enter figures for",
        (4, "status"): "only an analyst may sign figures off",
    }
    assert not Observation.objects.filter(period__in=["2019-09", "2019-10"]).exists()


def test_analyst_may_sign_figures_off(analyst: User) -> None:
    response = post_rows(api_client(analyst), [{**ROW_S, "status": "signed_off"}])
    assert response.status_code == 200
    assert current("S", "ER", "2019-08").status == "signed_off"


# --------------------------------------------------------------------------------------------
# The schema, the docs page and the tokens page
# --------------------------------------------------------------------------------------------


def test_openapi_schema_describes_every_endpoint_and_the_token() -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "pmf JSON API"
    paths = schema["paths"]
    assert set(paths) == {
        f"/api/organisations/{{org}}/{name}"
        for name in (
            "units",
            "measures",
            "observations",
            "assessments",
            "scores",
            "reporting-delay",
            "commentary",
            "schedules",
            "sent",
        )
    } | {"/api/organisations/{org}/schedules/{schedule_id}"}
    assert set(paths["/api/organisations/{org}/observations"]) == {"get", "post"}
    components = schema["components"]
    assert components["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert {"ObservationIn", "ObservationOut", "ProblemReport", "ScorecardOut"} <= set(
        components["schemas"]
    )
    post = paths["/api/organisations/{org}/observations"]["post"]
    assert {"200", "401", "403", "404", "422"} <= set(post["responses"])


def test_docs_page_uses_only_local_files_and_no_inline_code() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-GB">' in html and "<title>" in html and "<main" in html
    assert re.findall(r'src="([^"]+)"', html) == [
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    assert "cdn" not in html.lower() and "//" not in "".join(re.findall(r'href="([^"]+)"', html))
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all(body.strip() == "" or 'type="application/json"' in attrs for attrs, body in scripts)
    for path in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(path), f"{path} is not among the static files"


def test_tokens_page_issues_a_key_once_and_revokes_it(analyst: User) -> None:
    browser = Client()
    browser.force_login(analyst)
    issued = browser.post("/accounts/tokens/", {"name": "nightly <load>"})
    assert issued.status_code == 200
    key = re.search(r'value="(pmf_[^"]+)"', issued.content.decode()).group(1)  # type: ignore[union-attr]
    assert "nightly &lt;load&gt;" in issued.content.decode()
    assert issued["Cache-Control"] == "private, no-store"
    listing = browser.get("/accounts/tokens/").content.decode()
    assert key not in listing and key[:12] in listing
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get(f"{BASE}/TST/units").status_code == 200
    token = ApiToken.objects.get(user=analyst)
    assert browser.post("/accounts/tokens/", {"revoke": token.pk}).status_code == 302
    assert api.get(f"{BASE}/TST/units").status_code == 401
    assert "Revoked" in browser.get("/accounts/tokens/").content.decode()


def test_nobody_revokes_another_persons_token(analyst: User, owner: User) -> None:
    token, _ = issue_token(owner, "theirs")
    browser = Client()
    browser.force_login(analyst)
    assert browser.post("/accounts/tokens/", {"revoke": token.pk}).status_code == 400
    token.refresh_from_db()
    assert token.active


def test_tokens_page_needs_a_name_and_the_csrf_token(analyst: User) -> None:
    browser = Client()
    browser.force_login(analyst)
    assert browser.post("/accounts/tokens/", {"name": "  "}).status_code == 400
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(analyst)
    assert strict.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
    anonymous = Client().get("/accounts/tokens/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


# Spellings the import itself reads as signed off (one with spaces round it is not a status at
# all, and is refused as such).
@pytest.mark.parametrize("spelling", ["Signed Off", "SIGNED_OFF", "signed-off", "signed off"])
def test_owner_cannot_sign_figures_off_in_any_spelling(owner: User, spelling: str) -> None:
    refused = post_rows(api_client(owner), [{**ROW_N, "period": "2019-10", "status": spelling}])
    assert refused.status_code == 422
    problems = {(p["row"], p["field"]): p["reason"] for p in refused.json()["problems"]}
    assert problems == {(1, "status"): "only an analyst may sign figures off"}
    assert not Observation.objects.filter(period="2019-10").exists()


@pytest.mark.parametrize("offset", ["99999999999999999999999", str(2**63), "-1"])
def test_an_offset_no_database_holds_is_refused_not_a_server_error(
    analyst: User, offset: str
) -> None:
    response = api_client(analyst).get(f"{BASE}/TST/observations", {"offset": offset})
    assert response.status_code == 422


def test_the_largest_offset_allowed_is_an_empty_page(analyst: User) -> None:
    from pmf.web.api.views import MAX_OFFSET

    response = api_client(analyst).get(f"{BASE}/TST/observations", {"offset": MAX_OFFSET})
    assert response.status_code == 200 and response.json()["items"] == []


def test_a_scoped_owner_cannot_send_figures_of_an_external_comparator(owner: User) -> None:
    # X is another force: a benchmark every unit's group comparison reads.
    refused = post_rows(api_client(owner), [{**ROW_N, "unit": "X"}])
    assert refused.status_code == 422
    problems = {(p["row"], p["field"]): p["reason"] for p in refused.json()["problems"]}
    assert problems == {(1, "unit"): "is not a unit of TST (by code or name)"}
    assert not Observation.objects.filter(unit__code="X", period="2019-08").exists()


def test_an_analyst_covering_the_organisation_may_send_a_comparators_figures(
    analyst: User,
) -> None:
    response = post_rows(api_client(analyst), [{**ROW_N, "unit": "X"}])
    assert response.status_code == 200
    assert current("X", "ER", "2019-08").value == 81


def test_a_note_over_the_limit_or_with_a_text_direction_character_is_refused(
    analyst: User,
) -> None:
    rows = [
        {**ROW_N, "note": "x" * 2_001},
        {**ROW_S, "note": "paid \u202e01$"},
    ]
    refused = post_rows(api_client(analyst), rows)
    assert refused.status_code == 422
    problems = {(p["row"], p["field"]): p for p in refused.json()["problems"]}
    assert set(problems) == {(1, "note"), (2, "note")}
    assert problems[(1, "note")]["reason"] == (
        "is 2,001 characters long; a note may have at most 2,000 characters"
    )
    assert problems[(1, "note")]["value"] == "x" * 200 + "…"
    assert problems[(2, "note")]["reason"].startswith("holds the control character U+202E")
    assert not Observation.objects.filter(period="2019-08").exists()


def test_numbers_that_are_not_finite_or_overflow_are_refused_naming_row_and_field(
    analyst: User,
) -> None:
    rows = [
        {**ROW_N, "value": "Infinity"},
        {"unit": "S", "measure": "CR", "period": "2019-08", "numerator": 1, "denominator": 1e-300},
        {"unit": "N", "measure": "CR", "period": "2019-08", "numerator": 1e308, "denominator": 1},
    ]
    refused = post_rows(api_client(analyst), rows)
    assert refused.status_code == 422
    problems = {(p["row"], p["field"]): p["reason"] for p in refused.json()["problems"]}
    assert set(problems) == {(1, "value"), (2, "numerator"), (3, "numerator")}
    assert problems[(1, "value")].startswith("is not a finite number")
    assert "gives a value too large to store" in problems[(2, "numerator")]
    assert problems[(3, "numerator")].startswith("is too large")
    assert not Observation.objects.filter(period="2019-08").exists()


@pytest.mark.parametrize(
    "params",
    [
        {"unit": "N\u0000"},
        {"unit": "N", "area": "\u0000"},
        {"unit": "N", "period": "2019-07\u0000"},
    ],
)
def test_the_nul_character_in_a_filter_is_a_clear_answer_not_a_server_error(
    params: dict[str, str], analyst: User
) -> None:
    # PostgreSQL refuses text holding NUL: a filter holding it must not reach a query as is.
    response = api_client(analyst).get("/api/organisations/TST/assessments", params)
    assert response.status_code == 400, response.content
    assert "NUL character" in response.json()["detail"]


def test_a_refusals_words_follow_the_requests_language_and_its_fields_stay_english(
    analyst: User,
) -> None:
    from tests.factories import api_client as token_client

    client = token_client(analyst)
    rows = [{"unit": "N", "measure": "ER", "period": "2019-08", "value": [1]}]
    welsh = client.post(
        f"{BASE}/TST/observations",
        json.dumps(rows),
        content_type="application/json",
        headers={"Accept-Language": "cy"},
    )
    assert welsh.status_code == 422
    report = welsh.json()
    assert report["detail"] == "Cafwyd 1 broblem; ni chadwyd dim."
    assert report["problems"][0]["field"] == "value"
    assert report["problems"][0]["reason"] == "dylai fod yn rhif neu’n destun"
    empty = client.post(
        f"{BASE}/TST/observations", "[]", content_type="application/json",
        headers={"Accept-Language": "cy"},
    )  # fmt: skip
    assert empty.json()["problems"][0]["reason"] == "mae’n wag; anfonwch o leiaf un rhes"
    english = post_rows(client, rows).json()
    assert english["detail"] == "1 problem found; nothing was stored."
    assert english["problems"][0]["reason"] == "should be a number or text"
