"""The unit among its peer group at one period: the period chosen, the average, the intervals."""

from __future__ import annotations

import polars as pl

from pmf.core.framework import Framework, load_framework
from pmf.core.intervals import wilson
from pmf.core.peers import peer_snapshot

FRAMEWORK = """
organisation: {code: X, name: Test}
areas: [{code: A, name: A}]
units:
  - {code: F, name: Force, type: force}
  - {code: N, name: North, type: command, parent: F}
  - {code: S, name: South, type: command, parent: F}
  - {code: E, name: East, type: command, parent: F}
  - {code: W, name: West, type: command, parent: F}
measures:
  - {code: P, name: Solved, area: A, kind: kpi, polarity: higher_is_better,
     unit_of_measure: percent, frequency: month, multiplier: 100}
  - {code: R, name: Crimes, area: A, kind: kpi, polarity: lower_is_better,
     unit_of_measure: rate, frequency: month, multiplier: 1000}
peer_groups:
  - {name: Commands, units: [N, S, E, W]}
"""


def framework() -> Framework:
    return load_framework(FRAMEWORK)


def figures(measure: str, rows: list[tuple[str, str, float, float]]) -> pl.DataFrame:
    """Build figures from (unit, period, numerator, denominator); values as the measure's."""
    multiplier = 100.0 if measure == "P" else 1000.0
    return pl.DataFrame(
        {
            "unit": [row[0] for row in rows],
            "measure": measure,
            "period": [row[1] for row in rows],
            "value": [row[2] / row[3] * multiplier for row in rows],
            "numerator": [row[2] for row in rows],
            "denominator": [row[3] for row in rows],
        }
    )


def test_one_member_ahead_does_not_move_the_comparison_to_its_month() -> None:
    found = figures(
        "P",
        [
            ("N", "2025-01", 60, 100),
            ("S", "2025-01", 50, 100),
            ("E", "2025-01", 40, 100),
            ("W", "2025-01", 30, 100),
            ("N", "2025-02", 70, 100),
            ("S", "2025-02", 55, 100),
        ],
    )
    work = framework()
    # In February only N and S have figures: half of the four averaged units is enough.
    assert peer_snapshot(work, found, "S", work.measure("P"), "2025-02").period == "2025-02"
    # E alone ahead of the others: the comparison stays at the month most of them have.
    ahead = pl.concat([found, figures("P", [("E", "2025-03", 45, 100)])])
    snapshot = peer_snapshot(work, ahead, "E", work.measure("P"), "2025-03")
    assert snapshot.period == "2025-01"
    assert [row.unit for row in snapshot.observations] == ["N", "S", "E", "W"]  # best first
    assert snapshot.average == 45.0


def test_percentages_carry_wilson_intervals_and_lower_is_better_sorts_lowest_first() -> None:
    work = framework()
    found = figures("P", [("N", "2025-01", 65, 100), ("S", "2025-01", 1045, 5000)])
    snapshot = peer_snapshot(work, found, "N", work.measure("P"), "2025-01")
    lower, upper = wilson([65, 1045], [100, 5000])
    assert [(row.lower, row.upper) for row in snapshot.observations] == [
        (float(lower[0] * 100), float(upper[0] * 100)),
        (float(lower[1] * 100), float(upper[1] * 100)),
    ]
    rates = figures("R", [("N", "2025-01", 30, 1000), ("S", "2025-01", 10, 1000)])
    snapshot = peer_snapshot(work, rates, "N", work.measure("R"), "2025-01")
    assert [row.unit for row in snapshot.observations] == ["S", "N"]
    assert all(row.lower is not None and row.lower < row.value for row in snapshot.observations)


def test_no_group_or_no_shared_period_gives_no_figures() -> None:
    work = framework()
    found = figures("P", [("N", "2025-01", 60, 100), ("S", "2025-02", 50, 100)])
    alone = peer_snapshot(work, found, "F", work.measure("P"), "2025-02")
    assert alone.group is None and alone.observations == ()
    apart = peer_snapshot(work, found, "S", work.measure("P"), "2025-02")
    assert apart.group is not None and apart.period is None and apart.observations == ()
