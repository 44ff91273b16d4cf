"""A statistics tool's table: numbers and dates checked, each refusal naming file, row, column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pmf.sources.columns import ColumnRefused, dates, numbers, read, refuse_rows, require


def _table(tmp_path: Path, text: str) -> tuple[Path, pl.DataFrame]:
    path = tmp_path / "series.csv"
    path.write_text(text)
    return path, read(path)


def test_numbers_are_read_and_a_word_is_refused_with_its_row(tmp_path: Path) -> None:
    path, frame = _table(tmp_path, "date,value\n2024-01,1.5\n2024-02, 2 \n2024-03,many\n")
    with pytest.raises(ColumnRefused, match=r"series.csv: row 4, column 'value', value 'many'"):
        numbers(frame, path, "value")
    path, frame = _table(tmp_path, "date,value\n2024-01,1.5\n2024-02, 2 \n")
    assert numbers(frame, path, "value").to_list() == [1.5, 2.0]


def test_dates_take_iso_dates_and_periods_and_refuse_the_rest(tmp_path: Path) -> None:
    path, frame = _table(tmp_path, "date,value\n2024-01-15,1\n2024-02,2\n")
    assert dates(frame, path, "date").to_list() == [dt.date(2024, 1, 15), dt.date(2024, 2, 1)]
    path, frame = _table(tmp_path, "date,value\n2024-01-15,1\nsoon,2\n")
    with pytest.raises(ColumnRefused, match=r"row 3, column 'date', value 'soon': is not a date"):
        dates(frame, path, "date")


def test_a_missing_column_and_a_bad_row_are_named(tmp_path: Path) -> None:
    path, frame = _table(tmp_path, "n,d\n5,10\n-1,10\n")
    with pytest.raises(ColumnRefused, match="there is no column 'value'; the columns are n, d"):
        require(frame, path, ["value"])
    parsed = frame.with_columns(numbers(frame, path, "n"))
    with pytest.raises(ColumnRefused, match=r"row 3, column 'n', value '-1': must not be negative"):
        refuse_rows(parsed, frame, path, pl.col("n") < 0, "n", "must not be negative")
