from __future__ import annotations

from pmf.core.assessment import assess
from pmf.core.framework import Framework
from pmf.core.scorecard import build_scorecard, direction_text
from tests.factories import observations

FIGURES = [
    ("N", "ER", "2019-06", 85.0, None, None),
    ("N", "ER", "2019-07", 75.0, None, None),
    ("N", "CR", "2019-07", 2.0, 2.0, 1000.0),
    ("S", "CR", "2019-07", 4.0, 4.0, 1000.0),
]


def test_scorecard_groups_measures_by_area_and_keeps_empty_areas(framework: Framework) -> None:
    card = build_scorecard(framework, assess(framework, observations(FIGURES)), "N")
    assert [section.code for section in card.sections] == ["FOCUS", "PEOPLE"]
    assert [row.measure for row in card.sections[0].rows] == ["ER", "CR"]
    assert card.sections[1].rows == []
    assert card.as_at == "July 2019"
    er = card.sections[0].rows[0]
    assert (er.value_text, er.met_text, er.period, er.period_label) == (
        "75.0%",
        "Not met",
        "2019-07",
        "July 2019",
    )


def test_exceptions_only_keeps_what_needs_attention(framework: Framework) -> None:
    card = build_scorecard(
        framework, assess(framework, observations(FIGURES)), "N", exceptions_only=True
    )
    assert [row.measure for row in card.rows()] == ["ER"]


def test_filters_by_kind_and_area(framework: Framework) -> None:
    frame = assess(framework, observations(FIGURES))
    assert build_scorecard(framework, frame, "N", kinds=["kpi"]).rows() == []
    assert [s.code for s in build_scorecard(framework, frame, "N", areas=["PEOPLE"]).sections] == [
        "PEOPLE"
    ]


def test_not_assessed_says_why(framework: Framework) -> None:
    card = build_scorecard(
        framework,
        assess(framework, observations([("F", "CR", "2019-07", 2.0, 2.0, 1000.0)]), units=["F"]),
        "F",
    )
    assert card.rows()[0].met_text == "Not assessed (no figure for the comparison period)"


def test_direction_arrow_says_which_way_the_figure_moved_and_the_word_whether_better() -> None:
    assert direction_text("improving", "higher_is_better") == "↑ better"
    assert direction_text("improving", "lower_is_better") == "↓ better"
    assert direction_text("deteriorating", "higher_is_better") == "↓ worse"
    assert direction_text("deteriorating", "lower_is_better") == "↑ worse"
    assert direction_text("higher", "neither") == "↑ higher"
    assert direction_text("no change", "lower_is_better") == "→ no change"
    assert direction_text(None) == "–"
