"""Test importing daily and weekly files: a date column, read as the measure's frequency."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.core.framework import Framework, load_framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from tests.factories import GOOD


@pytest.fixture
def framework() -> Framework:
    # ER is daily and CR weekly here.
    text = GOOD.replace(
        "    frequency: month\n    standard: {type: target",
        "    frequency: day\n    standard: {type: target",
        1,
    )
    assert text != GOOD
    return load_framework(text.replace("frequency: month", "frequency: week"))


def check(tmp_path: Path, framework: Framework, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "daily.csv"
    path.write_text(text, encoding="utf-8")
    return check_table(read_table(path), framework, today=__import__("datetime").date(2025, 1, 1))


def test_a_date_column_holds_the_day_of_a_daily_measure(
    tmp_path: Path, framework: Framework
) -> None:
    result = check(
        tmp_path, framework, "date,unit,measure,value\n2024-02-01,N,ER,75\n2024-02-02,N,ER,76\n"
    )
    assert result.ok, [str(p) for p in result.problems]
    assert result.observations["period"].to_list() == ["2024-02-01", "2024-02-02"]


def test_a_weekly_measure_reads_iso_weeks(tmp_path: Path, framework: Framework) -> None:
    result = check(tmp_path, framework, "week,unit,measure,value\n2024-W05,S,CR,3\n")
    assert result.ok, [str(p) for p in result.problems]
    assert result.observations["period"].to_list() == ["2024-W05"]


def test_a_month_in_a_daily_file_is_refused_naming_row_and_column(
    tmp_path: Path, framework: Framework
) -> None:
    result = check(
        tmp_path, framework, "date,unit,measure,value\n2024-02-01,N,ER,75\n2024-02,N,ER,1\n"
    )
    assert not result.ok
    assert [str(p) for p in result.problems] == [
        "row 3, column 'date', value '2024-02': is a month, but ER is reported by day"
    ]
    assert result.observations.height == 0
