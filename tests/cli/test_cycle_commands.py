"""`pmf cycle annual` and `pmf cycle paper`: a cycle's documents from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.web.cycles.models import Cycle

pytestmark = pytest.mark.django_db


def test_pmf_cycle_annual_and_paper(
    cycles: Cycle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    assert (
        main(
            [
                "cycle",
                "annual",
                "-o",
                "TST",
                "--year",
                "2019/20",
                "--output",
                str(tmp_path / "a.docx"),
            ]
        )
        == 0
    )
    assert "the annual report for 2019/20" in capsys.readouterr().out
    assert (
        main(
            [
                "cycle",
                "paper",
                "-o",
                "TST",
                "2",
                "--kind",
                "outcomes",
                "--output",
                str(tmp_path / "o.html"),
            ]
        )
        == 0
    )
    assert "Test Force: quarterly outcomes, cycle 2" in (tmp_path / "o.html").read_text()
    assert main(["cycle", "paper", "-o", "TST", "2", "--output", str(tmp_path / "p.txt")]) == 1


def test_pmf_cycle_paper_writes_a_powerpoint_deck(
    cycles: Cycle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pptx import Presentation

    from pmf.cli import main

    output = tmp_path / "board.pptx"
    assert main(["cycle", "paper", "-o", "TST", "2", "--output", str(output)]) == 0
    assert "the board paper of cycle 2" in capsys.readouterr().out
    deck = Presentation(str(output))
    assert deck.slide_width * 9 == deck.slide_height * 16
    assert len(deck.slides) > 3
    assert main(["cycle", "paper", "-o", "TST", "2", "--output", str(tmp_path / "p.txt")]) == 1
    assert ".pptx" in capsys.readouterr().err


def test_pmf_cycle_paper_and_annual_write_welsh_with_language_cy(
    cycles: Cycle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    welsh, english = tmp_path / "papur.html", tmp_path / "paper.html"
    arguments = ["cycle", "paper", "-o", "TST", "2", "--output"]
    assert main([*arguments, str(welsh), "--language", "cy"]) == 0
    assert main([*arguments, str(english)]) == 0
    # The command's own words stay English; the paper is Welsh.
    assert "Wrote " in capsys.readouterr().out
    page = welsh.read_text()
    assert '<html lang="cy">' in page
    assert "1.0 Diben yr adroddiad" in page and "Atodiad Un – " in page
    assert "Purpose of report" not in page
    assert '<html lang="en-GB">' in english.read_text()
    assert "1.0 Purpose of report" in english.read_text()
    annual = tmp_path / "blynyddol.html"
    year = ["--year", "2019/20", "--output", str(annual), "--language", "cy"]
    assert main(["cycle", "annual", "-o", "TST", *year]) == 0
    assert "Test Force: adroddiad blynyddol, 2019/20" in annual.read_text()
    with pytest.raises(SystemExit):
        main([*arguments, str(welsh), "--language", "fr"])
