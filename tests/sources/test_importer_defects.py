"""Rows the store would fail on, or keep wrongly, are refused by the check and named.

What the check passes is what ``store_observations`` stores, so a problem found only at
storing time (a unique constraint, a NOT NULL) would come after a dry run said all was well.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.core.framework import Framework, load_framework
from pmf.sources.importer import (
    MAX_TEXT_CHARS,
    CheckResult,
    MappingError,
    check_table,
)
from pmf.sources.readers import read_table
from tests.factories import GOOD

YEARLY = GOOD.replace(
    "peer_groups:",
    """  - code: SPEND
    name: Spending
    area: PEOPLE
    kind: kpi
    polarity: neither
    unit_of_measure: gbp
    frequency: financial_year
peer_groups:""",
)


@pytest.fixture
def framework() -> Framework:
    return load_framework(GOOD)


def check(tmp_path: Path, framework: Framework, content: str | bytes) -> CheckResult:
    path = tmp_path / "figures.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return check_table(read_table(path), framework)


def reasons(result: CheckResult) -> list[str]:
    return [str(problem) for problem in result.problems]


def test_wide_columns_naming_one_period_twice_are_refused_naming_both(
    tmp_path: Path, framework: Framework
) -> None:
    with pytest.raises(MappingError) as caught:
        check(tmp_path, framework, "unit,measure,202512,2025-12,2026-01\nN,ER,70,71,72\n")
    assert str(caught.value).endswith(
        "figures.csv: row 1: columns '202512' and '2025-12' both name December 2025; keep one, "
        "or leave the others out with --ignore COLUMN"
    )


def test_one_period_twice_in_a_row_by_the_measures_frequency_is_a_repeat(
    tmp_path: Path,
) -> None:
    # As periods of their own, 2011-12 is December 2011 and 2011/12 a financial year; read
    # for a financial-year measure both are 2011/12, so one row gives the same figure twice.
    result = check(
        tmp_path, load_framework(YEARLY), "unit,measure,2011-12,2011/12\nN,SPEND,100,120\n"
    )
    assert reasons(result) == [
        "row 2, column '2011/12', value '2011/12': repeats column '2011-12' of this row: "
        "N SPEND 2011/12 is given twice"
    ]
    assert result.observations.height == 0


def test_repeats_across_rows_still_name_the_first_row(tmp_path: Path, framework: Framework) -> None:
    result = check(tmp_path, framework, "unit,measure,201907\nN,ER,70\nNorth,ER,71\n")
    assert reasons(result) == [
        "row 3, column '201907', value '201907': repeats row 2: N ER 2019-07 is given twice"
    ]


def test_a_ratio_overflowing_to_infinity_is_refused_naming_row_and_field(
    tmp_path: Path, framework: Framework
) -> None:
    result = check(
        tmp_path,
        framework,
        "unit,measure,period,numerator,denominator\n"
        "N,CR,2019-07,1e308,1e-308\n"
        "S,CR,2019-07,1,1e-300\n",
    )
    assert reasons(result) == [
        "row 2, column 'numerator', value '1e308': is too large; pmf takes numbers up to "
        "1,000,000,000,000,000 either side of zero",
        "row 3, column 'numerator', value '1': divided by the denominator (1e-300) and "
        "multiplied by 1,000 gives a value too large to store (more than "
        "1,000,000,000,000,000); check the numerator and the denominator",
    ]


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("role", ["value", "numerator", "denominator"])
def test_a_non_finite_number_is_refused_naming_row_and_field(
    tmp_path: Path, framework: Framework, text: str, role: str
) -> None:
    cells = {"value": "", "numerator": "3", "denominator": "1500", role: text}
    result = check(
        tmp_path,
        framework,
        "unit,measure,period,value,numerator,denominator\n"
        f"N,CR,2019-07,{cells['value']},{cells['numerator']},{cells['denominator']}\n",
    )
    assert f"row 2, column '{role}', value '{text}': is not a finite number" in "\n".join(
        reasons(result)
    )
    assert result.observations.height == 0


def test_every_number_the_check_passes_is_finite_and_within_bounds(tmp_path: Path) -> None:
    # Spending in pounds has no bounds of its own: only the check's limit of 10^15 applies.
    result = check(
        tmp_path,
        load_framework(YEARLY),
        "unit,measure,period,value,numerator,denominator\n"
        "N,CR,2019-07,,999999999999,1\nS,CR,2019-07,,1,1e15\nN,SPEND,2019/20,1e15,,\n",
    )
    assert result.ok
    assert result.observations["value"].is_finite().all()


def test_decimal_commas_in_a_semicolon_file_are_refused_not_misread(
    tmp_path: Path, framework: Framework
) -> None:
    # 1,500 is fifteen hundred with commas between fields, but may be 1.5 with semicolons.
    result = check(
        tmp_path,
        framework,
        "unit;measure;period;value\nN;ER;2019-07;1,500\nS;ER;2019-07;75.5\n",
    )
    assert reasons(result) == [
        "row 2, column 'value', value '1,500': has a comma; in a file with ';' between fields "
        "a comma may be a decimal point or a thousands separator: write 1.5 or 1500, with no comma"
    ]


def test_a_semicolon_file_without_commas_imports(tmp_path: Path, framework: Framework) -> None:
    result = check(tmp_path, framework, "unit;measure;period;value\nN;ER;2019-07;75.5\n")
    assert result.ok
    assert result.observations["value"].to_list() == [75.5]


def test_a_note_longer_than_the_limit_is_refused_showing_only_its_start(
    tmp_path: Path, framework: Framework
) -> None:
    long = "x" * (MAX_TEXT_CHARS + 500)
    result = check(
        tmp_path,
        framework,
        f"unit,measure,period,value,note\nN,ER,2019-07,75,{long}\nS,ER,2019-07,75,"
        f"{'y' * MAX_TEXT_CHARS}\n",
    )
    [problem] = result.problems
    assert (problem.row, problem.column) == (2, "note")
    assert problem.reason == "is 2,500 characters long; a note may have at most 2,000 characters"
    assert problem.value == "x" * 200 + "…"


@pytest.mark.parametrize(
    ("character", "code"),
    [
        ("\u202e", "U+202E"),
        ("\u202a", "U+202A"),
        ("\u2066", "U+2066"),
        ("\u2069", "U+2069"),
        ("\x1b", "U+001B"),
        ("\x07", "U+0007"),
        ("\x85", "U+0085"),
    ],
)
@pytest.mark.parametrize("role", ["note", "source"])
def test_control_and_text_direction_characters_are_refused_in_free_text(
    tmp_path: Path, framework: Framework, character: str, code: str, role: str
) -> None:
    result = check(
        tmp_path,
        framework,
        f"unit,measure,period,value,{role}\nN,ER,2019-07,75,paid {character}01$ late\n",
    )
    [problem] = result.problems
    assert (problem.row, problem.column) == (2, role)
    assert problem.reason.startswith(
        f"holds the control character {code}; a {role} may not hold control or text-direction "
        "characters"
    )


def test_tabs_line_breaks_and_other_scripts_are_kept_in_notes(
    tmp_path: Path, framework: Framework
) -> None:
    note = "Rhif \u05e9\u05dc\u05d5\u05dd\tsecond line\nand a third: café"
    result = check(
        tmp_path,
        framework,
        f'unit,measure,period,value,note\nN,ER,2019-07,75,"{note}"\n'.encode(),
    )
    assert result.ok
    assert result.observations["note"].to_list() == [note]


def test_the_source_given_for_the_file_fills_rows_without_one(
    tmp_path: Path, framework: Framework
) -> None:
    path = tmp_path / "figures.csv"
    path.write_text("unit,measure,period,value,source\nN,ER,2019-07,75,\nS,ER,2019-07,80,ONS\n")
    result = check_table(read_table(path), framework, source="figures.csv")
    assert result.observations.sort("unit")["source"].to_list() == ["figures.csv", "ONS"]
