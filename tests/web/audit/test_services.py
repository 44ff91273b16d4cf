"""The audit trail: what is recorded, and a grade stepped meanwhile is a conflict."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from pmf.core.framework import load_framework
from pmf.web.audit import services as audit_services
from pmf.web.audit.actor import acting_as
from pmf.web.audit.models import AuditEvent
from pmf.web.audit.presenters import changed_fields
from pmf.web.audit.services import Conflict
from pmf.web.cycles import services as cycles
from pmf.web.cycles.models import AreaGrade, Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import set_target, store_framework
from pmf.web.observations.models import Observation
from pmf.web.risks import services as risks
from tests.factories import GOOD, import_figures

pytestmark = pytest.mark.django_db


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
        import_figures(organisation, [("N", "ER", "2019-07", "80"), ("N", "ER", "2019-06", "70")])
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
    import_figures(organisation, [("N", "ER", "2019-07", "75")])
    assert AuditEvent.objects.count() == count


def test_a_big_import_is_split_into_events_of_at_most_a_thousand_figures(
    organisation: Organisation,
) -> None:
    # 1,200 months of the last century: a figure may not be about a period still to come.
    months = [f"{1900 + i // 12}-{i % 12 + 1:02d}" for i in range(1200)]
    import_figures(organisation, [("S", "ER", month, "50") for month in months])
    added = [e for e in events("observation") if e.unit_code == "S" and len(e.after) > 3]
    assert sorted(len(event.after) for event in added) == [200, 1000]


def test_an_import_records_the_same_events_a_slice_of_units_at_a_time(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slices of at least one whole unit: each unit's figures still make whole events.
    monkeypatch.setattr(audit_services, "_SLICE_ROWS", 3)
    rows = [(unit, "ER", f"2001-{month:02d}", "40") for unit in ("N", "S") for month in (1, 2)]
    import_figures(organisation, [*rows, ("N", "ER", "2019-07", "81")])
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
# Conflicts (the pages' and the API's are in test_views.py)
# --------------------------------------------------------------------------------------------


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
