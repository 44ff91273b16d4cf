"""The improvement plan and self-assessment pages: who reads which, and the forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pmf.web.accounts.models import Membership, SharingAgreement
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.plans import services
from pmf.web.plans.models import Item, Plan
from tests.factories import advance_to, member, write_self_assessment

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_cases(plan: Plan, item: Item, cycle: Cycle) -> dict[str, dict[str, object]]:
    org = {"org": "TST"}
    return {
        "plans": org,
        "plans-json": org,
        "plan": {**org, "plan": plan.pk},
        "plan-json": {**org, "plan": plan.pk},
        "plan-item": {**org, "plan": plan.pk, "item": item.pk},
        "plan-item-json": {**org, "plan": plan.pk, "item": item.pk},
        "plan-edit": {**org, "plan": plan.pk},
        "plan-item-new": {**org, "plan": plan.pk},
        "plan-item-edit": {**org, "plan": plan.pk, "item": item.pk},
        "statements": {**org, "number": cycle.number},
        "statements-json": {**org, "number": cycle.number},
        "statement": {**org, "number": cycle.number, "unit": "N"},
        "statement-json": {**org, "number": cycle.number, "unit": "N"},
        "overview": {**org, "number": cycle.number},
        "overview-json": {**org, "number": cycle.number},
    }


ANALYST_ONLY = {"plan-edit", "plan-item-new", "plan-item-edit"}

WHOLE_ORGANISATION = {"overview", "overview-json"}


def test_every_page_as_each_kind_of_visitor(
    item: Item, cycle: Cycle, analyst: User, command_lead: User, other_org_user: User
) -> None:
    from tests.web.test_permissions import PLAN_PAGES

    cases = page_cases(item.theme.plan, item, cycle)
    assert set(cases) == PLAN_PAGES
    for name, kwargs in cases.items():
        path = reverse(name, kwargs=kwargs)
        anonymous = client_for(None).get(path)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], name
        assert client_for(other_org_user).get(path).status_code == 404, name
        assert client_for(analyst).get(path).status_code == 200, name
        expected = 403 if name in ANALYST_ONLY else 404 if name in WHOLE_ORGANISATION else 200
        assert client_for(command_lead).get(path).status_code == expected, name


def test_partners_with_a_sharing_agreement_get_not_found(
    item: Item, cycle: Cycle, organisation: Organisation, other_org_user: User
) -> None:
    SharingAgreement.objects.create(
        provider=organisation,
        recipient=other_org_user.membership.organisation,
        purpose="Partnership",
        starts=dt.date(2000, 1, 1),
    )
    client = client_for(other_org_user)
    assert client.get(reverse("organisation", kwargs={"org": "TST"})).status_code == 200
    for name, kwargs in page_cases(item.theme.plan, item, cycle).items():
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name


def test_command_lead_sees_only_their_units_statement(cycle: Cycle, command_lead: User) -> None:
    client = client_for(command_lead)
    south = reverse("statement", kwargs={"org": "TST", "number": 1, "unit": "S"})
    assert client.get(south).status_code == 404
    data = client.get(reverse("statements-json", kwargs={"org": "TST", "number": 1})).json()
    assert [unit["code"] for unit in data["units_without"]] == ["N"]
    assert data["writable"] == ["N"]


def test_statement_form_saves_and_refuses_after_the_board(
    cycle: Cycle, analyst: User, command_lead: User
) -> None:
    client = client_for(command_lead)
    path = reverse("statement", kwargs={"org": "TST", "number": 1, "unit": "N"})
    form = {"strengths": "**Fast** response", "areas_for_improvement": "Delays", "risks": ""}
    assert client.post(path, form).status_code == 302
    page = client.get(path).content.decode()
    assert "<strong>Fast</strong> response" in page
    advance_to(cycle, analyst, Cycle.State.BOARD)
    response = client.post(path, form)
    assert response.status_code == 400
    assert "can no longer be changed" in response.content.decode()


def test_an_analyst_scoped_to_a_unit_cannot_change_the_organisations_plan_or_overview(
    item: Item, cycle: Cycle, organisation: Organisation
) -> None:
    north = member("north_analyst", organisation, Membership.Role.ANALYST, unit="N").membership
    plan = item.theme.plan
    refused = "only analysts covering the whole of"
    with pytest.raises(services.Refused, match=refused):
        services.create_plan(organisation, north, name="Mine", starts=2020, ends=2021)
    with pytest.raises(services.Refused, match=refused):
        services.add_theme(plan, north, "Theme")
    with pytest.raises(services.Refused, match=refused):
        services.create_item(item.theme, north, services.ItemFields(title="Mine", owner="owner"))
    assert not services.may_update(north, item)
    client = client_for(north.user)
    base = {"org": "TST", "plan": plan.pk}
    progress = reverse("plan-item", kwargs={**base, "item": item.pk})
    assert client.post(progress, {"status": "on_track", "text": "Mine."}).status_code == 400
    new_item = client.post(reverse("plan-item-new", kwargs=base), {"title": "Mine"})
    assert new_item.status_code in {400, 403}
    assert "Add an item" not in client.get(reverse("plan", kwargs=base)).content.decode()
    assert Item.objects.filter(title="Mine").count() == 0
    assert item.updates.count() == 1


def test_owner_records_progress_on_the_page_and_others_are_refused(
    item: Item, owner: User, command_lead: User
) -> None:
    path = reverse("plan-item", kwargs={"org": "TST", "plan": item.theme.plan_id, "item": item.pk})
    form = {"status": "on_track", "text": "Started."}
    assert client_for(owner).post(path, form).status_code == 302
    assert client_for(command_lead).post(path, form).status_code == 400
    assert item.updates.count() == 2


def test_analyst_adds_an_item_through_the_form(plan: Plan, analyst: User, owner: User) -> None:
    theme = services.add_theme(plan, analyst.membership, "Reducing inequalities")
    client = client_for(analyst)
    path = reverse("plan-item-new", kwargs={"org": "TST", "plan": plan.pk})
    response = client.post(
        path,
        {
            "theme": theme.pk,
            "title": "NEET",
            "owner": "owner",
            "measures": ["ER"],
            "target": "Reduce",
        },
    )
    assert response.status_code == 302
    created = Item.objects.get(title="NEET")
    assert list(created.measures.values_list("code", flat=True)) == ["ER"]
    bad = client.post(path, {"theme": theme.pk, "title": "", "owner": ""})
    assert bad.status_code == 400


def test_script_in_a_statement_is_not_rendered(cycle: Cycle, command_lead: User) -> None:
    write_self_assessment(
        cycle, command_lead, "N", "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    page = (
        client_for(command_lead)
        .get(reverse("statement", kwargs={"org": "TST", "number": 1, "unit": "N"}))
        .content.decode()
    )
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
