"""Bad input named by file, row and field in the reader's language: Welsh on a Welsh page.

The command line activates no language, so the same messages come out in English there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from pmf.core.framework import Framework, load_framework
from pmf.sources.importer import MappingError, check_table
from pmf.sources.readers import ReadError, read_table
from tests.factories import GOOD

BAD_ROWS = "unit,measure,period,value\nN,ER,2019-07,75\nQ,ER,2019-07,75\nN,ER,2019-08,seventy\n"


@pytest.fixture
def framework() -> Framework:
    return load_framework(GOOD)


def _problems(tmp_path: Path, framework: Framework, text: str) -> list[str]:
    path = tmp_path / "figures.csv"
    path.write_text(text, encoding="utf-8")
    return [str(problem) for problem in check_table(read_table(path), framework).problems]


def test_a_bad_row_is_named_in_welsh_by_row_column_and_value(
    tmp_path: Path, framework: Framework
) -> None:
    with translation.override("cy"):
        problems = _problems(tmp_path, framework, BAD_ROWS)
    assert problems == [
        "rhes 3, colofn 'unit', gwerth 'Q': nid yw'n uned o TST (yn ôl cod nac enw)",
        "rhes 4, colofn 'value', gwerth 'seventy': nid yw'n rhif",
    ]


def test_repeated_figures_are_named_in_welsh(tmp_path: Path, framework: Framework) -> None:
    with translation.override("cy"):
        problems = _problems(
            tmp_path, framework, "unit,measure,period,value\nN,ER,2019-07,75\nN,ER,2019-07,76\n"
        )
    assert problems == [
        "rhes 3, colofn 'period', gwerth '2019-07': mae'n ailadrodd rhes 2: rhoddir N ER 2019-07 "
        "ddwywaith"
    ]


def test_a_file_problem_names_the_file_in_welsh(tmp_path: Path, framework: Framework) -> None:
    path = tmp_path / "figures.csv"
    path.write_text("unit,measure,period\n", encoding="utf-8")
    with translation.override("cy"), pytest.raises(ReadError) as error:
        read_table(path, name="ffigurau.csv")
    assert str(error.value) == "ffigurau.csv: mae ganddi res pennawd ond dim rhesi o ffigurau"
    path.write_text("unit,measure,201906,Notes\nN,ER,70,x\n", encoding="utf-8")
    with translation.override("cy"), pytest.raises(MappingError) as refused:
        check_table(read_table(path, name="ffigurau.csv"), framework)
    assert str(refused.value).startswith(
        "ffigurau.csv: rhes 1: nid yw colofn 'Notes' wedi'i mapio ac nid yw'n gyfnod"
    )


def test_with_no_language_active_the_messages_stay_english(
    tmp_path: Path, framework: Framework
) -> None:
    # As on the command line, which activates no language: the site's default, British English.
    with translation.override(None):
        problems = _problems(tmp_path, framework, BAD_ROWS)
    assert problems[1] == "row 4, column 'value', value 'seventy': is not a number"
