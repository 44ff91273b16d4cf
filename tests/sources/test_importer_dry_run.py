"""``pmf import --dry-run`` catches what storing would have failed on, and names it.

Each file here once passed the dry run and then failed in the store (a unique constraint,
a NOT NULL), or was misread; now the check says what is wrong, and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.cli import main
from pmf.web.observations.models import Observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(framework_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["framework", "load", str(framework_file)]) == 0
    capsys.readouterr()


def refused(path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    """Run the dry run and the real import of ``path``; both refuse it and store nothing."""
    assert main(["import", str(path), "--dry-run", *options]) == 1
    dry = capsys.readouterr().err
    assert main(["import", str(path), *options]) == 1
    assert capsys.readouterr().err == dry
    assert Observation.objects.count() == 0
    return dry


def imported(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["import", str(path), "--dry-run"]) == 0
    return capsys.readouterr().out


@pytest.mark.usefixtures("loaded")
def test_dry_run_refuses_wide_columns_naming_one_period_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("unit,measure,201907,2019-07\nN,ER,75,76\n")
    assert f"{path}: row 1: columns '201907' and '2019-07' both name July 2019" in refused(
        path, capsys
    )


@pytest.mark.usefixtures("loaded")
def test_dry_run_refuses_a_ratio_that_overflows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ratio.csv"
    path.write_text("unit,measure,period,numerator,denominator\nN,CR,2019-07,1e308,1e-308\n")
    assert "row 2, column 'numerator', value '1e308': is too large" in refused(path, capsys)


@pytest.mark.usefixtures("loaded")
def test_dry_run_refuses_infinity_and_not_a_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inf.csv"
    path.write_text("unit,measure,period,value\nN,ER,2019-07,Infinity\nS,ER,2019-07,nan\n")
    err = refused(path, capsys)
    assert "row 2, column 'value', value 'Infinity': is not a finite number" in err
    assert "row 3, column 'value', value 'nan': is not a finite number" in err


@pytest.mark.usefixtures("loaded")
def test_dry_run_says_a_column_appears_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("unit,measure,period,value,value\nN,ER,2019-07,75,76\n")
    err = refused(path, capsys)
    assert f"{path}: row 1: column 'value' appears twice" in err
    assert "duplicated" not in err


@pytest.mark.usefixtures("loaded")
def test_dry_run_refuses_notes_with_text_direction_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "note.csv"
    path.write_text("unit,measure,period,value,note\nN,ER,2019-07,75,paid \u202e01$\n")
    assert "row 2, column 'note'" in refused(path, capsys)


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("mac.csv", b"unit,measure,period,value\rN,ER,2019-07,75\rS,ER,2019-07,85\r"),
        ("semicolon.csv", b"unit;measure;period;value\nN;ER;2019-07;75\nS;ER;2019-07;85\n"),
        ("tab.csv", b"unit\tmeasure\tperiod\tvalue\nN\tER\t2019-07\t75\nS\tER\t2019-07\t85\n"),
        (
            "u16.csv",
            "unit,measure,period,value\nN,ER,2019-07,75\nS,ER,2019-07,85\n".encode("utf-16-le"),
        ),
        ("blank.csv", b"unit,measure,period,value\nN,ER,2019-07,75\n\n,,,\nS,ER,2019-07,85\n\n"),
    ],
)
def test_dry_run_reads_files_saved_in_other_shapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert "2 figures checked; nothing stored (dry run)." in imported(path, capsys)
