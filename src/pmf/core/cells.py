"""Spreadsheet cell addresses (``C7``): their rows and columns, for returns' templates."""

from __future__ import annotations

import re

_CELL = re.compile(r"^([A-Za-z]{1,3})([1-9][0-9]{0,6})$")
# The largest sheet Excel opens: XFD1048576.
MAX_COLUMN = 16_384
MAX_ROW = 1_048_576


def column_number(letters: str) -> int:
    """Return the 1-based number of a spreadsheet column.

    >>> column_number("A"), column_number("Z"), column_number("AA"), column_number("xfd")
    (1, 26, 27, 16384)
    """
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letters(number: int) -> str:
    """Return the letters of the 1-based column ``number``.

    >>> column_letters(1), column_letters(28), column_letters(16384)
    ('A', 'AB', 'XFD')
    """
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def parse_cell(address: str) -> tuple[int, int]:
    """Return the 1-based (row, column) of an A1 address; raise ``ValueError`` otherwise.

    >>> parse_cell("C7"), parse_cell("ab12")
    ((7, 3), (12, 28))
    """
    match = _CELL.match(address)
    if match is None:
        raise ValueError(f"{address!r} is not a cell such as C7")
    row, column = int(match.group(2)), column_number(match.group(1))
    if row > MAX_ROW or column > MAX_COLUMN:
        raise ValueError(f"{address!r} is beyond the last cell of a sheet (XFD1048576)")
    return row, column
