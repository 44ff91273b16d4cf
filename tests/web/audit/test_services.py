"""The audit trail: what is recorded, that it cannot be changed, who reads it, and conflicts."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable

import polars as pl
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client
from django.urls import reverse

from pmf.core.framework import load_framework
from pmf.web.audit import services as audit_services
from pmf.web.audit.actor import acting_as
from pmf.web.audit.models import AuditEvent, AuditRefused
from pmf.web.audit.presenters import changed_fields
from pmf.web.audit.services import Conflict
from pmf.web.cycles import services as cycles
from pmf.web.cycles.models import AreaGrade, Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import set_target, store_framework
from pmf.web.observations.models import Observation
from pmf.web.observations.services import import_frame
from pmf.web.risks import services as risks
from tests.factories import GOOD, member

pytestmark = pytest.mark.django_db


def figures(organisation: Organisation, rows: list[tuple[str, str, str, str]]) -> None:
    """Import rows of (unit, measure, period, value) as a file would be."""
    frame = pl.DataFrame(rows, schema=["unit", "measure", "period", "value"], orient="row")
    import_frame(organisation, frame, file_name="more.csv", source="test")


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


# --------------------------------------------------------------------------------------------
# What is recorded
# --------------------------------------------------------------------------------------------


def test_an_import_records_each_units_changed_figures_before_and_after(
    organisation: Organisation,
) -> None:
    before = AuditEvent.objects.filter(kind="observation").count()
    with acting_as("alice via pmf import"):
        figures(organisation, [("N", "ER", "2019-07", "80"), ("N", "ER", "2019-06", "70")])
    added = events("observation")[before:]
    assert len(added) == 1
    event = added[0]
    assert event.unit_code == "N" and event.actor is None
    assert event.actor_label == "alice via pmf import"
    assert event.action == "import"
    assert event.before == {"ER 2019-07": {**event.before["ER 2019-07"], "value": 75.0}}
    assert event.before["ER 2019-07"]["revision"] == 1
    assert event.after["ER 2019-07"]["value"] == 80.0
    assert event.after["ER 2019-07"]["revision"] == 2
    assert event.after["ER 2019-06"]["revision"] == 1
    assert "1 added, 1 revised" in event.label
    assert event.object_id == str(Observation.objects.get(period="2019-07", revision=2).batch_id)


def test_figures_held_unchanged_record_nothing(organisation: Organisation) -> None:
    count = AuditEvent.objects.count()
    figures(organisation, [("N", "ER", "2019-07", "75")])
    assert AuditEvent.objects.count() == count


def test_a_big_import_is_split_into_events_of_at_most_a_thousand_figures(
    organisation: Organisation,
) -> None:
    # 1,200 months of the last century: a figure may not be about a period still to come.
    months = [f"{1900 + i // 12}-{i % 12 + 1:02d}" for i in range(1200)]
    figures(organisation, [("S", "ER", month, "50") for month in months])
    added = [e for e in events("observation") if e.unit_code == "S" and len(e.after) > 3]
    assert sorted(len(event.after) for event in added) == [200, 1000]


def test_an_import_records_the_same_events_a_slice_of_units_at_a_time(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slices of at least one whole unit: each unit's figures still make whole events.
    monkeypatch.setattr(audit_services, "_SLICE_ROWS", 3)
    rows = [(unit, "ER", f"2001-{month:02d}", "40") for unit in ("N", "S") for month in (1, 2)]
    figures(organisation, [*rows, ("N", "ER", "2019-07", "81")])
    added = {
        e.unit_code: e for e in events("observation") if e.object_id and "2001-01" in str(e.after)
    }
    assert sorted(added) == ["N", "S"]
    assert sorted(added["N"].after) == ["ER 2001-01", "ER 2001-02", "ER 2019-07"]
    assert sorted(added["S"].after) == ["ER 2001-01", "ER 2001-02"]
    assert list(added["N"].before) == ["ER 2019-07"] and added["S"].before is None


def test_every_step_on_a_grade_is_recorded_with_who_before_and_after(
    organisation: Organisation, analyst: User, command_lead: User
) -> None:
    cycle = cycles.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    cycles.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    assert len(events("grade")) == cycle.grades.count()
    cycles.advance(cycle, analyst.membership)
    grade = cycle.grades.select_related("unit", "area", "cycle").get(
        unit__code="N", area__code="FOCUS"
    )
    cycles.self_assess(grade, command_lead.membership, "good", "Crime fell.")
    event = events("grade")[-1]
    assert (event.actor, event.action, event.unit_code) == (command_lead, "self-assess", "N")
    assert event.before["self_grade"] == "" and event.after["self_grade"] == "good"
    assert event.after["self_rationale"] == "Crime fell."


def test_risk_and_recommendation_changes_are_recorded(
    organisation: Organisation, analyst: User
) -> None:
    data = {
        "title": "Drivers",
        "inherent_likelihood": 5,
        "inherent_impact": 5,
        "current_likelihood": 3,
        "current_impact": 3,
        "target_likelihood": 1,
        "target_impact": 1,
        "review_date": "2030-01-31",
        "unit": "N",
    }
    risk = risks.create_risk(organisation, analyst.membership, data, user=analyst)
    risks.update_risk(
        risk, analyst.membership, {"current_likelihood": 4}, user=analyst, note="Worse."
    )
    created, changed = events("risk")
    assert created.before is None and created.after["title"] == "Drivers"
    assert changed.before == {"current_likelihood": 3} and changed.after == {
        "current_likelihood": 4
    }
    assert changed.note == "Worse." and changed.unit_code == "N"


def test_loading_the_framework_again_records_what_changed(organisation: Organisation) -> None:
    store_framework(load_framework(GOOD), "framework.yaml")
    assert [e.action for e in events("framework")] == ["load"]  # the same file: nothing new
    renamed = GOOD.replace("name: Test Force", "name: Renamed Force", 1)
    assert renamed != GOOD
    store_framework(load_framework(renamed), "framework.yaml")
    event = events("framework")[-1]
    assert event.action == "reload"
    changes = {row["field"]: row for row in changed_fields(event.before, event.after)}
    assert changes["organisation.name"]["before"] == "Test Force"
    assert changes["organisation.name"]["after"] == "Renamed Force"
    assert all(row["changed"] for row in changes.values())


def test_setting_a_target_records_it(organisation: Organisation, analyst: User) -> None:
    set_target(
        organisation,
        {"measure": "ER", "unit": "N", "starts": "2019-04", "comparison": ">=", "value": 80},
        analyst,
    )
    event = events("target")[-1]
    assert event.actor == analyst and event.before is None and event.after["value"] == 80


# --------------------------------------------------------------------------------------------
# Nobody changes or deletes an event through the application, nor the database
# --------------------------------------------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted_through_the_model(
    organisation: Organisation,
) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.label = "rewritten"
    with pytest.raises(AuditRefused):
        event.save()
    with pytest.raises(AuditRefused):
        event.delete()
    with pytest.raises(AuditRefused):
        AuditEvent.objects.filter(pk=event.pk).update(label="rewritten")
    with pytest.raises(AuditRefused):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditRefused):
        AuditEvent.objects.bulk_update([event], ["label"])
    assert AuditEvent.objects.get(pk=event.pk).label != "rewritten"


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditevent SET label = 'rewritten'", "DELETE FROM audit_auditevent"]
)
def test_the_database_refuses_to_change_or_delete_events(
    organisation: Organisation, sql: str
) -> None:
    count = AuditEvent.objects.count()
    assert count > 0
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(label="rewritten").exists()


def test_the_audit_trail_is_not_in_any_admin() -> None:
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


def test_people_with_a_history_cannot_be_deleted(organisation: Organisation, analyst: User) -> None:
    from django.db.models import ProtectedError

    set_target(
        organisation,
        {"measure": "ER", "unit": "N", "starts": "2019-04", "comparison": ">=", "value": 80},
        analyst,
    )
    with pytest.raises(ProtectedError):
        analyst.delete()


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
    figures(organisation, [("S", "ER", "2019-07", "86")])
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


def test_a_grade_stepped_meanwhile_is_a_conflict(
    organisation: Organisation, analyst: User, moderator: User
) -> None:
    cycle = cycles.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    cycles.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    for _ in range(2):
        cycles.advance(cycle, analyst.membership)
    grade = cycle.grades.select_related("unit", "area", "cycle").get(
        unit__code="N", area__code="FOCUS"
    )
    seen = cycles.grade_version(grade)
    cycles.moderate(grade, moderator.membership, "good", "Agreed with the figures.", seen)
    stale = AreaGrade.objects.select_related("unit", "area", "cycle").get(pk=grade.pk)
    with pytest.raises(Conflict, match="changed by moderator"):
        cycles.moderate(stale, moderator.membership, "inadequate", "Worse.", seen)
    assert AreaGrade.objects.get(pk=grade.pk).moderated_grade == "good"
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.MODERATION


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
    figures(organisation, [("S", "ER", "2019-07", "86")])
    scoped = member(f"scoped-{role}", organisation, role, "N")
    client = client_for(scoped)
    data = client.get(reverse("audit-json", args=["TST"])).json()
    assert data["count"] > 0
    assert {event["unit"] for event in data["events"]} == {"N"}
    # Asking for another unit's events by filter finds none of them.
    other = client.get(reverse("audit-json", args=["TST"]), {"unit": "S"}).json()
    assert other["count"] == 0 and other["events"] == []
