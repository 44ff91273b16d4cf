from __future__ import annotations

import textwrap
from typing import Any

import pytest

from pmf.core.assessment import assess
from pmf.core.framework import Framework, FrameworkError, load_framework
from pmf.core.grading import Grade, Reason, Recommendation, recommend_grades
from tests.factories import GOOD, GRADING_FRAMEWORK, frame, observations


def framework(grading: str = "") -> Framework:
    return load_framework(GRADING_FRAMEWORK + grading)


def redlines(*met: bool | None) -> list[dict[str, Any]]:
    return [{"measure": f"R{i + 1}", "met": value} for i, value in enumerate(met)]


CONCERN = {"variation": "special_cause_concern"}
WORSE = {"significance": "significantly worse than the MSG average"}
BETTER = {"significance": "significantly better than the MSG average"}
IMPROVING = {"variation": "special_cause_improvement"}


def focus(grading: str, *rows: dict[str, Any]) -> Recommendation:
    found = recommend_grades(framework(grading), frame(*rows))
    return next(r for r in found if (r.unit, r.area) == ("F", "FOCUS"))


# (grading section, rows of FOCUS) -> (grade, reason rules)
RULES: list[tuple[str, str, list[dict[str, Any]], Grade, list[str]]] = [
    ("every redline met", "", redlines(True, True, True), Grade.GOOD, ["all_redlines_met"]),
    (
        "one redline not met",
        "",
        redlines(True, False, True),
        Grade.REQUIRES_IMPROVEMENT,
        ["redlines_not_met"],
    ),
    (
        "three of four not met is still RI by default, as FOCUS in the seed",
        "",
        redlines(False, False, False, True),
        Grade.REQUIRES_IMPROVEMENT,
        ["redlines_not_met"],
    ),
    (
        "every redline not met is RI by default, as PROCESS in the seed",
        "",
        redlines(False, False, False, False),
        Grade.REQUIRES_IMPROVEMENT,
        ["redlines_not_met"],
    ),
    (
        "one miss tolerated when RI needs two",
        "grading: {requires_improvement: {redlines_not_met: 2}}\n",
        redlines(True, False, True),
        Grade.GOOD,
        ["few_redlines_not_met"],
    ),
    (
        "two misses when RI needs two",
        "grading: {requires_improvement: {redlines_not_met: 2}}\n",
        redlines(False, False, True),
        Grade.REQUIRES_IMPROVEMENT,
        ["redlines_not_met"],
    ),
    (
        "inadequate by count",
        "grading: {inadequate: {redlines_not_met: 3}}\n",
        redlines(False, False, False, True),
        Grade.INADEQUATE,
        ["redlines_not_met"],
    ),
    (
        "below the inadequate count",
        "grading: {inadequate: {redlines_not_met: 3}}\n",
        redlines(False, False, True, True),
        Grade.REQUIRES_IMPROVEMENT,
        ["redlines_not_met"],
    ),
    (
        "inadequate by share",
        "grading: {inadequate: {share_not_met: 0.5}}\n",
        redlines(False, False, True, True),
        Grade.INADEQUATE,
        ["share_not_met"],
    ),
    (
        "below the inadequate share",
        "grading: {inadequate: {share_not_met: 0.5}}\n",
        redlines(False, True, True, True),
        Grade.REQUIRES_IMPROVEMENT,
        ["redlines_not_met"],
    ),
    (
        "kpis of concern do not lower Good by default",
        "",
        [*redlines(True, True), {"measure": "K1", **CONCERN}, {"measure": "K2", **WORSE}],
        Grade.GOOD,
        ["all_redlines_met"],
    ),
    (
        "kpis of concern lower Good when the framework asks",
        "grading: {kpi_concern: {kpis: 2}}\n",
        [*redlines(True, True), {"measure": "K1", **CONCERN}, {"measure": "K2", **WORSE}],
        Grade.REQUIRES_IMPROVEMENT,
        ["all_redlines_met", "kpi_concern"],
    ),
    (
        "fewer kpis of concern than asked",
        "grading: {kpi_concern: {kpis: 2}}\n",
        [*redlines(True, True), {"measure": "K1", **CONCERN}, {"measure": "K2"}],
        Grade.GOOD,
        ["all_redlines_met"],
    ),
    (
        "only the configured signals count as concern",
        "grading: {kpi_concern: {kpis: 1, signals: [continually_deteriorating]}}\n",
        [*redlines(True), {"measure": "K1", **CONCERN}],
        Grade.GOOD,
        ["all_redlines_met"],
    ),
    (
        "a deterioration run counts when configured",
        "grading: {kpi_concern: {kpis: 1, signals: [continually_deteriorating]}}\n",
        [
            *redlines(True),
            {"measure": "K1", "trend": "has been continually deteriorating since July 2018"},
        ],
        Grade.REQUIRES_IMPROVEMENT,
        ["all_redlines_met", "kpi_concern"],
    ),
    (
        "outstanding: redlines met, two kpis improving, none of concern",
        "",
        [*redlines(True, True), {"measure": "K1", **IMPROVING}, {"measure": "K2", **BETTER}],
        Grade.OUTSTANDING,
        ["all_redlines_met", "kpis_improving"],
    ),
    (
        "not outstanding with a kpi of concern",
        "",
        [
            *redlines(True, True),
            {"measure": "K1", **IMPROVING},
            {"measure": "K2", **BETTER},
            {"measure": "K3", **CONCERN},
        ],
        Grade.GOOD,
        ["all_redlines_met"],
    ),
    (
        "one kpi of concern allowed for outstanding",
        "grading: {outstanding: {max_kpis_of_concern: 1}}\n",
        [
            *redlines(True, True),
            {"measure": "K1", **IMPROVING},
            {"measure": "K2", **BETTER},
            {"measure": "K3", **CONCERN},
        ],
        Grade.OUTSTANDING,
        ["all_redlines_met", "kpis_improving"],
    ),
    (
        "outstanding switched off",
        "grading: {outstanding: {kpis_improving: null}}\n",
        [*redlines(True, True), {"measure": "K1", **IMPROVING}, {"measure": "K2", **BETTER}],
        Grade.GOOD,
        ["all_redlines_met"],
    ),
    (
        "not outstanding with a redline tolerated but not met",
        "grading: {requires_improvement: {redlines_not_met: 2}}\n",
        [*redlines(True, False), {"measure": "K1", **IMPROVING}, {"measure": "K2", **BETTER}],
        Grade.GOOD,
        ["few_redlines_not_met"],
    ),
    (
        "not outstanding on kpis alone",
        "",
        [{"measure": "K1", **IMPROVING}, {"measure": "K2", **BETTER}],
        Grade.GOOD,
        ["no_redlines"],
    ),
    ("no figures at all", "", [{"measure": "R1", "value": None}], Grade.NO_GRADE, ["no_measures"]),
    (
        "redlines not assessed and no kpis",
        "",
        [{"measure": "R1", "met": None, "not_assessed": "no peer figures for this period"}],
        Grade.NO_GRADE,
        ["no_measures", "not_assessed"],
    ),
    (
        "a redline not assessed is noted beside the others",
        "",
        [*redlines(True), {"measure": "R2", "met": None, "not_assessed": "no peer group"}],
        Grade.GOOD,
        ["all_redlines_met", "not_assessed"],
    ),
]


@pytest.mark.parametrize(
    ("grading", "rows", "grade", "rules"),
    [case[1:] for case in RULES],
    ids=[case[0] for case in RULES],
)
def test_rule_table(
    grading: str, rows: list[dict[str, Any]], grade: Grade, rules: list[str]
) -> None:
    found = focus(grading, *rows)
    assert (found.grade, [reason.rule for reason in found.reasons]) == (grade, rules)


def test_not_met_reason_names_the_measures_and_counts() -> None:
    found = focus("", *redlines(False, True, False))
    assert found.reasons == (
        Reason(
            "redlines_not_met",
            ("R1", "R3"),
            "2 of 3 redlines not met (High harm offences and Emergency response).",
        ),
    )
    assert found.summary == (
        "Requires Improvement: 2 of 3 redlines not met (High harm offences and Emergency response)."
    )


def test_inadequate_reasons_say_the_threshold() -> None:
    by_count = focus("grading: {inadequate: {redlines_not_met: 2}}\n", *redlines(False, False))
    assert by_count.reasons[0].text == (
        "2 of 2 redlines not met (High harm offences and High harm solved), "
        "at least the 2 that make an area Inadequate."
    )
    by_share = focus("grading: {inadequate: {share_not_met: 0.75}}\n", *redlines(False, False))
    assert by_share.reasons[0].text == (
        "2 of 2 redlines not met (High harm offences and High harm solved): 100% of them, "
        "at least the 75% that makes an area Inadequate."
    )


def test_kpi_reasons_name_each_kpi_and_its_signals() -> None:
    found = focus(
        "grading: {kpi_concern: {kpis: 1}}\n",
        *redlines(True),
        {"measure": "K2", **CONCERN, **WORSE},
    )
    assert found.reasons[1] == Reason(
        "kpi_concern",
        ("K2",),
        "1 KPI of concern (Days to investigate: special-cause concern, significantly worse than "
        "the MSG average), at least the 1 that lower Good to Requires Improvement.",
    )


def test_no_grade_says_why() -> None:
    found = recommend_grades(framework(), frame(*redlines(True)))
    people = next(r for r in found if r.area == "PEOPLE")
    assert people.grade == Grade.NO_GRADE
    assert people.summary == "No grade: no redline measures or KPIs with figures."


def test_context_measures_do_not_make_a_grade() -> None:
    found = recommend_grades(framework(), frame({"measure": "P2"}))
    process = next(r for r in found if r.area == "PROCESS")
    assert process.grade == Grade.NO_GRADE


def test_one_recommendation_per_internal_unit_and_area_in_framework_order() -> None:
    rows = frame(
        {"measure": "R1", "met": True, "unit": "N"},
        {"measure": "R1", "met": True, "unit": "F"},
        {"measure": "R1", "met": False, "unit": "X"},
    )
    found = recommend_grades(framework(), rows)
    assert [(r.unit, r.area) for r in found] == [
        ("F", "FOCUS"),
        ("F", "PROCESS"),
        ("F", "PEOPLE"),
        ("N", "FOCUS"),
        ("N", "PROCESS"),
        ("N", "PEOPLE"),
    ]


def test_an_empty_assessment_recommends_nothing() -> None:
    assert recommend_grades(framework(), frame()) == []


def test_area_rules_override_only_the_fields_given() -> None:
    grading = textwrap.dedent(
        """\
        grading:
          inadequate: {redlines_not_met: 3}
          areas:
            - area: PROCESS
              inadequate: {share_not_met: 1}
        """
    )
    rows = frame(
        *redlines(False, False, False),
        {"measure": "P1", "met": False},
    )
    found = {r.area: r for r in recommend_grades(framework(grading), rows)}
    assert found["FOCUS"].grade == Grade.INADEQUATE
    # PROCESS keeps the count of 3 and adds a share: its one redline, not met, is all of them.
    assert found["PROCESS"].grade == Grade.INADEQUATE
    assert found["PROCESS"].reasons[0].rule == "share_not_met"
    rules = framework(grading).grading.for_area("PROCESS")
    assert (rules.inadequate.redlines_not_met, rules.inadequate.share_not_met) == (3, 1.0)


def test_recommendation_as_dict_is_plain_data() -> None:
    found = focus("", *redlines(False))
    assert found.as_dict() == {
        "unit": "F",
        "area": "FOCUS",
        "grade": "requires_improvement",
        "grade_label": "Requires Improvement",
        "reasons": [
            {
                "rule": "redlines_not_met",
                "measures": ["R1"],
                "text": "1 of 1 redline not met (High harm offences).",
            }
        ],
        "summary": "Requires Improvement: 1 of 1 redline not met (High harm offences).",
    }


def test_grade_labels_and_ranks() -> None:
    assert [grade.label for grade in Grade] == [
        "Outstanding",
        "Good",
        "Requires Improvement",
        "Inadequate",
        "No grade",
    ]
    assert [grade.rank for grade in Grade] == [4, 3, 2, 1, None]


def test_grades_from_a_real_assessment() -> None:
    framework = load_framework(GOOD)
    assessment = assess(
        framework,
        observations(
            [
                ("N", "ER", "2019-07", 82.0, None, None),
                ("S", "ER", "2019-07", 71.9, None, None),
                ("N", "CR", "2019-07", 2.0, 2.0, 1000.0),
                ("S", "CR", "2019-07", 4.0, 4.0, 1000.0),
            ]
        ),
        units=["N", "S"],
    )
    found = {(r.unit, r.area): r for r in recommend_grades(framework, assessment)}
    assert found["N", "FOCUS"].grade == Grade.GOOD
    assert found["S", "FOCUS"].summary == (
        "Requires Improvement: 2 of 2 redlines not met "
        "(Emergency response within target and Crimes per 1,000)."
    )
    assert found["N", "PEOPLE"].grade == Grade.NO_GRADE


# --------------------------------------------------------------------------------------------
# The grading section of the framework file
# --------------------------------------------------------------------------------------------


def problems(grading: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(GRADING_FRAMEWORK + grading, "framework.yaml")
    return [str(problem) for problem in caught.value.problems]


def line(grading: str, text: str) -> int:
    lines = (GRADING_FRAMEWORK + grading).splitlines()
    return next(index for index, found in enumerate(lines, 1) if text in found)


def test_defaults_without_a_grading_section() -> None:
    rules = framework().grading.for_area("FOCUS")
    assert rules.requires_improvement.redlines_not_met == 1
    assert (rules.inadequate.redlines_not_met, rules.inadequate.share_not_met) == (None, None)
    assert rules.outstanding.kpis_improving == 2
    assert rules.kpi_concern.kpis is None


def test_bad_signal_names_the_line_and_the_choices() -> None:
    grading = "grading:\n  kpi_concern:\n    kpis: 2\n    signals: [special_cause_concer]\n"
    assert problems(grading) == [
        f"framework.yaml:{line(grading, 'signals')} grading.kpi_concern.signals[0]: "
        "'special_cause_concer' is not one of special_cause_concern, significantly_worse, "
        "continually_deteriorating, forecast_overspend"
    ]


def test_share_above_one_and_count_of_zero_are_refused() -> None:
    grading = "grading:\n  inadequate:\n    share_not_met: 1.5\n  requires_improvement:\n"
    grading += "    redlines_not_met: 0\n"
    assert problems(grading) == [
        f"framework.yaml:{line(grading, 'share_not_met')} grading.inadequate.share_not_met: "
        "1.5 must be at most 1.0",
        f"framework.yaml:{line(grading, 'redlines_not_met: 0')} "
        "grading.requires_improvement.redlines_not_met: 0 must be at least 1",
    ]


def test_misspelt_grading_field_is_reported() -> None:
    grading = "grading:\n  outstanding:\n    kpi_improving: 3\n"
    assert problems(grading) == [
        f"framework.yaml:{line(grading, 'kpi_improving')} grading.outstanding.kpi_improving: "
        "unknown field (value 3); check the spelling"
    ]


def test_inadequate_count_must_be_above_the_requires_improvement_count() -> None:
    grading = "grading:\n  requires_improvement: {redlines_not_met: 2}\n"
    grading += "  inadequate: {redlines_not_met: 2}\n"
    assert problems(grading) == [
        f"framework.yaml:{line(grading, 'inadequate')} grading.inadequate.redlines_not_met: "
        "2 must be more than requires_improvement.redlines_not_met (2)"
    ]


def test_area_rules_name_a_known_area_once() -> None:
    grading = textwrap.dedent(
        """\
        grading:
          areas:
            - {area: FOCUS, kpi_concern: {kpis: 1}}
            - {area: NOPE}
            - {area: FOCUS}
        """
    )
    assert problems(grading) == [
        f"framework.yaml:{line(grading, 'NOPE')} grading.areas[1].area: 'NOPE' is not one of "
        "FOCUS, PEOPLE, PROCESS",
        f"framework.yaml:{line(grading, '{area: FOCUS}')} grading.areas[2].area: 'FOCUS' "
        "already has rules at grading.areas[0]",
    ]
