"""`pmf drivers`: a calculated measure's key drivers on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmf.cli import main
from tests.web.drivers_world import drivers_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path: Path) -> None:
    drivers_organisation(tmp_path)


def test_drivers_prints_each_comparison_with_its_sentence_and_table(
    loaded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["drivers", "-o", "DRV", "HIGH_HARM", "--unit", "F"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("High harm offences, Force, June 2025\nHIGH_HARM = VWI + ROBBERY")
    assert "Against the previous period: May 2025\n  150 against 160: −10 (−6.2%)\n" in out
    lines = out.splitlines()
    header = lines.index("Against the previous period: May 2025") + 3
    assert lines[header].split() == [
        "Component",
        "In",
        "the",
        "formula",
        "Then",
        "Now",
        "Change",
        "Contribution",
        "Share",
        "%",
        "change",
    ]
    assert lines[header + 1].split()[-6:] == ["100", "110", "+10", "+10", "−100.0%", "+6.2%"]
    assert "Against the same period last year: June 2024" in out
    assert "Not explained by the components" in out


def test_drivers_as_json_is_the_measure_page_s_twin(
    loaded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["drivers", "-o", "DRV", "HIGH_HARM", "--unit", "F", "--period", "2025-05", "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == "2025-05"
    previous = data["comparisons"][0]
    # No figures for April 2025: the change against it is not split, and says why.
    assert previous["drivers"] == []
    assert previous["reason"] == "no figure for April 2025"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["VWI", "--unit", "F"], "VWI is not calculated: it has no formula to split"),
        (["NOPE", "--unit", "F"], "no measure 'NOPE' in DRV"),
        (["HIGH_HARM", "--unit", "Q"], "no unit 'Q' in DRV"),
        (["HIGH_HARM", "--unit", "F", "--period", "2025-13"], "period: "),
        (
            ["HIGH_HARM", "--unit", "F", "--period", "2020-01"],
            "no figure of High harm offences for January 2020",
        ),
    ],
)
def test_drivers_says_what_is_wrong(
    loaded: None, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["drivers", "-o", "DRV", *arguments]) == 2
    assert message in capsys.readouterr().err
