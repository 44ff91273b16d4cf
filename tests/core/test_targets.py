"""Targets over spans of periods: they stand in for the standard while they run."""

from __future__ import annotations

import pytest

from pmf.core.assessment import assess
from pmf.core.framework import load_framework
from pmf.core.periods import parse_period
from tests.factories import GOOD, observations, problems, row

TARGETS = """\
targets:
  - {measure: ER, starts: 2019/20, value: 90, amber_within: 5}
  - {measure: ER, unit: S, starts: 2019-07, ends: 2019-09, value: 70}
  - {measure: CR, starts: 2019/20, value: 7}
"""

FIGURES = [
    ("N", "ER", "2019-03", 85.0, None, None),
    ("S", "ER", "2019-03", 85.0, None, None),
    ("N", "ER", "2019-07", 86.0, None, None),
    ("S", "ER", "2019-07", 72.0, None, None),
    ("N", "ER", "2019-10", 86.0, None, None),
    ("S", "ER", "2019-10", 72.0, None, None),
    ("N", "CR", "2019-07", 6.0, 6.0, 1000.0),
    ("N", "CR", "2018-07", 8.0, 8.0, 1000.0),
    ("S", "CR", "2019-07", 8.0, 8.0, 1000.0),
    ("S", "CR", "2018-07", 4.0, 4.0, 1000.0),
]


def at(period: str) -> dict[str, dict[str, object]]:
    framework = load_framework(GOOD + TARGETS)
    frame = assess(framework, observations(FIGURES), cut=parse_period(period).end)
    return {f"{u}/{m}": row(frame, u, m) for u, m in frame.select("unit", "measure").iter_rows()}


def test_before_a_target_starts_the_framework_standard_applies() -> None:
    found = at("2019-03")
    assert found["N/ER"]["standard"] == "≥ 80.0%"
    assert found["N/ER"]["rag"] == "green"


def test_a_target_for_every_unit_replaces_the_standard_while_it_runs() -> None:
    found = at("2019-10")
    assert found["N/ER"]["standard"] == "≥ 90.0%"
    assert found["N/ER"]["reference"] == 90.0
    assert found["N/ER"]["rag"] == "amber"  # 86 misses 90 by no more than 5
    assert found["S/ER"]["rag"] == "red"  # S's own target ended in September


def test_a_units_own_target_wins_over_one_for_every_unit() -> None:
    found = at("2019-07")
    assert found["S/ER"]["standard"] == "≥ 70.0%"
    assert (found["S/ER"]["met"], found["S/ER"]["rag"]) == (True, "green")
    assert found["N/ER"]["standard"] == "≥ 90.0%"


def test_the_comparison_follows_the_polarity_and_replaces_a_peer_or_improvement_standard() -> None:
    found = at("2019-07")
    assert found["N/CR"]["reference"] == 7.0
    assert found["N/CR"]["standard"] == "≤ 7.0"
    assert found["N/CR"]["met"] is True  # 6 per 1,000, lower is better
    assert found["S/CR"]["met"] is False


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{measure: XX, starts: 2019/20, value: 1}", "targets[0].measure: 'XX' is not a measure"),
        ("{measure: ER, unit: Q, starts: 2019/20, value: 1}", "targets[0].unit: 'Q' is not a unit"),
        ("{measure: ER, starts: April, value: 1}", "targets[0].starts:"),
        (
            "{measure: ER, starts: 2019/20, ends: 2018-04, value: 1}",
            "targets[0].ends: '2018-04' is before '2019/20'",
        ),
        ("{measure: ER, starts: 2019/20, value: 1, amber_within: -1}", "targets[0].amber_within"),
        ("{measure: ER, starts: 2019/20}", "targets[0].value"),
    ],
)
def test_bad_targets_are_named_with_their_line(target: str, message: str) -> None:
    found = problems(GOOD + f"targets:\n  - {target}\n")
    assert any(message in problem for problem in found), found
    assert all(problem.startswith("framework.yaml:") for problem in found)
