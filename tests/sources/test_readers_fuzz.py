"""Any file, however broken, is read or refused with a message naming it; never a traceback.

The readers and the import's checks are fed arbitrary bytes, arbitrary CSV text built from
the pieces real files are made of, and workbooks of arbitrary cells. Each either gives a
result or raises ``ReadError`` / ``MappingError`` (both ``ValueError``) whose message names
the file; the checks report bad rows as problems naming the row and the column.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmf.core.framework import load_framework
from pmf.sources.importer import MappingError, check_table
from pmf.sources.readers import MAX_XLSX_MEMBERS, ReadError, read_csv_bytes, read_table
from tests.factories import GOOD

FRAMEWORK = load_framework(GOOD)
NAME = "upload.csv"

# The pieces CSV files of figures are made of, right and wrong.
HEADERS = ["unit", "measure", "period", "value", "numerator", "denominator", "note", "", "unit"]
CELLS = st.one_of(
    st.sampled_from(["N", "S", "F", "X", "ZZ", "ER", "CR", "BAD", "2019-07", "2019-13", "Q5"]),
    st.sampled_from(["81", "-1", "1e309", "nan", "=1+1", "@SUM(A1)", '"', '""', "\t", "\r"]),
    st.text(max_size=8),
)
SEPARATORS = st.sampled_from([",", ";", "\t", ",,"])
LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r", ""])


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=7))
    rows = draw(st.lists(st.lists(CELLS, max_size=8), max_size=6))
    separator = draw(SEPARATORS)
    end = draw(LINE_ENDS)
    return end.join(separator.join(row) for row in [header, *rows]) + draw(LINE_ENDS)


def read_and_check(raw: bytes, name: str = NAME) -> None:
    """Read and check ``raw`` as the import does; let only the expected refusals through."""
    try:
        table = read_csv_bytes(raw, name)
    except ReadError as error:
        assert str(error).startswith(name), error
        return
    try:
        result = check_table(table, FRAMEWORK, source=name)
    except MappingError as error:
        assert name in str(error) or str(error).startswith("layout"), error
        return
    for problem in result.problems:
        assert problem.row >= 0 and problem.reason, problem


@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_naming_the_file(raw: bytes) -> None:
    read_and_check(raw)


@given(csv_texts(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_any_csv_of_figures_is_checked_or_refused_naming_the_file(text: str, codec: str) -> None:
    read_and_check(text.encode(codec, errors="replace"))


cell_values = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["N", "ER", "2019-07", "=1+1", "81", ""]),
    # openpyxl refuses control characters itself; a workbook cannot hold them.
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=8),
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell_values, max_size=6), min_size=0, max_size=6))
def test_any_cells_of_a_workbook_are_read_and_checked_or_refused(rows: list[list]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figures.xlsx"
        workbook.save(path)
        try:
            table = read_table(path)
        except ReadError as error:
            assert str(error).startswith(str(path)), error
            return
    try:
        result = check_table(table, FRAMEWORK, source="figures.xlsx")
    except MappingError as error:
        assert "figures.xlsx" in str(error) or str(path) in str(error), error
        return
    assert all(problem.reason for problem in result.problems)


@given(st.binary(max_size=300))
def test_any_bytes_named_xlsx_are_refused_naming_the_file(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figures.xlsx"
        path.write_bytes(raw)
        with pytest.raises(ReadError) as refused:
            read_table(path)
        assert str(refused.value).startswith(str(path))


def test_a_workbook_of_too_many_parts_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(MAX_XLSX_MEMBERS + 1):
            archive.writestr(f"xl/part{number}.xml", b"")
    with pytest.raises(ReadError, match=r"holds 10,001 parts.*possible zip bomb"):
        read_table(path)


def test_a_workbook_expanding_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (5 * 1024 * 1024))
    with pytest.raises(ReadError, match=r"bomb\.xlsx: expands to 5 MiB .*possible zip bomb"):
        read_table(path)
