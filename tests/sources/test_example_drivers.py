"""Key drivers in the examples: the police's high harm rate and Trafford's life expectancy gap.

The contributions are checked against the components' own figures, pooled from the boroughs
here by hand (offences over residents), not against pmf's split.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl
import pytest

from pmf.core.assessment import assess
from pmf.core.calculation import calculate
from pmf.core.drivers import Against, KeyDrivers, key_drivers, sentence, shape_for
from pmf.core.framework import Framework, load_framework
from pmf.sources.examples import registry

COMPONENTS = ("VWI_RATE", "SEXUAL_RATE", "ROBBERY_PERSONAL_RATE", "RES_BURGLARY_RATE")


@cache
def _example(name: str) -> tuple[Framework, pl.DataFrame]:
    example = registry()[name]
    path = example.framework_path
    framework = load_framework(path.read_text(encoding="utf-8"), path.name)
    observations = example.observations()
    # The calculated figures, as pmf stores them when the inputs are imported.
    calculated = calculate(framework, observations)
    return framework, pl.concat([observations, calculated], how="diagonal_relaxed")


def _drivers(name: str, unit: str, measure: str, cut: dt.date | None = None) -> KeyDrivers:
    framework, observations = _example(name)
    shape = shape_for(framework.measure(measure))
    assert shape is not None
    found = key_drivers(
        framework, assess(framework, observations, units=[unit], cut=cut), unit, measure, shape
    )
    assert found is not None
    return found


def _pooled(unit: str, period: str) -> dict[str, float]:
    """Return each component's rate for a BCU, from its boroughs' offences and residents."""
    framework, observations = _example("police")
    boroughs = [item.code for item in framework.units if item.parent == unit]
    rows = observations.filter(
        pl.col("unit").is_in(boroughs)
        & pl.col("measure").is_in(COMPONENTS)
        & (pl.col("period") == period)
    )
    sums = rows.group_by("measure").agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    return {code: n / d * 1000 for code, n, d in sums.iter_rows()}


def test_central_west_s_high_harm_against_last_month_splits_into_its_four_crime_types() -> None:
    found = _drivers("police", "CW", "HIGH_HARM_RATE", dt.date(2025, 11, 30))
    previous = found.comparison(Against.PREVIOUS_PERIOD)
    assert previous is not None
    assert previous.label == "October 2025"
    before, after = _pooled("CW", "2025-10"), _pooled("CW", "2025-11")
    assert [item.code for item in previous.drivers] == list(COMPONENTS)
    assert [item.contribution for item in previous.drivers] == pytest.approx(
        [after[code] - before[code] for code in COMPONENTS]
    )
    # The high harm rate is their sum: the components explain all of its change.
    assert previous.change == pytest.approx(sum(after.values()) - sum(before.values()))
    assert sum(item.share or 0 for item in previous.drivers) == pytest.approx(1.0)


def test_central_west_s_high_harm_against_its_msg_average_splits_too() -> None:
    found = _drivers("police", "CW", "HIGH_HARM_RATE", dt.date(2025, 11, 30))
    standard = found.comparison(Against.STANDARD)
    assert standard is not None
    assert standard.label == "the MSG average of November 2025"
    # Each component is judged against its own MSG average: their gaps add up to the total's.
    assert all(item.role == "term" for item in standard.drivers)
    assert sum(item.contribution for item in standard.drivers) == pytest.approx(standard.change)


def test_trafford_s_life_expectancy_gap_takes_the_males_away() -> None:
    framework, observations = _example("trafford")
    (unit,) = [item.code for item in framework.units if not item.external and item.parent is None]
    found = _drivers("trafford", unit, "LE_GAP")
    # Three pooled years: the previous period is last year's, said once.
    assert [item.against for item in found.comparisons] == [Against.PREVIOUS_PERIOD]
    (previous,) = found.comparisons
    rows = observations.filter(
        (pl.col("unit") == unit) & pl.col("measure").is_in(["LE_FEMALE", "LE_MALE"])
    )
    value = {
        (measure, period): number
        for measure, period, number in rows.select("measure", "period", "value").iter_rows()
    }
    now, then = found.period, previous.period
    female, male = previous.drivers
    assert (female.code, male.code) == ("LE_FEMALE", "LE_MALE")
    assert female.contribution == pytest.approx(value["LE_FEMALE", now] - value["LE_FEMALE", then])
    # Males living longer narrows the gap: their rise is a negative contribution.
    assert male.contribution == pytest.approx(value["LE_MALE", then] - value["LE_MALE", now])
    assert male.coefficient == -1.0
    text = sentence(framework, framework.measure("LE_GAP"), previous)
    assert text is not None and "Life expectancy at birth, females (years)" in text
