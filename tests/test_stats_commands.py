"""The statistics toolbox as analysts script it: options, output columns, errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pmf.cli import main


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_interval_prints_one_csv_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["stats", "interval", "--method", "wilson", "--numerator", "65", "--denominator", "100"]
        )
        == 0
    )
    lower, upper = (float(x) for x in capsys.readouterr().out.strip().split(","))
    assert (round(lower, 9), round(upper, 9)) == (0.552544433, 0.736357518)


def test_byar_interval_for_a_count_and_a_rate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "interval", "--method", "byar", "--numerator", "65"]) == 0
    lower, upper = (float(x) for x in capsys.readouterr().out.strip().split(","))
    assert (round(lower, 6), round(upper, 6)) == (50.163188, 82.849139)
    assert (
        main(
            ["stats", "interval", "--method", "byar", "--numerator", "65", "--denominator", "10000"]
        )
        == 0
    )
    lower, _ = (float(x) for x in capsys.readouterr().out.strip().split(","))
    assert round(lower, 9) == round(50.163187710459454 / 10000, 9)


def test_interval_refuses_impossible_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["stats", "interval", "--method", "wilson", "--numerator", "5", "--denominator", "0"])
        == 2
    )
    assert "denominator" in capsys.readouterr().err
    assert main(["stats", "interval", "--method", "wilson", "--numerator", "5"]) == 2
    assert "needs --denominator" in capsys.readouterr().err


def test_funnel_adds_significance_to_the_input_columns(tmp_path: Path) -> None:
    source = write(
        tmp_path / "in.csv",
        "area,events,population\nA,10,1000\nB,50,1000\nC,20,1000\nD,200,10000\n",
    )
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "stats",
                "funnel",
                str(source),
                "--numerator",
                "events",
                "--denominator",
                "population",
                "--statistic",
                "proportion",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    result = rows(out)
    assert list(result[0]) == ["area", "events", "population", "significance"]
    assert [row["significance"] for row in result] == [
        "Low (0.025)",
        "High (0.001)",
        "Not significant",
        "Not significant",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("area,events\nA,1\n", "there is no column 'population'"),
        ("area,events,population\nA,x,10\n", "row 2, column 'events', value 'x': is not a number"),
        (
            "area,events,population\nA,1,0\n",
            "row 2, column 'population', value 0.0: the denominator is 0",
        ),
        ("area,events,population\nA,11,10\n", "numerator must not exceed its denominator"),
    ],
)
def test_funnel_bad_input_names_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    source = write(tmp_path / "in.csv", text)
    status = main(
        [
            "stats",
            "funnel",
            str(source),
            "--numerator",
            "events",
            "--denominator",
            "population",
            "--statistic",
            "proportion",
            "--output",
            str(tmp_path / "out.csv"),
        ]
    )
    assert status == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()
