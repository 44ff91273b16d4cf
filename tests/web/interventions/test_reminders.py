"""Reminders: what is due or overdue, sent once a day, and other kinds plugged in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail

from pmf.web.interventions.models import Escalation, Intervention
from pmf.web.interventions.reminders import (
    Reminder,
    data_due_reminders,
    due_reminders,
    register,
    registered,
    send_reminders,
)
from tests.factories import agree, with_email

pytestmark = pytest.mark.django_db


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
    with_email(owner, command_lead)
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
    with_email(analyst)
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
