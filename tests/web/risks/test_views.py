"""The risk register: services, history, permissions, pages and the redline it feeds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from pmf.web.observations.services import scorecard_for
from pmf.web.risks import services
from pmf.web.risks.models import Risk
from tests.factories import member, rated

pytestmark = pytest.mark.django_db


def membership(user: User) -> Membership:
    return Membership.objects.get(user=user)


def test_an_analyst_adds_a_risk_scored_from_the_framework_scales(
    risk_register: Organisation, analyst: User, owner: User
) -> None:
    risk = services.create_risk(
        risk_register, membership(analyst), rated(4, 5, owner="owner", unit="N"), user=analyst
    )
    assert (risk.number, risk.inherent_score, risk.current_score, risk.target_score) == (
        1,
        100,
        80,
        24,
    )
    event = risk.events.get()
    assert (event.step, event.actor, event.current_score) == ("created", analyst, 80)
    assert event.changes["owner"] == ["", "owner"]


def test_a_bad_risk_is_refused_listing_every_problem(
    organisation: Organisation, analyst: User
) -> None:
    with pytest.raises(services.Refused) as refused:
        services.create_risk(
            organisation,
            membership(analyst),
            rated(6, 1, title="", review_date="soon", unit="X"),
        )
    assert refused.value.problems == [
        "Title: give the risk a title",
        "Unit: 'X' is not a unit of Test Force",
        "Current likelihood: choose a level from 1 to 5",
        "Review date: give a date as YYYY-MM-DD",
    ]
    assert not Risk.objects.exists()


def test_the_owner_reviews_their_risk_and_every_change_is_kept(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    risk = services.create_risk(organisation, None, rated(4, 4, owner="owner", unit="N"))
    services.update_risk(
        risk,
        membership(owner),
        {"current_likelihood": "2", "review_date": "2030-06-30"},
        user=owner,
        note="Drivers trained.",
    )
    risk.refresh_from_db()
    assert risk.current_score == 8
    reviewed = risk.events.last()
    assert reviewed is not None
    assert (reviewed.step, reviewed.actor, reviewed.note) == ("reviewed", owner, "Drivers trained.")
    assert reviewed.changes == {
        "current_likelihood": [4, 2],
        "review_date": ["2030-01-31", "2030-06-30"],
    }
    with pytest.raises(services.Refused, match="cannot change title"):
        services.update_risk(risk, membership(owner), {"title": "Renamed"}, user=owner)
    assert risk.events.count() == 2


def test_only_analysts_add_risks_and_others_cannot_change_them(
    organisation: Organisation, analyst: User, command_lead: User
) -> None:
    with pytest.raises(services.Refused, match="Only analysts"):
        services.create_risk(organisation, membership(command_lead), rated(1, 1))
    risk = services.create_risk(organisation, membership(analyst), rated(1, 1, unit="N"))
    with pytest.raises(services.Refused, match="Only analysts and the risk's owner"):
        services.update_risk(risk, membership(command_lead), {"current_impact": "5"})


def test_a_command_lead_sees_their_units_risks_only(
    organisation: Organisation, analyst: User, command_lead: User
) -> None:
    services.create_risk(organisation, None, rated(1, 1, unit="N", title="North's"))
    services.create_risk(organisation, None, rated(1, 1, unit="S", title="South's"))
    services.create_risk(organisation, None, rated(1, 1, title="Force-wide"))
    seen = services.visible_risks(organisation, membership(command_lead))
    assert [risk.title for risk in seen] == ["North's"]
    assert services.visible_risks(organisation, membership(analyst)).count() == 3


def test_top_risks_are_the_open_ones_with_the_highest_current_scores(
    risk_register: Organisation,
) -> None:
    for likelihood in (1, 5, 3):
        services.create_risk(risk_register, None, rated(likelihood, 4, title=f"L{likelihood}"))
    closed = services.create_risk(risk_register, None, rated(5, 5, title="Closed"))
    services.update_risk(closed, None, {"status": "closed"})
    top = services.top_risks(risk_register, 2)
    assert [(risk["title"], risk["current"]["score"]) for risk in top] == [("L5", 80), ("L3", 48)]
    assert top[0]["current"]["above_threshold"] and top[0]["current"]["band"] == "very high"


def _redline(organisation: Organisation) -> tuple[float | None, bool | None]:
    row = next(r for r in scorecard_for(organisation, unit="F").rows() if r.measure == "RR75")
    return row.value, row.met


def test_a_risk_scored_above_the_threshold_turns_the_zero_redline_red(
    risk_register: Organisation, analyst: User
) -> None:
    risk = services.create_risk(risk_register, membership(analyst), rated(3, 5))
    assert risk.current_score == 60
    assert _redline(risk_register) == (0, True)
    services.update_risk(risk, membership(analyst), {"current_likelihood": "4"}, user=analyst)
    assert _redline(risk_register) == (1, False)
    assert scorecard_for(risk_register, unit="F").rows()[-1].met_text == "Not met"
    services.update_risk(risk, membership(analyst), {"status": "closed"}, user=analyst)
    assert _redline(risk_register) == (0, True)
    month = services.month_of(timezone.localdate())
    revisions = Observation.objects.filter(measure__code="RR75", period=month)
    assert sorted(revisions.values_list("revision", "value")) == [(1, 0), (2, 1), (3, 0)]


def test_the_measure_reads_each_month_end_from_the_history(risk_register: Organisation) -> None:
    def at(day: str) -> dt.datetime:
        return timezone.make_aware(dt.datetime.fromisoformat(day))

    risk = services.create_risk(risk_register, None, rated(5, 5), now=at("2019-05-10 09:00"))
    services.update_risk(risk, None, {"current_impact": "1"}, now=at("2019-07-31 23:30"))
    services.create_risk(risk_register, None, rated(4, 5), now=at("2019-08-01 00:30"))
    frame = services.risk_measure_frame(risk_register, "2019-08")
    assert frame.rows() == [
        ("F", "RR75", "2019-05", 1.0),
        ("F", "RR75", "2019-06", 1.0),
        ("F", "RR75", "2019-07", 0.0),
        ("F", "RR75", "2019-08", 1.0),
    ]
    summary = services.record_risk_measure(risk_register, "2019-08")
    assert summary.rows == 4
    assert services.record_risk_measure(risk_register, "2019-08").added == 0


def test_without_a_risk_measure_recording_says_what_to_add(organisation: Organisation) -> None:
    with pytest.raises(LookupError, match=r"add risks\.measure"):
        services.record_risk_measure(organisation)
    with pytest.raises(ValueError, match="give it as YYYY-MM"):
        services.record_risk_measure(organisation, "July")


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


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
