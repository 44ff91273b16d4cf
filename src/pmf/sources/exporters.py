"""Write scorecards and tables out as CSV or JSON, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    # Only named in annotations: ``pmf stats`` neutralises its output with no assessment loaded.
    from pmf.core.scorecard import Scorecard

# A cell starting with one of these is run as a formula by Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number such as -1.5 or +2e3 is data, not a formula, and stays as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# For Polars (Rust's regex): text starting with one of FORMULA_STARTS, in one pass.
_FORMULA_START = r"^[=+\-@\t\r]"
# _PLAIN_NUMBER with ASCII digits only, for Polars: every text it matches, _PLAIN_NUMBER matches.
_PLAIN_ASCII_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def neutralise(value: Any) -> Any:
    """Return text that a spreadsheet shows as text, never runs as a formula.

    Numbers pass through unchanged; text that starts like a formula gets a leading
    apostrophe (OWASP's advice for CSV injection).

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise(-1.5), neutralise("-1.5")
    (-1.5, '-1.5')
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def neutralise_column(column: pl.Series) -> pl.Series:
    """Return a text column with each cell as ``neutralise`` returns it, a whole column at once.

    Polars finds the cells that start like a formula and are not a plain ASCII number (none,
    in most columns); ``neutralise`` itself decides each distinct one of those, so the result
    is the same cell for cell, nulls included, as ``column.map_elements(neutralise)``.

    >>> import polars as pl
    >>> neutralise_column(pl.Series(["=1+2", "-1.5", "a", None, "@x"])).to_list()
    ["'=1+2", '-1.5', 'a', None, "'@x"]
    """
    # Eager, one step at a time: the second pattern runs only on the few cells the first finds.
    starting = column.filter(column.str.contains(_FORMULA_START))
    suspects = starting.filter(~starting.str.contains(_PLAIN_ASCII_NUMBER)).unique().to_list()
    changed = {cell: neutralise(cell) for cell in suspects}
    changed = {cell: safe for cell, safe in changed.items() if safe != cell}
    if not changed:
        return column
    return column.replace(changed)


def write_scorecard(scorecard: Scorecard, path: Path) -> None:
    """Write the scorecard's rows to ``path``; the suffix (.csv or .json) picks the format."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_text(scorecard_csv(scorecard), encoding="utf-8")
    elif suffix == ".json":
        path.write_text(scorecard_json(scorecard), encoding="utf-8")
    else:
        raise ValueError(f"--output {path}: use a .csv or .json file name")


def scorecard_csv(scorecard: Scorecard) -> str:
    """Return the scorecard as CSV text, one row per measure, formulas neutralised."""
    rows = [row.as_dict() for row in scorecard.rows()]
    buffer = io.StringIO()
    fields = ["organisation", "unit", *(rows[0].keys() if rows else ["measure"])]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        record = {"organisation": scorecard.organisation, "unit": scorecard.unit, **row}
        writer.writerow({key: neutralise(value) for key, value in record.items()})
    return buffer.getvalue()


def scorecard_json(scorecard: Scorecard) -> str:
    """Return the scorecard as JSON: the unit, its areas and their measures."""
    document = {
        "organisation": scorecard.organisation,
        "unit": scorecard.unit,
        "unit_name": scorecard.unit_name,
        "as_at": scorecard.as_at,
        "areas": [
            {
                "code": section.code,
                "title": section.title,
                "measures": [row.as_dict() for row in section.rows],
            }
            for section in scorecard.sections
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
