"""Risk scores, bands, the threshold and the heat map; the ``risks:`` section's checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf.core import risk
from pmf.core.framework import FrameworkError, RiskBand, RiskRegister, load_framework
from tests.factories import GOOD

WEIGHTED = RiskRegister(impact_weights=(4, 8, 12, 16, 20), threshold=75)


def test_default_scales_score_likelihood_times_impact_from_1_to_25() -> None:
    register = RiskRegister()
    assert risk.score(register, 1, 1) == 1
    assert risk.score(register, 3, 4) == 12
    assert risk.max_score(register) == 25


def test_weighted_impact_scores_run_to_100() -> None:
    assert risk.score(WEIGHTED, 5, 5) == 100
    assert risk.score(WEIGHTED, 4, 4) == 64
    assert risk.max_score(WEIGHTED) == 100


def test_a_score_equal_to_the_threshold_is_not_above_it() -> None:
    assert not risk.above_threshold(WEIGHTED, 75)
    assert risk.above_threshold(WEIGHTED, 75.5)
    assert risk.count_above(WEIGHTED, [100, 80, 75, 64]) == 2


def test_a_level_outside_the_scale_is_refused_naming_the_range() -> None:
    with pytest.raises(ValueError, match="impact 0 is not a level: choose 1 to 5"):
        risk.score(RiskRegister(), 3, 0)


def test_bands_are_the_last_whose_minimum_the_score_reaches() -> None:
    register = RiskRegister(
        bands=(RiskBand(name="green", min_score=0), RiskBand(name="red", min_score=76)),
        impact_weights=(4, 8, 12, 16, 20),
    )
    assert risk.band(register, 75) == "green"
    assert risk.band(register, 76) == "red"
    assert risk.band_position(register, 80) == 1


def test_heat_map_counts_each_cell_highest_impact_first() -> None:
    rows = risk.heat_map(WEIGHTED, [(5, 5), (4, 5), (4, 5), (1, 1)])
    assert [row.impact for row in rows] == [5, 4, 3, 2, 1]
    top = rows[0].cells
    assert [cell.count for cell in top] == [0, 0, 0, 2, 1]
    assert [cell.above_threshold for cell in top] == [False, False, False, True, True]
    assert rows[-1].cells[0].count == 1 and rows[-1].cells[0].score == 4


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), max_size=40))
def test_the_heat_map_holds_every_risk_once(ratings: list[tuple[int, int]]) -> None:
    rows = risk.heat_map(WEIGHTED, ratings)
    assert sum(cell.count for row in rows for cell in row.cells) == len(ratings)
    above = sum(cell.count for row in rows for cell in row.cells if cell.above_threshold)
    assert above == risk.count_above(WEIGHTED, [risk.score(WEIGHTED, *r) for r in ratings])


def problems(section: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(GOOD + section, "framework.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_the_risks_section_loads_with_defaults_when_absent() -> None:
    assert load_framework(GOOD).model.risks == RiskRegister()


def test_weights_must_match_the_levels_and_rise() -> None:
    line = len(GOOD.splitlines()) + 1
    assert problems("risks:\n  impact_weights: [4, 8, 12]\n") == [
        f"framework.yaml:{line + 1} risks.impact_weights: gives 3 weights for the 5 levels "
        "of impact"
    ]
    assert problems("risks:\n  likelihood_weights: [5, 4, 3, 2, 1]\n") == [
        f"framework.yaml:{line + 1} risks.likelihood_weights: must rise from the first level "
        "to the last"
    ]


def test_the_risk_measure_must_be_a_monthly_count_of_the_file() -> None:
    assert problems("risks: {measure: NOPE}\n") == [
        f"framework.yaml:{len(GOOD.splitlines()) + 1} risks.measure: 'NOPE' is not a measure "
        "in this file"
    ]
    assert "must be a monthly count" in problems("risks: {measure: ER}\n")[0]


def test_a_misspelt_risks_field_names_its_line() -> None:
    assert problems("risks:\n  treshold: 75\n") == [
        f"framework.yaml:{len(GOOD.splitlines()) + 2} risks.treshold: unknown field "
        "(value 75); check the spelling"
    ]


def test_the_register_unit_must_be_internal() -> None:
    assert "risks.unit: 'X' is not an internal unit" in problems("risks: {unit: X}\n")[0]


@pytest.mark.parametrize("model", [RiskRegister, RiskBand])
def test_every_risks_field_is_in_the_framework_reference(model: type) -> None:
    from tests.test_docs import FRAMEWORK_REFERENCE

    text = FRAMEWORK_REFERENCE.read_text(encoding="utf-8")
    assert [name for name in model.model_fields if f"`{name}`" not in text] == []
