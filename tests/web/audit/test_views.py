"""The audit trail's pages: who reads which events, and conflicts between people saving at once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from pmf.web.audit.models import AuditEvent
from pmf.web.cycles import services as cycles
from pmf.web.cycles.models import AreaGrade
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from tests.factories import import_figures, member

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------
# Who reads it
# --------------------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_analyst_reads_every_event_newest_first_with_changes_marked(
    organisation: Organisation, analyst: User
) -> None:
    import_figures(organisation, [("S", "ER", "2019-07", "86")])
    data = client_for(analyst).get(reverse("audit-json", args=["TST"])).json()
    assert data["count"] == AuditEvent.objects.count()
    newest = data["events"][0]
    assert newest["unit"] == "S" and newest["kind"] == "observation"
    value = next(row for row in newest["changes"] if row["field"] == "ER 2019-07.value")
    assert (value["before"], value["after"], value["changed"]) == ("85", "86", True)
    page = client_for(analyst).get(reverse("audit", args=["TST"]), {"kind": "observation"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "<del>85</del>" in text and "<ins>86</ins>" in text


def test_a_command_lead_reads_only_their_units_events(
    organisation: Organisation, command_lead: User
) -> None:
    data = client_for(command_lead).get(reverse("audit-json", args=["TST"])).json()
    assert data["count"] > 0
    assert {event["unit"] for event in data["events"]} == {"N"}
    assert not any(event["kind"] == "framework" for event in data["events"])


def test_other_organisations_and_anonymous_visitors_read_nothing(
    organisation: Organisation, other_org_user: User
) -> None:
    assert client_for(other_org_user).get(reverse("audit", args=["TST"])).status_code == 404
    assert client_for(other_org_user).get(reverse("audit-json", args=["TST"])).status_code == 404
    assert Client().get(reverse("audit", args=["TST"])).status_code == 302


def test_the_filters_narrow_the_events(organisation: Organisation, analyst: User) -> None:
    client = client_for(analyst)
    by_unit = client.get(reverse("audit-json", args=["TST"]), {"unit": "N"}).json()
    assert by_unit["count"] > 0 and {e["unit"] for e in by_unit["events"]} == {"N"}
    framework = client.get(reverse("audit-json", args=["TST"]), {"kind": "framework"}).json()
    assert [e["kind"] for e in framework["events"]] == ["framework"]
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert client.get(reverse("audit-json", args=["TST"]), {"from": tomorrow}).json()["count"] == 0
    assert client.get(reverse("audit-json", args=["TST"]), {"user": "nobody"}).json()["count"] == 0
    bad = client.get(reverse("audit", args=["TST"]), {"from": "yesterday"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()


# --------------------------------------------------------------------------------------------
# Conflicts, one after the other (the parallel runs on PostgreSQL are below)
# --------------------------------------------------------------------------------------------


def entry_form(client: Client) -> dict[str, str]:
    page = client.get(reverse("enter", args=["TST", "N"]), {"period": "2019-07"})
    assert page.status_code == 200
    revision = page.context["rows"][0]["revision"]
    return {"period": "2019-07", "measure": "ER", "revision-ER": str(revision or 0)}


def test_a_figure_saved_meanwhile_is_a_conflict_and_the_typed_value_stays(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    first, second = client_for(analyst), client_for(owner)
    seen_first, seen_second = entry_form(first), entry_form(second)
    saved = first.post(reverse("enter", args=["TST", "N"]), {**seen_first, "value-ER": "81"})
    assert saved.status_code == 302
    refused = second.post(reverse("enter", args=["TST", "N"]), {**seen_second, "value-ER": "82"})
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "changed by analyst" in text and "81 (revision 2)" in text
    assert 'value="82"' in text
    held = Observation.objects.get(unit__code="N", measure__code="ER", period="2019-07",
                                   superseded_at__isnull=True)  # fmt: skip
    assert held.value == 81.0
    again = second.post(
        reverse("enter", args=["TST", "N"]), {**seen_second, "revision-ER": "2", "value-ER": "82"}
    )
    assert again.status_code == 302


def test_the_api_answers_409_with_a_problem_body(organisation: Organisation, analyst: User) -> None:
    client = client_for(analyst)
    path = "/api/organisations/TST/observations"
    row = {"unit": "N", "measure": "ER", "period": "2019-07", "value": 77, "revision": 1}
    first = client.post(path, json.dumps([row]), content_type="application/json")
    assert first.status_code == 200, first.content
    second = client.post(path, json.dumps([{**row, "value": 78}]), content_type="application/json")
    assert second.status_code == 409
    assert second["Content-Type"] == "application/problem+json"
    body = second.json()
    assert body["status"] == 409 and body["changed_by"] == "analyst"
    assert body["held"] == "77 (revision 2)"


# --------------------------------------------------------------------------------------------
# Two people at once: real parallel requests, each with its own connection (PostgreSQL)
# --------------------------------------------------------------------------------------------


def in_parallel(*posts: Callable[[], int]) -> list[int]:
    """Run each post in its own thread (its own connection), all released at once."""
    barrier = threading.Barrier(len(posts))
    results: list[int] = [0] * len(posts)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = posts[index]()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL's row locks: run make pytest-postgres")


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_figure_at_once_one_wins_one_is_told(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    postgres_only()
    clients = [client_for(analyst), client_for(owner)]
    seen = [entry_form(client) for client in clients]
    path = reverse("enter", args=["TST", "N"])
    codes = in_parallel(
        *[
            (lambda c=client, s=form, v=value: c.post(path, {**s, "value-ER": v}).status_code)
            for client, form, value in zip(clients, seen, ["81", "82"], strict=True)
        ]
    )
    assert sorted(codes) == [302, 409]
    winner = ["81", "82"][codes.index(302)]
    held = Observation.objects.get(
        unit__code="N", measure__code="ER", period="2019-07", superseded_at__isnull=True
    )
    assert held.value == float(winner) and held.revision == 2
    changes = [
        event
        for event in AuditEvent.objects.filter(kind="observation", unit_code="N")
        if "ER 2019-07" in (event.before or {})
    ]
    assert len(changes) == 1
    assert changes[0].after["ER 2019-07"]["value"] == float(winner)


@pytest.mark.django_db(transaction=True)
def test_two_people_sending_the_same_figure_through_the_api_at_once(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    postgres_only()
    path = "/api/organisations/TST/observations"
    clients = [client_for(analyst), client_for(owner)]
    rows = [
        [{"unit": "N", "measure": "ER", "period": "2019-08", "value": v, "revision": 0}]
        for v in (60, 61)
    ]
    codes = in_parallel(
        *[
            (
                lambda c=client, r=row: (
                    c.post(path, json.dumps(r), content_type="application/json").status_code
                )
            )
            for client, row in zip(clients, rows, strict=True)
        ]
    )
    assert sorted(codes) == [200, 409]
    held = Observation.objects.filter(unit__code="N", measure__code="ER", period="2019-08")
    assert held.count() == 1
    assert held.get().value == [60.0, 61.0][codes.index(200)]
    assert AuditEvent.objects.filter(kind="observation", action="api upsert").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_moderators_grading_at_once_one_wins_one_is_told(
    organisation: Organisation, analyst: User, moderator: User
) -> None:
    postgres_only()
    from tests.factories import member

    second = member("second_moderator", organisation, "moderator")
    cycle = cycles.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    cycles.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    for _ in range(2):
        cycles.advance(cycle, analyst.membership)
    path = reverse("grade", args=["TST", 1, "N", "FOCUS"])
    clients = [client_for(moderator), client_for(second)]
    versions = [client.get(path).context["version"] for client in clients]
    before = AuditEvent.objects.filter(kind="grade").count()
    choices = ["good", "inadequate"]
    codes = in_parallel(
        *[
            (
                lambda c=client, v=version, g=grade: (
                    c.post(
                        path, {"step": "moderate", "version": v, "grade": g, "text": "Seen."}
                    ).status_code
                )
            )
            for client, version, grade in zip(clients, versions, choices, strict=True)
        ]
    )
    assert sorted(codes) == [302, 409]
    grade = AreaGrade.objects.get(cycle=cycle, unit__code="N", area__code="FOCUS")
    assert grade.moderated_grade == choices[codes.index(302)]
    assert AuditEvent.objects.filter(kind="grade").count() == before + 1


@pytest.mark.parametrize("role", ["analyst", "moderator", "board_member"])
def test_a_scoped_member_of_a_whole_organisation_role_reads_only_their_units_events(
    organisation: Organisation, role: str
) -> None:
    import_figures(organisation, [("S", "ER", "2019-07", "86")])
    scoped = member(f"scoped-{role}", organisation, role, "N")
    client = client_for(scoped)
    data = client.get(reverse("audit-json", args=["TST"])).json()
    assert data["count"] > 0
    assert {event["unit"] for event in data["events"]} == {"N"}
    # Asking for another unit's events by filter finds none of them.
    other = client.get(reverse("audit-json", args=["TST"]), {"unit": "S"}).json()
    assert other["count"] == 0 and other["events"] == []
