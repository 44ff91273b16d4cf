"""Papers on a schedule, sent through a real SMTP server: once, recorded, retried."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from pmf.web.audit.models import AuditEvent
from pmf.web.cycles import services as cycle_steps
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries import services
from pmf.web.deliveries.models import Dispatch, Schedule, Sent
from pmf.web.frameworks.models import Organisation
from tests.web.deliveries.conftest import Mailbox

pytestmark = pytest.mark.django_db

RECIPIENTS = "Jo Bloggs <jo@example.org>\nSam O'Neill <sam@example.org>"


def fields(**changes: str) -> dict[str, str]:
    return {
        "name": "Board pack",
        "paper": "board",
        "cycle": "",
        "frequency": "",
        "day_of_month": "",
        "weekday": "",
        "at_time": "",
        "on_stage": "self_assessment",
        "recipients": RECIPIENTS,
        **changes,
    }


def test_a_cycle_moving_on_sends_its_paper_once_with_attachments_that_open(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    from docx import Document as WordDocument
    from pptx import Presentation

    schedule = services.create_schedule(
        organisation, analyst.membership, fields(), ["pdf", "docx", "pptx"], user=analyst
    )
    assert services.run_due().sent == []  # nothing is due before the cycle moves on
    cycle_steps.advance(cycles_second := cycles_of(organisation, 2), analyst.membership)
    run = services.run_due()
    assert [row.outcome for row in run.sent] == ["sent", "sent"]
    assert len(smtp.messages) == 2
    message = smtp.messages[0]
    assert message["To"] == "Jo Bloggs <jo@example.org>"
    assert message["Subject"] == "Board paper: Test Force, cycle 2 (Summer)"
    body = message.get_body(("plain",))
    assert body is not None
    assert "cycle 2 has moved on to Self-assessment" in body.get_content()
    files = smtp.attachments(message)
    assert sorted(files) == [
        "TST-cycle-2-board-paper.docx",
        "TST-cycle-2-board-paper.pdf",
        "TST-cycle-2-board-paper.pptx",
    ]
    assert files["TST-cycle-2-board-paper.pdf"].startswith(b"%PDF")
    assert WordDocument(io.BytesIO(files["TST-cycle-2-board-paper.docx"])).paragraphs
    assert len(Presentation(io.BytesIO(files["TST-cycle-2-board-paper.pptx"])).slides) > 3
    # The record says what went to whom, with each attachment's SHA-256 as received.
    record = Sent.objects.get(recipient_email="jo@example.org")
    assert record.schedule == schedule
    assert record.cycle_number == 2
    assert record.paper == "board"
    assert record.subject == message["Subject"]
    assert record.outcome == "sent" and record.error == ""
    assert {a["name"]: a["sha256"] for a in record.attachments} == {
        name: hashlib.sha256(content).hexdigest() for name, content in files.items()
    }
    # Once: another run, another worker, or the cycle saved again sends nothing more.
    assert services.run_due().sent == []
    cycles_second.save()
    assert services.run_due().sent == []
    assert len(smtp.messages) == 2
    assert Dispatch.objects.get().status == "sent"
    # The audit trail keeps the schedule's making and the send.
    actions = list(
        AuditEvent.objects.filter(kind="delivery").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["add_schedule", "send_paper"]


def cycles_of(organisation: Organisation, number: int) -> Cycle:
    return Cycle.objects.get(organisation=organisation, number=number)


def test_a_calendar_moment_is_sent_once_however_many_workers_ask(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    services.create_schedule(
        organisation,
        analyst.membership,
        fields(frequency="monthly", day_of_month="3", at_time="07:30", on_stage=""),
        ["html"],
    )
    now = timezone.now()
    # The moment that passed before the schedule was made is never sent.
    assert services.queue_calendar_sends(now) == []
    later = now + dt.timedelta(days=40)
    first = services.queue_calendar_sends(later)
    assert len(first) == 1
    assert services.queue_calendar_sends(later) == []  # a second worker queues nothing
    claimed = services.claim_next(later)
    assert claimed is not None
    assert services.claim_next(later) is None  # nor claims what the first one holds
    rows = services.send(claimed, later)
    assert [row.outcome for row in rows] == ["sent", "sent"]
    assert services.run_due(later).sent == []
    assert len(smtp.messages) == 2
    # The calendar sends the latest locked cycle's paper.
    assert rows[0].cycle_number == 2
    assert smtp.attachments(smtp.messages[0]) == {
        "TST-cycle-2-board-paper.html": smtp.attachments(smtp.messages[1])[
            "TST-cycle-2-board-paper.html"
        ]
    }
    # The next month's moment is a new send.
    assert len(services.run_due(later + dt.timedelta(days=31)).sent) == 2


def test_a_refusing_server_is_recorded_and_retried_after_5_and_30_minutes_and_2_hours(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    services.create_schedule(organisation, analyst.membership, fields(), ["pdf"])
    smtp.refuse = True
    cycle_steps.advance(cycles_of(organisation, 2), analyst.membership)
    now = timezone.now()
    run = services.run_due(now)
    assert [row.outcome for row in run.sent] == ["failed", "failed"]
    assert "554" in run.sent[0].error
    dispatch = Dispatch.objects.get()
    assert dispatch.status == "pending"
    assert dispatch.next_attempt_at == now + dt.timedelta(minutes=5)
    assert services.run_due(now + dt.timedelta(minutes=4)).sent == []  # not before its time
    smtp.refuse = False
    retried = services.run_due(now + dt.timedelta(minutes=5))
    assert [(row.outcome, row.attempt) for row in retried.sent] == [("sent", 2), ("sent", 2)]
    assert Dispatch.objects.get().status == "sent"
    assert Sent.objects.filter(outcome="failed").count() == 2
    assert len(smtp.messages) == 2


def test_after_four_attempts_a_send_is_failed(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    smtp.refuse = True
    cycle_steps.advance(cycles_of(organisation, 2), analyst.membership)
    now = timezone.now()
    for delay in (dt.timedelta(0), *services.RETRY_DELAYS):
        now += delay
        assert len(services.run_due(now).failed) == 2
    assert Dispatch.objects.get().status == "failed"
    assert services.run_due(now + dt.timedelta(days=1)).sent == []
    assert Sent.objects.filter(outcome="failed").count() == 8
    assert smtp.messages == []


def test_an_unreachable_server_is_a_recorded_failure(
    settings: object, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    from tests.web.deliveries.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]
    settings.EMAIL_PORT = free_port()  # type: ignore[attr-defined]  # nothing listens there
    settings.EMAIL_USE_TLS = False  # type: ignore[attr-defined]
    services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    cycle_steps.advance(cycles_of(organisation, 2), analyst.membership)
    run = services.run_due()
    assert [row.outcome for row in run.failed] == ["failed", "failed"]
    assert "Connection" in run.failed[0].error or "refused" in run.failed[0].error


def test_a_paused_schedule_sends_nothing_until_resumed(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    schedule = services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    cycle_steps.advance(cycles_of(organisation, 2), analyst.membership)
    services.set_paused(schedule, analyst.membership, True)
    assert services.run_due().sent == []
    services.set_paused(schedule, analyst.membership, False)
    assert len(services.run_due().sent) == 2


@pytest.mark.parametrize(
    ("changes", "formats", "problem"),
    [
        ({"recipients": "Jo <jo@>"}, ["pdf"], 'recipients: line 1: "jo@" is not an email'),
        ({"recipients": "jo@example.org\nJO@example.org"}, ["pdf"], "recipients: line 2"),
        ({"recipients": ""}, ["pdf"], "recipients: Enter at least one recipient"),
        (
            {"frequency": "monthly", "day_of_month": "31", "at_time": "07:00"},
            ["pdf"],
            "day_of_month: Enter a day of the month from 1 to 28",
        ),
        ({"frequency": "weekly", "weekday": "", "at_time": "07:00"}, ["pdf"], "weekday: Choose"),
        ({"frequency": "weekly", "weekday": "2", "at_time": "25:00"}, ["pdf"], "at_time: Enter"),
        ({"frequency": "daily"}, ["pdf"], "frequency: Choose monthly, weekly"),
        ({"on_stage": ""}, ["pdf"], "frequency: Choose when to send"),
        ({"on_stage": "draft"}, ["pdf"], "on_stage: Choose a stage"),
        ({}, [], "formats: Choose at least one format"),
        ({}, ["exe"], "formats: exe is not a format"),
        ({"paper": "minutes"}, ["pdf"], "paper: Choose the paper"),
        ({"cycle": "9"}, ["pdf"], "cycle: there is no cycle 9"),
        ({"name": " "}, ["pdf"], "name: Enter a name"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    changes: dict[str, str],
    formats: list[str],
    problem: str,
    cycles: Cycle,
    analyst: User,
    organisation: Organisation,
) -> None:
    with pytest.raises(services.Refused) as refused:
        services.create_schedule(organisation, analyst.membership, fields(**changes), formats)
    assert any(p.startswith(problem) for p in refused.value.problems), refused.value.problems
    assert not Schedule.objects.exists()
    assert not AuditEvent.objects.filter(kind="delivery").exists()


def test_only_analysts_covering_the_whole_organisation_schedule_its_papers(
    cycles: Cycle,
    analyst: User,
    command_lead: User,
    moderator: User,
    board_member: User,
    organisation: Organisation,
) -> None:
    from pmf.web.accounts.models import Membership

    scoped = User.objects.create_user("scoped_analyst")
    Membership.objects.create(
        user=scoped,
        organisation=organisation,
        role=Membership.Role.ANALYST,
        unit=organisation.units.get(code="N"),
    )
    for user in (scoped, command_lead, moderator, board_member):
        with pytest.raises(services.Refused):
            services.create_schedule(organisation, user.membership, fields(), ["pdf"])
    assert not Schedule.objects.exists()


def test_the_rule_is_said_in_words_with_its_next_moment(
    cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    schedule = services.create_schedule(
        organisation,
        analyst.membership,
        fields(frequency="weekly", weekday="0", at_time="08:15", on_stage="board"),
        ["pdf"],
    )
    assert services.rule_text(schedule) == (
        "Weekly on Monday at 08:15; when a cycle moves on to Board"
    )
    moment = services.next_send(schedule)
    assert moment is not None and moment > timezone.now()
    assert timezone.localtime(moment).weekday() == 0
