from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmf.cli import main
from pmf.web.observations.models import Observation

FIGURES = (
    "unit,measure,period,value,numerator,denominator\n"
    "N,CR,2018-07,,8,1000\nS,CR,2018-07,,4,1000\n"
    "N,CR,2019-07,,6,1000\nS,CR,2019-07,,4,1000\n"
    "N,ER,2019-07,75,,\nS,ER,2019-07,85,,\n"
)


def run(*args: str) -> int:
    return main(list(args))


@pytest.fixture
def loaded(tmp_path: Path, framework_file: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Load the test framework and import FIGURES; return the figures file."""
    figures = tmp_path / "figures.csv"
    figures.write_text(FIGURES)
    assert run("framework", "load", str(framework_file)) == 0
    assert run("import", str(figures)) == 0
    capsys.readouterr()
    return figures


def test_framework_check_reports_a_sound_file(
    framework_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("framework", "check", str(framework_file)) == 0
    assert (
        "sound. Test Force: 2 areas, 3 units (+1 external), 2 measures" in capsys.readouterr().out
    )


def test_framework_check_lists_problems_and_fails(
    tmp_path: Path, framework_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        framework_file.read_text().replace("polarity: higher_is_better", "polarity: higer")
    )
    assert run("framework", "check", str(bad)) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "measures[0].polarity: 'higer' is not one of" in err
    assert err.rstrip().endswith("1 problem found.")


def test_framework_check_of_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("framework", "check", str(tmp_path / "none.yaml")) == 1
    assert "cannot be read: No such file or directory" in capsys.readouterr().err


@pytest.mark.django_db
def test_first_import_adds_every_row(
    tmp_path: Path, framework_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text(FIGURES)
    run("framework", "load", str(framework_file))
    assert run("import", str(figures)) == 0
    assert "6 rows read: 6 added" in capsys.readouterr().out


@pytest.mark.django_db
def test_import_again_then_assess_prints_the_scorecard(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("import", str(loaded)) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert run("assess") == 0
    out = capsys.readouterr().out
    assert "Test Force: scorecard of Force (F), as at July 2019" in out
    assert "FOCUS (formerly KEEPING PEOPLE SAFE)" in out
    line = next(text for text in out.splitlines() if "Crimes per 1,000" in text)
    assert "5.0" in line and "better than July 2018 (6.0)" in line and "Met" in line
    assert "↓ better" in line
    assert "INNOVATION\n  No measures with figures for this unit." in out


@pytest.mark.django_db
def test_import_with_a_bad_row_stores_nothing_and_writes_the_errors(
    tmp_path: Path, framework_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text(FIGURES + "N,ER,2019-08,=1+1,,\n")
    errors = tmp_path / "errors.csv"
    run("framework", "load", str(framework_file))
    assert run("import", str(figures), "--errors", str(errors)) == 1
    err = capsys.readouterr().err
    assert "1 problem; nothing was stored." in err
    assert "row 8, column 'value', value '=1+1': is not a number" in err
    assert Observation.objects.count() == 0
    # The error file is safe to open in a spreadsheet.
    assert errors.read_text().splitlines()[1] == "8,value,'=1+1,is not a number"


@pytest.mark.django_db
def test_assess_writes_csv_and_json(loaded: Path, tmp_path: Path) -> None:
    assert run("assess", "--unit", "N", "--output", str(tmp_path / "n.json")) == 0
    document = json.loads((tmp_path / "n.json").read_text())
    measures = document["areas"][0]["measures"]
    assert [m["measure"] for m in measures] == ["ER", "CR"]
    assert measures[0]["met"] is False
    assert run("assess", "--unit", "N", "--output", str(tmp_path / "n.csv")) == 0
    header = (tmp_path / "n.csv").read_text().splitlines()[0]
    assert header.startswith("organisation,unit,area,measure,name,kind,period")


@pytest.mark.django_db
def test_assess_with_unknown_unit_or_bad_period(
    framework_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run("framework", "load", str(framework_file))
    assert run("assess", "--unit", "Z") == 2
    assert "no unit 'Z' in TST" in capsys.readouterr().err
    assert run("assess", "--period", "2019-13") == 2
    assert "--period: '2019-13' is not a period" in capsys.readouterr().err


@pytest.mark.django_db
def test_import_needs_an_organisation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text(FIGURES)
    assert run("import", str(figures)) == 2
    assert "no organisation is loaded yet" in capsys.readouterr().err


def test_every_command_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("framework", "import", "assess", "example", "demo", "migrate"):
        with pytest.raises(SystemExit):
            run(command, "--help")
        assert "Example:\n  pmf " in capsys.readouterr().out


@pytest.mark.django_db
def test_assess_heading_names_the_period_asked_for(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("assess", "--period", "2019-08") == 0
    out = capsys.readouterr().out
    # The heading names the period the measures are at, and the cut-off asked for.
    assert "as at July 2019, the latest figures to August 2019" in out


@pytest.mark.django_db
def test_dry_run_checks_and_stores_nothing(
    tmp_path: Path, framework_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text("unit,measure,period,value\nN,ER,2019-07,75\n")
    run("framework", "load", str(framework_file))
    assert run("import", str(figures), "--dry-run") == 0
    assert "1 figure checked; nothing stored (dry run)." in capsys.readouterr().out
    assert Observation.objects.count() == 0


@pytest.mark.django_db
def test_example_list_and_nhs_england_is_pooled_from_reporting_providers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("example", "list") == 0
    assert "police" in capsys.readouterr().out
    assert run("example", "load", "nhs_ae") == 0
    capsys.readouterr()
    assert run("assess", "--organisation", "ENG", "--period", "2019-03") == 0
    out = capsys.readouterr().out
    line = next(text for text in out.splitlines() if "all types" in text.lower())
    assert "86.6%" in line


@pytest.mark.django_db
def test_unreadable_file_is_refused_with_its_name_and_row(
    tmp_path: Path, framework_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = tmp_path / "latin.csv"
    figures.write_bytes(
        "unit,measure,period,value\nN,ER,2019-07,75\nNörth,ER,2019-08,1\n".encode("latin-1")
    )
    run("framework", "load", str(framework_file))
    assert run("import", str(figures)) == 1
    err = capsys.readouterr().err
    assert f"{figures}: row 3: byte 0xf6 is not valid UTF-8" in err
    assert err.rstrip().endswith("Nothing was stored.")
    assert run("import", str(figures), "--encoding", "cp1252") == 1
    assert "'Nörth': is not a unit of TST" in capsys.readouterr().err


@pytest.mark.django_db
def test_wide_xlsx_is_imported_with_a_sheet_and_mapping(
    tmp_path: Path, framework_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    sheet = workbook.create_sheet("Figures")
    sheet.append(["Command", "Indicator", "201906", "201907"])
    sheet.append(["North", "ER", 70, 75.5])
    sheet.append(["South", "ER", 90, None])
    path = tmp_path / "figures.xlsx"
    workbook.save(path)
    run("framework", "load", str(framework_file))
    args = [
        "import",
        str(path),
        "--sheet",
        "Figures",
        "--map",
        "unit=Command",
        "--map",
        "measure=Indicator",
    ]
    assert run(*args) == 0
    assert "3 rows read: 3 added" in capsys.readouterr().out
    assert Observation.objects.get(unit__code="N", period="2019-07").value == 75.5


@pytest.mark.django_db
def test_previous_cycle_adds_a_direction_column(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("assess", "--period", "2019-07", "--previous", "2018-07") == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.strip().startswith("Measure"))
    assert header.rstrip().endswith("v. July 2018")
    line = next(text for text in out.splitlines() if "Crimes per 1,000" in text)
    assert line.rstrip().endswith("↓ better")
    assert run("assess", "--previous", "soon") == 2
    assert "--previous: 'soon' is not a period" in capsys.readouterr().err
