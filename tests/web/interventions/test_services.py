"""Interventions: agreeing, reporting progress, who may, due dates, escalation and reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from pmf.cli.reminders import remind as run_remind
from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.interventions import services
from pmf.web.interventions.models import Escalation, Intervention, SentReminder
from pmf.web.interventions.reminders import (
    Reminder,
    data_due_reminders,
    due_reminders,
    register,
    registered,
    send_reminders,
)
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


# --- escalation and reminders ------------------------------------------------------------


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


def _with_email(*users: User) -> None:
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save()


def test_reminders_due_soon_and_overdue(analyst: User, owner: User, command_lead: User) -> None:
    agree(analyst)  # due 30 September 2019
    kinds = lambda on: [  # noqa: E731
        (kind, r.user.username, r.subject) for kind, r in due_reminders(on) if kind != "data"
    ]
    assert kinds(dt.date(2019, 9, 22)) == []
    assert kinds(dt.date(2019, 9, 23)) == [
        (
            "intervention",
            "owner",
            f"Intervention {Intervention.objects.get().pk} is due on 30 September 2019",
        )
    ]
    overdue = kinds(dt.date(2019, 10, 2))
    assert [(kind, user) for kind, user, _ in overdue] == [
        ("intervention", "owner"),
        ("intervention", "command_lead"),
    ]
    assert "overdue by 2 days" in overdue[0][2]


def test_each_reminder_is_sent_once_a_day(analyst: User, owner: User, command_lead: User) -> None:
    _with_email(owner, command_lead)
    agree(analyst)
    day = dt.date(2019, 10, 2)
    first = send_reminders(day)
    assert {address for _, _, address in first.sent} >= {
        "owner@example.org",
        "command_lead@example.org",
    }
    assert len(first.escalated) == 1 and Escalation.objects.count() == 1
    count = len(mail.outbox)
    again = send_reminders(day)
    assert again.sent == [] and len(again.already_sent) == len(first.sent)
    assert len(mail.outbox) == count
    next_day = send_reminders(day + dt.timedelta(days=1)).sent
    assert [r.key for kind, r, _ in next_day if kind == "intervention"] == [
        r.key for kind, r, _ in first.sent if kind == "intervention"
    ]


def test_dry_run_sends_records_and_escalates_nothing(
    analyst: User, owner: User, command_lead: User, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    _with_email(owner, command_lead)
    agree(analyst)
    run_remind(argparse.Namespace(dry_run=True, today="2019-10-02"))
    out = capsys.readouterr().out
    assert "would be escalated to the command lead of North: command_lead" in out
    assert "would be sent to owner@example.org" in out
    assert mail.outbox == []
    assert not SentReminder.objects.exists() and not Escalation.objects.exists()
    run_remind(argparse.Namespace(dry_run=False, today="2019-10-02"))
    assert mail.outbox and SentReminder.objects.exists() and Escalation.objects.exists()


def test_remind_command_line(
    analyst: User, owner: User, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    assert main(["remind", "--dry-run", "--today", "2019-10-02"]) == 0
    assert "(dry run)" in capsys.readouterr().out
    assert main(["remind", "--today", "2 October"]) == 1


def test_data_due_for_an_owner_missing_last_months_figure(owner: User) -> None:
    # Figures are held for July 2019: August's are due by 10 September.
    assert list(data_due_reminders(dt.date(2019, 8, 20))) == []  # July is in
    assert list(data_due_reminders(dt.date(2019, 9, 2))) == []  # not yet within 7 days
    (reminder,) = data_due_reminders(dt.date(2019, 9, 3))
    assert reminder.user == owner and reminder.key == "data-due"
    assert "Emergency response within target (ER), North: August 2019, due by 10 September" in (
        "\n".join(reminder.lines)
    )
    (late,) = data_due_reminders(dt.date(2019, 9, 11))
    assert "overdue" in "\n".join(late.lines)


def test_other_kinds_plug_in_to_the_registry(analyst: User) -> None:
    _with_email(analyst)
    before = registered()
    try:
        register("recommendation", lambda on: [(analyst, f"Due {on}", ["Rec 1 is due."])])
        outcome = send_reminders(dt.date(2019, 10, 2))
        assert ("recommendation", "Due 2019-10-02") in [
            (kind, reminder.subject) for kind, reminder, _ in outcome.sent
        ]
        assert isinstance(outcome.sent[0][1], Reminder)
    finally:
        from pmf.web.interventions import reminders

        reminders._SELECTORS.clear()
        reminders._SELECTORS.update(before)


# --- pages -----------------------------------------------------------------------------------


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_filters_open_overdue_mine_and_unit(analyst: User, owner: User) -> None:
    agree(analyst)
    agree(analyst, unit="S", owner="analyst", agreed_on="2030-01-01")
    url = reverse("interventions-json", kwargs={"org": "TST"})
    count = lambda query: len(client_of(owner).get(url + query).json()["interventions"])  # noqa: E731
    assert count("") == 1  # the owner covers North, and owns nothing in South
    assert len(client_of(analyst).get(url).json()["interventions"]) == 2
    assert len(client_of(analyst).get(url + "?overdue=1").json()["interventions"]) == 1
    assert len(client_of(analyst).get(url + "?mine=1").json()["interventions"]) == 1
    assert len(client_of(analyst).get(url + "?unit=S").json()["interventions"]) == 1
    assert count("?open=1") == 1


def test_create_page_refuses_owners_and_stores_for_analysts(analyst: User, owner: User) -> None:
    url = reverse("intervention-new", kwargs={"org": "TST"})
    assert client_of(owner).get(url).status_code == 404
    response = client_of(analyst).post(
        url,
        {
            "unit": "N",
            "area": "FOCUS",
            "action": "peer_review",
            "category": "2",
            "owner": "owner",
            "description": "Commission a peer review.",
        },
    )
    assert response.status_code == 302
    assert Intervention.objects.get().action_name == "Peer review"
    assert client_of(analyst).post(url, {"unit": "N"}).status_code == 400


def test_detail_page_takes_progress_from_the_owner_only(
    analyst: User, owner: User, command_lead: User
) -> None:
    intervention = agree(analyst)
    url = reverse("intervention", kwargs={"org": "TST", "number": intervention.pk})
    assert client_of(command_lead).get(url).status_code == 200
    assert client_of(command_lead).post(url, {"text": "x"}).status_code == 400
    assert (
        client_of(owner).post(url, {"text": "Begun.", "status": "in_progress"}).status_code == 302
    )
    data = client_of(owner).get(url.rstrip("/") + ".json").json()
    assert data["intervention"]["status"] == "in_progress"
    assert [p["text"] for p in data["progress"]] == ["Begun."]
