"""Making Data Count's summary: the icon of each measure's variation and assurance, and the
matrix of variation by assurance that NHS integrated performance reports open with.

Nothing here computes a statistic: the variation and assurance are the scorecard's
(``pmf.core.scorecard``, from ``pmf.core.spc``), in the labels of ``POINT_TYPES`` and
``ASSURANCE_TYPES``; this module only names their icons and sorts measures into the matrix.

The variation icons say which way the special cause points, as NHS England's do: an
improvement is high (H) when higher is better and low (L) when lower is better, and a concern
the other way round; a neutral special cause is high or low as the spc labels say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pmf.core.i18n import gettext_noop
from pmf.core.spc import (
    COMMON_CAUSE,
    CONCERN,
    CONSISTENT_FAIL,
    CONSISTENT_PASS,
    IMPROVEMENT,
    INCONSISTENT,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
)

__all__ = [
    "ASSURANCE_COLUMNS",
    "ASSURANCE_ICONS",
    "ICON_WORDS",
    "VARIATION_ROWS",
    "MatrixMeasure",
    "SummaryMatrix",
    "assurance_icon",
    "summary_matrix",
    "variation_icon",
]

# The icons, by name: NHS England's designs (see the "Making Data Count icons" section of
# docs/methods.md), each with the words that name it for people who cannot see it.
ICON_WORDS: Final[dict[str, str]] = {
    "common_cause": gettext_noop("Common cause variation"),
    "improvement_high": gettext_noop("Special cause variation: improvement, high"),
    "improvement_low": gettext_noop("Special cause variation: improvement, low"),
    "concern_high": gettext_noop("Special cause variation: concern, high"),
    "concern_low": gettext_noop("Special cause variation: concern, low"),
    "neutral_high": gettext_noop("Special cause variation: neither improvement nor concern, high"),
    "neutral_low": gettext_noop("Special cause variation: neither improvement nor concern, low"),
    "pass": gettext_noop("Assurance: consistently passes the target"),
    "fail": gettext_noop("Assurance: consistently fails the target"),
    "inconsistent": gettext_noop("Assurance: hit and miss, the target within the process limits"),
}
ASSURANCE_ICONS: Final[dict[str, str]] = {
    CONSISTENT_PASS: "pass",
    CONSISTENT_FAIL: "fail",
    INCONSISTENT: "inconsistent",
}

# The matrix's rows (variation) and columns (assurance), in the order NHS reports show them:
# code, heading (marked: the reader's language is the page's or paper's), and the icons its
# heading shows.
VARIATION_ROWS: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    (
        "improvement",
        gettext_noop("Special cause improvement"),
        ("improvement_high", "improvement_low"),
    ),
    ("common_cause", gettext_noop("Common cause"), ("common_cause",)),
    ("concern", gettext_noop("Special cause concern"), ("concern_high", "concern_low")),
    (
        "neutral",
        gettext_noop("Special cause, neither improvement nor concern"),
        ("neutral_high", "neutral_low"),
    ),
)
ASSURANCE_COLUMNS: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    ("pass", gettext_noop("Consistently passes"), ("pass",)),
    ("inconsistent", gettext_noop("Hit and miss"), ("inconsistent",)),
    ("fail", gettext_noop("Consistently fails"), ("fail",)),
    ("no_target", gettext_noop("No target"), ()),
)
_ROW_OF: Final[dict[str, str]] = {
    IMPROVEMENT: "improvement",
    COMMON_CAUSE: "common_cause",
    CONCERN: "concern",
    NEUTRAL_HIGH: "neutral",
    NEUTRAL_LOW: "neutral",
}


def variation_icon(variation: str | None, polarity: str | None) -> str | None:
    """Return the name of the icon of an SPC variation, or None without one.

    ``polarity`` is the measure's (``higher_is_better``, ``lower_is_better``, ``neither``):
    it says whether an improvement is high or low.

    >>> variation_icon("special_cause_improvement", "lower_is_better")
    'improvement_low'
    >>> variation_icon("special_cause_concern", "lower_is_better")
    'concern_high'
    >>> variation_icon(None, "neither") is None
    True
    """
    lower_better = polarity == "lower_is_better"
    if variation == IMPROVEMENT:
        return "improvement_low" if lower_better else "improvement_high"
    if variation == CONCERN:
        return "concern_high" if lower_better else "concern_low"
    return {
        COMMON_CAUSE: "common_cause",
        NEUTRAL_HIGH: "neutral_high",
        NEUTRAL_LOW: "neutral_low",
    }.get(variation or "")


def assurance_icon(assurance: str | None) -> str | None:
    """Return the name of the icon of an SPC assurance, or None (no target, no chart).

    >>> assurance_icon("inconsistent")
    'inconsistent'
    """
    return ASSURANCE_ICONS.get(assurance or "")


@dataclass(frozen=True)
class MatrixMeasure:
    """One measure in the matrix: its code, name and the names of its two icons."""

    measure: str
    name: str
    variation_icon: str | None
    assurance_icon: str | None


@dataclass(frozen=True)
class SummaryMatrix:
    """Measures by variation (rows) and assurance (columns), and those without an SPC chart.

    ``cells`` maps (row code, column code) of ``VARIATION_ROWS`` and ``ASSURANCE_COLUMNS`` to
    the measures in that cell, in the order given; ``unassessed`` are the measures with too few
    figures for a chart, which the matrix cannot place.
    """

    cells: dict[tuple[str, str], tuple[MatrixMeasure, ...]]
    unassessed: tuple[MatrixMeasure, ...] = field(default=())

    def cell(self, row: str, column: str) -> tuple[MatrixMeasure, ...]:
        """Return the measures of one cell (none: an empty tuple)."""
        return self.cells.get((row, column), ())

    @property
    def placed(self) -> int:
        """Return how many measures the matrix places."""
        return sum(len(found) for found in self.cells.values())


def summary_matrix(rows: Iterable[Mapping[str, Any]]) -> SummaryMatrix:
    """Sort a scorecard's rows into the Making Data Count matrix.

    Each row needs ``measure``, ``name``, ``variation``, ``assurance`` and ``polarity`` (a
    ``ScorecardRow.as_dict()`` has them). A measure without a target (no assurance) is in the
    "no target" column; one without a variation (too few figures) is ``unassessed``.

    >>> found = summary_matrix([
    ...     {"measure": "ER", "name": "Emergency response", "variation": "common_cause",
    ...      "assurance": "inconsistent", "polarity": "higher_is_better"},
    ... ])
    >>> [item.name for item in found.cell("common_cause", "inconsistent")]
    ['Emergency response']
    """
    cells: dict[tuple[str, str], list[MatrixMeasure]] = {}
    unassessed: list[MatrixMeasure] = []
    for row in rows:
        variation, assurance = row.get("variation"), row.get("assurance")
        item = MatrixMeasure(
            measure=str(row["measure"]),
            name=str(row["name"]),
            variation_icon=variation_icon(variation, row.get("polarity")),
            assurance_icon=assurance_icon(assurance),
        )
        place = _ROW_OF.get(variation or "")
        if place is None:
            unassessed.append(item)
            continue
        column = item.assurance_icon or "no_target"
        cells.setdefault((place, column), []).append(item)
    return SummaryMatrix(
        cells={key: tuple(found) for key, found in cells.items()},
        unassessed=tuple(unassessed),
    )
