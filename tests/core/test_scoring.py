from __future__ import annotations

import pytest

from pmf.core.framework import Framework, load_framework
from pmf.core.scoring import (
    MeasureValue,
    cut_score,
    rank_score,
    score_unit,
    segment_of,
    spider_band,
    spider_score,
)
from tests.factories import GRADING_FRAMEWORK, problems


def with_scoring(block: str) -> str:
    return GRADING_FRAMEWORK + block


def framework(block: str) -> Framework:
    return load_framework(with_scoring(block), "framework.yaml")


SPIDER = """\
scoring:
  scale: spider
  areas: {FOCUS: 3}
  measures:
    - {measure: R1, goal: 80, red_flag: 70, weight: 2}
    - {measure: R2, goal: 80, red_flag: 70, stretch: 90}
    - {measure: P1, goal: 90, red_flag: 60}
"""


# Spider Impact's published example: goal 700, red flag 500 (Using KPI Scoring Types).
@pytest.mark.parametrize(
    ("value", "score"),
    [(300, 0.0), (500, 10 / 3), (600, 5.0), (700, 20 / 3), (900, 10.0), (1200, 10.0), (0, 0.0)],
)
def test_spider_scores_follow_the_published_goal_and_red_flag_example(
    value: float, score: float
) -> None:
    assert spider_score(value, goal=700, red_flag=500) == pytest.approx(score)


def test_a_lower_is_better_measure_scores_higher_below_its_goal() -> None:
    assert spider_score(10, goal=10, red_flag=14) == pytest.approx(20 / 3)
    assert spider_score(6, goal=10, red_flag=14) == 10.0
    assert spider_score(18, goal=10, red_flag=14) == 0.0
    assert spider_score(12, goal=10, red_flag=14) == pytest.approx(5.0)


def test_a_stretch_moves_where_the_score_reaches_ten_and_not_below_the_goal() -> None:
    assert spider_score(90, goal=80, red_flag=70, stretch=100) == pytest.approx(25 / 3)
    assert spider_score(100, goal=80, red_flag=70, stretch=100) == 10.0
    assert spider_score(75, goal=80, red_flag=70, stretch=100) == pytest.approx(5.0)


def test_spider_bands_are_three_equal_thirds() -> None:
    assert [spider_band(s) for s in (0, 3.3, 3.34, 6.6, 6.67, 10)] == [
        "red",
        "red",
        "yellow",
        "yellow",
        "green",
        "green",
    ]


def test_cut_scores_are_one_to_four_by_polarity() -> None:
    assert [cut_score(v, (90, 80, 70), True) for v in (95, 90, 85, 70, 69)] == [1, 1, 2, 3, 4]
    assert [cut_score(v, (5, 10, 15), False) for v in (4, 5, 9, 15, 16)] == [1, 1, 2, 3, 4]


def test_rank_scores_spread_the_group_evenly_from_one_to_four() -> None:
    assert [rank_score(r, 4) for r in (1, 2, 3, 4)] == [1.0, 2.0, 3.0, 4.0]
    assert rank_score(1, 1) == 1.0


def test_segments_end_at_their_thresholds() -> None:
    ends = (1.75, 2.5, 3.25)
    assert [segment_of(a, ends) for a in (1.0, 1.75, 1.76, 2.5, 3.25, 3.26, 4.0)] == [
        1,
        1,
        2,
        2,
        3,
        4,
        4,
    ]


def test_area_and_overall_scores_are_weighted_averages_with_the_sums_written_out() -> None:
    values = {
        "R1": MeasureValue("R1", "2024-03", 80.0),  # 6.67, weight 2
        "R2": MeasureValue("R2", "2024-03", 85.0),  # 6.67 + 5/10 x 3.33 = 8.33
        "P1": MeasureValue("P1", "2024-03", 60.0),  # 3.33
    }
    result = score_unit(framework(SPIDER), "F", values)
    assert result is not None
    focus, process = result.areas
    assert (focus.area, focus.weight, process.weight) == ("FOCUS", 3.0, 1.0)
    assert focus.score == pytest.approx((20 / 3 * 2 + 25 / 3) / 3)
    assert focus.calculation == "(6.67 × 2 + 8.33 × 1) ÷ 3 = 7.22"
    assert process.score == pytest.approx(10 / 3)
    assert result.score == pytest.approx((focus.score * 3 + 10 / 3) / 4)
    assert result.calculation == "(7.22 × 3 + 3.33 × 1) ÷ 4 = 6.25"
    assert result.band == "yellow"
    r2 = focus.measures[1]
    assert r2.thresholds == "red flag 70.0%, goal 80.0%, stretch 90.0%"
    assert r2.calculation == "6.67 + (85.0% − 80.0%) ÷ (90.0% − 80.0%) × 3.33 = 8.33"


def test_a_measure_without_a_figure_is_left_out_of_the_average_and_said_so() -> None:
    result = score_unit(framework(SPIDER), "F", {"R1": MeasureValue("R1", "2024-03", 70.0)})
    assert result is not None
    focus, process = result.areas
    assert focus.measures[1].calculation == "no figure: not scored"
    assert focus.score == pytest.approx(10 / 3)
    assert focus.calculation.endswith("; 1 measure without a score left out")
    assert process.score is None
    assert result.score == pytest.approx(10 / 3)


NOF = """\
scoring:
  scale: nof
  segments: [1.5, 2.5, 3.5]
  measures:
    - {measure: R1, cuts: [90, 80, 70]}
    - {measure: R2, ranked: true, weight: 2}
"""


def test_nof_averages_every_metric_score_into_a_segment() -> None:
    values = {
        "R1": MeasureValue("R1", "2024-03", 75.0),  # 3
        "R2": MeasureValue("R2", "2024-03", 70.0, rank=2, group_size=4),  # 2.00
    }
    result = score_unit(framework(NOF), "F", values)
    assert result is not None
    assert result.score == pytest.approx((3 + 2 * 2) / 3)
    assert result.segment == 2
    assert result.band is None
    assert result.calculation == (
        "(3.00 × 1 + 2.00 × 2) ÷ 3 = 2.33; segments end at 1.5, 2.5, 3.5: segment 2"
    )
    r1, r2 = result.measures
    assert r1.thresholds == "1 if at least 90.0%; 2 if at least 80.0%; 3 if at least 70.0%; else 4"
    assert r2.calculation == "rank 2 of 4: 1 + 3 × 1 ÷ 3 = 2.00"


def test_a_ranked_measure_without_a_peer_rank_is_not_scored() -> None:
    result = score_unit(framework(NOF), "F", {"R2": MeasureValue("R2", "2024-03", 70.0)})
    assert result is not None
    assert result.measures[1].calculation == "no rank in a peer group: not scored"
    assert result.score is None and result.segment is None


def test_a_framework_without_scoring_has_no_scores() -> None:
    assert score_unit(load_framework(GRADING_FRAMEWORK), "F", {}) is None


@pytest.mark.parametrize(
    ("block", "fragment", "message"),
    [
        (
            "scoring:\n  scale: spider\n  measures:\n    - {measure: NOPE, goal: 1, red_flag: 0}\n",
            "NOPE",
            "scoring.measures[0].measure: 'NOPE' is not a measure in this file",
        ),
        (
            "scoring:\n  scale: spider\n  measures:\n    - {measure: R1, goal: 70, red_flag: 80}\n",
            "{measure: R1",
            "scoring.measures[0].goal: R1 is higher is better: its goal must be above its "
            "red flag (80)",
        ),
        (
            "scoring:\n  scale: nof\n  measures:\n    - {measure: R1, cuts: [70, 80, 90]}\n",
            "{measure: R1",
            "scoring.measures[0].cuts: R1 is higher is better: give three different cuts, "
            "best (highest) first",
        ),
        (
            "scoring:\n  scale: spider\n  areas: {NOPE: 2}\n"
            "  measures:\n    - {measure: R1, goal: 80, red_flag: 70}\n",
            "{NOPE: 2}",
            "scoring.areas.NOPE: 'NOPE' is not an area; choose from FOCUS, PEOPLE, PROCESS",
        ),
    ],
)
def test_scoring_that_the_framework_denies_is_refused_with_file_line_and_field(
    block: str, fragment: str, message: str
) -> None:
    text = with_scoring(block)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if fragment in row)
    assert problems(text) == [f"framework.yaml:{line} {message}"]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "scoring:\n  scale: spider\n  measures:\n    - {measure: R1, goal: 80}\n",
            "spider scoring needs both goal and red_flag",
        ),
        (
            "scoring:\n  scale: spider\n  measures:\n    - {measure: R1, ranked: true}\n",
            "the spider scale scores a measure by goal and red_flag",
        ),
        (
            "scoring:\n  scale: spider\n  measures:\n"
            "    - {measure: R1, goal: 80, red_flag: 70, stretch: 75}\n",
            "stretch must be beyond the goal (above 80)",
        ),
        (
            "scoring:\n  scale: nof\n  segments: [3, 2, 1]\n  measures:\n"
            "    - {measure: R1, ranked: true}\n",
            "segments must rise between 1 and 4",
        ),
        (
            "scoring:\n  scale: nof\n  areas: {FOCUS: 2}\n  measures:\n"
            "    - {measure: R1, ranked: true}\n",
            "area weights are for the spider scale",
        ),
    ],
)
def test_a_scoring_section_that_cannot_be_computed_is_refused(block: str, message: str) -> None:
    found = problems(with_scoring(block))
    assert len(found) == 1 and message in found[0], found


BY_TYPE = """\
scoring:
  scale: spider
  measures:
    - {measure: R1, goal: 80, red_flag: 70, unit_types: [command]}
    - {measure: R1, goal: 90, red_flag: 80, unit_types: [force]}
    - {measure: P1, goal: 90, red_flag: 60, unit_types: [command]}
"""


def test_each_unit_takes_the_thresholds_for_its_type_and_others_are_not_scored() -> None:
    scored = framework(BY_TYPE)
    values = {"R1": MeasureValue("R1", "2024-03", 80.0), "P1": MeasureValue("P1", "2024-03", 90)}
    north = score_unit(scored, "N", values)
    force = score_unit(scored, "F", values)
    assert north is not None and force is not None
    assert [item.measure for item in north.measures] == ["R1", "P1"]
    assert north.measures[0].score == pytest.approx(20 / 3)
    assert [item.measure for item in force.measures] == ["R1"]
    assert force.measures[0].score == pytest.approx(10 / 3)
    commands_only = framework(
        BY_TYPE.replace("    - {measure: R1, goal: 90, red_flag: 80, unit_types: [force]}\n", "")
    )
    assert score_unit(commands_only, "F", values) is None


def test_a_measure_scored_twice_for_one_unit_type_or_an_unknown_type_is_refused() -> None:
    twice = with_scoring(BY_TYPE.replace("unit_types: [force]", "unit_types: [command]"))
    line = twice.splitlines().index(
        "    - {measure: R1, goal: 90, red_flag: 80, unit_types: [command]}"
    )
    assert problems(twice) == [
        f"framework.yaml:{line + 1} scoring.measures[1].measure: 'R1' is scored more than once "
        "for a unit"
    ]
    unknown = with_scoring(BY_TYPE.replace("unit_types: [force]", "unit_types: [station]"))
    (found,) = problems(unknown)
    assert "scoring.measures[1].unit_types[0]: no unit has the type 'station'" in found
