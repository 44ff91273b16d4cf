"""The Making Data Count matrix: a scorecard's measures placed by variation and assurance."""

from __future__ import annotations

from typing import Any

from pmf.core.mdc import (
    ASSURANCE_COLUMNS,
    ICON_WORDS,
    VARIATION_ROWS,
    assurance_icon,
    summary_matrix,
    variation_icon,
)
from pmf.core.spc import ASSURANCE_TYPES, POINT_TYPES


def row(
    measure: str, variation: str | None, assurance: str | None, polarity: str
) -> dict[str, Any]:
    return {
        "measure": measure,
        "name": f"Measure {measure}",
        "variation": variation,
        "assurance": assurance,
        "polarity": polarity,
    }


def test_worked_example_places_each_measure_in_its_cell_in_the_scorecards_order() -> None:
    matrix = summary_matrix(
        [
            row("A", "special_cause_improvement", "consistent_pass", "higher_is_better"),
            row("B", "common_cause", "inconsistent", "lower_is_better"),
            row("C", "special_cause_concern", "consistent_fail", "lower_is_better"),
            row("D", "common_cause", "inconsistent", "higher_is_better"),
            row("E", "special_cause_neutral_low", None, "neither"),
            row("F", "special_cause_neutral_high", None, "neither"),
            row("G", None, None, "higher_is_better"),
            row("H", "special_cause_improvement", None, "lower_is_better"),
        ]
    )
    placed = {key: [item.measure for item in found] for key, found in matrix.cells.items() if found}
    assert placed == {
        ("improvement", "pass"): ["A"],
        ("common_cause", "inconsistent"): ["B", "D"],
        ("concern", "fail"): ["C"],
        ("neutral", "no_target"): ["E", "F"],
        ("improvement", "no_target"): ["H"],
    }
    assert [item.measure for item in matrix.unassessed] == ["G"]
    assert matrix.placed == 7
    assert matrix.cell("concern", "pass") == ()
    (improving_down,) = matrix.cell("improvement", "no_target")
    assert (improving_down.variation_icon, improving_down.assurance_icon) == (
        "improvement_low",
        None,
    )
    (concern,) = matrix.cell("concern", "fail")
    assert (concern.variation_icon, concern.assurance_icon) == ("concern_high", "fail")


def test_an_improvement_is_high_when_higher_is_better_and_a_concern_the_other_way() -> None:
    assert variation_icon("special_cause_improvement", "higher_is_better") == "improvement_high"
    assert variation_icon("special_cause_improvement", "lower_is_better") == "improvement_low"
    assert variation_icon("special_cause_concern", "higher_is_better") == "concern_low"
    assert variation_icon("special_cause_concern", "lower_is_better") == "concern_high"
    assert variation_icon("special_cause_neutral_high", "neither") == "neutral_high"
    assert variation_icon("special_cause_neutral_low", "neither") == "neutral_low"
    assert variation_icon("common_cause", "lower_is_better") == "common_cause"
    assert variation_icon(None, "higher_is_better") is None
    assert assurance_icon(None) is None


def test_every_spc_label_has_an_icon_a_row_and_words() -> None:
    rows = {code for code, _, _ in VARIATION_ROWS}
    for label in POINT_TYPES:
        for polarity in ("higher_is_better", "lower_is_better"):
            name = variation_icon(label, polarity)
            assert name in ICON_WORDS
        found = summary_matrix([row("X", label, None, "higher_is_better")])
        assert not found.unassessed
        assert {key[0] for key in found.cells} <= rows
    columns = {code for code, _, _ in ASSURANCE_COLUMNS}
    for label in ASSURANCE_TYPES:
        name = assurance_icon(label)
        assert name in ICON_WORDS
        assert name in columns
    for _, _, icons in (*VARIATION_ROWS, *ASSURANCE_COLUMNS):
        assert all(icon in ICON_WORDS for icon in icons)
