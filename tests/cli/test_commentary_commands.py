"""`pmf commentary`: import all or none, list what to check, export with formulas neutralised."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from pmf.web.commentary.models import Commentary
from pmf.web.frameworks.models import Organisation

pytestmark = pytest.mark.django_db

HEADER = "measure,unit,period,owner,due_date,what_happened,why,action\n"


def test_import_lists_every_problem_by_row_and_stores_nothing_then_everything(
    organisation: Organisation, owner: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    path = tmp_path / "commentary.csv"
    path.write_text(
        HEADER
        + "ER,N,2019-07,owner,,,,\n"
        + "ER,S,2019-07,,,=1+2 calls improved,Rota,More staff\n"
        + "ER,N,July,,,x,,\n",
        encoding="utf-8",
    )
    assert main(["commentary", "import", "-o", "TST", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}, row 4, period: " in err and "nothing was stored" in err
    assert not Commentary.objects.exists()
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n", encoding="utf-8")
    assert main(["commentary", "import", "-o", "TST", str(path)]) == 0
    assert Commentary.objects.count() == 2
    assert main(["commentary", "list", "-o", "TST", "--all"]) == 0
    out = capsys.readouterr().out
    assert "TST: 2 commentary asked for or written, 1 written" in out
    assert "2019-07 N ER: not written, overdue (owner, due 2019-08-20)" in out
    exported = tmp_path / "out.csv"
    assert main(["commentary", "export", "-o", "TST", str(exported)]) == 0
    rows = list(csv.DictReader(exported.open(encoding="utf-8")))
    south = next(row for row in rows if row["unit"] == "S")
    assert south["what_happened"] == "'=1+2 calls improved"  # a formula neutralised


def test_import_names_unknown_and_missing_columns(
    organisation: Organisation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    path = tmp_path / "commentary.csv"
    path.write_text("measure,unit,words\nER,N,x\n", encoding="utf-8")
    assert main(["commentary", "import", "-o", "TST", str(path)]) == 1
    err = capsys.readouterr().err
    assert "missing column(s): period; unknown column(s): words" in err
