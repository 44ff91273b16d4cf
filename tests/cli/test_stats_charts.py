"""``pmf stats spc --chart``: every chart type's points as analysts script them."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from pmf.cli import main

MDC_HEADER = "group,date,value,centre,lpl,upl,lpl_2sigma,upl_2sigma,point_type"
ANHOEJ_HEADER = (
    "group,date,value,centre,lpl,upl,lpl_2sigma,upl_2sigma,"
    "sigma_signal,runs_signal,longest_run,longest_run_max,crossings,crossings_min"
)

CRIMES = """force,month,solved,recorded
north,2024-01,30,100
north,2024-02,25,90
north,2024-03,40,110
south,2024-01,10,50
south,2024-02,12,40
south,2024-03,8,60
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run(*args: str) -> int:
    return main(["stats", "spc", *args])


def test_p_chart_points_have_the_documented_columns_and_per_point_limits(tmp_path: Path) -> None:
    source = write(tmp_path / "crimes.csv", CRIMES)
    out = tmp_path / "points.csv"
    code = run(
        str(source),
        "--chart",
        "p",
        "--date",
        "month",
        "--group",
        "force",
        "--numerator",
        "solved",
        "--denominator",
        "recorded",
        "--output",
        str(out),
    )
    assert code == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == MDC_HEADER
    points = rows(out)
    assert [(p["group"], p["date"]) for p in points[:2]] == [
        ("north", "2024-01-01"),
        ("north", "2024-02-01"),
    ]
    first = points[0]
    centre = 95 / 300
    sigma = math.sqrt(centre * (1 - centre) / 100)
    assert float(first["value"]) == 0.3
    assert float(first["centre"]) == pytest.approx(centre)
    assert float(first["upl"]) == pytest.approx(centre + 3 * sigma)
    assert float(first["lpl_2sigma"]) == pytest.approx(centre - 2 * sigma)
    assert points[0]["upl"] != points[1]["upl"]  # 100 and 90 crimes recorded
    assert float(points[3]["centre"]) == pytest.approx(30 / 150)  # south's own centre
    assert {p["point_type"] for p in points} == {"common_cause"}


def test_anhoej_rules_write_signals_as_true_false_and_counts_as_whole_numbers(
    tmp_path: Path,
) -> None:
    source = write(tmp_path / "t.csv", "event,days\n1,12\n2,30\n3,4\n4,45\n5,9\n6,200\n")
    out = tmp_path / "points.csv"
    code = run(
        str(source),
        "--chart",
        "t",
        "--date",
        "event",
        "--value",
        "days",
        "--rules",
        "anhoej",
        "--output",
        str(out),
    )
    assert code == 0
    text = out.read_text(encoding="utf-8").splitlines()
    assert text[0] == ANHOEJ_HEADER
    first = rows(out)[0]
    assert first["date"] == "1"  # an event number, not a date
    assert first["sigma_signal"] in ("true", "false")
    assert first["runs_signal"] == "false"
    assert first["longest_run"].isdigit() and first["crossings_min"].isdigit()


def test_charts_without_a_line_leave_it_empty(tmp_path: Path) -> None:
    source = write(tmp_path / "v.csv", "month,n\n2024-01,3\n2024-02,5\n2024-03,4\n2024-04,8\n")
    run_out, mr_out = tmp_path / "run.csv", tmp_path / "mr.csv"
    assert (
        run(
            str(source),
            "--chart",
            "run",
            "--date",
            "month",
            "--value",
            "n",
            "--output",
            str(run_out),
        )
        == 0
    )
    assert (
        run(
            str(source), "--chart", "mr", "--date", "month", "--value", "n", "--output", str(mr_out)
        )
        == 0
    )
    first_run = rows(run_out)[0]
    assert (first_run["centre"], first_run["lpl"], first_run["upl_2sigma"]) == ("4.5", "", "")
    moving = rows(mr_out)
    assert moving[0]["value"] == "" and moving[1]["value"] == "2.0"
    assert float(moving[1]["upl"]) == pytest.approx(3.267 * 7 / 3)  # ranges 2, 1, 4


def test_c_chart_counts_from_a_numerator(tmp_path: Path) -> None:
    source = write(tmp_path / "c.csv", "month,falls\n2024-01,4\n2024-02,9\n2024-03,2\n")
    out = tmp_path / "points.csv"
    assert (
        run(
            str(source),
            "--chart",
            "c",
            "--date",
            "month",
            "--numerator",
            "falls",
            "--output",
            str(out),
        )
        == 0
    )
    assert float(rows(out)[0]["upl"]) == pytest.approx(5 + 3 * math.sqrt(5))


def test_missing_periods_are_absent_rows(tmp_path: Path) -> None:
    source = write(tmp_path / "gap.csv", "month,n\n2024-01,3\n2024-03,5\n2024-04,4\n")
    out = tmp_path / "points.csv"
    assert (
        run(str(source), "--chart", "c", "--date", "month", "--value", "n", "--output", str(out))
        == 0
    )
    assert [p["date"] for p in rows(out)] == ["2024-01-01", "2024-03-01", "2024-04-01"]


@pytest.mark.parametrize(
    ("text", "chart", "message"),
    [
        (
            "month,solved,recorded\n2024-01,3,10\n2024-02,4,0\n",
            "p",
            "row 3, column 'recorded', value '0': the denominator must be above 0",
        ),
        (
            "month,solved,recorded\n2024-01,3,10\n2024-02,12,10\n",
            "p",
            "row 3, column 'solved', value '12': the numerator is above its denominator",
        ),
        (
            "month,solved,recorded\n2024-01,3,10\n2024-02,x,10\n",
            "u",
            "row 3, column 'solved', value 'x': is not a number",
        ),
        (
            "month,solved,recorded\n2024-01,3,-10\n2024-02,4,10\n",
            "u",
            "row 2, column 'recorded', value '-10': the denominator must be above 0",
        ),
        ("month,solved\n2024-01,3\n", "p", "'recorded'"),
    ],
)
def test_bad_input_names_file_row_and_column_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, chart: str, message: str
) -> None:
    source = write(tmp_path / "bad.csv", text)
    out = tmp_path / "points.csv"
    code = run(
        str(source),
        "--chart",
        chart,
        "--date",
        "month",
        "--numerator",
        "solved",
        "--denominator",
        "recorded",
        "--output",
        str(out),
    )
    assert code != 0
    err = capsys.readouterr().err
    assert str(source) in err and message in err
    assert not out.exists()


def test_a_ratio_chart_refuses_a_value_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "v.csv", "month,n\n2024-01,3\n")
    out = tmp_path / "points.csv"
    assert (
        run(str(source), "--chart", "p", "--date", "month", "--value", "n", "--output", str(out))
        != 0
    )
    assert "--numerator COL and --denominator COL" in capsys.readouterr().err
    assert not out.exists()


def test_numerator_without_a_chart_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "v.csv", "month,n\n2024-01,3\n")
    out = tmp_path / "points.csv"
    assert run(str(source), "--date", "month", "--numerator", "n", "--output", str(out)) != 0
    assert "--value COL is required" in capsys.readouterr().err


def test_summary_gives_assurance_against_the_last_points_limits(tmp_path: Path) -> None:
    source = write(tmp_path / "crimes.csv", CRIMES)
    out, summary = tmp_path / "points.csv", tmp_path / "summary.csv"
    code = run(
        str(source),
        "--chart",
        "p",
        "--date",
        "month",
        "--group",
        "force",
        "--numerator",
        "solved",
        "--denominator",
        "recorded",
        "--target",
        "0.9",
        "--output",
        str(out),
        "--summary",
        str(summary),
    )
    assert code == 0
    lines = rows(summary)
    assert [line["group"] for line in lines] == ["north", "south"]
    assert lines[0]["upl"] == rows(out)[2]["upl"]
    assert {line["assurance_type"] for line in lines} == {"consistent_fail"}


def test_i_chart_gives_the_xmr_calls_values(tmp_path: Path) -> None:
    values = [5, 7, 6, 9, 4, 6, 8, 7, 5, 6, 30, 6, 7, 5]
    text = "month,n\n" + "".join(
        f"2024-{m:02d},{v}\n" if m <= 12 else f"2025-{m - 12:02d},{v}\n"
        for m, v in enumerate(values, 1)
    )
    source = write(tmp_path / "v.csv", text)
    xmr, chart = tmp_path / "xmr.csv", tmp_path / "chart.csv"
    assert run(str(source), "--date", "month", "--value", "n", "--output", str(xmr)) == 0
    assert (
        run(str(source), "--chart", "i", "--date", "month", "--value", "n", "--output", str(chart))
        == 0
    )
    old, new = rows(xmr), rows(chart)
    assert [(r["value"], r["mean"], r["lpl"], r["upl"], r["point_type"]) for r in old] == [
        (r["value"], r["centre"], r["lpl"], r["upl"], r["point_type"]) for r in new
    ]
    assert "special_cause_improvement" in {r["point_type"] for r in new}
