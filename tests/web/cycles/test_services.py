"""The quarterly cycle's services: locking, each role's step, and who may take it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from pmf.core.grading import Grade
from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle, GradeEvent
from pmf.web.entry.services import Entry, enter_observations
from pmf.web.frameworks.models import Organisation, Unit
from tests.factories import advance_to, grade_of, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"number": 1, "name": "Again", "cut_off": "2019-07"}, "number: TST already has a cycle 1"),
        ({"number": 2, "name": "X", "cut_off": "July"}, "cut-off:"),
        ({"number": 2, "name": " ", "cut_off": "2019-07"}, "name: must not be empty"),
        ({"number": 0, "name": "X", "cut_off": "2019-07"}, "number: must be 1 or more"),
    ],
)
def test_a_bad_cycle_is_refused(kwargs: dict, problem: str, cycle: Cycle) -> None:
    with pytest.raises(services.WorkflowRefused) as refused:
        services.create_cycle(cycle.organisation, **kwargs)
    assert any(p.startswith(problem) for p in refused.value.problems), refused.value.problems
    assert Cycle.objects.count() == 1


def test_locking_recommends_a_grade_with_reasons_and_rationale_for_every_unit_and_area(
    locked: Cycle,
) -> None:
    assert locked.state == Cycle.State.LOCKED
    assert locked.locked_at is not None
    assert locked.framework["organisation"]["code"] == "TST"
    pairs = {(g.unit.code, g.area.code) for g in locked.grades.select_related("unit", "area")}
    assert pairs == {(u, a) for u in ("F", "N", "S") for a in ("FOCUS", "PEOPLE")}
    people = grade_of(locked, "N", "PEOPLE")
    assert people.recommended == Grade.NO_GRADE
    assert people.reasons
    focus = grade_of(locked, "N")
    assert focus.recommended in {grade.value for grade in Grade}
    assert focus.rationale == focus.rationale_generated != ""
    assert focus.events.get().step == GradeEvent.Step.RECOMMENDED


def test_figures_revised_after_the_lock_do_not_change_the_cycle(
    locked: Cycle, analyst: User, organisation: Organisation
) -> None:
    before = services.cycle_assessment(locked)
    grades = {(g.unit_id, g.area_id): g.recommended for g in locked.grades.all()}
    north = Unit.objects.get(organisation=organisation, code="N")
    enter_observations(
        analyst.membership,
        organisation,
        north,
        "2019-07",
        [Entry("ER", value="10")],
        accept_warnings="a large correction after the lock",
    )
    after = services.cycle_assessment(locked)
    assert after.equals(before)
    locked.refresh_from_db()
    assert {(g.unit_id, g.area_id): g.recommended for g in locked.grades.all()} == grades
    # A new cycle sees the revision.
    second = services.create_cycle(organisation, number=2, name="Again", cut_off="2019-07")
    services.lock_cycle(second, analyst.membership)
    changed = services.cycle_assessment(second)
    value = changed.filter((changed["unit"] == "N") & (changed["measure"] == "ER"))["value"][0]
    assert value == 10.0


def test_the_whole_workflow_each_role_its_own_step(
    locked: Cycle, analyst: User, command_lead: User, people: dict[str, User]
) -> None:
    north = grade_of(locked, "N")
    with pytest.raises(services.WorkflowRefused, match="not the time to self-assess"):
        services.self_assess(north, command_lead.membership, "good", "We met them all.")
    advance_to(locked, analyst, Cycle.State.SELF_ASSESSMENT)
    north = grade_of(locked, "N")
    with pytest.raises(services.WorkflowRefused, match="only command leads"):
        services.self_assess(north, people["moderator"].membership, "good", "x")
    with pytest.raises(services.WorkflowRefused, match="rationale: give a rationale"):
        services.self_assess(north, command_lead.membership, "good", " ")
    with pytest.raises(services.WorkflowRefused, match="is not in your part"):
        services.self_assess(grade_of(locked, "S"), command_lead.membership, "good", "x")
    services.self_assess(north, command_lead.membership, "good", "We met them all.")
    advance_to(locked, analyst, Cycle.State.MODERATION)
    north = grade_of(locked, "N")
    with pytest.raises(services.WorkflowRefused, match="needs a reason"):
        services.moderate(north, people["moderator"].membership, "requires_improvement", "")
    services.moderate(north, people["moderator"].membership, "good", "")  # confirming: no reason
    services.moderate(
        north, people["moderator"].membership, "requires_improvement", "Response times fell."
    )
    advance_to(locked, analyst, Cycle.State.BOARD)
    with pytest.raises(services.WorkflowRefused, match="not of its units"):
        services.agree(grade_of(locked, "N"), people["board"].membership, "good", "x")
    with pytest.raises(services.WorkflowRefused, match="has not agreed a grade"):
        services.advance(locked, analyst.membership)
    for area in ("FOCUS", "PEOPLE"):
        services.agree(
            grade_of(locked, "F", area), people["board"].membership, "good", "Agreed at the board."
        )
    assert services.advance(locked, analyst.membership) == Cycle.State.PUBLISHED
    north = grade_of(locked, "N")
    assert (north.grade, north.self_grade, north.moderated_grade) == (
        "requires_improvement",
        "good",
        "requires_improvement",
    )
    steps = [(e.step, e.value, e.actor.username if e.actor else None) for e in north.events.all()]
    assert steps[1:] == [
        ("self_assessed", "good", "command_lead"),
        ("moderated", "good", "moderator"),
        ("moderated", "requires_improvement", "moderator"),
    ]
    assert grade_of(locked, "F").grade == "good"
    with pytest.raises(services.WorkflowRefused, match="published already"):
        services.advance(locked, analyst.membership)


def test_only_analysts_move_a_cycle_on_or_edit_the_rationale(
    locked: Cycle, command_lead: User, people: dict[str, User], analyst: User
) -> None:
    for user in (command_lead, people["board"], people["viewer"]):
        with pytest.raises(services.WorkflowRefused, match="only analysts"):
            services.advance(locked, user.membership)
    north = grade_of(locked, "N")
    with pytest.raises(services.WorkflowRefused, match="only analysts"):
        services.edit_rationale(north, command_lead.membership, "Mine")
    services.edit_rationale(north, analyst.membership, "Edited by the analyst.")
    north.refresh_from_db()
    assert north.rationale == "Edited by the analyst."
    assert north.rationale_generated != north.rationale
    advance_to(locked, analyst, Cycle.State.BOARD)
    with pytest.raises(services.WorkflowRefused, match="between the lock and the board"):
        services.edit_rationale(grade_of(locked, "N"), analyst.membership, "Too late")


def test_a_scoped_analyst_cannot_lock_the_data(cycle: Cycle) -> None:
    scoped = member("scoped", cycle.organisation, Membership.Role.ANALYST, unit="N")
    with pytest.raises(services.WorkflowRefused, match="covering the whole of Test Force"):
        services.lock_cycle(cycle, scoped.membership)  # type: ignore[attr-defined]
    cycle.refresh_from_db()
    assert (cycle.state, cycle.locked_at) == (Cycle.State.DRAFT, None)
