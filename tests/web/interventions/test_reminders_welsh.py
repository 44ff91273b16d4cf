"""Reminders in the recipient's language: Welsh for a Welsh reader, English otherwise."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import override_settings
from django.utils import translation

from pmf.web.interventions.models import Intervention
from pmf.web.interventions.reminders import data_due_reminders, due_reminders, send_reminders
from tests.factories import agree, with_email

pytestmark = pytest.mark.django_db


def test_an_overdue_intervention_is_emailed_in_welsh_to_a_welsh_reader(
    analyst: User, owner: User, command_lead: User
) -> None:
    with_email(owner, command_lead)
    agree(analyst)  # due 30 September 2019
    number = Intervention.objects.get().pk
    with override_settings(LANGUAGE_CODE="cy"):
        send_reminders(dt.date(2019, 10, 2))
    sent = {message.to[0]: message for message in mail.outbox}
    to_owner = sent["owner@example.org"]
    assert to_owner.subject == f"Mae ymyriad {number} 2 ddiwrnod yn hwyr"
    assert "adroddwch yn ôl erbyn 30 Medi 2019." in to_owner.body
    assert "Mae wedi'i uwchgyfeirio at arweinydd ardal North." in to_owner.body
    to_lead = sent["command_lead@example.org"]
    assert to_lead.subject == f"Wedi'i uwchgyfeirio atoch chi: mae ymyriad {number} yn hwyr"
    assert "fel arweinydd ardal North." in to_lead.body
    # Built in the recipient's language, the reminders leave the language as it was.
    assert translation.get_language() != "cy"


def test_a_reminder_is_in_english_for_an_english_reader(analyst: User, owner: User) -> None:
    agree(analyst)
    with translation.override("cy"):  # whatever the language around, the reader's wins
        (reminder,) = [r for kind, r in due_reminders(dt.date(2019, 9, 23)) if kind != "data"]
    number = Intervention.objects.get().pk
    assert reminder.subject == f"Intervention {number} is due on 30 September 2019"
    assert "Status: Open." in reminder.lines


@override_settings(LANGUAGE_CODE="cy")
def test_figures_due_are_listed_in_welsh(owner: User) -> None:
    (reminder,) = data_due_reminders(dt.date(2019, 9, 3))
    assert reminder.subject.startswith("Ffigurau'n ddyledus: 1 ar gyfer ")
    assert reminder.lines[0] == "Nid yw'r ffigurau hyn yn pmf eto:"
    assert "yn ddyledus erbyn 10 Medi 2019" in reminder.lines[2]
