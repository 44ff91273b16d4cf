"""Deleting a schedule: nothing more is sent, the record of what it sent stays, and the
audit trail keeps the schedule as it was; from the page (confirmed, POST only, CSRF), the
command line and the API, by analysts of the whole organisation only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.api.services import issue_token
from pmf.web.audit.models import AuditEvent
from pmf.web.cycles import services as cycle_steps
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries import services
from pmf.web.deliveries.models import Dispatch, Recipient, Schedule, Sent
from pmf.web.frameworks.models import Organisation
from tests.web.deliveries.conftest import Mailbox
from tests.web.deliveries.test_services import fields

pytestmark = pytest.mark.django_db


def sent_then_owed(organisation: Organisation, analyst: User) -> Schedule:
    """A schedule that has sent cycle 2's paper and owes another send (a calendar moment)."""
    schedule = services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    cycle_steps.advance(Cycle.objects.get(organisation=organisation, number=2), None)
    assert len(services.run_due().sent) == 2
    Dispatch.objects.create(
        schedule=schedule,
        occasion="calendar:owed",
        due_at=schedule.active_from,
        next_attempt_at=schedule.active_from,
    )
    return schedule


def test_deleting_a_schedule_keeps_what_it_sent_and_sends_nothing_more(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    schedule = sent_then_owed(organisation, analyst)
    services.delete_schedule(schedule, analyst.membership, user=analyst)
    assert not Schedule.objects.exists()
    assert not Recipient.objects.exists() and not Dispatch.objects.exists()
    assert services.run_due().sent == []
    assert len(smtp.messages) == 2
    kept = list(Sent.objects.order_by("pk"))
    assert [(row.schedule_name, row.schedule, row.outcome) for row in kept] == [
        ("Board pack", None, "sent"),
        ("Board pack", None, "sent"),
    ]
    event = AuditEvent.objects.filter(kind="delivery").latest("pk")
    assert (event.action, event.object_id, event.actor) == (
        "delete_schedule",
        str(schedule.pk),
        analyst,
    )
    assert event.before["name"] == "Board pack" and event.after is None
    assert event.before["recipients"] == [
        "Jo Bloggs <jo@example.org>",
        "Sam O'Neill <sam@example.org>",
    ]
    # The record still reads, on the page and from the command line.
    client = Client()
    client.force_login(analyst)
    page = client.get("/TST/schedules/").content.decode()
    assert "No schedules yet." in page and "Board pack" in page


def test_only_analysts_of_the_whole_organisation_delete_a_schedule(
    cycles: Cycle, analyst: User, command_lead: User, board_member: User, organisation: Organisation
) -> None:
    schedule = services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    for user in (command_lead, board_member):
        with pytest.raises(services.Refused):
            services.delete_schedule(schedule, user.membership, user=user)
    assert Schedule.objects.filter(pk=schedule.pk).exists()


def test_the_page_asks_to_confirm_and_deletes_only_on_a_post_with_its_token(
    cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    schedule = services.create_schedule(
        organisation, analyst.membership, fields(name="Pack <one>"), ["html"]
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    form = client.get(f"/TST/schedules/{schedule.pk}/").content.decode()
    assert f'href="/TST/schedules/{schedule.pk}/delete/"' in form
    address = f"/TST/schedules/{schedule.pk}/delete/"
    confirm = client.get(address)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Delete the schedule “Pack &lt;one&gt;”?" in page
    assert "The record keeps the 0 emails it sent" in page
    assert Schedule.objects.filter(pk=schedule.pk).exists()  # asking deletes nothing
    assert client.post(address).status_code == 403  # no CSRF token
    assert Schedule.objects.filter(pk=schedule.pk).exists()
    token = confirm.context["csrf_token"]
    answer = client.post(address, {"csrfmiddlewaretoken": str(token)})
    assert answer.status_code == 302 and answer["Location"] == "/TST/schedules/"
    assert not Schedule.objects.exists()
    assert "Schedule “Pack &lt;one&gt;” deleted." in client.get("/TST/schedules/").content.decode()
    assert client.get(address).status_code == 404


def test_the_confirmation_reads_in_welsh(
    cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    schedule = services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    client = Client()
    client.force_login(analyst)
    client.cookies["django_language"] = "cy"
    page = client.get(f"/TST/schedules/{schedule.pk}/delete/").content.decode()
    assert "Dileu’r amserlen “Board pack”?" in page
    assert "Ni ellir dadwneud ei dileu." in page


def test_the_api_deletes_a_schedule_for_an_analyst_and_finds_nothing_for_others(
    cycles: Cycle, analyst: User, command_lead: User, organisation: Organisation
) -> None:
    schedule = services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    address = f"/api/organisations/TST/schedules/{schedule.pk}"

    def api(user: User) -> Client:
        return Client(headers={"Authorization": f"Bearer {issue_token(user, 'script')[1]}"})

    assert api(command_lead).delete(address).status_code == 404
    assert Schedule.objects.exists()
    assert api(analyst).delete(address).status_code == 204
    assert not Schedule.objects.exists()
    assert api(analyst).delete(address).status_code == 404


def test_a_schedule_deleted_after_a_worker_claimed_its_send_sends_nothing(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    schedule = services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    cycle_steps.advance(Cycle.objects.get(organisation=organisation, number=2), None)
    claimed = services.claim_next(schedule.active_from + dt.timedelta(minutes=1))
    assert claimed is not None
    services.delete_schedule(schedule, analyst.membership)
    assert services.send(claimed, schedule.active_from) == []
    assert smtp.messages == [] and not Sent.objects.exists()
