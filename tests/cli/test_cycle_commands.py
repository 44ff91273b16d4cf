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
