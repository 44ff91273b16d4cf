from __future__ import annotations

import datetime as dt

import pytest

from pmf.core.assessment import assess
from pmf.core.framework import FrameworkError, load_framework
from pmf.core.grading import recommend_grades
from pmf.core.membership import joined_or_left, member_span, membership_words
from tests.factories import GOOD, observations, row

SOUTH = "  - {code: S, name: South, type: command, parent: F}\n"


def joining(member: str) -> str:
    """Return the test framework with South's membership as written."""
    return GOOD.replace(
        SOUTH, f"  - {{code: S, name: South, type: command, parent: F, member: {member}}}\n"
    )


def monthly(unit: str, values: list[float], first: int = 1) -> list[tuple[object, ...]]:
    return [
        (unit, "ER", f"2019-{month:02d}", value, None, None)
        for month, value in enumerate(values, start=first)
    ]


def test_a_unit_is_judged_only_from_the_period_it_joined() -> None:
    figures = observations(monthly("S", [10, 10, 10, 10, 10, 85, 86]) + monthly("N", [85] * 7))
    always = row(assess(load_framework(GOOD), figures), "S", "ER")
    joined = row(assess(load_framework(joining("{from: 2019-07}")), figures), "S", "ER")
    assert always["period"] == joined["period"] == "2019-07"
    # June is before South joined: no previous figure to compare with, no SPC from the tens.
    assert always["previous_value"] == 85.0
    assert joined["previous_value"] is None
    assert always["spc_points"] == 7
    assert joined["spc_points"] in (0, 1, None)


def test_a_unit_that_has_not_joined_by_the_cut_off_is_not_assessed_or_graded() -> None:
    framework = load_framework(joining("{from: 2019-08}"))
    figures = observations(monthly("S", [50, 50, 50]) + monthly("N", [85, 85, 85]))
    frame = assess(framework, figures, cut=dt.date(2019, 3, 31))
    assert set(frame["unit"].to_list()) == {"N"}
    assert "S" not in {item.unit for item in recommend_grades(framework, frame)}
    later = assess(framework, observations(monthly("S", [50] * 8) + monthly("N", [85] * 8)))
    assert "S" in {item.unit for item in recommend_grades(framework, later)}


def test_a_unit_that_left_is_not_assessed_after_its_last_period() -> None:
    framework = load_framework(joining("{until: 2019-02}"))
    figures = observations(monthly("S", [50, 50, 50]) + monthly("N", [85, 85, 85]))
    assert "S" not in assess(framework, figures)["unit"].to_list()
    before = assess(framework, figures, cut=dt.date(2019, 2, 28))
    assert row(before, "S", "ER")["period"] == "2019-02"


def test_the_parent_still_adds_up_its_childrens_figures_from_before_one_joined() -> None:
    framework = load_framework(joining("{from: 2019-03}"))
    figures = observations(
        [
            ("N", "CR", "2019-01", 2.0, 2.0, 1000.0),
            ("S", "CR", "2019-01", 4.0, 4.0, 1000.0),
        ]
    )
    frame = assess(framework, figures, units=["F"])
    assert row(frame, "F", "CR")["value"] == pytest.approx(3.0)


def test_a_unit_below_joins_no_earlier_than_the_unit_above() -> None:
    text = GOOD.replace(
        "  - {code: F, name: Force, type: force}\n",
        "  - {code: F, name: Force, type: force, member: {from: 2019-04}}\n",
    ).replace(
        SOUTH, "  - {code: S, name: South, type: command, parent: F, member: {from: 2019-02}}\n"
    )
    framework = load_framework(text)
    span = member_span(framework, "S")
    assert (span.starts, span.joined) == (dt.date(2019, 4, 1), "2019-04")
    assert member_span(framework, "N").joined == "2019-04"


def test_membership_is_checked_in_the_framework_file() -> None:
    with pytest.raises(FrameworkError) as error:
        load_framework(joining("{from: 2019-13}"))
    assert "units[2].member.from" in str(error.value)
    with pytest.raises(FrameworkError) as error:
        load_framework(joining("{from: 2019-06, until: 2019-02}"))
    assert "until (2019-02) is before from (2019-06)" in str(error.value)
    with pytest.raises(FrameworkError):
        load_framework(joining("{since: 2019-06}"))


def test_the_units_that_joined_or_left_in_a_cycle_are_named() -> None:
    framework = load_framework(joining("{from: 2019-06, until: 2020-01}"))
    names = [
        (unit.code, change)
        for unit, change in joined_or_left(framework, dt.date(2019, 5, 31), dt.date(2019, 8, 31))
    ]
    assert names == [("S", "joined")]
    assert joined_or_left(framework, dt.date(2019, 8, 31), dt.date(2019, 11, 30)) == []
    assert [
        change
        for _, change in joined_or_left(framework, dt.date(2019, 11, 30), dt.date(2020, 2, 29))
    ] == ["left"]


def test_membership_words_say_this_cycle_and_left() -> None:
    framework = load_framework(joining("{from: 2019-06, until: 2020-01}"))
    assert membership_words(framework, "N", dt.date(2019, 8, 31)) is None
    this_cycle = membership_words(framework, "S", dt.date(2019, 8, 31), since=dt.date(2019, 5, 31))
    assert (
        this_cycle is not None and "joined the framework this cycle (from June 2019)" in this_cycle
    )
    after = membership_words(framework, "S", dt.date(2020, 2, 29), since=dt.date(2019, 11, 30))
    assert after == (
        "South joined the framework from June 2019 and left it this cycle after January 2020: "
        "its figures before then are not judged; it is not judged after it left."
    )


def test_keep_members_reads_the_period_when_there_is_no_period_end() -> None:
    from pmf.core.membership import keep_members

    framework = load_framework(joining("{from: 2019-06}"))
    figures = observations(monthly("S", [1, 2, 3, 4, 5, 6, 7]) + monthly("N", [1, 2]))
    kept = keep_members(framework, figures)
    assert kept.columns == figures.columns
    assert kept.filter(kept["unit"] == "S")["period"].to_list() == ["2019-06", "2019-07"]
    assert kept.filter(kept["unit"] == "N").height == 2


def test_a_unit_that_only_leaves_is_named_with_the_framework() -> None:
    framework = load_framework(joining("{until: 2020-01}"))
    assert membership_words(framework, "S", dt.date(2019, 8, 31)) == (
        "South leaves the framework after January 2020."
    )
    assert membership_words(framework, "S", dt.date(2020, 3, 31)) == (
        "South left the framework after January 2020: it is not judged after it left."
    )


def test_the_framework_charts_start_when_the_unit_joined() -> None:
    import polars as pl

    from pmf.core.baseline import framework_chart_points

    framework = load_framework(joining("{from: 2019-04}"))
    figures = observations(monthly("S", [10, 11, 12, 50, 51, 52, 53]) + monthly("N", [1, 2, 3]))
    history = figures.with_columns(
        pl.col("period")
        .map_elements(lambda code: dt.date(2019, int(code[5:]), 28), return_dtype=pl.Date)
        .alias("period_end")
    )
    points, _ = framework_chart_points(framework, history)
    charted = points.filter(pl.col("series") == "S\x1fER")["period"].to_list()
    assert charted == ["2019-04", "2019-05", "2019-06", "2019-07"]
    assert points.filter(pl.col("series") == "N\x1fER").height == 3
