"""Improvement plans and self-assessments: who may write what, the history, the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pmf.web.accounts.models import Membership, SharingAgreement
from pmf.web.cycles import services as cycles
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.services import scorecard_for
from pmf.web.plans import presenters, services
from pmf.web.plans.models import Item, ItemUpdate, Plan, SelfAssessment, SelfAssessmentVersion
from tests.factories import member

pytestmark = pytest.mark.django_db

Status = Item.Status


@pytest.fixture
def plan(organisation: Organisation, analyst: User) -> Plan:
    return services.create_plan(
        organisation, analyst.membership, name="Corporate Improvement Plan", starts=2008, ends=2011
    )


@pytest.fixture
def item(plan: Plan, analyst: User, owner: User) -> Item:
    theme = services.add_theme(plan, analyst.membership, "Increasing community focus")
    return services.create_item(
        theme,
        analyst.membership,
        services.ItemFields(
            title="Community safety",
            owner="owner",
            description="Work in partnership to tackle violent crime.",
            target="Reduce crime",
            measures=["CR"],
            target_measure="ER",
            target_value=90,
            target_date=dt.date(2011, 3, 31),
        ),
    )


@pytest.fixture
def cycle(organisation: Organisation) -> Cycle:
    return cycles.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")


@pytest.fixture
def south_lead(organisation: Organisation) -> User:
    return member("south_lead", organisation, Membership.Role.COMMAND_LEAD, unit="S")


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def to_state(cycle: Cycle, analyst: User, state: str) -> None:
    while cycle.state != state:
        if cycle.state == Cycle.State.BOARD:
            for grade in cycles.top_grades(cycle):
                grade.agreed_grade = grade.recommended
                grade.save()
        cycles.advance(cycle, analyst.membership)
        cycle.refresh_from_db()


# --- plans ------------------------------------------------------------------------------------


def test_analyst_creates_plan_theme_and_item_with_its_history(item: Item, analyst: User) -> None:
    assert item.theme.plan.period == "2008–2011"
    assert item.status == Status.NOT_STARTED
    assert sorted(item.measures.values_list("code", flat=True)) == ["CR", "ER"]
    [created] = item.updates.all()
    assert (created.kind, created.actor) == (ItemUpdate.Kind.CREATED, analyst)


@pytest.mark.parametrize("who", ["owner", "command_lead"])
def test_only_analysts_create_plans_and_items(
    who: str, plan: Plan, organisation: Organisation, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(who)
    with pytest.raises(services.Refused, match="only analysts"):
        services.create_plan(organisation, user.membership, name="X", starts=2020, ends=2021)
    with pytest.raises(services.Refused, match="only analysts"):
        services.add_theme(plan, user.membership, "Theme")


def test_analysts_of_another_organisation_cannot_touch_the_plan(
    plan: Plan, other_org_user: User
) -> None:
    with pytest.raises(services.Refused):
        services.add_theme(plan, other_org_user.membership, "Theme")


def test_item_owner_and_measures_must_be_of_the_organisation(
    plan: Plan, analyst: User, other_org_user: User
) -> None:
    theme = services.add_theme(plan, analyst.membership, "Capacity")
    with pytest.raises(services.Refused) as refused:
        services.create_item(
            theme,
            analyst.membership,
            services.ItemFields(title="", owner="other_org_user", measures=["CR", "NOPE"]),
        )
    assert refused.value.problems == [
        "title: must not be empty",
        "owner: choose a person of Test Force",
        "measures: TST has no measure NOPE",
    ]


def test_plan_years_are_checked(organisation: Organisation, analyst: User) -> None:
    with pytest.raises(services.Refused, match="cannot end before it starts"):
        services.create_plan(organisation, analyst.membership, name="P", starts=2011, ends=2008)


def test_owner_records_progress_and_the_history_keeps_every_update(
    item: Item, owner: User, analyst: User
) -> None:
    services.record_progress(item, owner.membership, Status.ON_TRACK, "Partnership board met.")
    services.record_progress(item, analyst.membership, Status.AT_RISK, "Funding cut.")
    item.refresh_from_db()
    assert item.status == Status.AT_RISK
    steps = [(u.kind, u.status, u.text, u.actor) for u in item.updates.all()]
    assert steps[1:] == [
        ("progress", "on_track", "Partnership board met.", owner),
        ("progress", "at_risk", "Funding cut.", analyst),
    ]


def test_only_the_owner_or_an_analyst_records_progress(item: Item, command_lead: User) -> None:
    with pytest.raises(services.Refused, match="accountable owner"):
        services.record_progress(item, command_lead.membership, Status.ON_TRACK, "Done")


def test_progress_needs_a_status_and_words(item: Item, owner: User) -> None:
    with pytest.raises(services.Refused) as refused:
        services.record_progress(item, owner.membership, "finished", " ")
    assert len(refused.value.problems) == 2
    assert item.updates.count() == 1


def test_editing_an_item_says_what_changed(
    item: Item, analyst: User, organisation: Organisation
) -> None:
    member("deputy", organisation, Membership.Role.OWNER, unit="N")
    services.edit_item(
        item,
        analyst.membership,
        services.ItemFields(
            title="Community safety",
            owner="deputy",
            description="Work in partnership to tackle violent crime.",
            target="Reduce crime",
            measures=["CR"],
        ),
    )
    last = item.updates.last()
    assert last is not None
    assert last.text == "Changed owner, target measure, target value, target date, measures."


def test_linked_measures_show_the_latest_figure_and_rag_of_the_scorecard(
    item: Item, organisation: Organisation
) -> None:
    rows = {row.measure: row for row in scorecard_for(organisation).rows()}
    shown = {
        m["code"]: m
        for m in presenters.plan_page(item.theme.plan)["themes"][0]["items"][0]["measures"]
    }
    assert set(shown) == {"CR", "ER"}
    for code, measure in shown.items():
        if code in rows:
            assert (measure["rag"], measure["value_text"]) == (
                rows[code].rag,
                rows[code].value_text,
            )
            assert measure["period"] == rows[code].period
        else:
            assert measure["value_text"] == "no figures"
    assert shown["CR"]["value_text"] not in ("", "no figures")


def test_plan_figures_count_items_by_status(
    item: Item, owner: User, organisation: Organisation
) -> None:
    services.record_progress(item, owner.membership, Status.OFF_TRACK, "Behind.")
    figures = services.plan_counts(organisation)
    assert figures["plan"]["period"] == "2008–2011"
    assert figures["items"] == 1
    assert {row["status"]: row["items"] for row in figures["by_status"]} == {
        "not_started": 0,
        "on_track": 0,
        "at_risk": 0,
        "off_track": 1,
        "complete": 0,
    }


def test_plan_figures_without_a_plan(organisation: Organisation) -> None:
    assert services.plan_counts(organisation)["plan"] is None


# --- self-assessments ------------------------------------------------------------------------


def write(
    cycle: Cycle, user: User, unit: str, improve: str = "", risks: str = ""
) -> SelfAssessment:
    return services.write_self_assessment(
        cycle,
        cycle.organisation.units.get(code=unit),
        user.membership,
        strengths="Response times.",
        areas_for_improvement=improve,
        risks=risks,
    )


def test_command_lead_writes_their_units_statement_and_every_version_is_kept(
    cycle: Cycle, command_lead: User
) -> None:
    write(cycle, command_lead, "N", "Call handling")
    write(cycle, command_lead, "N", "Call handling at weekends")
    self_assessment = SelfAssessment.objects.get(cycle=cycle)
    assert self_assessment.areas_for_improvement == "Call handling at weekends"
    versions = SelfAssessmentVersion.objects.filter(self_assessment=self_assessment)
    assert [v.areas_for_improvement for v in versions] == [
        "Call handling",
        "Call handling at weekends",
    ]


def test_command_lead_cannot_write_another_units_statement(
    cycle: Cycle, command_lead: User
) -> None:
    with pytest.raises(services.Refused, match="not in your part"):
        write(cycle, command_lead, "S", "x")


@pytest.mark.parametrize("who", ["analyst", "owner"])
def test_only_command_leads_write_statements(
    who: str, cycle: Cycle, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(services.Refused, match="only command leads"):
        write(cycle, request.getfixturevalue(who), "N", "x")


def test_statements_and_overview_are_locked_once_the_cycle_reaches_the_board(
    cycle: Cycle, analyst: User, command_lead: User
) -> None:
    write(cycle, command_lead, "N", "Staffing")
    to_state(cycle, analyst, Cycle.State.MODERATION)
    write(cycle, command_lead, "N", "Staffing, still")
    services.write_overview(cycle, analyst.membership, "Staffing is the theme.")
    to_state(cycle, analyst, Cycle.State.BOARD)
    with pytest.raises(services.Refused, match="can no longer be changed"):
        write(cycle, command_lead, "N", "Too late")
    with pytest.raises(services.Refused, match="can no longer be changed"):
        services.write_overview(cycle, analyst.membership, "Too late")
    assert services.self_assessments_for(cycle)["statements"][0]["areas_for_improvement"] == (
        "Staffing, still"
    )


def test_a_statement_needs_some_text(cycle: Cycle, command_lead: User) -> None:
    with pytest.raises(services.Refused, match="at least one"):
        services.write_self_assessment(
            cycle,
            cycle.organisation.units.get(code="N"),
            command_lead.membership,
            strengths=" ",
            areas_for_improvement="",
            risks="",
        )


def test_statements_for_returns_plain_data_and_who_has_not_written(
    cycle: Cycle, command_lead: User
) -> None:
    write(cycle, command_lead, "N", "Call handling", "Vacancies in the control room.")
    data = services.self_assessments_for(cycle)
    assert data["cycle"]["number"] == 1
    [self_assessment] = data["statements"]
    assert self_assessment["unit"] == {"code": "N", "name": "North"}
    assert self_assessment["risks"] == "Vacancies in the control room."
    assert self_assessment["by"] == "command_lead"
    assert [unit["code"] for unit in data["units_without"]] == ["F", "S"]


def test_overview_themes_are_cross_unit_and_the_text_keeps_its_history(
    cycle: Cycle, analyst: User, command_lead: User, south_lead: User
) -> None:
    write(cycle, command_lead, "N", "Call handling delays. Fleet. Fleet.", "Staff vacancies")
    write(cycle, south_lead, "S", "Delays in call handling.", "Staffing levels at weekends.")
    data = services.overview_for(cycle)
    assert [(t["phrase"], t["units"]) for t in data["themes"]] == [
        ("call handling", ["N", "S"]),
        ("delays", ["N", "S"]),
        ("staff", ["N", "S"]),
    ]
    assert data["themes"][0]["unit_names"] == ["North", "South"]
    assert data["text"] is None
    services.write_overview(cycle, analyst.membership, "First draft.")
    services.write_overview(cycle, analyst.membership, "Call handling is cross-cutting.")
    data = services.overview_for(cycle)
    assert data["text"] == "Call handling is cross-cutting."
    assert [v["text"] for v in data["history"]] == ["First draft.", data["text"]]
    assert data["history"][0]["themes"][0]["phrase"] == "call handling"


def test_only_analysts_write_the_overview(cycle: Cycle, command_lead: User) -> None:
    with pytest.raises(services.Refused, match="only analysts"):
        services.write_overview(cycle, command_lead.membership, "Mine.")


# --- pages -------------------------------------------------------------------------------------


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
    to_state(cycle, analyst, Cycle.State.BOARD)
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
    write(cycle, command_lead, "N", "<script>alert(1)</script> [x](javascript:alert(1))")
    page = (
        client_for(command_lead)
        .get(reverse("statement", kwargs={"org": "TST", "number": 1, "unit": "N"}))
        .content.decode()
    )
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
