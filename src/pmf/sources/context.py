"""Read a table of context variables (one row per unit) for computing most similar groups.

Every problem is found, not only the first, and named by file, row and column: a code that
is not one of the organisation's units or appears twice, a value that is not a number.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from pathlib import Path

import polars as pl

from pmf.sources.readers import ROW_NUMBER, Table, read_table


class ContextRefused(ValueError):
    """Raise with every problem of a context table; each names the file, row and column."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_context(
    path: Path,
    unit_column: str,
    variables: Sequence[str],
    units: Collection[str],
    organisation: str,
) -> pl.DataFrame:
    """Read a CSV or XLSX file of context variables and check it; see ``check_context``.

    Raise ``ReadError`` for a file that cannot be read as a table.
    """
    return check_context(read_table(path), unit_column, variables, units, organisation)


def check_context(
    table: Table,
    unit_column: str,
    variables: Sequence[str],
    units: Collection[str],
    organisation: str,
) -> pl.DataFrame:
    """Return a row per unit: its code as ``unit`` and each variable as a number.

    ``units`` are the codes of the organisation's units (``organisation`` is its code, for
    the messages). Numbers may be written with thousands separators (``12,345``). Raise
    ``ContextRefused`` with every problem: a missing column, an unknown or repeated unit
    code, a value that is not a finite number.
    """
    name = table.file
    missing = [column for column in [unit_column, *variables] if column not in table.columns]
    if missing:
        raise ContextRefused(
            [f"{name}: no column {column!r}" for column in missing]
            + [f"{name}: the columns are {', '.join(table.columns)}"]
        )
    problems: list[str] = []
    rows: list[dict[str, object]] = []
    first_row: dict[str, object] = {}
    for row in table.frame.iter_rows(named=True):
        where = f"{name}, row {row[ROW_NUMBER]}"
        code = (row[unit_column] or "").strip()
        if code not in units:
            problems.append(f"{where}, {unit_column}: {code!r} is not a unit of {organisation}")
        elif code in first_row:
            problems.append(f"{where}, {unit_column}: {code!r} is also in row {first_row[code]}")
        first_row.setdefault(code, row[ROW_NUMBER])
        values: dict[str, object] = {"unit": code}
        for variable in variables:
            text = (row[variable] or "").strip().replace(",", "")
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                problems.append(f"{where}, {variable}: {row[variable]!r} is not a number")
            values[variable] = value
        rows.append(values)
    if problems:
        raise ContextRefused(problems)
    return pl.DataFrame(rows, schema={"unit": pl.String, **dict.fromkeys(variables, pl.Float64)})
