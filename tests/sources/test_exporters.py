from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pmf.core.assessment import assess
from pmf.core.framework import Framework, load_framework
from pmf.core.scorecard import build_scorecard
from pmf.sources.exporters import neutralise, scorecard_csv, write_scorecard
from tests.factories import GOOD, observations


@pytest.fixture
def card():  # type: ignore[no-untyped-def]
    framework: Framework = load_framework(
        GOOD.replace("name: Emergency response within target", 'name: "=cmd|calc"')
    )
    frame = assess(framework, observations([("N", "ER", "2019-07", 75.0, None, None)]))
    return build_scorecard(framework, frame, "N")


@pytest.mark.parametrize("text", ["=1+1", "+A1", "-1+A1", "@SUM(A1)", "\t=x", "\r=x", "-2-3"])
def test_formula_starts_are_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_plain_text_and_numbers_pass_through() -> None:
    assert neutralise("Westminster") == "Westminster"
    assert neutralise(-3.5) == -3.5
    assert neutralise("-3.5") == "-3.5"
    assert neutralise("+2e3") == "+2e3"


def test_scorecard_csv_neutralises_a_formula_in_a_measure_name(card) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(scorecard_csv(card))))
    assert rows[0]["name"] == "'=cmd|calc"
    assert rows[0]["value"] == "75.0"


def test_json_and_unknown_suffix(card, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_scorecard(card, tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text())
    assert document["areas"][0]["measures"][0]["met"] is False
    with pytest.raises(ValueError, match=r"use a \.csv or \.json file name"):
        write_scorecard(card, tmp_path / "s.txt")
