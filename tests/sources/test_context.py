"""Context variables for most similar groups: read and checked by the sources, no database."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pmf.sources.context import ContextRefused, read_context
from pmf.sources.readers import ReadError

UNITS = {"F", "N", "S", "X"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "context.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sound_table_gives_a_row_per_unit_with_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, 'code,x,y\nF,"1,000",2\n N ,10,0.5\n')
    frame = read_context(path, "code", ["x", "y"], UNITS, "TST")
    assert frame.schema == pl.Schema({"unit": pl.String, "x": pl.Float64, "y": pl.Float64})
    assert frame.rows() == [("F", 1000.0, 2.0), ("N", 10.0, 0.5)]


def test_every_bad_row_is_named_by_file_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "code,x\nF,100\nQ,10\nS,many\nX,inf\nF,12\n")
    with pytest.raises(ContextRefused) as refused:
        read_context(path, "code", ["x"], UNITS, "TST")
    assert refused.value.problems == [
        f"{path}, row 3, code: 'Q' is not a unit of TST",
        f"{path}, row 4, x: 'many' is not a number",
        f"{path}, row 5, x: 'inf' is not a number",
        f"{path}, row 6, code: 'F' is also in row 2",
    ]


def test_missing_columns_are_named_with_the_columns_there_are(tmp_path: Path) -> None:
    path = write(tmp_path, "code,x\nF,100\n")
    with pytest.raises(ContextRefused) as refused:
        read_context(path, "unit", ["x", "y"], UNITS, "TST")
    assert refused.value.problems == [
        f"{path}: no column 'unit'",
        f"{path}: no column 'y'",
        f"{path}: the columns are code, x",
    ]


def test_a_file_that_is_not_a_table_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError):
        read_context(tmp_path / "missing.csv", "code", ["x"], UNITS, "TST")
