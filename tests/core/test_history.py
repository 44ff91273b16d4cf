from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf.core.history import (
    ChangesSummary,
    GradeChange,
    changes_summary,
    grade_changes,
    tube_map_rows,
)

SVG = "{http://www.w3.org/2000/svg}"
OUT, G, RI, INAD, NG = "outstanding", "good", "requires_improvement", "inadequate", "no_grade"

AREAS = {
    "FOCUS": "FOCUS",
    "SERVICE": "SERVICE USER",
    "PROCESS": "PROCESS",
    "INNOVATION": "INNOVATION",
}
UNITS = {
    "FORCE": "Essex Police",
    "NORTH": "North LPA",
    "SOUTH": "South LPA",
    "WEST": "West LPA",
    "CRIME": "Crime and Public Protection",
    "OPS": "Operational Support",
    "CM": "Contact Management",
}


def summarise(changes: list[GradeChange]) -> ChangesSummary:
    return changes_summary(changes, top_unit="FORCE", unit_names=UNITS, area_names=AREAS)


def cycle(grades: dict[str, tuple[str, str, str, str]]) -> dict[tuple[str, str], str]:
    """Build a cycle's grades from one (FOCUS, SERVICE, PROCESS, INNOVATION) tuple per unit."""
    return {
        (unit, area): grade
        for unit, row in grades.items()
        for area, grade in zip(AREAS, row, strict=True)
    }


# The Essex paper, cycle 1 -> cycle 2 of the Rebalanced Scorecard, as far as it gives them:
# two improvements, both in South LPA; six downgrades, four in PROCESS; the force downgraded
# to RI for PROCESS and not graded for INNOVATION (Good before). Contact Management joined
# the process in cycle 2. Grades the paper does not give are made up, unchanged.
CYCLE_1 = cycle(
    {
        "FORCE": (RI, G, G, G),
        "NORTH": (G, G, G, G),
        "SOUTH": (RI, RI, G, G),
        "WEST": (RI, G, G, G),
        "CRIME": (RI, G, G, G),
        "OPS": (G, G, G, G),
    }
)
CYCLE_2 = cycle(
    {
        "FORCE": (RI, G, RI, NG),
        "NORTH": (RI, G, RI, G),
        "SOUTH": (G, G, G, G),
        "WEST": (RI, RI, RI, G),
        "CRIME": (RI, G, RI, G),
        "OPS": (G, G, RI, G),
        "CM": (G, G, RI, G),
    }
)


def test_the_essex_paper_changes_between_cycle_1_and_cycle_2_are_reproduced() -> None:
    summary = summarise(grade_changes(CYCLE_1, CYCLE_2))

    assert summary.command_level == (
        "Two improvements, both in South LPA (RI to Good for FOCUS and SERVICE USER).",
        "Six downgrades, four in PROCESS.",
    )
    assert summary.top_level == (
        "One change: downgrade from Good to RI for PROCESS.",
        "No grade for INNOVATION (graded at Good in the last cycle).",
    )


def test_summary_text_is_a_markdown_list_command_level_first() -> None:
    summary = summarise(grade_changes(CYCLE_1, CYCLE_2))

    assert summary.text == (
        "- Command level:\n"
        "  - Two improvements, both in South LPA (RI to Good for FOCUS and SERVICE USER).\n"
        "  - Six downgrades, four in PROCESS.\n"
        "- Essex Police:\n"
        "  - One change: downgrade from Good to RI for PROCESS.\n"
        "  - No grade for INNOVATION (graded at Good in the last cycle)."
    )
    assert summary.as_dict()["command_level"] == list(summary.command_level)
    assert summary.as_dict()["text"] == summary.text


def test_changes_leave_out_unchanged_pairs_and_say_their_kind() -> None:
    changes = grade_changes(CYCLE_1, CYCLE_2)

    assert GradeChange("FORCE", "PROCESS", G, RI) in changes
    assert all(change.before != change.after for change in changes)
    kinds = [change.kind for change in changes]
    assert kinds.count("improvement") == 2
    assert kinds.count("downgrade") == 7  # six commands and the force
    assert kinds.count("no_grade") == 1
    assert GradeChange("FORCE", "INNOVATION", G, NG).as_dict()["kind"] == "no_grade"


def test_a_unit_joining_the_process_is_not_a_change_of_grade() -> None:
    changes = grade_changes(CYCLE_1, CYCLE_2)

    assert not [change for change in changes if change.unit == "CM"]


def test_no_changes_are_said_for_both_levels() -> None:
    summary = summarise(grade_changes(CYCLE_1, CYCLE_1))

    assert summary.command_level == ("No changes.",)
    assert summary.top_level == ("No changes.",)


def test_an_area_graded_again_is_newly_graded() -> None:
    previous = {("FORCE", "INNOVATION"): NG, ("NORTH", "INNOVATION"): NG, ("NORTH", "FOCUS"): G}
    current = {("FORCE", "INNOVATION"): G, ("NORTH", "FOCUS"): G}
    current[("NORTH", "INNOVATION")] = RI

    changes = grade_changes(previous, current)

    assert [change.kind for change in changes] == ["newly_graded", "newly_graded"]
    summary = summarise(changes)
    assert summary.top_level == ("Graded at Good for INNOVATION (no grade in the last cycle).",)
    assert summary.command_level == (
        "One new grade, in North LPA (no grade to RI for INNOVATION).",
    )


def test_no_grade_and_not_graded_are_the_same_for_changes() -> None:
    previous = {("FORCE", "FOCUS"): G, ("FORCE", "INNOVATION"): NG}
    current = {("FORCE", "FOCUS"): G}

    assert grade_changes(previous, current) == []
    # A grade that disappears altogether is "no grade" too, and one that appears is new.
    changes = grade_changes({("FORCE", "FOCUS"): G}, {("FORCE", "PROCESS"): G})
    assert changes == [
        GradeChange("FORCE", "FOCUS", G, None),
        GradeChange("FORCE", "PROCESS", None, G),
    ]
    assert [change.kind for change in changes] == ["no_grade", "newly_graded"]
    assert summarise(changes).top_level == (
        "No grade for FOCUS (graded at Good in the last cycle).",
        "Graded at Good for PROCESS (no grade in the last cycle).",
    )


def test_commands_not_graded_in_one_area_are_listed_by_unit() -> None:
    changes = [
        GradeChange("NORTH", "INNOVATION", G, NG),
        GradeChange("SOUTH", "INNOVATION", G, NG),
        GradeChange("WEST", "INNOVATION", RI, NG),
    ]

    assert summarise(changes).command_level == (
        "Three not graded, all in INNOVATION "
        "(Good to no grade in North LPA and South LPA; RI to no grade in West LPA).",
    )


def test_concentration_is_named_only_when_one_area_or_unit_has_the_most() -> None:
    tied = [
        GradeChange("NORTH", "PROCESS", G, RI),
        GradeChange("SOUTH", "FOCUS", G, RI),
        GradeChange("WEST", "SERVICE", G, RI),
    ]
    assert summarise(tied).command_level == ("Three downgrades.",)

    most_in_one_unit = [*tied, GradeChange("NORTH", "INNOVATION", OUT, G)]
    assert summarise(most_in_one_unit).command_level == ("Four downgrades, two in North LPA.",)

    # Two in North LPA and two in FOCUS: neither is the biggest.
    unit_and_area_tied = [*tied, GradeChange("NORTH", "FOCUS", OUT, G)]
    assert summarise(unit_and_area_tied).command_level == ("Four downgrades.",)


def test_top_level_changes_are_grouped_by_move() -> None:
    changes = [
        GradeChange("FORCE", "FOCUS", RI, G),
        GradeChange("FORCE", "PROCESS", G, RI),
        GradeChange("FORCE", "SERVICE", G, RI),
    ]

    assert summarise(changes).top_level == (
        "Three changes: improvement from RI to Good for FOCUS; "
        "downgrades from Good to RI for SERVICE USER and PROCESS.",
    )
    assert summarise(changes).command_level == ("No changes.",)


def test_numbers_above_ten_are_figures() -> None:
    changes = [GradeChange(f"U{n}", "PROCESS", G, RI) for n in range(11)]
    changes.append(GradeChange("U0", "FOCUS", G, RI))

    assert summarise(changes).command_level == ("12 downgrades, 11 in PROCESS.",)


def test_an_unknown_grade_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown grade 'amber'"):
        grade_changes({("FORCE", "FOCUS"): "amber"}, {})


GRADE_MAPS = st.dictionaries(
    st.tuples(st.sampled_from(["FORCE", "NORTH", "SOUTH"]), st.sampled_from(list(AREAS))),
    st.sampled_from([OUT, G, RI, INAD, NG]),
)
OPPOSITE = {
    "improvement": "downgrade",
    "downgrade": "improvement",
    "no_grade": "newly_graded",
    "newly_graded": "no_grade",
}


@given(GRADE_MAPS, GRADE_MAPS)
def test_changes_the_other_way_round_are_the_opposite_kind(
    previous: dict[tuple[str, str], str], current: dict[tuple[str, str], str]
) -> None:
    forward = {(c.unit, c.area): c.kind for c in grade_changes(previous, current)}
    backward = {(c.unit, c.area): c.kind for c in grade_changes(current, previous)}

    assert backward == {key: OPPOSITE[kind] for key, kind in forward.items()}
    assert summarise(grade_changes(previous, current)).top_level  # never empty


# --------------------------------------------------------------------------------------------
# The tube map
# --------------------------------------------------------------------------------------------

CYCLES = [
    (number, f"Cycle {number} (Q{number % 4 + 1} {2016 + number // 4})") for number in range(1, 23)
]
MAP_AREAS = list(AREAS.items())
HISTORY = {
    (number, area): [OUT, G, RI, INAD, NG][(number + index) % 5]
    for number, _ in CYCLES
    for index, area in enumerate(AREAS)
}
HISTORY[(22, "INNOVATION")] = None  # not graded


def test_tube_map_rows_carry_the_same_grades_as_the_chart() -> None:
    rows = tube_map_rows(CYCLES, MAP_AREAS, HISTORY)

    assert [row.cycle for row in rows] == [number for number, _ in CYCLES]
    last = rows[-1]
    assert [cell.area for cell in last.cells] == list(AREAS)
    assert last.cells[-1].grade is None and last.cells[-1].label == "Not graded"
    assert last.as_dict()["grades"]["FOCUS"] == HISTORY[(22, "FOCUS")]
    assert rows[0].cells[2].letter == "I"
