from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from pmf.core.assessment import assess
from pmf.core.framework import Framework, load_framework
from pmf.core.grading import Grade
from pmf.core.rationale import rationale
from tests.factories import GOOD, GRADING_FRAMEWORK, frame, observations


@pytest.fixture(scope="module")
def cycles() -> tuple[Framework, pl.DataFrame, pl.DataFrame]:
    """Return the framework, this cycle's assessment (July 2019) and the last board's (June)."""
    framework = load_framework(GOOD)
    figures = observations(
        [
            ("N", "ER", "2019-04", 85.0, None, None),
            ("N", "ER", "2019-05", 86.0, None, None),
            ("N", "ER", "2019-06", 87.0, None, None),
            ("N", "ER", "2019-07", 88.0, None, None),
            ("S", "ER", "2019-04", 85.0, None, None),
            ("S", "ER", "2019-05", 82.0, None, None),
            ("S", "ER", "2019-06", 78.0, None, None),
            ("S", "ER", "2019-07", 71.94, None, None),
            ("N", "CR", "2019-06", 2.0, 2.0, 1000.0),
            ("S", "CR", "2019-06", 3.0, 3.0, 1000.0),
            ("N", "CR", "2019-07", 2.0, 2.0, 1000.0),
            ("S", "CR", "2019-07", 4.0, 4.0, 1000.0),
        ]
    )
    now = assess(framework, figures, units=["N", "S"], cut=dt.date(2019, 7, 31))
    before = assess(framework, figures, units=["N", "S"], cut=dt.date(2019, 6, 30))
    return framework, now, before


def test_not_met_redlines_with_peers_last_board_and_trend(
    cycles: tuple[Framework, pl.DataFrame, pl.DataFrame],
) -> None:
    framework, now, before = cycles
    found = rationale(framework, now, "S", "FOCUS", before)
    assert found.grade == Grade.REQUIRES_IMPROVEMENT
    assert found.grade_line == "FOCUS – Requires Improvement"
    assert found.redlines == (
        "Emergency response within target – Not Met. 71.9% against the target of ≥ 80.0%; "
        "second in its MSG and 10.0% below the MSG average; it was 5.5% below at the last "
        "board. Deteriorated since the last board (78.0% in June 2019). Has been continually "
        "deteriorating since April 2019.",
        "Crimes per 1,000 – Not Met. 4.0 against the MSG average of 3.0; second in its MSG and "
        "33.3% above the MSG average; it was 20.0% above at the last board. Deteriorated since "
        "the last board (3.0 in June 2019).",
    )


def test_met_redlines_and_no_change_since_the_last_board(
    cycles: tuple[Framework, pl.DataFrame, pl.DataFrame],
) -> None:
    framework, now, before = cycles
    found = rationale(framework, now, "N", "FOCUS", before)
    assert found.grade_line == "FOCUS – Good"
    assert found.reasons == ("Both redlines met.",)
    assert found.redlines[1] == (
        "Crimes per 1,000 – Met. 2.0 against the MSG average of 3.0; first in its MSG and 33.3% "
        "below the MSG average; it was 20.0% below at the last board. No change since the last "
        "board (2.0 in June 2019)."
    )


def test_without_the_last_board_there_is_no_comparison_with_it(
    cycles: tuple[Framework, pl.DataFrame, pl.DataFrame],
) -> None:
    framework, now, _ = cycles
    found = rationale(framework, now, "N", "FOCUS")
    assert found.redlines[1] == (
        "Crimes per 1,000 – Met. 2.0 against the MSG average of 3.0; first in its MSG and 33.3% "
        "below the MSG average."
    )


def test_text_is_markdown_with_headings_and_bullets(
    cycles: tuple[Framework, pl.DataFrame, pl.DataFrame],
) -> None:
    framework, now, before = cycles
    found = rationale(framework, now, "S", "FOCUS", before)
    assert found.text.startswith(
        "## FOCUS – Requires Improvement\n\n2 of 2 redlines not met (Emergency response within "
        "target and Crimes per 1,000).\n\n### Redlines\n\n- Emergency response within target – "
    )
    assert "\n### KPIs\n\n- Nothing stands out.\n" in found.text
    assert found.as_dict()["redlines"] == list(found.redlines)
    assert found.as_dict()["text"] == found.text


def test_an_area_without_figures_has_no_grade_and_says_why(
    cycles: tuple[Framework, pl.DataFrame, pl.DataFrame],
) -> None:
    framework, now, _ = cycles
    found = rationale(framework, now, "S", "PEOPLE")
    assert (found.grade_line, found.reasons) == (
        "INNOVATION – No grade",
        ("No redline measures or KPIs with figures.",),
    )
    assert found.redlines == found.kpis == ()


def test_a_redline_without_a_figure_is_listed() -> None:
    framework = load_framework(GRADING_FRAMEWORK)
    found = rationale(framework, frame({"measure": "R1", "met": True}), "F", "FOCUS")
    assert found.redlines[1:] == (
        "High harm solved – No figure.",
        "Emergency response – No figure.",
        "Victim contact – No figure.",
    )


def one(measure: str, **columns: Any) -> str:
    framework = load_framework(GRADING_FRAMEWORK)
    found = rationale(framework, frame({"measure": measure, **columns}), "F", "FOCUS")
    lines = found.redlines if measure.startswith("R") else found.kpis
    return lines[0] if lines else ""


@pytest.mark.parametrize(
    ("columns", "sentence"),
    [
        (
            {"value": 99.66, "met": True, "standard": "≥ 80.0%", "reference": 80.0},
            "High harm offences – Met. 99.7% against the target of ≥ 80.0%.",
        ),
        (
            {"value": 0.0, "met": True, "standard": "no items", "reference": 0.0},
            "High harm offences – Met. No items.",
        ),
        (
            {"value": 2.0, "met": False, "standard": "no items", "reference": 0.0},
            "High harm offences – Not Met. 2.0% items, where the standard is none.",
        ),
        (
            {
                "value": 10.0,
                "met": False,
                "standard": "within budget (£100.0)",
                "reference": 100.0,
                "forecast": 120.0,
                "budget_position": "forecast overspend",
            },
            "High harm offences – Not Met. Forecast overspend: 120.0% forecast against a budget "
            "of 100.0%.",
        ),
        (
            {
                "value": 42.0,
                "met": False,
                "standard": "better than same period last year",
                "reference": 45.0,
                "last_year_period": "2018-07",
            },
            "High harm offences – Not Met. 42.0% against 45.0% in July 2018.",
        ),
        (
            {
                "value": 42.0,
                "met": None,
                "standard": "v. MSG average",
                "not_assessed": "no peer figures for this period",
            },
            "High harm offences – Not assessed (no peer figures for this period). 42.0%.",
        ),
        (
            {
                "value": 42.0,
                "met": False,
                "standard": "v. MSG average",
                "reference": 47.0,
                "significance": "significantly worse than the MSG average",
                "significance_code": "worse",
            },
            "High harm offences – Not Met. 42.0% against the MSG average of 47.0%; "
            "significantly worse than the MSG average.",
        ),
    ],
    ids=["target", "zero met", "zero not met", "budget", "improvement", "not assessed", "peers"],
)
def test_redline_sentence_by_standard(columns: dict[str, Any], sentence: str) -> None:
    assert one("R1", **columns) == sentence


def test_kpi_highlights_only_what_stands_out() -> None:
    assert one("K1", value=25.4, period="2019-07") == ""
    assert one(
        "K3",
        value=25.4,
        period="2019-07",
        variation="special_cause_concern",
        significance="significantly worse than the MSG average",
        significance_code="worse",
        trend="has been continually deteriorating since July 2018",
        deteriorating_since="2018-07",
        direction_last_year="improving",
    ) == (
        "Arrest rate: 25.4% (July 2019); special-cause concern; significantly worse than the "
        "MSG average; continually deteriorating since July 2018."
    )
    assert one("K2", value=3.0, variation="special_cause_improvement") == (
        "Days to investigate: 3.0%; special-cause improvement."
    )
