"""Shape an assessment into a unit's scorecard: areas, then measures, in words people read."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import polars as pl

from pmf.core.assessment import ASSESSMENT_COLUMNS
from pmf.core.framework import Framework
from pmf.core.periods import parse_period
from pmf.core.text import format_value

SYMBOLS = {
    "improving": "▲ improving",
    "deteriorating": "▼ deteriorating",
    "no change": "= no change",
    "higher": "↑ higher",
    "lower": "↓ lower",
}


# Assessment columns a scorecard row carries as they are.
PASSED_THROUGH = ASSESSMENT_COLUMNS[ASSESSMENT_COLUMNS.index("previous_cycle_period") :]


@dataclass(frozen=True)
class ScorecardRow:
    """One measure on a scorecard, with the numbers and the words shown for them."""

    area: str
    measure: str
    name: str
    kind: str
    period: str
    period_label: str
    value: float | None
    value_text: str
    standard: str
    reference: float | None
    reference_text: str
    met: bool | None
    met_text: str
    rag: str | None
    previous_period: str | None
    previous_value: float | None
    direction_previous: str | None
    last_year_period: str | None
    last_year_value: float | None
    direction_last_year: str | None
    previous_cycle_period: str | None
    previous_cycle_value: float | None
    direction_previous_cycle: str | None
    peer_group: str | None
    peer_average: float | None
    pooled_average: float | None
    group_size: int | None
    rank: int | None
    gap: float | None
    gap_percent: float | None
    position: str | None
    trend: str | None
    deteriorating_since: str | None
    deteriorating_steps: int | None
    forecast: float | None
    forecast_method: str | None
    budget_variance: float | None
    budget_position: str | None
    significance: str | None
    national_value: float | None
    national_comparison: str | None
    variation: str | None
    assurance: str | None
    spc_points: int | None
    trial_limits: bool | None
    origin: str

    @property
    def standard_text(self) -> str:
        """Return the standard with what it compared with: "v. MSG average (1.98)".

        A fixed target already shows its number, so it stands alone.
        """
        if self.standard.startswith(("v. ", "better than")) and self.reference_text != "–":
            return f"{self.standard} ({self.reference_text})"
        return self.standard

    @property
    def rank_text(self) -> str:
        """Return the rank in the peer group as "3 of 8", or a dash."""
        if self.rank is None or self.group_size is None:
            return "–"
        return f"{self.rank} of {self.group_size}"

    def as_dict(self) -> dict[str, Any]:
        """Return the row as plain data for CSV and JSON."""
        # Every field is a scalar: a shallow copy is what ``asdict`` would make, without its
        # recursive deep copy of each value (a sixth of a scorecard page's time).
        return {name: getattr(self, name) for name in _ROW_FIELDS}


_ROW_FIELDS = tuple(item.name for item in fields(ScorecardRow))


@dataclass(frozen=True)
class AreaSection:
    """An area of the scorecard and its measures."""

    code: str
    title: str
    rows: list[ScorecardRow]


@dataclass(frozen=True)
class Scorecard:
    """A unit's scorecard at a cut-off: every area, including those with no measures yet."""

    organisation: str
    unit: str
    unit_name: str
    as_at: str
    sections: list[AreaSection]
    previous: str | None = None

    def rows(self) -> list[ScorecardRow]:
        """Return every measure row, area by area."""
        return [row for section in self.sections for row in section.rows]


def build_scorecard(
    framework: Framework,
    assessment: pl.DataFrame,
    unit: str,
    *,
    areas: list[str] | None = None,
    kinds: list[str] | None = None,
    exceptions_only: bool = False,
    as_at: str | None = None,
    previous: str | None = None,
) -> Scorecard:
    """Return the scorecard of ``unit`` from an assessment frame (see ``assess``).

    ``exceptions_only`` keeps the measures that did not meet their standard or
    are deteriorating on both comparisons. ``as_at`` names the cut-off asked for;
    without it the scorecard is as at its latest figure.
    """
    rows = assessment.filter(pl.col("unit") == unit)
    latest = _latest_label(rows)
    if kinds:
        rows = rows.filter(pl.col("kind").is_in(kinds))
    if exceptions_only:
        rows = rows.filter(
            (pl.col("met") == False)  # noqa: E712 - a Polars expression, not a Python test
            | (
                (pl.col("direction_previous") == "deteriorating")
                & (pl.col("direction_last_year") == "deteriorating")
            )
        )
    by_area: dict[str, list[ScorecardRow]] = {area.code: [] for area in framework.areas}
    for record in rows.iter_rows(named=True):
        measure = framework.measure(record["measure"])
        met = record["met"]
        by_area[record["area"]].append(
            ScorecardRow(
                area=record["area"],
                measure=measure.code,
                name=measure.name,
                kind=measure.kind.value,
                period=record["period"],
                period_label=parse_period(record["period"]).label,
                value=record["value"],
                value_text=format_value(record["value"], measure),
                standard=record["standard"] or "–",
                reference=record["reference"],
                reference_text=format_value(record["reference"], measure),
                met=met,
                met_text=(
                    "Met"
                    if met
                    else "Not met"
                    if met is not None
                    else f"Not assessed ({record['not_assessed']})"
                    if record["standard"]
                    else "–"
                ),
                rag=record["rag"],
                previous_period=record["previous_period"],
                previous_value=record["previous_value"],
                direction_previous=record["direction_previous"],
                last_year_period=record["last_year_period"],
                last_year_value=record["last_year_value"],
                direction_last_year=record["direction_last_year"],
                origin=record["origin"],
                **{name: record[name] for name in PASSED_THROUGH},
            )
        )
    sections = [
        AreaSection(area.code, area.title, by_area[area.code])
        for area in framework.areas
        if areas is None or area.code in areas
    ]
    target = framework.unit(unit)
    return Scorecard(
        organisation=framework.organisation.name,
        unit=target.code,
        unit_name=target.name,
        as_at=as_at or latest,
        previous=previous,
        sections=sections,
    )


def _latest_label(rows: pl.DataFrame) -> str:
    if rows.height == 0:
        return "no figures"
    latest = max(
        (parse_period(code) for code in rows["period"].unique().to_list()),
        key=lambda period: (period.end, period.start),
    )
    return latest.label


VARIATION_WORDS = {
    "common_cause": "common cause",
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral_high": "higher",
    "special_cause_neutral_low": "lower",
}
# Making Data Count's words for the assurance icons.
ASSURANCE_WORDS = {
    "consistent_pass": "passes",
    "consistent_fail": "fails",
    "inconsistent": "hit and miss",
}


def spc_text(variation: str | None, assurance: str | None, trial: bool | None) -> str:
    """Return the SPC variation and assurance in words, e.g. "concern; fails" or a dash."""
    if variation is None:
        return "–"
    words = VARIATION_WORDS.get(variation, variation)
    if assurance:
        words += f"; {ASSURANCE_WORDS.get(assurance, assurance)}"
    return f"{words} (trial)" if trial else words


def direction_text(direction: str | None) -> str:
    """Return a direction of travel with its arrow, or a dash when there is nothing to compare."""
    return SYMBOLS.get(direction or "", "–")
