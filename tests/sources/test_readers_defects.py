"""Files that people save in other shapes are read, or refused with a message saying why.

Line endings, delimiters, encodings, repeated or empty headings and blank rows: each
either reads as the same table a plain UTF-8 CSV gives, or says what is wrong and where.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf.core.text import format_bytes
from pmf.sources import readers
from pmf.sources.readers import ROW_NUMBER, ReadError, read_table

PLAIN = "unit,measure,period,value\nN,ER,2019-07,75\nS,ER,2019-07,85\n"


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def workbook(tmp_path: Path, *rows: list[object]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / "figures.xlsx"
    book.save(path)
    return path


def cells(path: Path) -> list[tuple[object, ...]]:
    table = read_table(path)
    return table.frame.select(*table.columns, ROW_NUMBER).rows()


def test_plain_file_is_the_table_every_other_shape_must_read_as(tmp_path: Path) -> None:
    assert cells(write(tmp_path, "plain.csv", PLAIN.encode())) == [
        ("N", "ER", "2019-07", "75", 2),
        ("S", "ER", "2019-07", "85", 3),
    ]


def test_cr_only_line_endings_are_read_as_rows(tmp_path: Path) -> None:
    mac = write(tmp_path, "mac.csv", PLAIN.replace("\n", "\r").encode())
    plain = write(tmp_path, "plain.csv", PLAIN.encode())
    assert cells(mac) == cells(plain)


def test_crlf_line_endings_are_read_as_rows(tmp_path: Path) -> None:
    windows = write(tmp_path, "windows.csv", PLAIN.replace("\n", "\r\n").encode())
    assert cells(windows) == cells(write(tmp_path, "plain.csv", PLAIN.encode()))


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_semicolon_tab_and_bar_delimited_files_are_read(tmp_path: Path, delimiter: str) -> None:
    other = write(tmp_path, "other.csv", PLAIN.replace(",", delimiter).encode())
    table = read_table(other)
    assert table.delimiter == delimiter
    assert cells(other) == cells(write(tmp_path, "plain.csv", PLAIN.encode()))


def test_a_quoted_heading_with_a_comma_does_not_hide_the_semicolons(tmp_path: Path) -> None:
    path = write(tmp_path, "semi.csv", b'unit;"Crimes, all";value\nN;3;1,5\n')
    table = read_table(path)
    assert table.delimiter == ";"
    assert table.columns == ["unit", "Crimes, all", "value"]
    assert table.frame["value"].to_list() == ["1,5"]


def test_a_comma_file_is_still_read_with_commas(tmp_path: Path) -> None:
    path = write(tmp_path, "note.csv", b'unit,value,note\nN,1,"one; two"\n')
    table = read_table(path)
    assert table.delimiter == ","
    assert table.frame["note"].to_list() == ["one; two"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    text = PLAIN.replace("N,", "Nörth,")
    path = write(tmp_path, "u16.csv", text.encode(encoding))
    assert cells(path)[0][0] == "Nörth"
    assert read_table(path).columns == ["unit", "measure", "period", "value"]


def test_utf16_with_byte_order_mark_and_windows_line_endings_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "u16.csv", PLAIN.replace("\n", "\r\n").encode("utf-16"))
    assert cells(path) == cells(write(tmp_path, "plain.csv", PLAIN.encode()))


def test_a_zero_character_in_text_names_its_row_and_the_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "nul.csv", b"unit,value\nN,1\nS,\x002\n")
    with pytest.raises(ReadError) as caught:
        read_table(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: row 3: has a zero character (NUL)")
    assert "save it as CSV UTF-8" in message


def test_the_row_of_a_bad_byte_is_counted_over_cr_only_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", "unit,value\rN,1\rCaf\u00e9,2\r".encode("latin-1"))
    with pytest.raises(ReadError, match=r"latin\.csv: row 3: byte 0xe9 is not valid UTF-8"):
        read_table(path)


def test_a_column_named_twice_says_it_appears_twice(tmp_path: Path) -> None:
    path = write(tmp_path, "twice.csv", b"unit,measure,period,value,value\nN,ER,2019-07,1,2\n")
    with pytest.raises(ReadError) as caught:
        read_table(path)
    assert str(caught.value) == f"{path}: row 1: column 'value' appears twice; keep one"
    assert "duplicated" not in str(caught.value)


def test_columns_differing_only_in_case_are_refused_naming_both(tmp_path: Path) -> None:
    path = write(tmp_path, "case.csv", b"unit,measure,period,value,Unit\nN,ER,2019-07,1,S\n")
    with pytest.raises(ReadError) as caught:
        read_table(path)
    assert str(caught.value).startswith(
        f"{path}: row 1: columns 'unit' and 'Unit' differ only in case"
    )


def test_columns_differing_only_in_spaces_are_named_twice(tmp_path: Path) -> None:
    path = write(tmp_path, "spaces.csv", b"unit,value, unit\nN,1,S\n")
    with pytest.raises(ReadError, match=r"row 1: column 'unit' appears twice"):
        read_table(path)


def test_workbook_headings_are_checked_as_csv_headings_are(tmp_path: Path) -> None:
    twice = workbook(tmp_path, ["unit", "value", "value"], ["N", 1, 2])
    with pytest.raises(ReadError, match=r"row 1: column 'value' appears twice; keep one"):
        read_table(twice)
    case = workbook(tmp_path, ["unit", "value", "UNIT"], ["N", 1, "S"])
    with pytest.raises(ReadError, match=r"columns 'unit' and 'UNIT' differ only in case"):
        read_table(case)


def test_blank_csv_lines_are_left_out_as_blank_workbook_rows_are(tmp_path: Path) -> None:
    text = "unit,value\nN,1\n\n,\n  ,  \nS,2\n\n"
    csv_rows = cells(write(tmp_path, "blank.csv", text.encode()))
    xlsx_rows = cells(
        workbook(tmp_path, ["unit", "value"], ["N", 1], [], [None, None], [" ", " "], ["S", 2])
    )
    # Rows keep the numbers a spreadsheet shows them with: S is on row 6 in both.
    assert csv_rows == xlsx_rows == [("N", "1", 2), ("S", "2", 6)]


def test_a_file_of_blank_rows_has_no_rows_of_figures(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="has a header row but no rows of figures"):
        read_table(write(tmp_path, "blank.csv", b"unit,value\n,\n\n"))


def test_an_empty_heading_over_an_empty_column_is_left_out(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "trailing.csv", b"unit,,value,\nN,,1,\nS,,2,\n"))
    assert table.columns == ["unit", "value"]
    assert sorted(table.frame.columns) == sorted(["unit", "value", ROW_NUMBER])


def test_a_value_under_an_empty_heading_names_the_column_and_row(tmp_path: Path) -> None:
    path = write(tmp_path, "nameless.csv", b"unit,,value\nN,,1\nS,x,2\n")
    with pytest.raises(ReadError) as caught:
        read_table(path)
    assert str(caught.value) == (
        f"{path}: row 1: column 2 has no name, but row 3 has a value in it; give the column a name"
    )
    book = workbook(tmp_path, ["unit", None, "value"], ["N", "x", 1])
    with pytest.raises(ReadError, match="column 2 has no name, but row 2 has a value in it"):
        read_table(book)


def test_the_size_limit_is_shown_in_binary_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert format_bytes(readers.MAX_FILE_BYTES) == "512 MiB"
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1024)
    path = write(tmp_path, "big.csv", b"unit,value\n" + b"N,1\n" * 512)
    with pytest.raises(ReadError) as caught:
        read_table(path)
    assert str(caught.value) == (
        f"{path}: is 2 KiB, more than the 1 KiB allowed; split it into smaller files"
    )


def test_a_byte_order_mark_is_dropped_when_the_encoding_is_given(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + PLAIN.encode())
    assert read_table(path, encoding="utf-8").columns == ["unit", "measure", "period", "value"]


_words = st.text(alphabet="abcXYZ019 éö-.", min_size=1, max_size=8).map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None)
@given(
    header=st.lists(_words, min_size=1, max_size=4, unique_by=str.casefold),
    data=st.data(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]),
)
def test_any_table_reads_back_whatever_the_delimiter_line_ending_and_encoding(
    header: list[str], data: st.DataObject, delimiter: str, ending: str, encoding: str
) -> None:
    rows = data.draw(
        st.lists(
            st.tuples(_words, *[_words | st.just("")] * (len(header) - 1)),
            min_size=1,
            max_size=5,
        )
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=ending)
    writer.writerow(header)
    writer.writerows(rows)
    table = readers.read_csv_bytes(buffer.getvalue().encode(encoding), "any.csv")
    assert table.columns == header
    assert table.frame.select(header).rows() == [
        tuple(cell or None for cell in row) for row in rows
    ]
