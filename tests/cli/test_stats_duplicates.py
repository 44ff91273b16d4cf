"""``pmf stats spc`` refuses a date given twice in one series, naming the first repeat's row."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.cli import main


def spc(tmp_path: Path, text: str, *group: str) -> int:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    args = ["stats", "spc", str(source), "--value", "v", "--date", "d"]
    return main([*args, *group, "--output", str(tmp_path / "out.csv")])


def months(series: str, count: int) -> str:
    return "".join(f"{series},2020-{m:02d},{m}\n" for m in range(1, count + 1))


def test_the_same_date_in_different_series_is_no_repeat(tmp_path: Path) -> None:
    assert spc(tmp_path, "g,d,v\n" + months("A", 12) + months("B", 12), "--group", "g") == 0
    assert (tmp_path / "out.csv").read_text().count("\n") == 25


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # B's repeat (row 6) comes before A's (row 8): the first in the file is named.
        (
            "g,d,v\nA,2020-01,1\nB,2020-01,1\nA,2020-02,2\nB,2020-02,2\nB,2020-01,3\n"
            "A,2020-03,3\nA,2020-02,4\n",
            "row 6, column 'd': the date 2020-01 appears more than once in group 'B'",
        ),
        # The date as written, though it is the same day as another written differently.
        (
            "g,d,v\nA,2020-01-01,1\nA,2020-02,2\nA,January 2020,3\n",
            "row 4, column 'd': the date January 2020 appears more than once in group 'A'",
        ),
        # A blank series name is a series of its own ('').
        (
            "g,d,v\n,2020-01,1\nA,2020-01,2\n,2020-01,3\n",
            "row 4, column 'd': the date 2020-01 appears more than once in group ''",
        ),
    ],
)
def test_a_repeated_date_in_a_series_names_the_first_repeat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    assert spc(tmp_path, text, "--group", "g") == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_a_repeated_date_without_groups_is_named_with_the_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert spc(tmp_path, "d,v\n2019-12,0\n2020-01,1\n2020-02,2\n2020-01,3\n2020-02,4\n") == 1
    err = capsys.readouterr().err
    assert "row 5, column 'd': the date 2020-01 appears more than once;" in err
    assert "give --group COL if the file holds several series" in err
