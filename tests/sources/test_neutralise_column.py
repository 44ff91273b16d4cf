"""A whole text column neutralised at once gives the same cells as ``neutralise`` on each."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from pmf.sources.exporters import FORMULA_STARTS, neutralise, neutralise_column

AWKWARD = [
    "=SUM(A1:A2)",
    "+1",
    "-1.5",
    "-1.5e3",
    "+.5",
    "-.",
    "-",
    "+",
    "@",
    "=",
    "\t",
    "\r",
    "\tx",
    "\r\n=1",
    "-1.5\n",
    "-1,5",
    "- 1",
    "-١٢",  # Arabic-Indic digits: a plain number to Python's \d, so left as it is
    "-٣.5",
    "+𝟙",  # a mathematical digit, also \d
    "-1e",
    "-e5",
    "'=already",
    " =spaced",
    "plain",
    "",
    None,
    "=A1",  # twice: each copy the same
    "=A1",
]

# Text built from the characters that decide the outcome, and any others.
cells = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list("=+-@\t\r\n.eE0123456789١٣𝟙 ax'")), max_size=8),
    st.text(max_size=6),
)


def per_cell(values: list[str | None]) -> list[str | None]:
    return [None if value is None else neutralise(value) for value in values]


def test_awkward_cells_are_neutralised_as_one_by_one() -> None:
    column = pl.Series("c", AWKWARD, dtype=pl.String)
    assert neutralise_column(column).to_list() == per_cell(AWKWARD)
    assert neutralise_column(column).name == "c"


def test_a_column_with_no_formula_is_returned_as_it_is() -> None:
    column = pl.Series("c", ["a", "b", None, "-2"])
    assert neutralise_column(column).to_list() == ["a", "b", None, "-2"]


def test_every_formula_start_is_covered() -> None:
    column = pl.Series("c", [f"{start}x" for start in FORMULA_STARTS])
    assert neutralise_column(column).to_list() == [f"'{start}x" for start in FORMULA_STARTS]


@given(st.lists(cells, max_size=30))
def test_any_column_is_neutralised_as_one_by_one(values: list[str | None]) -> None:
    column = pl.Series("c", values, dtype=pl.String)
    assert neutralise_column(column).to_list() == per_cell(values)
