"""The schedules page and its form: who may use them, errors by field, pause and resume."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.cycles.models import Cycle
from pmf.web.deliveries.models import Schedule

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Board pack <monthly> & more",
    "paper": "exceptions",
    "cycle": "",
    "formats": ["pdf", "pptx"],
    "frequency": "monthly",
    "day_of_month": "1",
    "weekday": "",
    "at_time": "07:30",
    "on_stage": "board",
    "recipients": "Jo Bloggs <jo@example.org>",
}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_analyst_adds_a_schedule_and_reads_it_on_the_page_and_as_json(
    cycles: Cycle, analyst: User
) -> None:
    client = client_for(analyst)
    assert client.get("/TST/schedules/new/").status_code == 200
    response = client.post("/TST/schedules/new/", FORM)
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert schedule.formats == ["pdf", "pptx"]
    assert schedule.paper == "exceptions"
    page = client.get("/TST/schedules/").content.decode()
    assert "Board pack &lt;monthly&gt; &amp; more" in page
    assert "Monthly on day 1 at 07:30; when a cycle moves on to Board" in page
    data = client.get("/TST/schedules.json").json()
    assert data["schedules"][0]["recipients"] == [{"name": "Jo Bloggs", "email": "jo@example.org"}]
    assert data["sent"] == []
    # The papers page links to it for the analyst.
    assert 'href="/TST/schedules/"' in client.get("/TST/cycles/2/papers/").content.decode()


def test_bad_input_shows_the_form_again_with_each_error_by_its_field(
    cycles: Cycle, analyst: User
) -> None:
    response = client_for(analyst).post(
        "/TST/schedules/new/",
        {**FORM, "recipients": "Jo <jo@>", "day_of_month": "30", "formats": []},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#recipients"' in page
    assert 'href="#day_of_month"' in page
    assert 'href="#formats-pdf"' in page
    assert "is not an email address" in page
    assert "Jo &lt;jo@&gt;" in page  # what was typed is kept, escaped
    assert not Schedule.objects.exists()


def test_an_analyst_changes_pauses_and_resumes_a_schedule(cycles: Cycle, analyst: User) -> None:
    client = client_for(analyst)
    client.post("/TST/schedules/new/", FORM)
    schedule = Schedule.objects.get()
    address = f"/TST/schedules/{schedule.pk}/"
    assert client.post(address, {**FORM, "name": "Renamed"}).status_code == 302
    schedule.refresh_from_db()
    assert schedule.name == "Renamed"
    client.post(address, {"action": "pause"})
    schedule.refresh_from_db()
    assert schedule.paused
    assert "Paused" in client.get("/TST/schedules/").content.decode()
    client.post(address, {"action": "resume"})
    schedule.refresh_from_db()
    assert not schedule.paused


def test_only_analysts_covering_the_organisation_reach_the_schedules(
    cycles: Cycle,
    analyst: User,
    command_lead: User,
    moderator: User,
    board_member: User,
    other_org_user: User,
) -> None:
    client_for(analyst).post("/TST/schedules/new/", FORM)
    address = f"/TST/schedules/{Schedule.objects.get().pk}/"
    for user in (command_lead, moderator, board_member, other_org_user):
        client = client_for(user)
        for path in ("/TST/schedules/", "/TST/schedules.json", "/TST/schedules/new/", address):
            assert client.get(path).status_code == 404, (user, path)
        assert client.post("/TST/schedules/new/", FORM).status_code == 404
        assert client.post(address, {"action": "pause"}).status_code == 404
    assert Schedule.objects.count() == 1
    assert not Schedule.objects.get().paused
    assert Client().get("/TST/schedules/").status_code == 302
