"""Each way a file of figures can name a unit or measure leads to exactly one of them.

The import matches codes and names without regard to case, and codes before names; the
framework check refuses whatever would make that matching choose silently.
"""

from __future__ import annotations

import pytest

from pmf.core.framework import FrameworkError, load_framework
from tests.factories import GOOD


def problems(text: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(text, "framework.yaml")
    return [str(problem) for problem in caught.value.problems]


def line_of(text: str, part: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if part in line)


def test_unit_codes_differing_only_in_case_are_refused() -> None:
    text = GOOD.replace(
        "  - {code: S, name: South, type: command, parent: F}",
        "  - {code: S, name: South, type: command, parent: F}\n"
        "  - {code: PLACE, name: Place, type: command, parent: F}\n"
        "  - {code: place, name: Another place, type: command, parent: F}",
    )
    assert problems(text) == [
        f"framework.yaml:{line_of(text, 'code: place')} units[4].code: 'place' differs from "
        "'PLACE' of units[3] only in case; files of figures name units without regard to case, "
        "so codes must differ in more than case"
    ]


def test_measure_codes_differing_only_in_case_are_refused() -> None:
    text = GOOD.replace("  - code: CR\n", "  - code: er\n")
    assert problems(text) == [
        f"framework.yaml:{line_of(text, 'code: er')} measures[1].code: 'er' differs from 'ER' "
        "of measures[0] only in case; files of figures name measures without regard to case, "
        "so codes must differ in more than case"
    ]


def test_the_same_code_twice_is_still_said_plainly() -> None:
    text = GOOD.replace("{code: S, name: South", "{code: N, name: South")
    assert any("units[2].code: 'N' is already used by units[1]" in p for p in problems(text))


def test_two_units_with_one_name_in_any_case_are_refused() -> None:
    text = GOOD.replace("{code: S, name: South", "{code: S, name: NORTH")
    assert problems(text) == [
        f"framework.yaml:{line_of(text, 'name: NORTH')} units[2].name: 'NORTH' is also the "
        "name of units[1]; files of figures name units by code or name, so names must differ"
    ]


def test_a_name_that_is_another_units_code_is_refused() -> None:
    text = GOOD.replace("{code: S, name: South", "{code: S, name: n")
    assert problems(text) == [
        f"framework.yaml:{line_of(text, 'name: n,')} units[2].name: 'n' is the code of "
        "units[1]; files of figures name units by code or name, and the code would win: "
        "choose another name"
    ]


def test_a_name_that_is_its_own_code_is_sound() -> None:
    framework = load_framework(GOOD.replace("{code: S, name: South", "{code: S, name: s"))
    assert framework.unit("S").name == "s"
