"""Improvement plans and self-assessments: who may write what, the history, and the figures."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from pmf.web.accounts.models import Membership
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.plans import services
from pmf.web.plans.models import Item, ItemUpdate, Plan, SelfAssessment, SelfAssessmentVersion
from tests.factories import advance_to, member, write_self_assessment

pytestmark = pytest.mark.django_db

Status = Item.Status


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


def test_command_lead_writes_their_units_statement_and_every_version_is_kept(
    cycle: Cycle, command_lead: User
) -> None:
    write_self_assessment(cycle, command_lead, "N", "Call handling")
    write_self_assessment(cycle, command_lead, "N", "Call handling at weekends")
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
        write_self_assessment(cycle, command_lead, "S", "x")


@pytest.mark.parametrize("who", ["analyst", "owner"])
def test_only_command_leads_write_statements(
    who: str, cycle: Cycle, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(services.Refused, match="only command leads"):
        write_self_assessment(cycle, request.getfixturevalue(who), "N", "x")


def test_statements_and_overview_are_locked_once_the_cycle_reaches_the_board(
    cycle: Cycle, analyst: User, command_lead: User
) -> None:
    write_self_assessment(cycle, command_lead, "N", "Staffing")
    advance_to(cycle, analyst, Cycle.State.MODERATION)
    write_self_assessment(cycle, command_lead, "N", "Staffing, still")
    services.write_overview(cycle, analyst.membership, "Staffing is the theme.")
    advance_to(cycle, analyst, Cycle.State.BOARD)
    with pytest.raises(services.Refused, match="can no longer be changed"):
        write_self_assessment(cycle, command_lead, "N", "Too late")
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
    write_self_assessment(
        cycle, command_lead, "N", "Call handling", "Vacancies in the control room."
    )
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
    write_self_assessment(
        cycle, command_lead, "N", "Call handling delays. Fleet. Fleet.", "Staff vacancies"
    )
    write_self_assessment(
        cycle, south_lead, "S", "Delays in call handling.", "Staffing levels at weekends."
    )
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
