"""Interventions: agreeing, reporting progress, who may, due dates and escalation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.interventions import services
from pmf.web.interventions.models import Intervention
from tests.factories import agree, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("agreed", "months", "due"),
    [
        (dt.date(2019, 1, 31), 1, dt.date(2019, 2, 28)),
        (dt.date(2020, 1, 31), 1, dt.date(2020, 2, 29)),
        (dt.date(2019, 8, 31), 6, dt.date(2020, 2, 29)),
        (dt.date(2019, 10, 15), 3, dt.date(2020, 1, 15)),
        (dt.date(2019, 12, 31), 2, dt.date(2020, 2, 29)),
    ],
)
def test_due_date_is_the_same_day_months_later_or_the_month_end(
    agreed: dt.date, months: int, due: dt.date
) -> None:
    assert services.add_months(agreed, months) == due


def test_analyst_agrees_an_intervention_due_by_its_category(analyst: User, owner: User) -> None:
    intervention = agree(analyst)
    assert intervention.area.code == "FOCUS"  # the measure's area
    assert intervention.category_name == "Category four"
    assert intervention.due_on == dt.date(2019, 9, 30)
    assert intervention.status == Intervention.Status.OPEN


def test_every_problem_is_listed_and_nothing_stored(analyst: User, owner: User) -> None:
    with pytest.raises(services.InterventionRefused) as refused:
        agree(
            analyst,
            unit="X",
            measure="",
            action="nap",
            category="9",
            owner="nobody",
            description="",
        )
    assert len(refused.value.problems) == 6
    assert not Intervention.objects.exists()


def test_owner_must_be_a_member_of_the_organisation(analyst: User, other_org_user: User) -> None:
    with pytest.raises(services.InterventionRefused, match="owner"):
        agree(analyst, owner="other_org_user")


@pytest.mark.parametrize("role", ["moderator", "board_member"])
def test_moderators_and_board_members_agree_interventions(
    role: str, organisation: Organisation, owner: User
) -> None:
    assert agree(member(role, organisation, role)).pk


@pytest.mark.parametrize("fixture", ["owner", "command_lead"])
def test_owners_and_command_leads_do_not_agree_interventions(
    fixture: str, request: pytest.FixtureRequest, owner: User
) -> None:
    with pytest.raises(services.InterventionRefused, match="Only analysts"):
        agree(request.getfixturevalue(fixture))


def test_owner_reports_progress_and_moves_the_status_on(analyst: User, owner: User) -> None:
    intervention = agree(analyst)
    services.report_progress(owner.membership, intervention, "Review started.", "in_progress")
    services.report_progress(owner.membership, intervention, "Report written.", "completed")
    intervention.refresh_from_db()
    assert intervention.status == "completed"
    assert [update.status for update in intervention.progress.all()] == ["in_progress", "completed"]
    with pytest.raises(services.InterventionRefused, match="completed"):
        services.report_progress(owner.membership, intervention, "More.", "")


def test_status_cannot_go_back(analyst: User, owner: User) -> None:
    intervention = agree(analyst)
    services.report_progress(owner.membership, intervention, "Started.", "in_progress")
    with pytest.raises(services.InterventionRefused, match="can move on to"):
        services.report_progress(owner.membership, intervention, "Oops.", "open")


def test_command_lead_sees_but_does_not_update(
    analyst: User, owner: User, command_lead: User
) -> None:
    intervention = agree(analyst)
    south = agree(analyst, unit="S")
    seen = set(services.visible_interventions(command_lead.membership))
    assert intervention in seen and south not in seen
    with pytest.raises(services.InterventionRefused):
        services.report_progress(command_lead.membership, intervention, "Checked.")


def test_menu_from_the_framework_file_is_stored(organisation: Organisation) -> None:
    from pmf.core.framework import load_framework
    from pmf.web.frameworks.services import framework_of, store_framework
    from tests.factories import GOOD

    text = GOOD + (
        "interventions:\n"
        "  categories: [{code: A, name: Urgent, report_within_months: 1}]\n"
        "  actions: [{code: visit, name: Peer visit}]\n"
        "  data_due_day: 15\n"
    )
    stored = store_framework(load_framework(text))
    assert stored.interventions["data_due_day"] == 15
    menu = services.menu_of(stored)
    assert [action.code for action in menu.actions] == ["visit"]
    assert framework_of(stored).model.interventions.categories[0].report_within_months == 1


def test_default_menu_is_hampshires_appendix_two(organisation: Organisation) -> None:
    menu = services.menu_of(organisation)
    assert [c.report_within_months for c in menu.categories] == [6, 3, 2, 1]
    assert len(menu.actions) == 16
    assert organisation.interventions == {}


# --- escalation ----------------------------------------------------------------------------------


def test_overdue_is_escalated_once_to_the_command_lead(
    analyst: User, owner: User, command_lead: User
) -> None:
    intervention = agree(analyst)
    assert not services.is_overdue(intervention, dt.date(2019, 9, 30))
    assert services.is_overdue(intervention, dt.date(2019, 10, 1))
    made = services.escalate_overdue(dt.date(2019, 10, 1))
    assert [(e.level, [u.username for u in e.to.all()]) for e in made] == [
        ("command lead of North", ["command_lead"])
    ]
    assert services.escalate_overdue(dt.date(2019, 10, 2)) == []


def test_without_a_command_lead_escalation_goes_to_the_performance_group(
    analyst: User, owner: User, organisation: Organisation
) -> None:
    member("moderator", organisation, Membership.Role.MODERATOR)
    level, people = services.escalation_targets(agree(analyst, unit="S"))
    assert level == "moderators and board members"
    assert [person.username for person in people] == ["moderator"]
