"""`pmf score`: a unit's scores, weights and calculations on the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pmf.cli import main
from tests.factories import GOOD
from tests.web.scores.test_scores_page import SCORING, store

pytestmark = pytest.mark.django_db


def test_score_prints_each_measure_area_and_the_overall_calculation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store(tmp_path, GOOD + SCORING)
    assert main(["score", "-o", "TST", "--unit", "N"]) == 0
    out = capsys.readouterr().out
    assert "North: Spider Impact scores, 0 to 10 (higher is better)" in out
    assert "FOCUS: 5.21 = (5.00 × 3 + 5.83 × 1) ÷ 4 = 5.21" in out
    assert "Overall score: 5.21 = (5.21 × 1) ÷ 1 = 5.21" in out
    assert "Band: yellow (between the red flag and the goal)" in out


def test_score_writes_a_row_a_measure_as_csv_and_the_page_data_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store(tmp_path, GOOD + SCORING)
    assert main(["score", "--unit", "N", "--output", str(tmp_path / "s.csv")]) == 0
    with (tmp_path / "s.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["measure"], row["weight"]) for row in rows] == [("ER", "3.0"), ("CR", "1.0")]
    assert float(rows[0]["score"]) == pytest.approx(5.0)
    assert main(["score", "--unit", "N", "--output", str(tmp_path / "s.json")]) == 0
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert data["scores"]["areas"][0]["measures"][0]["measure"] == "ER"


def test_score_without_scoring_or_with_an_unknown_unit_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store(tmp_path, GOOD)
    assert main(["score", "--unit", "N"]) == 1
    assert "add a scoring: section" in capsys.readouterr().err
    assert main(["score", "--unit", "NOPE"]) == 2
    assert "no unit 'NOPE' in TST" in capsys.readouterr().err
    assert main(["score", "--unit", "N", "--output", str(tmp_path / "s.txt")]) == 2
