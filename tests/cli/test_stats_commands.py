"""The statistics toolbox as analysts script it: options, output columns, errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pmf.cli import main


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def funnel_args(source: Path, out: Path) -> list[str]:
    """Return the command line of a proportion funnel of events over population."""
    return [
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
    assert main(funnel_args(source, out)) == 0
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
            "row 2, column 'population', value '0': the denominator is 0",
        ),
        ("area,events,population\nA,11,10\n", "numerator must not exceed its denominator"),
    ],
)
def test_funnel_bad_input_names_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    source = write(tmp_path / "in.csv", text)
    status = main(funnel_args(source, tmp_path / "out.csv"))
    assert status == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


# NHSRplotthedots vignettes/deviations.Rmd lines 57-58 and 77-79: the same data give
# limits 4.6 / 1.94 / -0.72 with screening (the R package) and 6.95 / 1.94 / -3.06 without
# (the Making Data Count Excel tool).
DEVIATIONS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def deviations_file(tmp_path: Path) -> Path:
    lines = ["month,value"] + [
        f"2020-{i + 1:02d}-01,{v}" if i < 12 else f"2021-{i - 11:02d}-01,{v}"
        for i, v in enumerate(DEVIATIONS)
    ]
    return write(tmp_path / "deviations.csv", "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("options", "limits"),
    [([], (4.6, 1.94, -0.72)), (["--no-screen-outliers"], (6.95, 1.94, -3.06))],
)
def test_spc_points_and_summary_columns_and_the_deviations_vignette(
    tmp_path: Path, options: list[str], limits: tuple[float, float, float]
) -> None:
    points, summary = tmp_path / "points.csv", tmp_path / "summary.csv"
    assert (
        main(
            [
                "stats",
                "spc",
                str(deviations_file(tmp_path)),
                "--value",
                "value",
                "--date",
                "month",
                *options,
                "--output",
                str(points),
                "--summary",
                str(summary),
            ]
        )
        == 0
    )
    rows_out = rows(points)
    assert list(rows_out[0]) == ["group", "date", "value", "mean", "lpl", "upl", "point_type"]
    assert rows_out[0]["group"] == ""
    assert rows_out[0]["date"] == "2020-01-01"
    first = rows_out[0]
    assert (
        round(float(first["upl"]), 2),
        round(float(first["mean"]), 2),
        round(float(first["lpl"]), 2),
    ) == limits
    (line,) = rows(summary)
    assert list(line) == ["group", "n", "mean", "lpl", "upl", "variation_type", "assurance_type"]
    assert line["n"] == "18"


def test_spc_with_groups_target_and_improvement(tmp_path: Path) -> None:
    values = [
        85,
        86,
        84,
        85.5,
        84.5,
        85,
        86,
        84,
        85,
        85.5,
        84.5,
        86,
        85,
        84,
        83,
        82.5,
        83.5,
        82,
        83,
        82.5,
        83,
    ]
    lines = ["org,month,pct"]
    for org in ("A", "B"):
        lines += [f"{org},{2018 + i // 12}-{i % 12 + 1:02d},{v}" for i, v in enumerate(values)]
    source = write(tmp_path / "in.csv", "\n".join(lines) + "\n")
    points, summary = tmp_path / "points.csv", tmp_path / "summary.csv"
    assert (
        main(
            [
                "stats",
                "spc",
                str(source),
                "--value",
                "pct",
                "--date",
                "month",
                "--group",
                "org",
                "--improvement",
                "increase",
                "--target",
                "80",
                "--output",
                str(points),
                "--summary",
                str(summary),
            ]
        )
        == 0
    )
    result = rows(summary)
    assert [row["group"] for row in result] == ["A", "B"]
    assert {row["variation_type"] for row in result} == {"special_cause_concern"}
    assert {row["assurance_type"] for row in result} == {"consistent_pass"}
    assert rows(points)[-1]["date"] == "2019-09-01"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("month,v\n2020-01,1\n", "there is no column 'value'"),
        (
            "month,value\n2020-01,1\n2020-02,two\n",
            "row 3, column 'value', value 'two': is not a number",
        ),
        (
            "month,value\n2020-01,1\n2020-01,2\n",
            "row 3, column 'month': the date 2020-01 appears more than once",
        ),
        ("month,value\nsoon,1\n", "row 2, column 'month', value 'soon': is not a date"),
    ],
)
def test_spc_bad_input_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    source = write(tmp_path / "in.csv", text)
    assert (
        main(
            [
                "stats",
                "spc",
                str(source),
                "--value",
                "value",
                "--date",
                "month",
                "--output",
                str(tmp_path / "out.csv"),
            ]
        )
        == 1
    )
    assert message in capsys.readouterr().err
