"""The corporate dashboard: tiles counting what needs attention, each drilling down."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tiles(user: User) -> dict[str, dict]:
    data = client_for(user).get("/TST/dashboard.json").json()
    return {tile["code"]: tile for tile in data["tiles"]}


def test_reds_are_the_measures_not_met_with_a_link_to_each(analyst: User) -> None:
    found = tiles(analyst)
    # North: emergency response 75% against >= 80% (red); South 85% (met).
    rows = client_for(analyst).get("/TST/dashboard/reds.json").json()["rows"]
    assert {(row["unit"], row["what"]) for row in rows} >= {
        ("North", "Emergency response within target")
    }
    assert ("South", "Emergency response within target") not in {
        (row["unit"], row["what"]) for row in rows
    }
    assert found["reds"]["count"] == len(rows)
    north = next(row for row in rows if row["unit"] == "North")
    assert north["link"] == "/TST/units/N/measures/ER/"
    assert "75.0% against ≥ 80.0%" in north["detail"]


def test_every_tile_has_a_page_and_a_count(analyst: User) -> None:
    client = client_for(analyst)
    page = client.get("/TST/dashboard/").content.decode()
    for code, tile in tiles(analyst).items():
        assert f'href="/TST/dashboard/{code}/"' in page
        assert client.get(f"/TST/dashboard/{code}/").status_code == 200
        assert len(client.get(f"/TST/dashboard/{code}.json").json()["rows"]) == tile["count"]


def test_a_command_lead_sees_only_their_units(command_lead: User) -> None:
    rows = client_for(command_lead).get("/TST/dashboard/reds.json").json()["rows"]
    assert rows
    assert {row["unit"] for row in rows} == {"North"}


@pytest.mark.parametrize("path", ["/TST/dashboard/", "/TST/dashboard.json", "/TST/dashboard/reds/"])
def test_other_organisations_and_anonymous_visitors_see_nothing(
    path: str, other_org_user: User
) -> None:
    assert client_for(other_org_user).get(path).status_code == 404
    assert Client().get(path).status_code == 302


def test_an_unknown_tile_is_not_found(analyst: User) -> None:
    assert client_for(analyst).get("/TST/dashboard/nothing/").status_code == 404


def test_overdue_interventions_are_a_tile(analyst: User, owner: User, command_lead: User) -> None:
    from tests.factories import agree

    agree(analyst)  # agreed 31 August 2019, category four: due a month later, long overdue
    rows = client_for(analyst).get("/TST/dashboard/interventions.json").json()["rows"]
    assert len(rows) == 1
    assert rows[0]["unit"] == "North"
    assert "days overdue" in rows[0]["detail"]
    assert rows[0]["link"].startswith("/TST/interventions/")
    assert tiles(command_lead)["interventions"]["count"] == 1


def test_plan_items_off_track_or_at_risk_are_a_tile(analyst: User, owner: User) -> None:
    from pmf.web.plans import services
    from pmf.web.plans.models import Item

    membership = analyst.membership
    plan = services.create_plan(
        membership.organisation, membership, name="Improvement plan", starts=2019, ends=2021
    )
    theme = services.add_theme(plan, membership, "Community focus")
    item = services.create_item(
        theme,
        membership,
        services.ItemFields(title="Safer streets", owner="owner", description="x", target="y"),
    )
    assert tiles(analyst)["plan"]["count"] == 0
    services.record_progress(item, analyst.membership, Item.Status.AT_RISK, "Slipping.")
    rows = client_for(analyst).get("/TST/dashboard/plan.json").json()["rows"]
    assert [row["what"] for row in rows] == [item.title]
    assert rows[0]["link"] == f"/TST/plans/{plan.pk}/items/{item.pk}/"


def test_risks_and_recommendations_are_tiles(
    analyst: User, owner: User, command_lead: User
) -> None:
    from pmf.web.recommendations import services as recommendations
    from pmf.web.risks import services
    from tests.factories import details, rated

    organisation = analyst.membership.organisation
    services.create_risk(organisation, analyst.membership, rated(4, 5, owner="owner", unit="N"))
    services.create_risk(
        organisation, analyst.membership, rated(1, 2, owner="owner", unit="S", title="Minor")
    )
    recommendations.create_recommendation(
        organisation, analyst.membership, details(due_date="2019-12-31"), user=analyst
    )
    risks = client_for(analyst).get("/TST/dashboard/risks.json").json()["rows"]
    assert [row["what"].split(": ", 1)[1] for row in risks] == [
        "Emergency response drivers",
        "Minor",
    ]
    assert risks[0]["detail"].startswith("score 20")
    assert tiles(analyst)["emerging"]["count"] == 2
    overdue = client_for(analyst).get("/TST/dashboard/recommendations.json").json()["rows"]
    assert len(overdue) == 1
    assert "0% of 1 complete" in overdue[0]["detail"]
    # A command lead of North sees North's risk only.
    assert tiles(command_lead)["risks"]["count"] == 1


ORDERED = """\
organisation: {code: ORD, name: Ordered Force}
areas:
  - {code: FOCUS, name: FOCUS}
units:
  - {code: F, name: Force, type: force}
  - {code: N, name: North, type: command, parent: F}
  - {code: S, name: South, type: command, parent: F}
measures:
  - {code: R, name: Redline, area: FOCUS, kind: redline, polarity: lower_is_better,
     unit_of_measure: count, frequency: month, standard: {type: zero}}
  - {code: K, name: KPI, area: FOCUS, kind: kpi, polarity: lower_is_better,
     unit_of_measure: count, frequency: month}
"""


def test_special_cause_concerns_are_listed_worst_first_and_say_how(tmp_path) -> None:
    from pmf.core.framework import load_framework
    from pmf.sources.importer import check_table
    from pmf.sources.readers import read_table
    from pmf.web.frameworks.services import framework_of, store_framework
    from pmf.web.observations.services import store_observations
    from tests.factories import member

    months = [f"{2024 + (m // 12)}-{m % 12 + 1:02d}" for m in range(20)]
    steady = [10.0, 12.0] * 10
    series = {
        # A redline beyond its limits, then a KPI further beyond its limits (a redline first
        # at the same rule, whatever the distance), then a redline's shift: seven points
        # above the mean, inside the limits (an astronomical point before a shift).
        ("S", "R"): [*steady[:19], 22.0],
        ("N", "K"): [*steady[:19], 40.0],
        ("N", "R"): [*steady[:13], 12.0, 13.0, 12.0, 13.0, 12.0, 13.0, 12.0],
    }
    lines = ["unit,measure,period,value"]
    for (unit, code), values in series.items():
        lines += [f"{unit},{code},{m},{v}" for m, v in zip(months, values, strict=True)]
    organisation = store_framework(load_framework(ORDERED), "framework.yaml")
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    assert result.ok, result.problems
    store_observations(
        organisation, result.observations, file_name="figures.csv", sha256="y", layout=result.layout
    )
    user = member("ordered_analyst", organisation, "analyst")
    client = client_for(user)

    rows = client.get("/ORD/dashboard/concerns.json").json()["rows"]
    assert [(row["unit"], row["what"]) for row in rows[:3]] == [
        ("South", "Redline"),
        ("North", "KPI"),
        ("North", "Redline"),
    ]
    assert "beyond the process limits" in rows[0]["detail"]
    assert "sigma from the mean" in rows[0]["detail"]
    assert "shift" in rows[2]["detail"]
    dashboard = client.get("/ORD/dashboard/").content.decode()
    tile = dashboard[dashboard.index("Special-cause concerns") :]
    tile = tile[: tile.index("</li>\n")]
    assert "Listed worst first: points beyond the process limits" in tile
    assert tile.index("South: Redline") < tile.index("North: KPI") < tile.index("North: Redline")
