"""Formulas of calculated measures are read, evaluated, split into terms and ordered."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf.core.formula import (
    FormulaCycleError,
    FormulaError,
    Ratio,
    Term,
    calculation_order,
    dependents,
    find_cycle,
    parse_formula,
)


def test_inputs_are_the_codes_named_in_order_of_first_use() -> None:
    formula = parse_formula("(VWI + ROBBERY) / POP * 1000 + VWI")
    assert formula.inputs == ("VWI", "ROBBERY", "POP")


def test_multiplication_binds_tighter_than_addition() -> None:
    assert parse_formula("A + B * C").evaluate({"A": 1, "B": 2, "C": 3}) == 7.0
    assert parse_formula("(A + B) * C").evaluate({"A": 1, "B": 2, "C": 3}) == 9.0


def test_subtraction_and_division_go_left_to_right() -> None:
    assert parse_formula("A - B - C").evaluate({"A": 10, "B": 3, "C": 2}) == 5.0
    assert parse_formula("A / B / C").evaluate({"A": 12, "B": 3, "C": 2}) == 2.0


def test_a_leading_minus_negates() -> None:
    assert parse_formula("-A + B").evaluate({"A": 3, "B": 5}) == 2.0
    assert parse_formula("A * -B").evaluate({"A": 3, "B": 5}) == -15.0
    assert parse_formula("--A").evaluate({"A": 3}) == 3.0


def test_numbers_with_decimals_are_constants() -> None:
    formula = parse_formula("A * 0.5 + .25")
    assert formula.inputs == ("A",)
    assert formula.evaluate({"A": 3}) == 1.75


def test_codes_may_hold_dots_underscores_hyphens_and_start_with_a_digit() -> None:
    formula = parse_formula("HIGH-HARM.A + 2024_CRIMES")
    assert formula.inputs == ("HIGH-HARM.A", "2024_CRIMES")


def test_a_minus_without_spaces_between_codes_is_part_of_the_code() -> None:
    assert parse_formula("A-B").inputs == ("A-B",)
    assert parse_formula("A - B").inputs == ("A", "B")


def test_a_missing_input_value_leaves_the_formula_without_a_value() -> None:
    formula = parse_formula("A + B")
    assert formula.evaluate({"A": 1}) is None
    assert formula.evaluate({"A": 1, "B": None}) is None
    assert formula.evaluate({"A": 1, "B": math.nan}) is None


def test_division_by_zero_leaves_the_formula_without_a_value() -> None:
    assert parse_formula("A / (B - C)").evaluate({"A": 1, "B": 2, "C": 2}) is None


def test_an_overflowing_result_has_no_value() -> None:
    assert parse_formula("A * A").evaluate({"A": 1e200}) is None


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "the formula is empty", 0),
        ("   ", "the formula is empty", 0),
        ("A +", "the formula ends where", 3),
        ("A + * B", "'*' cannot come here", 4),
        ("(A + B", "a '(' is not closed", 6),
        ("A + B)", "')' closes no '('", 5),
        ("A B", "'B' cannot come here: an operator", 2),
        ("A ^ 2", "'^' is not allowed", 2),
        ("A % B", "'%' is not allowed", 2),
        ("2 * 3", "names no measure", 0),
        ("()", "')' cannot come here", 1),
    ],
)
def test_a_formula_that_cannot_be_read_says_where_and_why(
    text: str, message: str, position: int
) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert message in caught.value.message
    assert caught.value.position == position
    assert f"character {position + 1}" in str(caught.value)


def test_deep_nesting_is_refused_rather_than_exhausting_the_stack() -> None:
    with pytest.raises(FormulaError, match="nests deeper"):
        parse_formula("(" * 200 + "A" + ")" * 200)
    with pytest.raises(FormulaError, match="nests deeper"):
        parse_formula("-" * 200 + "A")


def test_a_very_long_formula_is_refused() -> None:
    with pytest.raises(FormulaError, match="longer than"):
        parse_formula(" + ".join(["A"] * 1000))


def test_terms_of_a_signed_sum_carry_their_signs() -> None:
    formula = parse_formula("VWI + ROBBERY - (SEXUAL - OTHER)")
    assert formula.terms() == (
        Term("VWI", 1),
        Term("ROBBERY", 1),
        Term("SEXUAL", -1),
        Term("OTHER", 1),
    )
    assert parse_formula("-A + B").terms() == (Term("A", -1), Term("B", 1))


@pytest.mark.parametrize("text", ["A / B", "A * 2", "A + 1", "A + B * C", "A + A"])
def test_a_formula_that_is_not_a_signed_sum_of_measures_has_no_terms(text: str) -> None:
    assert parse_formula(text).terms() is None


def test_terms_add_up_to_the_value() -> None:
    formula = parse_formula("A - (B + C) + D")
    values = {"A": 10.0, "B": 2.0, "C": 3.5, "D": 1.25}
    terms = formula.terms()
    assert terms is not None
    assert sum(term.sign * values[term.code] for term in terms) == formula.evaluate(values)


@pytest.mark.parametrize(
    ("text", "ratio"),
    [
        ("A / B", Ratio("A", "B", 1.0)),
        ("A / B * 100", Ratio("A", "B", 100.0)),
        ("100 * A / B", Ratio("A", "B", 100.0)),
        ("A * 1000 / B", Ratio("A", "B", 1000.0)),
        ("(A / B) * 100", Ratio("A", "B", 100.0)),
    ],
)
def test_a_ratio_of_two_measures_is_recognised(text: str, ratio: Ratio) -> None:
    assert parse_formula(text).ratio() == ratio


@pytest.mark.parametrize("text", ["A + B", "(A + B) / C", "A / B / C", "A * B"])
def test_other_formulas_are_not_ratios_of_two_measures(text: str) -> None:
    assert parse_formula(text).ratio() is None


def test_render_writes_names_and_only_the_brackets_needed() -> None:
    formula = parse_formula("((A)+(B))  *2 - (C - D)")
    assert formula.render() == "(A + B) × 2 − (C − D)"
    assert parse_formula("A / (B / C)").render() == "A ÷ (B ÷ C)"
    assert parse_formula("-(A + B)").render({"A": "x"}) == "−(x + B)"
    assert parse_formula("A * 0.5").render() == "A × 0.5"


def test_str_is_the_formula_as_written_without_outer_space() -> None:
    assert str(parse_formula("  A + B ")) == "A + B"


def test_calculation_order_puts_each_measure_after_those_it_uses() -> None:
    formulas = {
        "TOTAL": parse_formula("PART_A + PART_B"),
        "PART_B": parse_formula("X * 2"),
        "RATE": parse_formula("TOTAL / POP * 1000"),
        "PART_A": parse_formula("Y + Z"),
    }
    assert calculation_order(formulas) == ("PART_A", "PART_B", "TOTAL", "RATE")


def test_a_circle_of_formulas_is_named() -> None:
    formulas = {
        "A": parse_formula("B + 1"),
        "B": parse_formula("C * 2"),
        "C": parse_formula("A - X"),
        "D": parse_formula("X"),
    }
    assert find_cycle(formulas) == ("A", "B", "C", "A")
    with pytest.raises(FormulaCycleError) as caught:
        calculation_order(formulas)
    assert caught.value.cycle == ("A", "B", "C", "A")
    assert "A → B → C → A" in str(caught.value)


def test_a_formula_using_itself_is_a_circle() -> None:
    assert find_cycle({"A": parse_formula("A + 1")}) == ("A", "A")


def test_no_circle_among_shared_inputs() -> None:
    formulas = {
        "A": parse_formula("B + C"),
        "B": parse_formula("D"),
        "C": parse_formula("D"),
        "D": parse_formula("X"),
    }
    assert find_cycle(formulas) is None


def test_dependents_reach_through_calculated_measures_in_order() -> None:
    formulas = {
        "RATE": parse_formula("TOTAL / POP"),
        "TOTAL": parse_formula("A + B"),
        "OTHER": parse_formula("C"),
    }
    assert dependents(formulas, ["A"]) == ("TOTAL", "RATE")
    assert dependents(formulas, ["POP"]) == ("RATE",)
    assert dependents(formulas, ["Z"]) == ()


codes = st.sampled_from(["A", "B", "C", "D"])
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def formulas(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.booleans()):
        return draw(st.one_of(codes, st.integers(0, 99).map(str)))
    operator = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({draw(formulas(depth + 1))} {operator} {draw(formulas(depth + 1))})"


@given(formulas(), st.fixed_dictionaries({c: values for c in "ABCD"}))
def test_a_formula_evaluates_as_python_evaluates_the_same_arithmetic(
    text: str, numbers: dict[str, float]
) -> None:
    try:
        formula = parse_formula(text)
    except FormulaError:
        return  # only constants
    try:
        expected: float | None = eval(text, {}, dict(numbers))  # generated arithmetic only
    except (ZeroDivisionError, OverflowError):
        expected = None
    if expected is not None and not math.isfinite(expected):
        expected = None
    assert formula.evaluate(numbers) == expected


@given(formulas())
def test_rendering_reads_back_to_the_same_value(text: str) -> None:
    try:
        formula = parse_formula(text)
    except FormulaError:
        return
    rendered = formula.render().replace("×", "*").replace("÷", "/").replace("−", "-")
    numbers = {"A": 3.0, "B": -7.0, "C": 11.0, "D": 0.5}
    assert parse_formula(rendered).evaluate(numbers) == formula.evaluate(numbers)
