"""A calculated measure's page shows its formula and the lineage of its latest figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from pmf.web.observations.services import store_observations
from tests.factories import CALCULATED, value_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation() -> Organisation:
    organisation = store_framework(load_framework(CALCULATED), "framework.yaml")
    rows = [
        (unit, measure, period, value)
        for unit, base in (("N", 30.0), ("S", 10.0))
        for period, step in (("2019-06", 0.0), ("2019-07", 2.0))
        for measure, value in (("STOPS", base + step), ("SEARCHES", base / 2 + step))
    ]
    store_observations(
        organisation,
        value_rows(rows),
        file_name="figures.csv",
        sha256="x",
        layout="long",
        now=dt.datetime(2019, 8, 1, tzinfo=dt.UTC),
    )
    store_observations(
        organisation,
        value_rows([("N", "STOPS", "2019-07", 40.0)]),
        file_name="revised.csv",
        sha256="y",
        layout="long",
        now=dt.datetime(2019, 8, 2, tzinfo=dt.UTC),
    )
    return organisation


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_json_twin_has_the_formula_and_the_lineage_of_the_latest_figure(
    analyst: User,
) -> None:
    data = client_for(analyst).get("/TST/units/N/measures/ACTIVITY.json").json()
    calculation = data["calculation"]
    assert calculation["formula"] == "STOPS + SEARCHES"
    assert calculation["formula_named"] == "Stops + Searches"
    assert calculation["period"] == "2019-07"
    lineage = calculation["lineage"]
    assert lineage["value"] == 57.0 and lineage["revision"] == 2
    assert [(i["measure"], i["value"], i["revision"], i["current"]) for i in lineage["inputs"]] == [
        ("STOPS", 40.0, 2, True),
        ("SEARCHES", 17.0, 1, True),
    ]
    assert [item["revision"] for item in data["revisions"]] == [1, 2]


def test_the_page_shows_the_formula_the_inputs_and_their_revisions(analyst: User) -> None:
    page = client_for(analyst).get("/TST/units/N/measures/SHARE/").content.decode()
    assert "How it is calculated" in page
    assert "SEARCHES / ACTIVITY * 100" in page
    assert "Searches ÷ Stops and searches × 100" in page
    assert 'href="/TST/units/N/measures/ACTIVITY/"' in page
    assert "The input figures of July 2019" in page


def test_a_parent_figure_made_by_its_formula_says_so(analyst: User) -> None:
    data = client_for(analyst).get("/TST/units/F/measures/ACTIVITY.json").json()
    assert data["rows"][-1]["value"] == pytest.approx(40 + 17 + 12 + 7)
    assert data["calculation"]["lineage"] is None
    assert "by its formula from Force's own inputs" in data["calculation"]["rolled_up"]


def test_an_input_measure_names_the_measures_calculated_from_it(analyst: User) -> None:
    data = client_for(analyst).get("/TST/units/N/measures/STOPS.json").json()
    assert [item["code"] for item in data["calculation"]["used_by"]] == ["ACTIVITY"]
    page = client_for(analyst).get("/TST/units/N/measures/STOPS/").content.decode()
    assert "Used in calculated measures" in page


def test_a_measure_with_no_formula_and_no_users_has_no_calculation(analyst: User) -> None:
    data = client_for(analyst).get("/TST/units/N/measures/ER.json").json()
    assert data["calculation"] is None


def test_a_command_lead_sees_only_their_units_lineage(command_lead: User) -> None:
    client = client_for(command_lead)
    assert client.get("/TST/units/N/measures/ACTIVITY.json").status_code == 200
    assert client.get("/TST/units/S/measures/ACTIVITY.json").status_code == 404
