"""`pmf remind`: the day's reminders and escalations from the command line, or a dry run."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail

from pmf.cli.reminders import remind as run_remind
from pmf.web.interventions.models import Escalation, SentReminder
from tests.factories import agree, with_email

pytestmark = pytest.mark.django_db


def test_dry_run_sends_records_and_escalates_nothing(
    analyst: User, owner: User, command_lead: User, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    with_email(owner, command_lead)
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
