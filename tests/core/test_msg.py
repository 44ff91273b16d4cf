"""Tests for Most Similar Groups computed from context variables."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

from pmf.core.msg import most_similar

# The census shares by police force area, as shipped with the police example.
DEMOGRAPHICS = Path(__file__).parents[2] / "examples/police/data/force-demographics.csv"


def test_hand_computed_distances_and_ranks() -> None:
    # x = 1, 1, 3, 3: mean 2, sd 1, z = -1, -1, 1, 1.
    # y = 0, 2, 0, 2: mean 1, sd 1, z = -1, 1, -1, 1.
    frame = pl.DataFrame(
        {"unit": ["A", "B", "C", "D"], "x": [1.0, 1.0, 3.0, 3.0], "y": [0.0, 2.0, 0.0, 2.0]}
    )
    groups = most_similar(frame, variables=["x", "y"], weights={"x": 4.0}, n=3)
    a = groups.filter(pl.col("unit") == "A")
    # A to B: y differs by 2 -> sqrt(1 * 4) = 2; A to C: x differs by 2 -> sqrt(4 * 4) = 4;
    # A to D: sqrt(4 * 4 + 4) = sqrt(20).
    assert a["peer"].to_list() == ["B", "C", "D"]
    assert a["rank"].to_list() == [1, 2, 3]
    assert a["distance"].to_list() == pytest.approx([2.0, 4.0, math.sqrt(20)])
    assert groups.height == 12
    assert groups.columns == ["unit", "peer", "rank", "distance"]


def test_a_unit_is_never_its_own_peer() -> None:
    frame = pl.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, 1.0, 5.0]})
    groups = most_similar(frame, variables=["x"], n=2)
    assert groups.filter(pl.col("unit") == pl.col("peer")).height == 0


def test_groups_need_not_be_symmetric() -> None:
    # A's nearest is B, but B's nearest is C.
    frame = pl.DataFrame({"unit": ["A", "B", "C"], "x": [0.0, 3.0, 4.0]})
    groups = most_similar(frame, variables=["x"], n=1)
    nearest = dict(zip(groups["unit"], groups["peer"], strict=True))
    assert nearest == {"A": "B", "B": "C", "C": "B"}


def test_ties_are_broken_by_unit_code() -> None:
    frame = pl.DataFrame({"unit": ["M", "Z", "A"], "x": [0.0, 1.0, -1.0]})
    groups = most_similar(frame, variables=["x"], n=2)
    assert groups.filter(pl.col("unit") == "M")["peer"].to_list() == ["A", "Z"]


def test_weights_change_the_groups() -> None:
    frame = pl.DataFrame({"unit": ["A", "B", "C"], "x": [0.0, 0.0, 1.0], "y": [0.0, 1.0, 0.0]})
    by_x = most_similar(frame, variables=["x", "y"], weights={"y": 0.1}, n=1)
    by_y = most_similar(frame, variables=["x", "y"], weights={"x": 0.1}, n=1)
    assert by_x.filter(pl.col("unit") == "A")["peer"].item() == "B"
    assert by_y.filter(pl.col("unit") == "A")["peer"].item() == "C"


@pytest.mark.parametrize(
    ("frame", "options", "message"),
    [
        (
            pl.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, None, 3.0]}),
            {"variables": ["x"]},
            "variable 'x' is missing for B",
        ),
        (
            pl.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, float("nan"), 3.0]}),
            {"variables": ["x"]},
            "variable 'x' is missing for B",
        ),
        (
            pl.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, 2.0, 3.0], "k": [5, 5, 5]}),
            {"variables": ["x", "k"]},
            "variable 'k' is the same for every unit",
        ),
        (
            pl.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, 2.0, 3.0]}),
            {"variables": ["x", "nope"]},
            "unknown variable 'nope'",
        ),
        (
            pl.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, 2.0, 3.0]}),
            {"variables": ["x"], "weights": {"nope": 1.0}},
            "weight for unknown variable 'nope'",
        ),
        (
            pl.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, 2.0, 3.0]}),
            {"variables": ["x"], "weights": {"x": -1.0}},
            "weight for 'x' must be a non-negative number",
        ),
        (
            pl.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, 2.0, 3.0]}),
            {"variables": ["x"], "n": 3},
            "n must be from 1 to 2",
        ),
        (
            pl.DataFrame({"unit": ["A", "A", "C"], "x": [1.0, 2.0, 3.0]}),
            {"variables": ["x"], "n": 1},
            "unit 'A' appears twice",
        ),
        (
            pl.DataFrame({"unit": ["A", "B", "C"], "x": ["1", "2", "3"]}),
            {"variables": ["x"], "n": 1},
            "variable 'x' is not numeric",
        ),
        (
            pl.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, 2.0, 3.0]}),
            {"variables": []},
            "at least one variable",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_variable(
    frame: pl.DataFrame, options: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        most_similar(frame, **options)


def test_each_police_force_has_seven_nearest_by_its_demographics() -> None:
    table = pl.read_csv(DEMOGRAPHICS)
    force, total = table.columns[0], table.columns[1]

    def share(prefix: str) -> pl.Expr:
        column = next(name for name in table.columns if name.startswith(prefix))
        return pl.col(column) / pl.col(total)

    frame = table.select(
        pl.col(force).alias("unit"),
        pl.col(total).log().alias("log_population"),
        share("Ethnic Group: White: English").alias("white_british"),
        share("Ethnic Group: Asian; ").alias("asian"),
        share("Ethnic Group: Black; ").alias("black"),
        share("Ethnic Group: Mixed; ").alias("mixed"),
    )
    groups = most_similar(
        frame,
        variables=["log_population", "white_british", "asian", "black", "mixed"],
        n=7,
    )
    assert groups.height == 7 * frame.height
    assert groups["unit"].n_unique() == frame.height
    for _, group in groups.group_by("unit"):
        distances = group.sort("rank")["distance"].to_list()
        assert distances == sorted(distances)
        assert min(distances) >= 0
        assert group["rank"].to_list() == list(range(1, 8))
