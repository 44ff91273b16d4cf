from __future__ import annotations

from pathlib import Path

import pytest

from pmf.core.framework import Framework, load_framework
from pmf.sources.importer import MappingError, check_table, describe
from pmf.sources.readers import read_table
from tests.factories import GOOD


@pytest.fixture
def framework() -> Framework:
    return load_framework(GOOD)


def check(tmp_path: Path, framework: Framework, text: str, **options: object):  # type: ignore[no-untyped-def]
    path = tmp_path / "figures.csv"
    path.write_text(text, encoding="utf-8")
    return check_table(read_table(path), framework, **options)  # type: ignore[arg-type]


def reasons(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(problem) for problem in result.problems]


def test_long_file_gives_clean_observations(tmp_path: Path, framework: Framework) -> None:
    result = check(
        tmp_path,
        framework,
        "unit,measure,period,value,numerator,denominator\n"
        "North,ER,July 2019,75,,\n"
        "S,CR,201907,,3,1500\n",
    )
    assert result.ok
    rows = result.observations.sort("unit").to_dicts()
    assert rows[0]["unit"] == "N" and rows[0]["period"] == "2019-07"
    assert rows[1]["value"] == pytest.approx(2.0)  # 3 / 1500 × 1,000
    assert rows[1]["status"] == "provisional"


def test_every_bad_row_is_reported_with_row_column_value_reason(
    tmp_path: Path, framework: Framework
) -> None:
    result = check(
        tmp_path,
        framework,
        "unit,measure,period,value\n"
        "N,ER,2019-07,75\n"
        "Q,ER,2019-07,75\n"
        "N,XX,2019-07,75\n"
        "N,ER,2019-08,seventy\n"
        "N,ER,2019 Q3,75\n"
        "N,ER,2019-13,75\n"
        "N,ER,2019-07,76\n",
    )
    assert not result.ok
    assert result.observations.height == 0
    assert reasons(result) == [
        "row 3, column 'unit', value 'Q': is not a unit of TST (by code or name)",
        "row 4, column 'measure', value 'XX': is not a measure of TST (by code or name)",
        "row 5, column 'value', value 'seventy': is not a number",
        "row 6, column 'period', value '2019 Q3': is a calendar quarter, but ER is reported by "
        "month",
        "row 7, column 'period', value '2019-13': '2019-13' is not a period: month 13 does not "
        "exist",
        "row 8, column 'period', value '2019-07': repeats row 2: N ER 2019-07 is given twice",
    ]


def test_missing_column_names_the_role_and_the_columns(
    tmp_path: Path, framework: Framework
) -> None:
    with pytest.raises(
        MappingError,
        match=r"no value column; the columns are unit, measure, "
        r"period",
    ):
        check(tmp_path, framework, "unit,measure,period\nN,ER,2019-07\n")


def test_extra_column_is_refused_unless_ignored(tmp_path: Path, framework: Framework) -> None:
    text = "unit,measure,period,value,colour\nN,ER,2019-07,75,red\n"
    with pytest.raises(MappingError, match="unexpected column 'colour'"):
        check(tmp_path, framework, text)
    assert check(tmp_path, framework, text, ignore=("colour",)).ok


def test_mapping_renames_columns(tmp_path: Path, framework: Framework) -> None:
    result = check(
        tmp_path,
        framework,
        "Command,Indicator,Month,Figure\nN,ER,2019-07,75\n",
        mapping={"unit": "Command", "measure": "Indicator", "period": "Month", "value": "Figure"},
    )
    assert result.ok


def test_mapping_to_a_missing_column_is_an_error(tmp_path: Path, framework: Framework) -> None:
    with pytest.raises(MappingError, match="there is no column 'Borough' to map to unit"):
        check(
            tmp_path,
            framework,
            "unit,measure,period,value\nN,ER,2019-07,1\n",
            mapping={"unit": "Borough"},
        )


def test_wide_file_unpivots_period_columns_and_skips_empty_cells(
    tmp_path: Path, framework: Framework
) -> None:
    result = check(
        tmp_path,
        framework,
        "Borough,Measure,201906,201907\nNorth,ER,70,\nSouth,ER,90,85\n",
        mapping={"unit": "Borough", "measure": "Measure"},
    )
    assert result.ok
    assert result.layout == "wide"
    assert sorted(result.observations["period"].to_list()) == ["2019-06", "2019-06", "2019-07"]


def test_wide_file_names_the_period_column_of_a_bad_value(
    tmp_path: Path, framework: Framework
) -> None:
    result = check(tmp_path, framework, "unit,measure,201906,201907\nN,ER,70,n/a\n")
    assert reasons(result) == ["row 2, column '201907', value 'n/a': is not a number"]


def test_wide_file_with_a_column_that_is_not_a_period(tmp_path: Path, framework: Framework) -> None:
    with pytest.raises(MappingError, match="column 'Notes' is neither mapped nor a period"):
        check(tmp_path, framework, "unit,measure,201906,Notes\nN,ER,70,x\n")


def test_value_must_match_its_numerator_and_denominator(
    tmp_path: Path, framework: Framework
) -> None:
    result = check(
        tmp_path,
        framework,
        "unit,measure,period,value,numerator,denominator\nN,CR,2019-07,9,3,1500\n",
    )
    assert reasons(result) == [
        "row 2, column 'value', value '9': does not equal numerator / denominator × multiplier "
        "(2.0)"
    ]


def test_zero_denominator_is_refused(tmp_path: Path, framework: Framework) -> None:
    result = check(
        tmp_path, framework, "unit,measure,period,numerator,denominator\nN,CR,2019-07,3,0\n"
    )
    assert "is zero" in reasons(result)[0]


def test_thousands_separators_are_read(tmp_path: Path, framework: Framework) -> None:
    # CR is a rate: 1,234.5 per 1,000 may be (ER, a percentage, may not exceed 100).
    result = check(tmp_path, framework, 'unit,measure,period,value\nN,CR,2019-07,"1,234.5"\n')
    assert result.observations["value"].to_list() == [1234.5]


def test_status_must_be_known(tmp_path: Path, framework: Framework) -> None:
    result = check(
        tmp_path,
        framework,
        "unit,measure,period,value,status\nN,ER,2019-07,1,Signed off\nS,ER,2019-07,1,approved\n",
    )
    assert reasons(result) == [
        "row 3, column 'status', value 'approved': is not one of provisional, validated, signed_off"
    ]


def test_describe_says_nothing_was_stored_and_caps_the_list() -> None:
    from pmf.sources.importer import Problem

    problems = [Problem(row, "value", "x", "is not a number") for row in range(2, 70)]
    text = describe(problems, "f.csv", limit=3)
    assert text.splitlines()[0] == "f.csv: 68 problems; nothing was stored."
    assert text.splitlines()[-1] == "  ... and 65 more (write them all with --errors FILE)"


def test_dashed_year_is_read_as_the_measures_own_kind(tmp_path: Path) -> None:
    framework = load_framework(
        GOOD.replace(
            "    frequency: month\n    standard: {type: target",
            "    frequency: financial_year\n    standard: {type: target",
        )
    )
    result = check(
        tmp_path, framework, "unit,measure,period,value\nN,ER,2011-12,80\nS,CR,2011-12,1\n"
    )
    assert result.ok
    periods = dict(zip(result.observations["measure"], result.observations["period"], strict=True))
    assert periods == {"ER": "2011/12", "CR": "2011-12"}
