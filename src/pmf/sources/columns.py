"""Read the columns of a table that a statistics tool takes: numbers and dates, checked.

The statistics commands (``pmf stats spc``, ``funnel``) read a CSV or XLSX file of their
own layout, not a framework's observations. Each problem is refused with the file, the row
(as a spreadsheet numbers it, the header being row 1), the column and the value.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pmf.core.periods import ParseError, parse_period
from pmf.sources.readers import ROW_NUMBER, read_table


class ColumnRefused(ValueError):
    """Raise with one problem of a statistics tool's table, naming file, row and column."""


def read(path: Path) -> pl.DataFrame:
    """Return the table at ``path`` as text columns with its row numbers.

    Raise ``pmf.sources.readers.ReadError`` for a file that cannot be read as a table.
    """
    return read_table(path).frame


def require(frame: pl.DataFrame, path: Path, columns: list[str]) -> pl.DataFrame:
    """Return ``frame`` when it has every one of ``columns``; refuse naming the first missing.

    >>> require(pl.DataFrame({"a": ["1"]}), Path("in.csv"), ["b"])
    Traceback (most recent call last):
    ...
    pmf.sources.columns.ColumnRefused: in.csv: there is no column 'b'; the columns are a
    """
    for column in columns:
        if column not in frame.columns:
            known = ", ".join(c for c in frame.columns if c != ROW_NUMBER)
            raise ColumnRefused(f"{path}: there is no column {column!r}; the columns are {known}")
    return frame


def numbers(frame: pl.DataFrame, path: Path, column: str) -> pl.Series:
    """Return ``column`` as finite numbers; refuse the first row that is not one."""
    parsed = frame[column].str.strip_chars().cast(pl.Float64, strict=False)
    bad = frame.filter(parsed.is_null() | parsed.is_nan() | parsed.is_infinite())
    if bad.height:
        row, text = bad[ROW_NUMBER][0], bad[column][0]
        shown = "(empty)" if text is None else repr(text)
        raise ColumnRefused(
            f"{path}: row {row}, column {column!r}, value {shown}: is not a number"
            + (f" ({bad.height} such rows)" if bad.height > 1 else "")
        )
    return pl.Series(column, parsed)


def dates(frame: pl.DataFrame, path: Path, column: str) -> pl.Series:
    """Return ``column`` as dates: ISO dates, or any period pmf reads as its first day."""
    texts = frame[column]
    parsed = texts.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    missing = parsed.is_null()
    if missing.any():
        # Not an ISO date: accept any period form (2019-07, 201907, July 2019) as its first day.
        lookup: dict[str, object] = {}
        for text in texts.filter(missing).unique().to_list():
            try:
                lookup[text] = parse_period(text).start if text is not None else None
            except ParseError:
                row = frame.filter(pl.col(column) == text)[ROW_NUMBER][0]
                raise ColumnRefused(
                    f"{path}: row {row}, column {column!r}, value {text!r}: is not a date; "
                    "use YYYY-MM-DD or a period such as 2019-07"
                ) from None
        filled = texts.replace_strict(lookup, default=None, return_dtype=pl.Date)
        parsed = parsed.fill_null(filled)
    if parsed.null_count():
        row = frame.filter(parsed.is_null())[ROW_NUMBER][0]
        raise ColumnRefused(f"{path}: row {row}, column {column!r}: the date is empty")
    return parsed.alias(column)


def refuse_rows(
    frame: pl.DataFrame,
    written: pl.DataFrame,
    path: Path,
    bad: pl.Expr,
    column: str,
    problem: str,
) -> None:
    """Refuse the first row of ``frame`` where ``bad`` holds, quoting it as ``written``."""
    found = frame.filter(bad)
    if found.height:
        row = found[ROW_NUMBER][0]
        value = repr(written[column][row - 2])
        more = f" ({found.height:,} such rows)" if found.height > 1 else ""
        raise ColumnRefused(f"{path}: row {row}, column {column!r}, value {value}: {problem}{more}")
