"""`pmf schedule` and `pmf sent`: papers on a schedule from the command line."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from pmf.web.audit.models import AuditEvent
from pmf.web.cycles import services as cycle_steps
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries.models import Schedule
from pmf.web.frameworks.models import Organisation
from tests.web.deliveries.conftest import Mailbox, smtp

__all__ = ["smtp"]  # the SMTP server fixture, shared with the web tests

pytestmark = pytest.mark.django_db


def test_add_list_run_due_pause_and_the_sent_record(
    smtp: Mailbox, cycles: Cycle, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    added = [
        "schedule", "add", "-o", "TST", "--name", "Board pack", "--paper", "exceptions",
        "--format", "pdf", "--format", "pptx", "--weekly", "mon", "--at", "08:00",
        "--on-stage", "self_assessment", "--to", "Jo Bloggs <jo@example.org>",
    ]  # fmt: skip
    assert main(added) == 0
    assert "Weekly on Monday at 08:00; when a cycle moves on to Self-assessment" in (
        capsys.readouterr().out
    )
    schedule = Schedule.objects.get()
    assert schedule.formats == ["pdf", "pptx"]
    assert main(["schedule", "list", "-o", "TST"]) == 0
    assert "Board pack\texceptions\tpdf,pptx" in capsys.readouterr().out
    cycle_steps.advance(cycles, None)
    assert main(["schedule", "run-due"]) == 0
    out = capsys.readouterr().out
    assert "Exception report: Test Force, cycle 2 (Summer) -> jo@example.org: sent" in out
    assert len(smtp.messages) == 1
    assert main(["sent", "-o", "TST", "--json"]) == 0
    record = json.loads(capsys.readouterr().out.splitlines()[0])
    assert record["recipient"] == {"name": "Jo Bloggs", "email": "jo@example.org"}
    assert record["outcome"] == "sent"
    assert [a["format"] for a in record["attachments"]] == ["pdf", "pptx"]
    assert all(len(a["sha256"]) == 64 for a in record["attachments"])
    assert main(["schedule", "pause", "-o", "TST", str(schedule.pk)]) == 0
    schedule.refresh_from_db()
    assert schedule.paused


def test_bad_options_are_refused_by_name_and_nothing_is_stored(
    cycles: Cycle, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    wrong = [
        "schedule", "add", "-o", "TST", "--name", "Pack", "--monthly", "31",
        "--to", "Jo <jo@example.org>", "--to", "not-an-address",
    ]  # fmt: skip
    assert main(wrong) == 1
    err = capsys.readouterr().err
    assert "--monthly: Enter a day of the month from 1 to 28" in err
    assert '--to: line 2: "not-an-address" is not an email address' in err
    assert main(["schedule", "add", "-o", "TST", "--name", "Pack", "--to", "jo@example.org"]) == 1
    assert "--monthly/--weekly/--on-stage" in capsys.readouterr().err
    assert main(["schedule", "resume", "-o", "TST", "99"]) == 1
    assert not Schedule.objects.exists()


# The worker releases its database connection after each run, as a worker must; on PostgreSQL
# that would close the connection holding a test's transaction, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_pmf_worker_batch_sends_the_papers_due(
    smtp: Mailbox, cycles: Cycle, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli.server import worker
    from pmf.web.deliveries import services

    services.create_schedule(
        cycles.organisation,
        None,
        {
            "name": "Pack",
            "paper": "board",
            "on_stage": "self_assessment",
            "recipients": "Jo <jo@example.org>",
        },
        ["html"],
    )
    cycle_steps.advance(cycles, None)
    assert worker(batch=True) == 0
    assert "1 send(s) due, 1 email(s) sent, 0 failed" in capsys.readouterr().out
    assert [m["To"] for m in smtp.messages] == ["Jo <jo@example.org>"]


def test_pmf_schedule_delete(
    smtp: Mailbox,
    cycles: Cycle,
    analyst: User,
    organisation: Organisation,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pmf.cli import main
    from tests.web.deliveries.test_delete import sent_then_owed

    schedule = sent_then_owed(organisation, analyst)
    assert main(["schedule", "delete", "-o", "TST", str(schedule.pk)]) == 0
    out = capsys.readouterr().out
    assert f"Schedule {schedule.pk} (Board pack) deleted; the record keeps the 2 emails" in out
    assert not Schedule.objects.exists()
    assert main(["schedule", "delete", "-o", "TST", str(schedule.pk)]) == 1
    assert main(["sent", "-o", "TST", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.count('"schedule": "Board pack"') for line in lines if line.startswith("{")] == [
        1,
        1,
    ]
    assert AuditEvent.objects.filter(action="delete_schedule").count() == 1


def test_pmf_schedule_add_in_welsh(cycles: Cycle) -> None:
    from pmf.cli import main

    assert main(
        ["schedule", "add", "-o", "TST", "--name", "Pecyn", "--on-stage", "board",
         "--language", "cy", "--to", "Tîm <tim@example.org>"]
    ) == 0  # fmt: skip
    assert Schedule.objects.get().language == "cy"
    with pytest.raises(SystemExit):  # argparse names the choices: en or cy
        main(
            ["schedule", "add", "-o", "TST", "--name", "Pack", "--on-stage", "board",
             "--language", "fr", "--to", "jo@example.org"]
        )  # fmt: skip
    assert Schedule.objects.count() == 1
