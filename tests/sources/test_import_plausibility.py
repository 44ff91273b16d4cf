"""The import's check refuses figures that break their measure's plausibility rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pmf.core.framework import load_framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from tests.factories import GOOD

FRAMEWORK = load_framework(GOOD)
TODAY = dt.date(2026, 12, 6)


def check(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "figures.csv"
    path.write_text(text, encoding="utf-8")
    return check_table(read_table(path), FRAMEWORK, today=TODAY)


def test_a_wide_file_names_the_period_column_of_a_refused_figure(tmp_path: Path) -> None:
    result = check(tmp_path, "unit,measure,201907,201908\nN,ER,75,250\n")
    assert [str(problem) for problem in result.problems] == [
        "row 2, column '201908', value '250': is more than 100, the most ER can be (valid: max)"
    ]
    assert result.observations.height == 0


def test_a_mapped_column_is_named_as_the_file_names_it(tmp_path: Path) -> None:
    (tmp_path / "figures.csv").write_text("unit,measure,Month,Figure\nN,ER,2099-01,80\n")
    mapped = check_table(
        read_table(tmp_path / "figures.csv"),
        FRAMEWORK,
        mapping={"period": "Month", "value": "Figure"},
        today=TODAY,
    )
    [problem] = mapped.problems
    assert (problem.column, problem.value) == ("Month", "2099-01")
    assert problem.reason.startswith("starts after today (2026-12-06)")


def test_a_value_computed_from_its_numerator_and_denominator_is_checked(tmp_path: Path) -> None:
    # CR is a rate (not a proportion): -3 offences per 1,000 cannot be.
    result = check(tmp_path, "unit,measure,period,numerator,denominator\nN,CR,2019-07,-3,1000\n")
    [problem] = result.problems
    assert (problem.column, problem.value) == ("value", None)
    assert problem.reason == "is less than 0, the least CR can be (valid: min)"


def test_a_numerator_above_its_denominator_is_refused_for_a_percentage(tmp_path: Path) -> None:
    result = check(tmp_path, "unit,measure,period,numerator,denominator\nN,ER,2019-07,12,10\n")
    [problem] = result.problems
    assert (problem.column, problem.value) == ("numerator", "12")
    assert problem.reason.startswith("is more than the denominator (10)")


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda v: round(v, 3)),
        min_size=1,
        max_size=12,
    )
)
def test_percentages_within_0_and_100_in_past_months_are_never_refused(
    tmp_path_factory: object, values: list[float]
) -> None:
    folder = tmp_path_factory.mktemp("figures")  # type: ignore[attr-defined]
    rows = "".join(f"N,ER,2019-{month:02d},{value}\n" for month, value in enumerate(values, 1))
    result = check(folder, "unit,measure,period,value\n" + rows)
    assert result.ok, result.problems
