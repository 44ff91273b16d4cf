"""``pmf stats spc --rebase`` and ``--rebase-column``: each baseline its own mean and limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.cli import main
from tests.cli.test_stats_commands import rows, write

LOW, HIGH = [10, 11] * 8, [20, 21] * 8
MONTHS = [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(32)]


def series_file(tmp_path: Path, groups: tuple[str, ...] = ("A",), flag: bool = False) -> Path:
    header = "org,month,value" + (",new" if flag else "")
    lines = [header]
    for org in groups:
        for index, (month, value) in enumerate(zip(MONTHS, LOW + HIGH, strict=True)):
            extra = (",1" if index == 16 and org == "A" else ",0") if flag else ""
            lines.append(f"{org},{month},{value}{extra}")
    return write(tmp_path / "in.csv", "\n".join(lines) + "\n")


def run(source: Path, tmp_path: Path, *options: str) -> int:
    return main(
        [
            "stats",
            "spc",
            str(source),
            "--value",
            "value",
            "--date",
            "month",
            "--group",
            "org",
            *options,
            "--output",
            str(tmp_path / "points.csv"),
            "--summary",
            str(tmp_path / "summary.csv"),
        ]
    )


def test_rebase_dates_give_each_baseline_its_own_mean(tmp_path: Path) -> None:
    source = series_file(tmp_path, ("A", "B"))
    assert run(source, tmp_path, "--rebase", "2021-05") == 0
    points = rows(tmp_path / "points.csv")
    assert list(points[0])[-1] == "rebase_group"
    for org in ("A", "B"):
        mine = [row for row in points if row["group"] == org]
        assert {float(row["mean"]) for row in mine[:16]} == {10.5}
        assert {float(row["mean"]) for row in mine[16:]} == {20.5}
        assert mine[16]["rebase_group"] == "1"
    summary = rows(tmp_path / "summary.csv")
    assert [(row["group"], row["n"], row["rebase_group"]) for row in summary] == [
        ("A", "16", "1"),
        ("B", "16", "1"),
    ]


def test_several_rebase_dates_and_iso_dates(tmp_path: Path) -> None:
    assert run(series_file(tmp_path), tmp_path, "--rebase", "2020-09-01", "2021-05") == 0
    groups = [row["rebase_group"] for row in rows(tmp_path / "points.csv")]
    assert groups[7:9] == ["0", "1"] and groups[15:17] == ["1", "2"]


def test_a_rebase_column_sets_dates_per_series(tmp_path: Path) -> None:
    source = series_file(tmp_path, ("A", "B"), flag=True)
    assert run(source, tmp_path, "--rebase-column", "new") == 0
    summary = {row["group"]: row for row in rows(tmp_path / "summary.csv")}
    assert (summary["A"]["rebase_group"], summary["A"]["n"]) == ("1", "16")
    assert (summary["B"]["rebase_group"], summary["B"]["n"]) == ("0", "32")


def test_without_rebase_options_the_columns_are_unchanged(tmp_path: Path) -> None:
    assert run(series_file(tmp_path), tmp_path) == 0
    assert "rebase_group" not in rows(tmp_path / "points.csv")[0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--rebase", "2023-01"],
            "--rebase 2023-01: no row of series 'A' has the date 2023-01-01 in column 'month'",
        ),
        (["--rebase", "soon"], "--rebase 'soon': is not a date"),
        (["--rebase", "2020-01"], "a rebase is on the first date of series 'A' (2020-01-01)"),
    ],
)
def test_a_rebase_date_not_in_the_series_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    assert run(series_file(tmp_path), tmp_path, *options) != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "points.csv").exists()


def test_a_rebase_column_value_that_is_not_true_or_false_names_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.csv", "org,month,value,new\nA,2020-01,1,0\nA,2020-02,2,maybe\n")
    assert run(source, tmp_path, "--rebase-column", "new") == 1
    assert "row 3, column 'new', value 'maybe': is not true or false" in capsys.readouterr().err
