from __future__ import annotations

import polars as pl
import pytest

from pmf.core.framework import Framework, load_framework
from pmf.core.peers import compare_with_peers, peer_links, with_positions
from tests.factories import GOOD

MEASURES = pl.DataFrame(
    {
        "measure": ["M", "L", "N"],
        "polarity": ["higher_is_better", "lower_is_better", "neither"],
        "multiplier": [100.0, 1000.0, 1.0],
    }
)


def figures(measure: str, values: dict[str, float], parts: bool = False) -> pl.DataFrame:
    units = list(values)
    return pl.DataFrame(
        {
            "unit": units,
            "measure": measure,
            "period": "2019-07",
            "value": [values[u] for u in units],
            "numerator": [values[u] for u in units] if parts else [None] * len(units),
            "denominator": [100.0] * len(units) if parts else [None] * len(units),
        },
        schema_overrides={"numerator": pl.Float64, "denominator": pl.Float64},
    )


def links(unit: str, members: list[str], include_self: bool = True) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": unit,
            "peer": [unit, *members],
            "peer_group": "MSG",
            "in_average": [include_self] + [True] * len(members),
        }
    )


def compare(
    measure: str, values: dict[str, float], include_self: bool = True, parts: bool = False
) -> dict[str, object]:
    others = [u for u in values if u != "U"]
    result = compare_with_peers(
        figures(measure, values, parts), links("U", others, include_self), MEASURES
    )
    return with_positions(result).row(0, named=True)


def test_eighth_in_msg_and_below_the_average_as_the_seed_paper_says() -> None:
    values = {"U": 69.8, **{f"P{i}": 78.0 + i * 0.1 for i in range(7)}}
    row = compare("M", values)
    assert row["rank"] == 8 and row["group_size"] == 8
    average = sum(values.values()) / 8
    assert row["peer_average"] == pytest.approx(average)
    assert row["gap"] == pytest.approx(69.8 - average)
    assert (
        row["position"] == f"eighth in its MSG and {abs(69.8 - average) / average * 100:.1f}% "
        "below the MSG average"
    )


def test_average_can_leave_the_unit_out() -> None:
    row = compare("M", {"U": 10.0, "A": 20.0, "B": 30.0}, include_self=False)
    assert row["peer_average"] == 25.0
    assert row["peers_reporting"] == 2
    assert row["group_size"] == 3


def test_rank_respects_polarity_and_ties_share_the_better_rank() -> None:
    assert compare("L", {"U": 1.0, "A": 2.0, "B": 3.0})["rank"] == 1
    assert compare("M", {"U": 2.0, "A": 2.0, "B": 3.0})["rank"] == 2
    assert compare("N", {"U": 1.0, "A": 2.0})["rank"] is None


def test_pooled_average_uses_numerators_and_denominators() -> None:
    row = compare("M", {"U": 10.0, "A": 30.0}, parts=True)
    assert row["pooled_average"] == pytest.approx((10 + 30) / 200 * 100)


def test_ordinals_beyond_twenty() -> None:
    values = {"U": 0.0, **{f"P{i:02d}": 10.0 + i for i in range(22)}}
    assert compare("M", values)["position"].startswith("23rd in its MSG")


def test_peer_links_follow_the_framework() -> None:
    framework: Framework = load_framework(GOOD)
    frame = peer_links(framework, ["N", "F", "X"])
    assert sorted(frame.filter(pl.col("unit") == "N")["peer"].to_list()) == ["N", "S"]
    assert frame.filter(pl.col("unit") == "X").height == 0


def test_a_group_of_the_unit_alone_is_not_compared() -> None:
    result = compare_with_peers(figures("M", {"U": 1.0}), links("U", ["A", "B"]), MEASURES)
    assert result.height == 0
