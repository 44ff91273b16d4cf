from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from pmf.sources import readers
from pmf.sources.readers import ROW_NUMBER, ReadError, read_table


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_csv_cells_are_text_with_spreadsheet_row_numbers(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "a.csv", b"unit,value\nN, 1.5 \nS,\n"))
    assert table.columns == ["unit", "value"]
    assert table.frame["value"].to_list() == ["1.5", None]
    assert table.frame[ROW_NUMBER].to_list() == [2, 3]


def test_utf8_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "bom.csv", "\ufeffunit,value\nN,1\n".encode()))
    assert table.columns == ["unit", "value"]


def test_utf16_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "u16.csv", "unit,value\nN,1\n".encode("utf-16")))
    assert table.frame["unit"].to_list() == ["N"]


def test_wrong_encoding_names_the_row_and_the_way_out(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", "unit,value\nN,1\nCaf\u00e9,2\n".encode("latin-1"))
    with pytest.raises(ReadError) as caught:
        read_table(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: row 3: byte 0xe9 is not valid UTF-8")
    assert "--encoding cp1252" in message
    assert read_table(path, encoding="cp1252").frame["unit"].to_list() == ["N", "Café"]


def test_unknown_encoding_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="'klingon' is not an encoding"):
        read_table(write(tmp_path, "a.csv", b"unit\nN\n"), encoding="klingon")


def test_row_with_extra_fields_is_reported_with_its_row(tmp_path: Path) -> None:
    path = write(tmp_path, "ragged.csv", b"unit,value\nN,1\nS,2,3\n")
    with pytest.raises(ReadError, match=r"row 3: has 3 fields but the header has 2"):
        read_table(path)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="is empty"):
        read_table(write(tmp_path, "empty.csv", b""))
    with pytest.raises(ReadError, match="is empty"):
        read_table(write(tmp_path, "blank.csv", b"\n\n"))


def test_header_without_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no rows of figures"):
        read_table(write(tmp_path, "header.csv", b"unit,value\n"))


def test_huge_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 10)
    with pytest.raises(ReadError, match="more than the"):
        read_table(write(tmp_path, "big.csv", b"unit,value\nN,1\nS,2\n"))


def test_xlsx_is_read_with_numbers_as_text(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["unit", "period", "value"])
    sheet.append(["N", "2019-07", 12.0])
    sheet.append([None, None, None])
    sheet.append(["S", "2019-07", 3.25])
    path = tmp_path / "figures.xlsx"
    workbook.save(path)
    table = read_table(path)
    assert table.frame["value"].to_list() == ["12", "3.25"]
    assert table.frame[ROW_NUMBER].to_list() == [2, 4]


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["unit"])
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    with pytest.raises(ReadError, match="has no sheet 'Data'; it has Sheet"):
        read_table(path, sheet="Data")


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    with pytest.raises(ReadError, match="possible zip bomb"):
        read_table(path)


def test_not_a_workbook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="not a zip archive"):
        read_table(write(tmp_path, "fake.xlsx", b"unit,value\n"))


def test_old_excel_format_is_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"save it as \.xlsx or \.csv"):
        read_table(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0"))


# --------------------------------------------------------------------------------------------
# A row limit: a preview reads the top of a large, expanding workbook only
# --------------------------------------------------------------------------------------------


def test_a_limited_read_of_a_200k_row_workbook_stops_at_the_limit(tmp_path: Path) -> None:
    from tests.sources.workbooks import BAD_LAST_ROW, figures, write_workbook

    path = write_workbook(tmp_path / "big.xlsx", figures(200_000), BAD_LAST_ROW)
    table = read_table(path, limit=21)
    # The last row would be an error: the read never got there.
    assert (table.frame.height, table.complete) == (21, False)
    assert table.frame[ROW_NUMBER].to_list()[-1] == 22
    assert table.columns == ["unit", "measure", "period", "value"]


def test_an_unlimited_read_reaches_the_last_row(tmp_path: Path) -> None:
    from tests.sources.workbooks import BAD_LAST_ROW, figures, write_workbook

    path = write_workbook(tmp_path / "small.xlsx", figures(30), BAD_LAST_ROW)
    with pytest.raises(ReadError, match="row 32: has values beyond the last header column"):
        read_table(path)
    with pytest.raises(ReadError, match="row 32"):
        read_table(path, limit=31)
    assert read_table(path, limit=30).complete is False


def test_a_workbook_read_to_its_end_under_the_limit_is_complete(tmp_path: Path) -> None:
    from tests.sources.workbooks import figures, write_workbook

    path = write_workbook(tmp_path / "small.xlsx", figures(9), figures(1)[0])
    table = read_table(path, limit=10)
    assert (table.frame.height, table.complete) == (10, True)


def test_messages_call_the_file_by_the_name_given(tmp_path: Path) -> None:
    broken = write(tmp_path, "3f2a9c.xlsx", b"not a zip")
    with pytest.raises(ReadError) as refused:
        read_table(broken, name="figures for May.xlsx")
    assert str(refused.value).startswith("figures for May.xlsx: ")
    assert str(tmp_path) not in str(refused.value)
