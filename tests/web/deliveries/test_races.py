"""A worker's send and an analyst's change of its schedule at the same moment, made to meet.

Each race is made reproducible at a point where the worker waits anyway: the analyst's
change is made through another database connection (a thread of its own) while the worker
is about to run its claim's UPDATE (Django's ``connection.execute_wrapper``) or while the
mail server has the email and has not answered yet (the SMTP server's handler). Nothing of
pmf's is patched; the worker is ``services.run_due`` as the clock runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from pmf.web.audit.models import AuditEvent
from pmf.web.cycles import services as cycle_steps
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries import services
from pmf.web.deliveries.models import Dispatch, Recipient, Schedule, Sent
from pmf.web.frameworks.models import Organisation
from tests.web.deliveries.conftest import Mailbox, in_thread
from tests.web.deliveries.test_services import fields

# The analyst's change goes through a connection of its own, committed before the worker
# goes on: the worker must see it as another process's.
pytestmark = pytest.mark.django_db(transaction=True)


def due(organisation: Organisation, analyst: User) -> Schedule:
    """A schedule with a send due: cycle 2 moved on to the stage it sends on."""
    schedule = services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    cycle_steps.advance(Cycle.objects.get(organisation=organisation, number=2), None)
    return schedule


def before_the_claim(change: Callable[[], None]) -> tuple[Callable[..., Any], list[bool]]:
    """Return an execute wrapper that makes ``change`` (once) just before the claim's UPDATE
    runs, and the list it marks when it has."""
    made: list[bool] = []
    table = Dispatch._meta.db_table

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        claim = (
            sql.startswith(f'UPDATE "{table}" SET')
            and params
            and params[0] == Dispatch.Status.SENDING
        )
        if claim and not made:
            made.append(True)
            in_thread(change)
        return execute(sql, params, many, context)

    return wrapper, made


def test_a_send_whose_schedule_is_paused_between_the_read_and_the_claim_waits_for_the_resume(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    schedule = due(organisation, analyst)

    def pause() -> None:
        services.set_paused(Schedule.objects.get(pk=schedule.pk), None, True, user=analyst)

    wrapper, made = before_the_claim(pause)
    with connection.execute_wrapper(wrapper):
        run = services.run_due()
    assert made  # the race happened
    # Read as running, paused by the time it was claimed: not sent, and given back.
    assert Schedule.objects.get(pk=schedule.pk).paused
    assert (run.dispatches, run.sent, smtp.messages) == ([], [], [])
    assert not Sent.objects.exists()
    dispatch = Dispatch.objects.get()
    assert (dispatch.status, dispatch.claimed_until, dispatch.attempts) == ("pending", None, 0)
    assert services.run_due().dispatches == []  # still paused: still waiting
    # Resumed: the send that waited goes, once.
    services.set_paused(Schedule.objects.get(pk=schedule.pk), None, False, user=analyst)
    run = services.run_due()
    assert [row.outcome for row in run.sent] == ["sent", "sent"]
    assert len(smtp.messages) == 2
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.attempts) == ("sent", 1)
    assert services.run_due().sent == []


def test_a_send_whose_schedule_is_resumed_between_the_read_and_the_claim_goes_once(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    # The other way round, as a control: a pause and resume before the claim change nothing.
    schedule = due(organisation, analyst)

    def pause_and_resume() -> None:
        services.set_paused(Schedule.objects.get(pk=schedule.pk), None, True, user=analyst)
        services.set_paused(Schedule.objects.get(pk=schedule.pk), None, False, user=analyst)

    wrapper, made = before_the_claim(pause_and_resume)
    with connection.execute_wrapper(wrapper):
        run = services.run_due()
    assert made
    assert [row.outcome for row in run.sent] == ["sent", "sent"]
    assert Dispatch.objects.get().attempts == 1


def test_a_schedule_deleted_while_its_email_is_on_its_way_keeps_the_record_and_sends_no_more(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    schedule = due(organisation, analyst)
    deleted: list[str] = []

    def delete(envelope: Any) -> None:
        if not deleted:
            deleted.extend(envelope.rcpt_tos)
            services.delete_schedule(Schedule.objects.get(pk=schedule.pk), None, user=analyst)

    smtp.while_receiving = delete
    run = services.run_due()
    # The first email had gone when the schedule was deleted: the server took it.
    assert deleted == ["jo@example.org"]
    assert [message["To"] for message in smtp.messages] == ["Jo Bloggs <jo@example.org>"]
    # Its record stays, as the deletion leaves the record of what was sent: without the
    # schedule, with its name.
    kept = list(Sent.objects.values_list("schedule", "dispatch", "schedule_name", "outcome"))
    assert kept == [(None, None, "Board pack", "sent")]
    assert [row.recipient_email for row in run.sent] == ["jo@example.org"]
    # Nothing more was sent on it once deleted: not to the second recipient.
    assert not Schedule.objects.exists()
    assert not Dispatch.objects.exists() and not Recipient.objects.exists()
    actions = list(
        AuditEvent.objects.filter(kind="delivery").order_by("pk").values_list("action", "after")
    )
    assert [action for action, _after in actions][-2:] == ["delete_schedule", "send_paper"]
    assert actions[-1][1]["sent"] == ["jo@example.org"]
    assert services.run_due().sent == []
