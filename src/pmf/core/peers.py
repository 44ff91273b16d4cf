"""Compare each unit with its peer group (Most Similar Group): average, rank, gap, position.

The expected performance of a unit is its MSG average: by default the simple
mean of the group members' values including the unit itself, as the Home Office
MSG comparisons do (``include_self: false`` in the framework leaves it out).
Where numerators and denominators exist the pooled average is given too. Ranks
count from 1 for the best, by polarity, over the unit and its peers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from pmf.core.framework import Framework, Measure, PeerSet, Polarity, UnitOfMeasure
from pmf.core.intervals import observation_intervals
from pmf.core.periods import parse_period
from pmf.core.wording import phrase_column, position_words

PEER_COLUMNS = (
    "unit",
    "measure",
    "period",
    "peer_group",
    "peer_average",
    "pooled_average",
    "peers_reporting",
    "group_size",
    "rank",
    "gap",
    "gap_percent",
    "position",
)


def peer_links(framework: Framework, units: Iterable[str]) -> pl.DataFrame:
    """Return who each unit is compared with: one row per unit and member (the unit too).

    ``in_average`` says whether the member's value counts towards the group
    average; the unit itself is always in the ranking.
    """
    rows: list[tuple[str, str, str, bool]] = []
    for code in units:
        peers = framework.peers(code)
        if peers is None:
            continue
        rows.append((code, code, peers.name, peers.include_self))
        rows.extend((code, member, peers.name, True) for member in peers.members)
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "peer": pl.String,
            "peer_group": pl.String,
            "in_average": pl.Boolean,
        },
        orient="row",
    )


def compare_with_peers(
    observations: pl.DataFrame, links: pl.DataFrame, measures: pl.DataFrame
) -> pl.DataFrame:
    """Return the peer comparison of every linked unit, measure and period with a figure.

    ``figures`` has unit, measure, period, value, numerator, denominator;
    ``links`` comes from ``peer_links``; ``measures`` has measure, polarity and
    multiplier. The result has the columns in ``PEER_COLUMNS`` but the position
    sentence, which ``with_positions`` adds. Unit, measure, period and peer group
    come back as Enum (categorical) columns: copying millions of strings would
    cost more than the comparison; cast them to ``pl.String`` to join with text.

    >>> figures = pl.DataFrame({"unit": ["A", "B", "C"], "measure": "M", "period": "2019-07",
    ...     "value": [10.0, 20.0, 30.0], "numerator": [1.0, 4.0, 9.0],
    ...     "denominator": [10.0, 20.0, 30.0]})
    >>> links = pl.DataFrame({"unit": "A", "peer": ["A", "B", "C"], "peer_group": "MSG",
    ...                       "in_average": True})
    >>> measures = pl.DataFrame({"measure": ["M"], "polarity": ["higher_is_better"],
    ...                          "multiplier": [100.0]})
    >>> row = with_positions(compare_with_peers(figures, links, measures)).row(0, named=True)
    >>> row["peer_average"], row["rank"], row["position"]
    (20.0, 3, 'third in its MSG and 50.0% below the MSG average')
    """
    return _dense_comparison(observations, links, measures).select(PEER_COLUMNS[:-1])


def with_positions(comparison: pl.DataFrame) -> pl.DataFrame:
    """Add the position sentence to a peer comparison: "eighth in its MSG and 9.9% below ...".

    Kept apart from the numbers because only the rows that people read need words; the
    words are :func:`pmf.core.wording.position_words` in English, from rank and gap.
    """
    gap = pl.col("gap_percent").round(1).alias("_gap")  # said to 0.1%: few distinct phrases
    return phrase_column(
        comparison.drop("position", strict=False).with_columns(gap),
        ["rank", "_gap"],
        lambda rank, gap: (
            None if rank is None or gap is None else position_words(rank, gap, english=True)
        ),
        "position",
    ).drop("_gap")


# Cells of the (rows × linked units × group members) block compared at once.
_BLOCK_CELLS = 8_000_000


@dataclass(frozen=True)
class PeerValue:
    """One unit's value in a peer comparison, with its 95% interval where it has one."""

    unit: str
    value: float
    lower: float | None
    upper: float | None
    is_unit: bool


@dataclass(frozen=True)
class PeerSnapshot:
    """A unit and its peer group at one period: their figures, best first, and the average.

    ``period`` is None (and there are no figures) when no period has enough of the group's
    figures; ``group`` is None when the unit has no peer group.
    """

    group: PeerSet | None
    period: str | None
    average: float | None
    observations: tuple[PeerValue, ...]


# The statistic of the intervals round a measure's figures (pmf.core.intervals).
_INTERVALS: dict[UnitOfMeasure, Literal["proportion", "rate"]] = {
    UnitOfMeasure.PERCENT: "proportion",
    UnitOfMeasure.RATE: "rate",
    UnitOfMeasure.RATIO: "rate",
}


def peer_snapshot(
    framework: Framework,
    observations: pl.DataFrame,
    unit: str,
    measure: Measure,
    period: str | None,
) -> PeerSnapshot:
    """Return the unit and its peer group's figures at one period, with 95% intervals.

    The period is the latest at or before ``period`` (the unit's own latest) at which the
    unit and at least half of the members in the group average have figures, as the
    assessment compares them: one member's early figure for a new month neither empties the
    comparison nor compares the unit with that member alone. The average is the mean of the
    averaged members' values; the intervals are Wilson's for percentages and Byar's for
    rates and ratios (``observation_intervals``), for every figure or none. ``figures`` are
    rolled-up figures (``pmf.core.rollup.roll_up``).

    >>> from pmf.core.framework import load_framework
    >>> framework = load_framework('''
    ... organisation: {code: X, name: X}
    ... areas: [{code: A, name: A}]
    ... units:
    ...   - {code: F, name: Force, type: force}
    ...   - {code: N, name: North, type: command, parent: F}
    ...   - {code: S, name: South, type: command, parent: F}
    ... measures:
    ...   - {code: M, name: Solved, area: A, kind: kpi, polarity: higher_is_better,
    ...      unit_of_measure: percent, frequency: month, multiplier: 100}
    ... peer_groups: [{name: Commands, units: [N, S]}]
    ... ''')
    >>> figures = pl.DataFrame({"unit": ["N", "S"], "measure": "M", "period": "2025-01",
    ...     "value": [65.0, 50.0], "numerator": [65.0, 50.0], "denominator": [100.0, 100.0]})
    >>> found = peer_snapshot(framework, figures, "S", framework.measure("M"), "2025-01")
    >>> lower = [(row.unit, round(row.lower or 0, 2)) for row in found.observations]
    >>> found.period, found.average, lower
    ('2025-01', 57.5, [('N', 55.25), ('S', 40.38)])
    """
    group = framework.peers(unit)
    if group is None or period is None:
        return PeerSnapshot(group, None, None, ())
    codes = [unit, *group.members]
    averaged_members = set(group.averaged)
    candidates = observations.filter(
        pl.col("unit").is_in(codes) & (pl.col("measure") == measure.code)
    )
    limit = parse_period(period).end
    chosen = None
    for code in sorted(
        set(candidates["period"].to_list()), key=lambda c: parse_period(c).end, reverse=True
    ):
        if parse_period(code).end > limit:
            continue
        present = set(candidates.filter(pl.col("period") == code)["unit"].to_list())
        enough = 2 * len(present & averaged_members) >= len(averaged_members)
        if unit in present and len(present) >= 2 and enough:
            chosen = code
            break
    if chosen is None:
        return PeerSnapshot(group, None, None, ())
    found = candidates.filter(pl.col("period") == chosen)
    averaged = found.filter(pl.col("unit").is_in(list(group.averaged)))
    average = float(averaged["value"].mean())  # type: ignore[arg-type]
    lower, upper = observation_intervals(
        found["numerator"].to_numpy(),
        found["denominator"].to_numpy(),
        _INTERVALS.get(measure.unit_of_measure),
        measure.multiplier,
    )
    rows = [
        PeerValue(
            unit=code,
            value=value,
            lower=None if np.isnan(low) else float(low),
            upper=None if np.isnan(high) else float(high),
            is_unit=code == unit,
        )
        for code, value, low, high in zip(
            found["unit"].to_list(), found["value"].to_list(), lower, upper, strict=True
        )
    ]
    rows.sort(key=lambda row: row.value, reverse=measure.polarity is Polarity.HIGHER_IS_BETTER)
    return PeerSnapshot(group, chosen, average, tuple(rows))


def _dense_comparison(
    observations: pl.DataFrame, links: pl.DataFrame, measures: pl.DataFrame
) -> pl.DataFrame:
    """Compare on a dense grid of (measure, period) rows × units, a block of rows at a time.

    Each unit's group is a fixed row of member columns, so averages and ranks are
    whole-array NumPy operations: no join of every figure with every peer.
    """
    schema = {
        "unit": pl.Categorical,
        "measure": pl.Categorical,
        "period": pl.Categorical,
        "peer_group": pl.Categorical,
        "peer_average": pl.Float64,
        "pooled_average": pl.Float64,
        "peers_reporting": pl.Int64,
        "group_size": pl.Int64,
        "rank": pl.Int64,
        "gap": pl.Float64,
        "gap_percent": pl.Float64,
    }
    if observations.height == 0 or links.height == 0:
        return pl.DataFrame(schema=schema)
    unit_codes = pl.concat([observations["unit"], links["unit"], links["peer"]]).unique()
    # The order of the codes does not matter; unique() without keeping it is faster.
    measure_codes = observations["measure"].unique()
    period_codes = observations["period"].unique()
    units, periods = len(unit_codes), len(period_codes)
    cells = observations.select(
        pl.col("unit").cast(pl.Enum(unit_codes)).to_physical().cast(pl.Int64).alias("u"),
        (
            pl.col("measure").cast(pl.Enum(measure_codes)).to_physical().cast(pl.Int64) * periods
            + pl.col("period").cast(pl.Enum(period_codes)).to_physical().cast(pl.Int64)
        ).alias("r"),
        "value",
        "numerator",
        "denominator",
    )
    rows = len(measure_codes) * periods
    u, r = cells["u"].to_numpy(), cells["r"].to_numpy()
    grid = _grid(rows, units, u, r, cells["value"])
    pooled = cells["numerator"].null_count() < cells.height
    numerators = _grid(rows, units, u, r, cells["numerator"]) if pooled else None
    denominators = _grid(rows, units, u, r, cells["denominator"]) if pooled else None

    linked = (
        links.with_columns(
            pl.col("unit").cast(pl.Enum(unit_codes)).to_physical().cast(pl.Int64).alias("u"),
            pl.col("peer").cast(pl.Enum(unit_codes)).to_physical().cast(pl.Int64).alias("p"),
        )
        .group_by("unit", maintain_order=True)
        .agg(pl.col("u").first(), pl.col("peer_group").first(), "p", "in_average")
    )
    # Polars types a Series' max as any scalar or None; this one is a count of a non-empty frame.
    width = int(linked["p"].list.len().max())  # type: ignore[arg-type]
    # Pad each group to the widest with a column that is always empty.
    members = np.full((linked.height, width), units, dtype=np.int64)
    in_average = np.zeros((linked.height, width), dtype=bool)
    for index, (peers, flags) in enumerate(linked.select("p", "in_average").iter_rows()):
        members[index, : len(peers)] = peers
        in_average[index, : len(flags)] = flags
    owners = linked["u"].to_numpy()

    by_measure = measures.select("measure", "polarity", "multiplier")
    rules = pl.DataFrame({"measure": measure_codes}).join(by_measure, on="measure", how="left")
    higher = np.repeat(
        (rules["polarity"] == Polarity.HIGHER_IS_BETTER.value).fill_null(False).to_numpy(),
        periods,
    )
    multiplier = np.repeat(rules["multiplier"].fill_null(1.0).to_numpy(), periods)

    shape = (rows, linked.height)
    results = {
        "average": np.empty(shape),
        "pooled": np.empty(shape),
        "reporting": np.empty(shape, dtype=np.int64),
        "size": np.empty(shape, dtype=np.int64),
        "rank": np.empty(shape, dtype=np.int64),
    }
    step = max(1, _BLOCK_CELLS // (linked.height * width))
    for first in range(0, rows, step):
        block = slice(first, min(rows, first + step))
        _compare_block(
            grid[block],
            None if numerators is None else numerators[block],
            None if denominators is None else denominators[block],
            members,
            in_average,
            owners,
            higher[block],
            multiplier[block],
            {key: array[block] for key, array in results.items()},
        )
    own = grid[:, owners]
    # A unit is compared only when at least one other member has a figure: a group of
    # itself alone says nothing.
    kept = (~np.isnan(own) & (results["size"] > 1)).ravel()
    # Boolean selection on flat arrays is much cheaper than gathering by (row, link) pairs.
    found = {key: array.ravel()[kept] for key, array in results.items()}
    row, link = np.divmod(np.flatnonzero(kept), linked.height)
    found.update(row=row, link=link, own=own.ravel()[kept])
    measure_of = found["row"] // periods
    neither = (rules["polarity"] == Polarity.NEITHER.value).fill_null(False).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = found["own"] - found["average"]
        gap_percent = np.where(found["average"] != 0, gap / np.abs(found["average"]) * 100, np.nan)
    return pl.DataFrame(
        {
            # Codes are gathered as categories: copying millions of strings is the slow part.
            "unit": _codes(linked["unit"], found["link"]),
            "measure": _codes(measure_codes, measure_of),
            "period": _codes(period_codes, found["row"] % periods),
            "peer_group": _codes(
                linked["peer_group"].unique(maintain_order=True),
                _positions(linked["peer_group"])[found["link"]],
            ),
            "peer_average": pl.Series(found["average"], nan_to_null=True),
            "pooled_average": pl.Series(found["pooled"], nan_to_null=True),
            "peers_reporting": found["reporting"],
            "group_size": found["size"],
            # No rank where neither direction is better.
            "rank": pl.Series(found["rank"]).scatter(np.flatnonzero(neither[measure_of]), None),
            "gap": pl.Series(gap, nan_to_null=True),
            "gap_percent": pl.Series(gap_percent, nan_to_null=True),
        }
    )


def _codes(categories: pl.Series, index: np.ndarray) -> pl.Series:
    """Return the categories at ``index`` as an Enum column, without copying strings."""
    text = categories.cast(pl.String)
    return text.cast(pl.Enum(text)).gather(index)


def _positions(values: pl.Series) -> np.ndarray:
    """Return each value's position among the distinct values, in order of appearance."""
    return values.cast(pl.Enum(values.unique(maintain_order=True))).to_physical().to_numpy()


def _grid(rows: int, units: int, u: np.ndarray, r: np.ndarray, values: pl.Series) -> np.ndarray:
    grid = np.full((rows, units + 1), np.nan)
    grid[r, u] = values.cast(pl.Float64).fill_null(np.nan).to_numpy()
    return grid


def _compare_block(
    grid: np.ndarray,
    numerators: np.ndarray | None,
    denominators: np.ndarray | None,
    members: np.ndarray,
    in_average: np.ndarray,
    owners: np.ndarray,
    higher: np.ndarray,
    multiplier: np.ndarray,
    out: dict[str, np.ndarray],
) -> None:
    own = grid[:, owners]  # rows × links
    values = grid[:, members]  # rows × links × members
    present = ~np.isnan(values)
    averaged = present & in_average
    reporting = averaged.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        average = np.where(averaged, values, 0.0).sum(axis=-1) / reporting
    # Better by polarity: (value − own) has the sign of the polarity (+1 higher, −1 lower).
    sense = np.where(higher, 1.0, -1.0)[:, None, None]
    better = (values - own[..., None]) * sense > 0
    rank = better.sum(axis=-1) + 1
    size = present.sum(axis=-1)
    pooled = np.full(own.shape, np.nan)
    if numerators is not None and denominators is not None:
        top, bottom = numerators[:, members], denominators[:, members]
        complete = ~(averaged & (np.isnan(top) | np.isnan(bottom))).any(axis=-1)
        top_sum = np.where(averaged, top, 0.0).sum(axis=-1)
        bottom_sum = np.where(averaged, bottom, 0.0).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = top_sum / bottom_sum * multiplier[:, None]
        pooled = np.where(complete & (bottom_sum > 0) & (reporting > 0), ratio, np.nan)
    out["average"][...] = average
    out["pooled"][...] = pooled
    out["reporting"][...] = reporting
    out["size"][...] = size
    out["rank"][...] = rank
