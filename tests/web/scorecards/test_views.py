from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_sign_in(organisation: object) -> None:
    response = Client().get("/TST/units/F/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sign_in_page_is_open_and_signing_in_leads_home(analyst: User) -> None:
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "analyst", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.get("/").url == "/TST/"


def test_analyst_reads_the_force_scorecard(analyst: User) -> None:
    response = client_for(analyst).get("/TST/units/F/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Force: scorecard as at July 2019" in page
    assert "FOCUS (formerly KEEPING PEOPLE SAFE)" in page
    assert "Crimes per 1,000" in page
    assert "better than July 2018" in page


def test_json_version_has_the_same_figures(analyst: User) -> None:
    data = client_for(analyst).get("/TST/units/F.json").json()
    (crimes,) = [m for m in data["areas"][0]["measures"] if m["measure"] == "CR"]
    assert crimes["value"] == pytest.approx(5.0)
    assert crimes["met_text"] == "Met"
    assert data["as_at"] == "July 2019"


def test_filters_by_kind_and_exceptions(analyst: User) -> None:
    client = client_for(analyst)
    kpis = client.get("/TST/units/N.json", {"kind": "kpi"}).json()
    assert all(m["kind"] == "kpi" for a in kpis["areas"] for m in a["measures"])
    exceptions = client.get("/TST/units/N.json", {"exceptions": "1"}).json()
    assert [m["measure"] for a in exceptions["areas"] for m in a["measures"]] == ["ER", "CR"]


def test_bad_period_is_a_clear_400(analyst: User) -> None:
    response = client_for(analyst).get("/TST/units/F/", {"period": "2019-13"})
    assert response.status_code == 400
    assert "month 13 does not exist" in response.content.decode()


def test_command_lead_sees_their_command_and_not_the_force(command_lead: User) -> None:
    client = client_for(command_lead)
    assert client.get("/TST/units/N/").status_code == 200
    assert client.get("/TST/units/F/").status_code == 404
    assert client.get("/TST/units/S.json").status_code == 404
    units = [unit["code"] for unit in client.get("/TST.json").json()["units"]]
    assert units == ["N"]


def test_another_organisation_cannot_see_anything(other_org_user: User) -> None:
    client = client_for(other_org_user)
    assert client.get("/TST/").status_code == 404
    assert client.get("/TST/units/F/").status_code == 404
    assert client.get("/TST/units/F.json").status_code == 404


def test_a_user_without_membership_sees_nothing(organisation: object) -> None:
    user = User.objects.create_user("stranger", password="x")
    assert client_for(user).get("/").status_code == 404


def test_page_escapes_names(analyst: User) -> None:
    from pmf.core.framework import load_framework
    from pmf.web.frameworks.services import store_framework
    from tests.factories import GOOD

    # Names change only by loading a framework, the one write path for them.
    store_framework(load_framework(GOOD.replace("Crimes per 1,000", "<script>alert(1)</script>")))
    page = client_for(analyst).get("/TST/units/F/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_measure_page_has_the_spc_data_and_lineage(analyst: User) -> None:
    client = client_for(analyst)
    data = client.get("/TST/units/N/measures/CR.json").json()
    assert [row["period"] for row in data["rows"]] == ["2018-07", "2019-07"]
    assert data["rows"][-1]["value"] == pytest.approx(6.0)
    assert data["chart"]["layer"][-1]["encoding"]["y"]["field"] == "value"
    assert [item["revision"] for item in data["revisions"]] == [1]
    assert data["revisions"][0]["file"] == "figures.csv"
    page = client.get("/TST/units/N/measures/CR/").content.decode()
    assert 'id="spc-chart" type="application/json"' in page
    assert "July 2019" in page


def test_measure_page_of_an_unknown_measure_or_unit_is_404(
    analyst: User, command_lead: User
) -> None:
    assert client_for(analyst).get("/TST/units/N/measures/NOPE/").status_code == 404
    assert client_for(command_lead).get("/TST/units/S/measures/CR/").status_code == 404


def test_organisation_overview_counts_rag_by_unit_and_area(analyst: User) -> None:
    data = client_for(analyst).get("/TST.json").json()
    assert [area["code"] for area in data["areas"]] == ["FOCUS", "PEOPLE"]
    rows = {unit["code"]: unit for unit in data["units"]}
    assert list(rows) == ["F", "N", "S"]
    assert (rows["N"]["level"], rows["F"]["level"]) == (1, 0)
    north_focus = rows["N"]["areas"][0]
    assert (north_focus["red"], north_focus["green"]) == (2, 0)
    assert rows["N"]["areas"][1]["text"] == "no figures"


def test_measure_page_compares_the_unit_with_its_peers(analyst: User) -> None:
    data = client_for(analyst).get("/TST/units/N/measures/CR.json").json()
    peers = data["peers"]
    assert peers["group"] == "Commands"
    assert peers["period"] == "July 2019"
    assert peers["average"] == pytest.approx(5.0)
    # Lower is better: the better (lower) rate comes first; Byar intervals from the counts.
    assert [row["unit"] for row in peers["rows"]] == ["S", "N"]
    north = peers["rows"][1]
    assert north["is_unit"] and north["lower"] < 6.0 < north["upper"]
    assert data["peer_chart"]["layer"][2]["encoding"]["x"]["datum"] == pytest.approx(5.0)


def test_scorecard_rows_carry_a_sparkline(analyst: User) -> None:
    data = client_for(analyst).get("/TST/units/N.json").json()
    crimes = next(m for a in data["areas"] for m in a["measures"] if m["measure"] == "CR")
    assert crimes["sparkline"] == "0.0,2.0 60.0,22.0"  # 8 then 6: highest first, lowest last


def test_a_measure_without_targets_names_the_standard_it_is_judged_against(
    analyst: User,
) -> None:
    client = client_for(analyst)
    page = client.get("/TST/units/N/measures/ER/").content.decode()
    assert "judged against the standard in the framework (≥ 80.0%)." in page
    assert client.get("/TST/units/N/measures/ER.json").json()["measure"]["standard"] == "≥ 80.0%"
