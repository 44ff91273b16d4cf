"""The risk register's pages: the heat map, the list's filters, the forms, who reads which."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.risks import services
from pmf.web.risks.models import Risk
from tests.factories import member, membership, rated

pytestmark = pytest.mark.django_db


@pytest.fixture
def risks(organisation: Organisation, owner: User) -> list[Risk]:
    return [
        services.create_risk(organisation, None, rated(5, 5, unit="N", owner="owner")),
        services.create_risk(organisation, None, rated(2, 2, unit="S", category="Finance")),
    ]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_heat_map_counts_risks_and_links_each_cell_to_the_list(
    risks: list[Risk], analyst: User
) -> None:
    client = signed_in(analyst)
    data = client.get(reverse("risk-heat-map-json", args=["TST"])).json()
    assert data["open"] == 2 and data["above_threshold"] == 1
    assert data["rows"][0]["cells"][4] | {"count": 1} == data["rows"][0]["cells"][4]
    page = client.get(reverse("risk-heat-map", args=["TST"])).content.decode()
    assert "/TST/risks/?likelihood=5&amp;impact=5" in page and "very high" in page
    listed = client.get(reverse("risks-json", args=["TST"]), {"likelihood": 5, "impact": 5})
    assert [risk["number"] for risk in listed.json()["risks"]] == [1]


def test_the_list_filters_above_the_threshold_overdue_unit_and_category(
    risks: list[Risk], analyst: User
) -> None:
    client = signed_in(analyst)

    def numbers(**query: str) -> list[int]:
        data = client.get(reverse("risks-json", args=["TST"]), query).json()
        return [risk["number"] for risk in data["risks"]]

    assert numbers() == [1, 2]
    assert numbers(above="1") == [1]
    assert numbers(unit="S") == [2]
    assert numbers(category="Finance") == [2]
    assert numbers(overdue="1") == []
    Risk.objects.filter(number=2).update(review_date=dt.date(2020, 1, 1))
    assert numbers(overdue="1") == [2]


def test_adding_and_reviewing_through_the_forms(
    risks: list[Risk], analyst: User, owner: User
) -> None:
    client = signed_in(analyst)
    response = client.post(reverse("risk-new", args=["TST"]), rated(3, 3, unit="N"))
    assert response.status_code == 302 and response["Location"] == "/TST/risks/3/"
    refused = client.post(reverse("risk-new", args=["TST"]), rated(3, 3, title=""))
    assert refused.status_code == 400 and "give the risk a title" in refused.content.decode()
    as_owner = signed_in(owner)
    form = as_owner.get(reverse("risk-edit", args=["TST", 1])).content.decode()
    assert 'name="current_impact"' in form and 'name="title"' not in form
    response = as_owner.post(
        reverse("risk-edit", args=["TST", 1]),
        {
            "controls": "More drivers.",
            "current_likelihood": "1",
            "current_impact": "5",
            "review_date": "2030-03-31",
            "note": "Reviewed at the board.",
        },
    )
    assert response.status_code == 302
    detail = as_owner.get(reverse("risk-json", args=["TST", 1])).json()
    assert detail["risk"]["current"]["score"] == 5
    assert [event["step"] for event in detail["history"]] == ["created", "reviewed"]
    assert detail["history"][1]["by"] == "owner"


# Each page with arguments inside the command lead's scope (North's risk 1) and outside it.
RISK_PAGES = {
    "risks": ({"org": "TST"}, None),
    "risks-json": ({"org": "TST"}, None),
    "risk-heat-map": ({"org": "TST"}, None),
    "risk-heat-map-json": ({"org": "TST"}, None),
    "risk": ({"org": "TST", "number": 1}, {"org": "TST", "number": 2}),
    "risk-json": ({"org": "TST", "number": 1}, {"org": "TST", "number": 2}),
}


@pytest.mark.parametrize("name", sorted(RISK_PAGES))
def test_risk_pages_by_role_and_scope(
    name: str, risks: list[Risk], analyst: User, command_lead: User, other_org_user: User
) -> None:
    inside, outside = RISK_PAGES[name]
    assert Client().get(reverse(name, kwargs=inside)).status_code == 302
    assert signed_in(analyst).get(reverse(name, kwargs=inside)).status_code == 200
    lead = signed_in(command_lead)
    assert lead.get(reverse(name, kwargs=inside)).status_code == 200
    if outside is not None:
        assert signed_in(analyst).get(reverse(name, kwargs=outside)).status_code == 200
        assert lead.get(reverse(name, kwargs=outside)).status_code == 404
    assert signed_in(other_org_user).get(reverse(name, kwargs=inside)).status_code == 404


def test_only_analysts_open_the_new_risk_form_and_owners_their_own(
    risks: list[Risk], analyst: User, owner: User, command_lead: User
) -> None:
    assert signed_in(analyst).get(reverse("risk-new", args=["TST"])).status_code == 200
    assert signed_in(command_lead).get(reverse("risk-new", args=["TST"])).status_code == 404
    assert signed_in(owner).get(reverse("risk-new", args=["TST"])).status_code == 404
    assert signed_in(owner).get(reverse("risk-edit", args=["TST", 1])).status_code == 200
    assert signed_in(command_lead).get(reverse("risk-edit", args=["TST", 1])).status_code == 404
    assert signed_in(analyst).get(reverse("risk-edit", args=["TST", 2])).status_code == 200


def test_partners_with_a_sharing_agreement_do_not_see_the_register(
    risks: list[Risk], other_org_user: User, organisation: Organisation
) -> None:
    from pmf.web.accounts.models import SharingAgreement

    SharingAgreement.objects.create(
        provider=organisation,
        recipient=membership(other_org_user).organisation,
        purpose="Partnership",
        starts=dt.date(2000, 1, 1),
    )
    client = signed_in(other_org_user)
    assert client.get(reverse("organisation", args=["TST"])).status_code == 200
    for name in ("risks", "risk-heat-map", "recommendations"):
        assert client.get(reverse(name, args=["TST"])).status_code == 404
    assert client.get(reverse("risk", args=["TST", 1])).status_code == 404


def test_viewers_and_moderators_read_but_do_not_add(
    risks: list[Risk], organisation: Organisation
) -> None:
    viewer = member("viewer", organisation, Membership.Role.VIEWER, unit="S")
    client = signed_in(viewer)
    data = client.get(reverse("risks-json", args=["TST"])).json()
    assert [risk["number"] for risk in data["risks"]] == [2]
    assert "Add a risk" not in client.get(reverse("risks", args=["TST"])).content.decode()


# A scoped analyst records risks only within their scope (issue 15, item 1.3).


@pytest.fixture
def scoped_analyst(organisation: Organisation) -> User:
    return member("scoped_analyst", organisation, Membership.Role.ANALYST, unit="N")


@pytest.mark.parametrize(("unit", "what"), [("S", "another command"), ("", "the whole force")])
def test_a_scoped_analyst_cannot_add_a_risk_outside_their_scope(
    organisation: Organisation, scoped_analyst: User, unit: str, what: str
) -> None:
    form = {name: str(value) for name, value in rated(3, 3, unit=unit).items()}
    response = signed_in(scoped_analyst).post(reverse("risk-new", args=["TST"]), form)
    assert response.status_code == 400, what
    assert "Unit: choose North or a unit below it" in response.content.decode(), what
    assert not Risk.objects.exists(), what


def test_a_scoped_analyst_adds_a_risk_of_their_unit_and_is_offered_only_their_units(
    organisation: Organisation, scoped_analyst: User
) -> None:
    client = signed_in(scoped_analyst)
    page = client.get(reverse("risk-new", args=["TST"]))
    assert [unit["code"] for unit in page.context["units"]] == ["N"]
    assert "Whole organisation" not in page.content.decode()
    form = {name: str(value) for name, value in rated(3, 3, unit="N").items()}
    created = client.post(reverse("risk-new", args=["TST"]), form)
    assert created.status_code == 302
    risk = Risk.objects.get()
    assert client.get(reverse("risk", args=["TST", risk.number])).status_code == 200


def test_a_scoped_analyst_cannot_move_a_risk_out_of_scope_nor_change_one_outside_it(
    organisation: Organisation, scoped_analyst: User, risks: list[Risk]
) -> None:
    north, south = risks
    client = signed_in(scoped_analyst)
    form = {name: str(value) for name, value in rated(3, 3, unit="S").items()}
    moved = client.post(reverse("risk-edit", args=["TST", north.number]), form)
    assert moved.status_code == 400
    north.refresh_from_db()
    assert north.unit.code == "N"  # type: ignore[union-attr]
    assert client.post(reverse("risk-edit", args=["TST", south.number]), form).status_code == 404
    with pytest.raises(services.Refused):
        services.update_risk(south, membership(scoped_analyst), {"title": "Renamed"})
