"""Grade scales: PEEL's five grades, Ofsted's and CQC's four, a framework's own, by role."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from pmf.core.framework import Framework, FrameworkError, load_framework
from pmf.core.grading import DEFAULT_SCALE, GradeScale, Recommendation, recommend_grades
from pmf.core.history import changes_summary, grade_changes, grade_label, tube_map_rows
from pmf.core.rationale import rationale
from pmf.reports.charts.tube import tube_map_svg
from tests.factories import GRADING_FRAMEWORK, frame


def framework(grading: str = "") -> Framework:
    return load_framework(GRADING_FRAMEWORK + grading)


def redlines(*met: bool) -> list[dict[str, Any]]:
    return [{"measure": f"R{i + 1}", "met": value} for i, value in enumerate(met)]


CONCERN = {"variation": "special_cause_concern"}
IMPROVING = {"variation": "special_cause_improvement"}
BETTER = {"significance": "significantly better than the MSG average"}

PEEL = "grading:\n  scale: peel\n"
MINE = textwrap.dedent(
    """\
    grading:
      scale:
        name: Council service ratings
        grades:
          - {code: excellent, name: Excellent, role: outstanding}
          - {code: good, name: Good}
          - {code: needs_work, name: Needs work, short: NW, role: requires_improvement}
    """
)


def focus(grading: str, *rows: dict[str, Any]) -> Recommendation:
    found = recommend_grades(framework(grading), frame(*rows))
    return next(r for r in found if (r.unit, r.area) == ("F", "FOCUS"))


def problems(grading: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(GRADING_FRAMEWORK + grading, "framework.yaml")
    return [str(problem).split(" ", 1)[1] for problem in caught.value.problems]


# --------------------------------------------------------------------------------------------
# The scales
# --------------------------------------------------------------------------------------------


def test_the_default_scale_is_todays_four_grades_and_no_grade() -> None:
    scale = GradeScale.of(framework().grading)
    assert scale == DEFAULT_SCALE
    assert [scale.label(code) for code in scale.values] == [
        "Outstanding",
        "Good",
        "Requires Improvement",
        "Inadequate",
        "No grade",
    ]
    assert [scale.rank(code) for code in scale.values] == [4, 3, 2, 1, None]


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("peel", ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"]),
        ("ofsted", ["Outstanding", "Good", "Requires improvement", "Inadequate"]),
        ("cqc", ["Outstanding", "Good", "Requires improvement", "Inadequate"]),
    ],
)
def test_built_in_scales_name_their_grades_best_first(name: str, labels: list[str]) -> None:
    scale = GradeScale.of(framework(f"grading: {{scale: {name}}}\n").grading)
    assert [scale.label(code) for code in scale.codes] == labels
    assert scale.rank(scale.codes[0]) == len(labels) and scale.rank(scale.codes[-1]) == 1


def test_a_custom_scale_has_its_codes_names_short_forms_and_letters() -> None:
    scale = GradeScale.of(framework(MINE).grading)
    assert scale.name == "Council service ratings"
    assert scale.values == ("excellent", "good", "needs_work", "no_grade")
    assert [scale.short(code) for code in scale.values] == ["Excellent", "Good", "NW", "no grade"]
    assert [scale.letter(code) for code in scale.values] == ["E", "G", "NW", "–"]
    assert [scale.role(code) for code in scale.codes] == [
        "outstanding",
        "good",
        "requires_improvement",
    ]


def test_a_value_off_the_scale_is_refused_with_the_scales_words() -> None:
    scale = GradeScale.of({"scale": "peel"})
    assert scale.problem("adequate") is None and scale.problem("no_grade") is None
    assert scale.problem("requires improvement") == (
        "choose one of Outstanding, Good, Adequate, Requires improvement, Inadequate or No grade"
    )
    assert DEFAULT_SCALE.problem("adequate") is not None


# --------------------------------------------------------------------------------------------
# The rules follow the scale
# --------------------------------------------------------------------------------------------


def test_peel_names_the_recommendation_in_its_own_words() -> None:
    found = focus(PEEL, *redlines(True, False))
    assert found.grade == "requires_improvement"
    assert found.summary == "Requires improvement: 1 of 2 redlines not met (High harm solved)."


def test_adequate_for_a_kpi_of_concern_when_every_redline_is_met() -> None:
    grading = PEEL + "  adequate: {kpis_of_concern: 1}\n"
    found = focus(grading, *redlines(True, True), {"measure": "K1", **CONCERN})
    assert found.grade == "adequate"
    assert [reason.rule for reason in found.reasons] == [
        "all_redlines_met",
        "adequate_kpi_concern",
    ]
    assert found.reasons[1].text == (
        "1 KPI of concern (Stop and search: special-cause concern), at least the 1 that lower "
        "Good to Adequate."
    )
    # Without a KPI of concern the area stays Good.
    assert focus(grading, *redlines(True, True)).grade == "good"


def test_adequate_for_fewer_missed_redlines_than_requires_improvement_needs() -> None:
    grading = PEEL + "  requires_improvement: {redlines_not_met: 2}\n"
    grading += "  adequate: {redlines_not_met: 1}\n"
    one = focus(grading, *redlines(True, False, True))
    assert (one.grade, one.reasons[0].rule) == ("adequate", "adequate_redlines_not_met")
    assert one.reasons[0].text == (
        "1 of 3 redlines not met (High harm solved), at least the 1 that make an area Adequate "
        "and fewer than the 2 that make it Requires improvement."
    )
    assert focus(grading, *redlines(False, False, True)).grade == "requires_improvement"
    assert focus(grading, *redlines(True, True, True)).grade == "good"


def test_a_kpi_concern_that_lowers_to_requires_improvement_wins_over_adequate() -> None:
    grading = PEEL + "  adequate: {kpis_of_concern: 1}\n  kpi_concern: {kpis: 2}\n"
    rows = [*redlines(True), {"measure": "K1", **CONCERN}, {"measure": "K2", **CONCERN}]
    assert focus(grading, *rows).grade == "requires_improvement"
    assert focus(grading, *rows[:2]).grade == "adequate"


def test_on_a_scale_without_adequate_the_default_rules_are_unchanged() -> None:
    for name in ("default", "ofsted", "cqc"):
        grading = f"grading: {{scale: {name}}}\n"
        assert focus(grading, *redlines(True, False)).grade == "requires_improvement"
        assert focus(grading, *redlines(True, True)).grade == "good"


def test_a_custom_scale_recommends_its_own_codes() -> None:
    improving = [{"measure": "K1", **IMPROVING}, {"measure": "K2", **BETTER}]
    assert focus(MINE, *redlines(True, False)).grade == "needs_work"
    assert focus(MINE, *redlines(True, True)).grade == "good"
    best = focus(MINE, *redlines(True, True), *improving)
    assert (best.grade, best.label) == ("excellent", "Excellent")


def test_a_scale_without_outstanding_never_recommends_it() -> None:
    grading = textwrap.dedent(
        """\
        grading:
          scale:
            name: Three
            grades:
              - {code: good, name: Met}
              - {code: requires_improvement, name: Not met}
              - {code: inadequate, name: Failing}
        """
    )
    improving = [{"measure": "K1", **IMPROVING}, {"measure": "K2", **BETTER}]
    assert focus(grading, *redlines(True, True), *improving).grade == "good"


def test_the_rationale_heads_with_the_scales_name_for_the_grade() -> None:
    grading = PEEL + "  adequate: {kpis_of_concern: 1}\n"
    rows = frame(*redlines(True, True), {"measure": "K1", "value": 1.0, **CONCERN})
    found = rationale(framework(grading), rows, "F", "FOCUS")
    assert found.grade == "adequate"
    assert found.grade_line == "FOCUS – Adequate"


# --------------------------------------------------------------------------------------------
# History and the tube map follow the scale
# --------------------------------------------------------------------------------------------


def test_changes_rank_by_the_scale() -> None:
    peel = GradeScale.of({"scale": "peel"})
    changes = grade_changes(
        {("F", "FOCUS"): "good", ("F", "PROCESS"): "requires_improvement"},
        {("F", "FOCUS"): "adequate", ("F", "PROCESS"): "adequate"},
        peel,
    )
    assert [change.kind for change in changes] == ["downgrade", "improvement"]
    summary = changes_summary(
        changes,
        top_unit="F",
        unit_names={"F": "Force"},
        area_names={"FOCUS": "FOCUS", "PROCESS": "PROCESS"},
    )
    assert summary.top_level == (
        "Two changes: downgrade from Good to Adequate for FOCUS; improvement from RI to "
        "Adequate for PROCESS.",
    )


def test_a_grade_off_the_scale_is_an_error_in_history() -> None:
    with pytest.raises(ValueError, match="unknown grade 'adequate'"):
        grade_changes({("F", "FOCUS"): "good"}, {("F", "FOCUS"): "adequate"})
    assert grade_label("adequate", scale=GradeScale.of({"scale": "peel"})) == "Adequate"


def test_the_tube_map_shows_the_scales_letters_and_legend() -> None:
    scale = GradeScale.of(framework(MINE).grading)
    rows = tube_map_rows(
        [(1, "Cycle 1")], [("FOCUS", "FOCUS")], {(1, "FOCUS"): "needs_work"}, scale
    )
    assert (rows[0].cells[0].label, rows[0].cells[0].letter) == ("Needs work", "NW")
    svg = tube_map_svg(
        [(1, "Cycle 1")], [("FOCUS", "FOCUS")], {(1, "FOCUS"): "excellent"}, title="T", scale=scale
    )
    assert ">Excellent</text>" in svg and ">Needs work</text>" in svg
    assert "Requires Improvement" not in svg
    # Coloured by role: Excellent takes Outstanding's blue.
    assert 'fill="#1d70b8"' in svg


# --------------------------------------------------------------------------------------------
# The framework file's grading.scale
# --------------------------------------------------------------------------------------------


def test_an_unknown_scale_name_lists_the_built_in_ones() -> None:
    assert problems("grading: {scale: peal}\n") == [
        "grading.scale: 'peal' is not one of default, peel, ofsted, cqc"
    ]


def test_a_custom_scale_needs_unique_codes_and_roles_in_order() -> None:
    grading = textwrap.dedent(
        """\
        grading:
          scale:
            name: Mine
            grades:
              - {code: poor, name: Poor, role: requires_improvement}
              - {code: good, name: Good}
              - {code: good, name: Fine}
              - {code: meh, name: Meh}
              - {code: no_grade, name: None, role: inadequate}
        """
    )
    assert problems(grading) == [
        "grading.scale.grades[2].code: 'good' is already used by grading.scale.grades[1]",
        "grading.scale.grades[2].role: 'good' is already the role of grading.scale.grades[1]",
        "grading.scale.grades[3].role: grade 'meh' needs a role, one of outstanding, good, "
        "adequate, requires_improvement, inadequate",
        "grading.scale.grades[4].code: 'no_grade' is kept for areas with no grade",
        "grading.scale.grades: the grades must go best first, in the order outstanding, good, "
        "adequate, requires_improvement, inadequate",
    ]


def test_a_custom_scale_needs_good_and_requires_improvement() -> None:
    grading = "grading:\n  scale:\n    name: Two\n    grades:\n"
    grading += "      - {code: outstanding, name: Top}\n      - {code: inadequate, name: Bottom}\n"
    assert problems(grading) == [
        "grading.scale.grades: the scale needs a grade whose role is 'good'",
        "grading.scale.grades: the scale needs a grade whose role is 'requires_improvement'",
    ]


def test_a_rule_for_a_grade_the_scale_lacks_is_refused() -> None:
    grading = "grading:\n  scale: cqc\n  adequate: {kpis_of_concern: 1}\n"
    grading += "  areas:\n    - {area: FOCUS, adequate: {kpis_of_concern: 2}}\n"
    assert problems(grading) == [
        "grading.adequate: the CQC scale has no grade whose role is 'adequate' to recommend",
        "grading.areas[0].adequate: the CQC scale has no grade whose role is 'adequate' to "
        "recommend",
    ]


def test_adequate_redlines_must_be_fewer_than_requires_improvements() -> None:
    grading = PEEL + "  adequate: {redlines_not_met: 1}\n"
    assert problems(grading) == [
        "grading.adequate.redlines_not_met: 1 must be fewer than "
        "requires_improvement.redlines_not_met (1)"
    ]


def test_the_examples_grade_on_peel_and_ofsted() -> None:
    from pathlib import Path

    from pmf.sources.frameworks import read_framework_file

    examples = Path(__file__).resolve().parents[2] / "examples"
    police = read_framework_file(examples / "police" / "framework.yaml")
    assert GradeScale.of(police.grading).name == "HMICFRS PEEL"
    assert police.grading.adequate.kpis_of_concern == 1
    council = read_framework_file(examples / "trafford" / "framework.yaml")
    assert GradeScale.of(council.grading).name == "Ofsted"
