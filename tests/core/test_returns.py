"""Statutory returns in the framework file, and the check of a return's figures (pmf.core)."""

from __future__ import annotations

import pytest

from pmf.core.framework import Framework, FrameworkError, load_framework
from pmf.core.periods import parse_period
from pmf.core.returns import HeldObservation, check, plan, return_period
from tests.factories import GOOD

RETURN = """\
returns:
  - code: CRIMES
    name: Crimes return
    template: crimes.csv
    frequency: month
    period_cell: B1
    rules: {whole: true, min: 0}
    columns:
      - {column: B, measure: CR, part: numerator}
      - {column: c, measure: CR, part: numerator, period: same_period_last_year}
    rows:
      - {row: 3, unit: N}
      - {row: 4, unit: S}
    cells:
      - {cell: E1, measure: ER, unit: F, whole: false, max: 100}
"""


def framework(extra: str = RETURN) -> Framework:
    return load_framework(GOOD + extra)


def observation(
    value: float | None, numerator: float | None = None, status: str = "validated"
) -> HeldObservation:
    return HeldObservation(value, numerator, 1000.0, status)


def test_a_table_of_rows_by_columns_and_single_cells_are_planned_with_their_periods() -> None:
    definition = framework().return_("CRIMES")
    cells = plan(definition, parse_period("2019-07"))
    assert [(c.address, c.unit, c.measure, c.period, c.part) for c in cells] == [
        ("E1", "F", "ER", "2019-07", "value"),
        ("B3", "N", "CR", "2019-07", "numerator"),
        ("C3", "N", "CR", "2018-07", "numerator"),
        ("B4", "S", "CR", "2019-07", "numerator"),
        ("C4", "S", "CR", "2018-07", "numerator"),
    ]
    # The return's rules apply to every cell; a cell's own rules override them field by field.
    assert cells[0].rules.whole is False and cells[0].rules.maximum == 100
    assert cells[0].rules.minimum == 0
    assert cells[1].rules.whole is True


def test_every_cell_filled_with_validated_figures_within_the_rules_is_ready() -> None:
    found = framework()
    held = {
        ("F", "ER", "2019-07"): observation(81.25),
        ("N", "CR", "2019-07"): observation(6.0, 6),
        ("N", "CR", "2018-07"): observation(8.0, 8),
        ("S", "CR", "2019-07"): observation(4.0, 4),
        ("S", "CR", "2018-07"): observation(4.0, 4, "signed_off"),
    }
    result = check(found.model, found.return_("CRIMES"), parse_period("2019-07"), held)
    assert result.ready and result.problems == ()
    # ER's one decimal place (the measure's), the counts whole.
    assert [filled.text for filled in result.cells] == ["81.2", "6", "8", "4", "4"]


def test_each_problem_names_its_cell_measure_unit_and_period() -> None:
    found = framework()
    held = {
        ("F", "ER", "2019-07"): observation(120.0),
        ("N", "CR", "2019-07"): observation(6.0, 6, "provisional"),
        ("N", "CR", "2018-07"): observation(8.0, 7.5),
        ("S", "CR", "2019-07"): observation(4.0, None),
        ("S", "CR", "2018-07"): observation(4.0, -1),
    }
    result = check(found.model, found.return_("CRIMES"), parse_period("2019-07"), held)
    assert not result.ready
    assert result.problems == (
        "E1 (ER, F, 2019-07): 120 is above the return's maximum, 100",
        "B3 (CR, N, 2019-07): the figure is provisional; the return needs validated figures",
        "C3 (CR, N, 2018-07): 7.5 is not a whole number; the return takes whole numbers only",
        "B4 (CR, S, 2019-07): the figure has no numerator",
        "C4 (CR, S, 2018-07): -1 is below the return's minimum, 0",
    )


def test_a_missing_figure_is_a_problem_and_a_scope_leaves_out_other_units_cells() -> None:
    found = framework()
    result = check(found.model, found.return_("CRIMES"), parse_period("2019-07"), {}, scope={"N"})
    assert [filled.cell.address for filled in result.cells] == ["B3", "C3"]
    assert result.problems == (
        "B3 (CR, N, 2019-07): no figure",
        "C3 (CR, N, 2018-07): no figure",
    )


def test_a_return_that_asks_for_signed_off_figures_refuses_validated_ones() -> None:
    found = framework(
        RETURN.replace("frequency: month\n", "frequency: month\n    status: signed_off\n")
    )
    held = {("F", "ER", "2019-07"): observation(90.0)}
    result = check(found.model, found.return_("CRIMES"), parse_period("2019-07"), held)
    assert "E1 (ER, F, 2019-07): the figure is validated; the return needs signed off figures" in (
        result.problems
    )


def test_a_period_of_another_kind_is_refused_naming_the_return() -> None:
    with pytest.raises(
        ValueError, match="'2019/20' is a financial year; return CRIMES is made by month"
    ):
        return_period(framework().return_("CRIMES"), "2019/20")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("unit: N}", "unit: NOPE}"), "returns[0].rows[0].unit: 'NOPE' is not a unit in this file"),
        (("measure: ER,", "measure: XX,"), "returns[0].cells[0].measure: 'XX' is not a measure"),
        (("cell: E1", "cell: B3"), "B3 is filled twice in this return"),
        (("period_cell: B1", "period_cell: E1"), "E1 is filled twice in this return"),
        (("unit: F, whole", "whole"), "returns[0].cells[0].unit: is required"),
        (("cell: E1", "cell: 1E"), "returns[0].cells[0].cell"),
        (("template: crimes.csv", "template: crimes.ods"), "returns[0].template"),
    ],
)
def test_a_bad_return_is_a_framework_error_naming_the_field(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(FrameworkError) as raised:
        framework(RETURN.replace(*change))
    assert message in str(raised.value)


def test_a_measure_of_another_frequency_is_refused() -> None:
    text = RETURN.replace("frequency: month", "frequency: financial_year")
    with pytest.raises(FrameworkError) as raised:
        framework(text)
    assert "CR is reported by month, but return CRIMES is made by financial year" in str(
        raised.value
    )


def test_rows_without_columns_and_a_sheet_for_a_csv_are_refused() -> None:
    columns = (
        "    columns:\n"
        "      - {column: B, measure: CR, part: numerator}\n"
        "      - {column: c, measure: CR, part: numerator, period: same_period_last_year}\n"
    )
    assert columns in RETURN
    with pytest.raises(FrameworkError, match="rows and columns go together"):
        framework(RETURN.replace(columns, ""))
    with pytest.raises(FrameworkError, match="sheet is for an XLSX template only"):
        framework(RETURN.replace("frequency: month\n", "frequency: month\n    sheet: Data\n"))
