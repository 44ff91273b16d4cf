"""``pmf stats spc --chart ... --rules anhoej`` gives qicharts2's values on real data.

NEEDS THE CHARTS BRANCH (h/charts): ``--chart``, ``--numerator``, ``--denominator`` and
``--rules`` come with it; run this file after merging it. The expected values are qicharts2
0.8's, re-derived by the oracle tests/core/oracles/qic.py on real extracts (three trusts' A&E
departments, London arson counts) and saved in tests/core/data/qicharts2/real_expected_*.csv
by tests/core/test_qic_real_data.py, which also checks them against the formulas.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pmf.cli import main
from tests.core.test_qic_real_data import CASES, COLUMNS, DATA

FLAGS = ("sigma_signal", "runs_signal")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("name", sorted(CASES))
def test_chart_command_gives_qicharts2s_values_on_real_series(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    output = tmp_path / "points.csv"
    arguments = ["stats", "spc", str(DATA / case.source), *case.cli_arguments()]
    assert main([*arguments, "--output", str(output)]) == 0
    got = _rows(output)
    expected = _rows(DATA / f"real_expected_{name}.csv")
    assert list(got[0]) == COLUMNS
    assert [(r["group"], r["date"]) for r in got] == [(r["group"], r["date"]) for r in expected]
    for mine, theirs in zip(got, expected, strict=True):
        where = (mine["group"], mine["date"])
        for column in COLUMNS[2:]:
            if column in FLAGS:
                assert mine[column] == theirs[column], (where, column)
            elif theirs[column] == "":
                assert mine[column] == "", (where, column)
            else:
                assert mine[column] != "", (where, column)
                assert float(mine[column]) == pytest.approx(
                    float(theirs[column]), rel=1e-9, abs=1e-12
                ), (where, column)
