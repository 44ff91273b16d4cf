"""Read CSV and XLSX files into a frame of text cells, refusing what cannot be read safely.

Every cell comes back as text (or null when empty) so that the importer can
report a bad value exactly as the user typed it. Rows are numbered as a
spreadsheet shows them: the header is row 1, the first figure row 2.

CSV and XLSX are read alike: a header naming a column twice (once trimmed and
case-folded, as the importer matches names) is refused, an empty heading over an
empty column is dropped, and fully blank rows are left out. A CSV file may be
UTF-8 or UTF-16 (with or without a byte-order mark), end its lines in LF, CRLF
or CR, and separate its fields with commas, or with semicolons, tabs or bars
when its header has no comma.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pmf.core.i18n import gettext as _
from pmf.core.text import format_bytes

# Far above any real return, far below what would exhaust memory on a laptop.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200
# A workbook is a handful of parts per sheet; tens of thousands is a zip bomb of many members.
MAX_XLSX_MEMBERS = 10_000
ROW_NUMBER = "__row__"
# Fields are separated by commas; a header without one is read with the first of these it has.
OTHER_DELIMITERS = (";", "\t", "|")
# Text with this share of zero bytes or more is UTF-16 (every other byte of ASCII text is zero).
UTF16_ZERO_SHARE = 0.25
_BLANK = "\x00blank"  # the name a column with an empty heading has while it is read


class ReadError(ValueError):
    """Raise when a file cannot be read as a table; the message names the file."""


@dataclass(frozen=True)
class Table:
    """A file's header and its cells as text, with the spreadsheet row number of each row."""

    file: str
    columns: list[str]
    frame: pl.DataFrame  # text columns named as in the header, plus ROW_NUMBER
    # False when a row limit stopped the reading before the end of the sheet.
    complete: bool = True
    # What separates the fields of a CSV file: a number such as 1,5 means 1.5 after a ';'.
    delimiter: str = ","


def read_table(
    path: Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    name: str | None = None,
    limit: int | None = None,
) -> Table:
    """Read a CSV or XLSX file by its extension.

    ``name`` is what messages call the file (default: its path; the web pages give the
    uploaded file's own name, never the server's path). ``limit`` stops an XLSX sheet after
    that many rows below the header, the table then marked not ``complete``: a preview reads
    the top of a large workbook without expanding all of it. A CSV is always read whole.

    >>> read_table(Path("missing.csv"))
    Traceback (most recent call last):
    ...
    pmf.sources.readers.ReadError: missing.csv: cannot be read: No such file or directory
    """
    name = name or str(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ReadError(
            _("{file}: cannot be read: {error}").format(file=name, error=error.strerror)
        ) from None
    if size > MAX_FILE_BYTES:
        raise ReadError(
            _(
                "{file}: is {size}, more than the {limit} allowed; split it into smaller files"
            ).format(file=name, size=format_bytes(size), limit=format_bytes(MAX_FILE_BYTES))
        )
    if size == 0:
        raise ReadError(
            _("{file}: is empty; expected a header row and at least one row of figures").format(
                file=name
            )
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet, name, limit)
    if suffix in (".xls", ".ods"):
        raise ReadError(
            _("{file}: {suffix} files are not supported; save it as .xlsx or .csv").format(
                file=name, suffix=suffix
            )
        )
    return read_csv_bytes(path.read_bytes(), name, encoding=encoding)


def read_csv_bytes(raw: bytes, name: str, *, encoding: str | None = None) -> Table:
    """Decode and parse CSV bytes; report the row of a decoding or shape problem.

    Lines may end in LF, CRLF or CR alone; fields may be separated by commas, or by semicolons,
    tabs or bars when the header has no comma. Fully blank rows are left out, as in a workbook.
    """
    # A byte-order mark is not part of the first heading, whatever the encoding given.
    text = _decode(raw, name, encoding).removeprefix("\ufeff")
    # Old Mac files end lines with CR alone, which Polars and csv would read as one long line.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadError(
            _("{file}: is empty; expected a header row and at least one row of figures").format(
                file=name
            )
        )
    zero = text.find("\x00")
    if zero >= 0:
        raise ReadError(
            _(
                "{file}: row {row}: has a zero character (NUL), so it is not a text file in this "
                "encoding; save it as CSV UTF-8, or give its encoding (for example --encoding "
                "utf-16)"
            ).format(file=name, row=text.count(chr(10), 0, zero) + 1)
        )
    delimiter = _delimiter(text)
    header = _header(text, delimiter)
    _check_header(name, header)
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            infer_schema=False,
            has_header=True,
            separator=delimiter,
            raise_if_empty=True,
            new_columns=[column or f"{_BLANK}{index}" for index, column in enumerate(header)]
            if header
            else None,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError):
        # Polars says that the shape is wrong, not where: find the first bad rows the slow way.
        raise ReadError(_shape_problem(text, name, delimiter)) from None
    except pl.exceptions.DuplicateError as error:
        raise ReadError(
            _("{file}: row 1: a column name is used twice ({error})").format(file=name, error=error)
        ) from None
    return _table(name, frame, delimiter)


def _decode(raw: bytes, name: str, encoding: str | None) -> str:
    if encoding:
        try:
            return raw.decode(encoding)
        except LookupError:
            raise ReadError(
                _("{file}: {encoding} is not an encoding Python knows").format(
                    file=name, encoding=repr(encoding)
                )
            ) from None
        except UnicodeDecodeError as error:
            raise _decode_error(raw, name, error, encoding) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" is UTF-16 with a byte-order mark.
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _decode_error(raw, name, error, "UTF-16") from None
    utf16 = _utf16_without_mark(raw)
    if utf16:
        try:
            return raw.decode(utf16)
        except UnicodeDecodeError as error:
            raise _decode_error(
                raw,
                name,
                error,
                _("{encoding} (it has many zero bytes)").format(encoding=utf16.upper()),
            ) from None
    try:
        # utf-8-sig drops the byte-order mark that Excel puts at the start of a UTF-8 CSV.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _decode_error(raw, name, error, "UTF-8") from None


def _utf16_without_mark(raw: bytes) -> str | None:
    """Return utf-16-le or utf-16-be for UTF-16 text saved without its byte-order mark.

    Text of Latin letters in UTF-16 has a zero byte beside every letter: after it in
    little-endian, before it in big-endian. UTF-8 text has none.
    """
    sample = raw[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if not sample or sample.count(0) < UTF16_ZERO_SHARE * len(sample):
        return None
    odd = sample[1::2].count(0)
    even = sample[0::2].count(0)
    return "utf-16-le" if odd >= even else "utf-16-be"


def _decode_error(raw: bytes, name: str, error: UnicodeDecodeError, encoding: str) -> ReadError:
    row = len(re.findall(rb"\r\n|\r|\n", raw[: error.start])) + 1
    byte = raw[error.start : error.start + 1].hex()
    return ReadError(
        _(
            "{file}: row {row}: byte 0x{byte} is not valid {encoding}; save the file as UTF-8, "
            "or give its encoding (for example --encoding cp1252)"
        ).format(file=name, row=row, byte=byte, encoding=encoding)
    )


def _delimiter(text: str) -> str:
    """Return what separates the fields: a comma unless the header has none but has another.

    Spreadsheets set to a European locale write ';' between fields; "Text (Tab delimited)"
    writes tabs. Quoted names are left out of the count: "Crimes; all" is one name.
    """
    first = re.sub(r'"[^"]*"', "", text.lstrip("\n").split("\n", 1)[0])
    if "," in first:
        return ","
    counts = {delimiter: first.count(delimiter) for delimiter in OTHER_DELIMITERS}
    best = max(OTHER_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _header(text: str, delimiter: str) -> list[str]:
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (StopIteration, csv.Error):
        return []
    return [column.strip() for column in header]


def _check_header(name: str, header: list[str]) -> None:
    """Refuse a header that names a column twice, even in another case: the import ignores case."""
    seen: dict[str, str] = {}
    problems: list[str] = []
    for column in header:
        if not column:
            continue
        key = column.casefold()
        if key not in seen:
            seen[key] = column
            continue
        first = seen[key]
        if first == column:
            problems.append(
                _("{file}: row 1: column {column} appears twice; keep one").format(
                    file=name, column=repr(column)
                )
            )
        else:
            problems.append(
                _(
                    "{file}: row 1: columns {first} and {column} differ only in case, and the "
                    "import reads column names without regard to case; keep one, or rename one"
                ).format(file=name, first=repr(first), column=repr(column))
            )
    if problems:
        raise ReadError("\n".join(dict.fromkeys(problems)))


def _shape_problem(text: str, name: str, delimiter: str = ",") -> str:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return _("{file}: is empty; expected a header row and at least one row of figures").format(
            file=name
        )
    problems: list[str] = []
    try:
        for row in reader:
            if row and len(row) != len(header):
                problems.append(
                    _("{file}: row {row}: has {fields} fields but the header has {header}").format(
                        file=name, row=reader.line_num, fields=len(row), header=len(header)
                    )
                )
                if len(problems) == 10:
                    break
    except csv.Error as error:
        problems.append(
            _("{file}: row {row}: {error}").format(file=name, row=reader.line_num, error=error)
        )
    if not problems:
        return _("{file}: is not a CSV table this importer can read").format(file=name)
    return "\n".join(problems)


def _read_xlsx(path: Path, sheet: str | None, name: str, limit: int | None = None) -> Table:
    import openpyxl

    _check_zip(path, name)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ReadError(
            _("{file}: is not a readable .xlsx workbook ({error})").format(
                file=name, error=type(error).__name__
            )
        ) from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ReadError(
                _("{file}: has no sheet {sheet}; it has {sheets}").format(
                    file=name, sheet=repr(sheet), sheets=", ".join(workbook.sheetnames)
                )
            )
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        # A sheet's stated size ("A1:XFD1048576") may be far beyond its cells: openpyxl would
        # pad every row to it. Read each row as long as its own cells instead.
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None:
            raise ReadError(
                _("{file}: the sheet is empty; expected a header row").format(file=name)
            )
        header = [_cell_text(cell) or "" for cell in header_cells]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise ReadError(_("{file}: row 1 is empty; expected a header row").format(file=name))
        width = len(header)
        columns: list[list[str | None]] = [[] for _column in header]
        complete = True
        for row in rows:
            if limit is not None and len(columns[0]) >= limit:
                complete = False
                break
            cells = [_cell_text(cell) for cell in row]
            if any(cells[width:]):
                raise ReadError(
                    _("{file}: row {row}: has values beyond the last header column").format(
                        file=name, row=len(columns[0]) + 2
                    )
                )
            for index in range(width):
                columns[index].append(cells[index] if index < len(cells) else None)
    finally:
        workbook.close()
    _check_header(name, header)
    names = [column or f"{_BLANK}{index}" for index, column in enumerate(header)]
    frame = pl.DataFrame(
        dict(zip(names, columns, strict=True)), schema=dict.fromkeys(names, pl.String)
    )
    return _table(name, frame, complete=complete)


def _check_zip(path: Path, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise ReadError(
            _("{file}: is not an .xlsx workbook (not a zip archive)").format(file=name)
        ) from None
    if len(entries) > MAX_XLSX_MEMBERS:
        raise ReadError(
            _(
                "{file}: holds {parts} parts, more than the {limit} a workbook needs; refused as "
                "a possible zip bomb"
            ).format(file=name, parts=f"{len(entries):,}", limit=f"{MAX_XLSX_MEMBERS:,}")
        )
    expanded = sum(entry.file_size for entry in entries)
    compressed = sum(entry.compress_size for entry in entries) or 1
    if expanded > MAX_XLSX_UNCOMPRESSED or expanded / compressed > MAX_XLSX_RATIO:
        raise ReadError(
            _(
                "{file}: expands to {size} ({ratio} times its size); refused as a possible zip bomb"
            ).format(file=name, size=format_bytes(expanded), ratio=f"{expanded / compressed:.0f}")
        )


def _cell_text(cell: object) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        return str(cell.isoformat())[:10] if _is_midnight(cell) else str(cell.isoformat())
    # Line breaks within a cell are LF, as in a CSV file once read: CR is refused in free text.
    text = str(cell).replace("\r\n", "\n").strip()
    return text or None


def _is_midnight(cell: object) -> bool:
    return all(getattr(cell, part, 0) == 0 for part in ("hour", "minute", "second"))


def _table(name: str, frame: pl.DataFrame, delimiter: str = ",", *, complete: bool = True) -> Table:
    # A heading of spaces alone has no name, as an empty one has.
    columns = [column.strip() or f"{_BLANK}{index}" for index, column in enumerate(frame.columns)]
    _check_header(name, [column for column in columns if not column.startswith(_BLANK)])
    frame = frame.rename(dict(zip(frame.columns, columns, strict=True)))
    frame = frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    frame = frame.with_row_index(ROW_NUMBER, offset=2)
    for position, column in enumerate(columns, start=1):
        if not column.startswith(_BLANK):
            continue
        used = frame.filter(pl.col(column).is_not_null())
        if used.height:
            raise ReadError(
                _(
                    "{file}: row 1: column {position} has no name, but row {row} has a value in "
                    "it; give the column a name"
                ).format(file=name, position=position, row=used[ROW_NUMBER][0])
            )
        # A heading left empty over an empty column (a trailing comma) holds nothing: drop it.
        frame = frame.drop(column)
    columns = [column for column in columns if not column.startswith(_BLANK)]
    if not columns:
        raise ReadError(_("{file}: row 1 is empty; expected a header row").format(file=name))
    # Blank rows hold nothing, in a CSV file as in a workbook (Excel leaves them at the end of
    # many sheets): leave them out rather than report each of their cells as empty.
    frame = frame.filter(pl.any_horizontal(pl.col(column).is_not_null() for column in columns))
    if frame.height == 0:
        raise ReadError(_("{file}: has a header row but no rows of figures").format(file=name))
    return Table(name, columns, frame, complete=complete, delimiter=delimiter)
