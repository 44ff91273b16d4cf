from __future__ import annotations

from pmf.core.framework import (
    InspectionGrade,
    Kind,
    PeerAverageStandard,
    TargetStandard,
    load_framework,
)
from tests.factories import GOOD, problems


def test_sound_framework_loads_with_lookups() -> None:
    framework = load_framework(GOOD)
    assert framework.measure("ER").kind is Kind.REDLINE
    assert [unit.code for unit in framework.children("F")] == ["N", "S"]
    assert framework.area("FOCUS").title == "FOCUS (formerly KEEPING PEOPLE SAFE)"
    assert [unit.code for unit in framework.roots()] == ["F"]


def test_misspelt_polarity_names_line_field_value_and_choices() -> None:
    text = GOOD.replace("polarity: higher_is_better", "polarity: higer")
    line = GOOD.splitlines().index("    polarity: higher_is_better") + 1
    assert problems(text) == [
        f"framework.yaml:{line} measures[0].polarity: 'higer' is not one of "
        "higher_is_better, lower_is_better, neither"
    ]


def test_standard_is_chosen_by_unit_type() -> None:
    framework = load_framework(GOOD)
    measure = framework.measure("CR")
    assert isinstance(measure.standard_for(framework.unit("N")), PeerAverageStandard)
    assert measure.standard_for(framework.unit("F")).type == "improvement"


def test_one_standard_may_be_written_as_a_mapping() -> None:
    standard = load_framework(GOOD).measure("ER").standard[0]
    assert isinstance(standard, TargetStandard)
    assert (standard.comparison, standard.value) == (">=", 80)


def test_peer_group_of_units_makes_each_the_others_peers() -> None:
    framework = load_framework(GOOD)
    assert framework.peers("N").members == ("S",)
    assert framework.peers("N").averaged == ("N", "S")
    assert framework.peers("F").members == ("X",)
    assert framework.peers("X") is None


def test_missing_field_is_reported_as_required() -> None:
    text = GOOD.replace("    kind: redline\n    polarity: higher", "    polarity: higher")
    assert any("measures[0].kind: is required" in problem for problem in problems(text))


def test_unknown_field_is_reported_with_its_value() -> None:
    text = GOOD.replace("frequency: month\n", "frequency: month\n    colour: red\n", 1)
    assert any("measures[0].colour: unknown field (value 'red')" in p for p in problems(text))


def test_unknown_area_lists_the_areas() -> None:
    text = GOOD.replace("area: FOCUS", "area: FOKUS", 1)
    line = GOOD.splitlines().index("    area: FOCUS") + 1
    assert problems(text) == [
        f"framework.yaml:{line} measures[0].area: 'FOKUS' is not one of FOCUS, PEOPLE"
    ]


def test_unknown_parent_and_duplicate_code_are_both_reported() -> None:
    text = GOOD.replace("parent: F}", "parent: Q}", 1).replace(
        "{code: S, name: South", "{code: N, name: South"
    )
    found = problems(text)
    assert any("units[1].parent: 'Q' is not a unit in this file" in p for p in found)
    assert any("units[2].code: 'N' is already used by units[1]" in p for p in found)


def test_a_unit_cannot_be_its_own_ancestor() -> None:
    text = GOOD.replace(
        "{code: F, name: Force, type: force}", "{code: F, name: Force, type: force, parent: N}"
    )
    assert any("makes the unit its own ancestor" in p for p in problems(text))


def test_redline_without_standard_is_refused() -> None:
    text = GOOD.replace('    standard: {type: target, comparison: ">=", value: 80}\n', "")
    assert any("measures[0].standard: a redline needs a standard" in p for p in problems(text))


def test_bad_standard_type_names_the_choices() -> None:
    text = GOOD.replace("{type: target,", "{type: targit,")
    found = problems(text)
    assert len(found) == 1
    assert "measures[0].standard[0].type: type 'targit' is not one of target" in found[0]


def test_text_in_a_number_field_is_reported() -> None:
    text = GOOD.replace("value: 80", "value: eighty")
    assert any("standard[0].value: 'eighty' is not a number" in p for p in problems(text))


def test_invalid_yaml_reports_the_line_without_traceback() -> None:
    found = problems("organisation: {code: X\nareas: [")
    assert len(found) == 1
    assert found[0].startswith("framework.yaml:")
    assert "not valid YAML" in found[0]


def test_empty_file_is_refused() -> None:
    assert problems("") == [
        "framework.yaml:1 expected a mapping with organisation, areas, units, measures"
    ]


def test_deeply_nested_yaml_is_refused() -> None:
    text = "organisation: " + "[" * 100 + "]" * 100
    assert any("nested deeper than" in p for p in problems(text))


def test_alias_bomb_is_refused() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    assert any("more than" in p for p in problems("\n".join(lines)))


def test_rolling_frequency_needs_window_months() -> None:
    text = GOOD.replace("frequency: month\n", "frequency: rolling\n", 1)
    assert any("measures[0].window_months: is required" in p for p in problems(text))


def test_inspection_grade_rank_orders_best_first() -> None:
    assert InspectionGrade.OUTSTANDING.rank == 1
    assert InspectionGrade.INADEQUATE.rank == 4


def test_a_percentage_of_a_numerator_and_denominator_needs_multiplier_100() -> None:
    # Each figure must equal numerator / denominator × multiplier; with 1, 45% would be 0.45.
    text = GOOD.replace(
        "    unit_of_measure: percent\n",
        "    unit_of_measure: percent\n    denominator: Calls\n",
        1,
    )
    line = text.splitlines().index("  - code: ER") + 1
    assert problems(text) == [
        f"framework.yaml:{line} measures[0].multiplier: must be 100 for a percentage of a "
        "numerator and denominator, not 1 (a figure is numerator / denominator × multiplier)"
    ]
    load_framework(
        text.replace("denominator: Calls\n", "denominator: Calls\n    multiplier: 100\n")
    )
