"""Risk scores, bands and the heat map, from the scales of the framework file's ``risks:``.

A risk is rated on two scales, likelihood and impact, each a list of levels numbered from 1.
Its score is the likelihood level's weight times the impact level's weight; by default the
weights are the level numbers, so a 1-5 by 1-5 register scores from 1 to 25. With weights
(impact 4, 8, 12, 16, 20, say) the scores run to 100 and a threshold such as "scores above
75" is the redline. See docs/methods.md, "Risk scores".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pmf.core.framework import RiskRegister


def weights(register: RiskRegister, scale: str) -> tuple[float, ...]:
    """Return the weight of each level of ``scale`` (``likelihood`` or ``impact``), first first.

    >>> weights(RiskRegister(), "impact")
    (1.0, 2.0, 3.0, 4.0, 5.0)
    """
    given: tuple[float, ...] | None = getattr(register, f"{scale}_weights")
    levels: tuple[str, ...] = getattr(register, scale)
    return (
        given if given is not None else tuple(float(level) for level in range(1, len(levels) + 1))
    )


def check_level(register: RiskRegister, scale: str, level: int) -> int:
    """Return ``level`` if it is a level of ``scale``; raise ``ValueError`` naming the range.

    >>> check_level(RiskRegister(), "likelihood", 6)
    Traceback (most recent call last):
    ...
    ValueError: likelihood 6 is not a level: choose 1 to 5
    """
    count = len(getattr(register, scale))
    if not 1 <= level <= count:
        raise ValueError(f"{scale} {level} is not a level: choose 1 to {count}")
    return level


def score(register: RiskRegister, likelihood: int, impact: int) -> float:
    """Return the score of a risk: the likelihood level's weight times the impact level's.

    >>> score(RiskRegister(), 4, 5)
    20.0
    >>> weighted = RiskRegister(impact_weights=(4, 8, 12, 16, 20), threshold=75)
    >>> score(weighted, 4, 5), score(weighted, 5, 4)
    (80.0, 80.0)
    """
    check_level(register, "likelihood", likelihood)
    check_level(register, "impact", impact)
    return weights(register, "likelihood")[likelihood - 1] * weights(register, "impact")[impact - 1]


def band(register: RiskRegister, value: float) -> str:
    """Return the name of the band a score is in: the last whose ``min_score`` it reaches.

    >>> [band(RiskRegister(), value) for value in (1, 5, 12, 25)]
    ['low', 'medium', 'high', 'very high']
    """
    found = ""
    for candidate in register.bands:
        if value >= candidate.min_score:
            found = candidate.name
    return found


def band_position(register: RiskRegister, value: float) -> int:
    """Return the band's position from 0 (the lowest band), for styling; -1 below every band.

    >>> band_position(RiskRegister(), 20)
    3
    """
    position = -1
    for index, candidate in enumerate(register.bands):
        if value >= candidate.min_score:
            position = index
    return position


def above_threshold(register: RiskRegister, value: float) -> bool:
    """Say whether a score is above the register's threshold (strictly: 75 is not above 75).

    >>> weighted = RiskRegister(impact_weights=(4, 8, 12, 16, 20), threshold=75)
    >>> above_threshold(weighted, 75), above_threshold(weighted, 80)
    (False, True)
    """
    return value > register.threshold


def count_above(register: RiskRegister, scores: Iterable[float]) -> int:
    """Return how many scores are above the threshold: the redline's figure.

    >>> count_above(RiskRegister(), [25, 16, 15, 4])
    2
    """
    return sum(1 for value in scores if above_threshold(register, value))


@dataclass(frozen=True)
class HeatCell:
    """One cell of the heat map: a likelihood and impact level, their score and the count."""

    likelihood: int
    impact: int
    score: float
    band: str
    band_position: int
    above_threshold: bool
    count: int


@dataclass(frozen=True)
class HeatRow:
    """One impact level of the heat map, with a cell for each likelihood level."""

    impact: int
    label: str
    cells: tuple[HeatCell, ...]


def heat_map(register: RiskRegister, ratings: Iterable[tuple[int, int]]) -> tuple[HeatRow, ...]:
    """Count (likelihood, impact) ratings into a grid: the highest impact first, as drawn.

    >>> rows = heat_map(RiskRegister(), [(4, 5), (4, 5), (1, 1)])
    >>> [cell.count for cell in rows[0].cells]
    [0, 0, 0, 2, 0]
    >>> rows[0].label, rows[0].cells[3].score, rows[0].cells[3].band
    ('Severe', 20.0, 'very high')
    >>> sum(cell.count for row in rows for cell in row.cells)
    3
    """
    counts: dict[tuple[int, int], int] = {}
    for likelihood, impact in ratings:
        check_level(register, "likelihood", likelihood)
        check_level(register, "impact", impact)
        counts[(likelihood, impact)] = counts.get((likelihood, impact), 0) + 1
    rows = []
    for impact in range(len(register.impact), 0, -1):
        cells = []
        for likelihood in range(1, len(register.likelihood) + 1):
            value = score(register, likelihood, impact)
            cells.append(
                HeatCell(
                    likelihood=likelihood,
                    impact=impact,
                    score=value,
                    band=band(register, value),
                    band_position=band_position(register, value),
                    above_threshold=above_threshold(register, value),
                    count=counts.get((likelihood, impact), 0),
                )
            )
        rows.append(HeatRow(impact=impact, label=register.impact[impact - 1], cells=tuple(cells)))
    return tuple(rows)


def max_score(register: RiskRegister) -> float:
    """Return the highest score the scales allow.

    >>> max_score(RiskRegister(impact_weights=(4, 8, 12, 16, 20)))
    100.0
    """
    return max(weights(register, "likelihood")) * max(weights(register, "impact"))
