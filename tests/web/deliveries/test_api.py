"""The API's schedules: add one from a script, refused by field, and read the record."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.api.services import issue_token
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries.models import Schedule

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Board pack",
    "paper": "board",
    "formats": ["pdf", "pptx"],
    "frequency": "weekly",
    "weekday": 4,
    "at_time": "08:00",
    "on_stage": "board",
    "recipients": [{"name": "Jo Bloggs", "email": "jo@example.org"}],
}


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(user, 'script')[1]}"})


def post(client: Client, body: dict[str, object]) -> object:
    return client.post(
        "/api/organisations/TST/schedules", json.dumps(body), content_type="application/json"
    )


def test_an_analyst_adds_and_lists_schedules_and_reads_the_sent_record(
    cycles: Cycle, analyst: User
) -> None:
    client = api(analyst)
    answer = post(client, BODY)
    assert answer.status_code == 200, answer.content  # type: ignore[attr-defined]
    made = answer.json()  # type: ignore[attr-defined]
    assert made["when"] == "Weekly on Friday at 08:00; when a cycle moves on to Board"
    assert made["formats"] == ["pdf", "pptx"]
    listed = client.get("/api/organisations/TST/schedules").json()
    assert [s["name"] for s in listed] == ["Board pack"]
    assert client.get("/api/organisations/TST/sent").json() == []


def test_bad_fields_are_refused_by_name_and_nothing_is_stored(cycles: Cycle, analyst: User) -> None:
    body = {**BODY, "weekday": 9, "recipients": [{"name": "Jo", "email": "jo@"}]}
    answer = post(api(analyst), body)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    fields = {p["field"] for p in answer.json()["problems"]}  # type: ignore[attr-defined]
    assert fields == {"weekday", "recipients"}
    assert not Schedule.objects.exists()


def test_others_find_no_schedules(cycles: Cycle, command_lead: User, moderator: User) -> None:
    for user in (command_lead, moderator):
        client = api(user)
        assert client.get("/api/organisations/TST/schedules").status_code == 404
        assert post(client, BODY).status_code == 404  # type: ignore[attr-defined]
    assert Client().get("/api/organisations/TST/sent").status_code == 401
    assert not Schedule.objects.exists()
