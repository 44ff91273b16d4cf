from __future__ import annotations

import polars as pl
import pytest

from pmf.core.framework import Framework
from pmf.core.rollup import roll_up
from tests.factories import observations


def value_of(frame: pl.DataFrame, unit: str, measure: str, period: str) -> float:
    rows = frame.filter(
        (pl.col("unit") == unit) & (pl.col("measure") == measure) & (pl.col("period") == period)
    )
    assert rows.height == 1
    return rows["value"][0]


def test_pooled_ratio_divides_summed_numerators_by_summed_denominators(
    framework: Framework,
) -> None:
    frame = roll_up(
        framework,
        observations(
            [
                ("N", "CR", "2019-07", 10.0, 10.0, 1000.0),
                ("S", "CR", "2019-07", 1.0, 3.0, 3000.0),
            ]
        ),
    )
    # (10 + 3) / (1000 + 3000) * 1000 = 3.25, not the mean of the rates (5.5).
    assert value_of(frame, "F", "CR", "2019-07") == pytest.approx(3.25)
    assert frame.filter(pl.col("unit") == "F")["origin"].to_list() == ["rolled_up"]


def test_parent_is_not_rolled_up_when_a_child_has_no_figure(framework: Framework) -> None:
    frame = roll_up(framework, observations([("N", "CR", "2019-07", 10.0, 10.0, 1000.0)]))
    assert frame.filter(pl.col("unit") == "F").height == 0


def test_parent_keeps_its_own_reported_figure(framework: Framework) -> None:
    frame = roll_up(
        framework,
        observations(
            [
                ("N", "CR", "2019-07", 10.0, 10.0, 1000.0),
                ("S", "CR", "2019-07", 1.0, 3.0, 3000.0),
                ("F", "CR", "2019-07", 4.0, 16.0, 4000.0),
            ]
        ),
    )
    assert value_of(frame, "F", "CR", "2019-07") == 4.0
    assert frame.filter(pl.col("unit") == "F")["origin"].to_list() == ["reported"]


def test_measure_without_rollup_is_not_combined(framework: Framework) -> None:
    frame = roll_up(
        framework,
        observations(
            [("N", "ER", "2019-07", 70.0, None, None), ("S", "ER", "2019-07", 90.0, None, None)]
        ),
    )
    assert frame.filter(pl.col("unit") == "F").height == 0


def test_partial_rollup_pools_the_children_that_reported() -> None:
    from pmf.core.framework import load_framework
    from tests.factories import GOOD

    framework = load_framework(
        GOOD.replace(
            "    rollup: pooled_ratio\n", "    rollup: pooled_ratio\n    rollup_partial: true\n"
        )
    )
    frame = roll_up(framework, observations([("N", "CR", "2019-07", 10.0, 10.0, 1000.0)]))
    force = frame.filter(pl.col("unit") == "F").row(0, named=True)
    assert force["value"] == pytest.approx(10.0)
    assert (force["children_reporting"], force["children_expected"]) == (1, 2)


def test_only_the_parents_asked_for_are_rolled_up(framework: Framework) -> None:
    figures = observations(
        [
            ("N", "CR", "2019-07", 10.0, 10.0, 1000.0),
            ("S", "CR", "2019-07", 1.0, 3.0, 3000.0),
        ]
    )
    everything = roll_up(framework, figures)
    # A command's page needs no force figure; the force's needs its own, from every command.
    reported_only = figures.with_columns(pl.lit("reported").alias("origin"))
    assert roll_up(framework, figures, units=["N", "S"]).equals(reported_only)
    assert roll_up(framework, figures, units=["F"]).equals(everything)
    assert everything.filter(pl.col("unit") == "F").height == 1
