"""Calculated measures: the framework's checks, their figures from inputs, and their roll-up."""

from __future__ import annotations

import polars as pl
import pytest

from pmf.core.calculation import calculate, weakest
from pmf.core.framework import FrameworkError, Rollup, load_framework
from pmf.core.rollup import roll_up

HEAD = """\
organisation: {code: F, name: Force}
areas: [{code: A, name: A}]
units:
  - {code: F, name: Force, type: force}
  - {code: N, name: North, type: bcu, parent: F}
  - {code: S, name: South, type: bcu, parent: F}
measures:
"""


def measure(code: str, **fields: object) -> str:
    base: dict[str, object] = {
        "name": code,
        "area": "A",
        "kind": "kpi",
        "polarity": "lower_is_better",
        "unit_of_measure": "count",
        "frequency": "month",
    }
    base.update(fields)
    inner = ", ".join(f"{key}: {value}" for key, value in base.items())
    return f"  - {{code: {code}, {inner}}}\n"


def rate(code: str, **fields: object) -> str:
    given: dict[str, object] = {
        "unit_of_measure": "rate",
        "multiplier": 1000,
        "denominator": "Population",
        "rollup": "pooled_ratio",
    }
    given.update(fields)
    return measure(code, **given)


def framework_problems(text: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(text)
    return [problem.message for problem in caught.value.problems]


def figures(rows: list[tuple[str, str, str, float, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
        orient="row",
    )


def test_a_formula_is_read_with_the_measure() -> None:
    fw = load_framework(HEAD + measure("X") + measure("Y") + measure("T", formula='"X + Y"'))
    assert fw.measure("T").calculation is not None
    assert fw.formulas()["T"].inputs == ("X", "Y")
    assert fw.measure("X").calculation is None


def test_a_formula_that_cannot_be_read_names_the_measure_field_and_place() -> None:
    found = framework_problems(HEAD + measure("X") + measure("T", formula='"X +"'))
    assert any("the formula ends where" in problem for problem in found), found


def test_an_unknown_input_names_the_measure_and_the_code() -> None:
    found = framework_problems(HEAD + measure("X") + measure("T", formula='"X + ROBBERY"'))
    assert found == [
        "'ROBBERY' is not a measure in this file: the formula of measure T cannot be "
        "calculated without it"
    ]


def test_a_minus_without_spaces_gets_a_hint() -> None:
    found = framework_problems(HEAD + measure("X") + measure("Y") + measure("T", formula="X-Y"))
    assert "put spaces round the minus sign: X - Y" in found[0]


def test_an_input_of_another_frequency_is_refused_naming_both() -> None:
    text = HEAD + measure("X") + measure("Q", frequency="quarter") + measure("T", formula='"X + Q"')
    assert framework_problems(text) == [
        "measure T is reported by month but its input Q by quarter: a formula's inputs must "
        "have its frequency"
    ]


def test_a_circle_of_formulas_names_every_measure_in_it() -> None:
    text = (
        HEAD
        + measure("X")
        + measure("A1", formula='"B1 + X"')
        + measure("B1", formula='"C1 * 2"')
        + measure("C1", formula='"A1 - X"')
    )
    found = framework_problems(text)
    assert found == [
        "the formulas of measures A1 → B1 → C1 → A1 use each other in a circle: each needs "
        "the other's figures first"
    ]


def test_rollup_formula_is_only_for_a_calculated_measure() -> None:
    found = framework_problems(HEAD + measure("X", rollup="formula"))
    assert "has no formula: rollup: formula is for a calculated measure" in found[0]


def test_pooling_a_calculated_measure_needs_a_ratio_or_a_sum_of_like_rates() -> None:
    ok = HEAD + rate("R1") + rate("R2") + rate("HH", formula='"R1 + R2"')
    assert load_framework(ok).measure("HH").rollup is Rollup.POOLED_RATIO
    ratio = (
        HEAD
        + measure("D")
        + measure("P")
        + measure("PCT", formula='"D / P * 100"', rollup="pooled_ratio", multiplier=100)
    )
    load_framework(ratio)
    bad = (
        HEAD + measure("X") + measure("Y") + measure("T", formula='"X * Y"', rollup="pooled_ratio")
    )
    assert "cannot pool a ratio" in framework_problems(bad)[0]
    other_denominator = (
        HEAD + rate("R1") + rate("R2", denominator="Households") + rate("HH", formula='"R1 + R2"')
    )
    assert "cannot pool a ratio" in framework_problems(other_denominator)[0]


SUM = HEAD + rate("R1") + rate("R2") + rate("HH", formula='"R1 + R2"')


def test_a_sum_of_rates_per_the_same_population_keeps_numerator_and_denominator() -> None:
    fw = load_framework(SUM)
    obs = figures(
        [
            ("N", "R1", "2024-01", 3 / 2000 * 1000, 3, 2000),
            ("N", "R2", "2024-01", 5 / 2000 * 1000, 5, 2000),
            ("N", "R1", "2024-02", 4 / 2000 * 1000, 4, 2000),
        ]
    )
    made = calculate(fw, obs)
    assert made.select("unit", "measure", "period", "numerator", "denominator").rows() == [
        ("N", "HH", "2024-01", 8.0, 2000.0)
    ]
    assert made["value"][0] == pytest.approx(8 / 2000 * 1000)


def test_rates_per_different_populations_give_a_value_without_parts() -> None:
    obs = figures(
        [
            ("N", "R1", "2024-01", 1.5, 3, 2000),
            ("N", "R2", "2024-01", 2.0, 6, 3000),
        ]
    )
    made = calculate(load_framework(SUM), obs)
    assert made.select("value", "numerator", "denominator").rows() == [(3.5, None, None)]


def test_a_ratio_takes_its_numerator_and_denominator_from_its_inputs() -> None:
    fw = load_framework(
        HEAD
        + measure("D")
        + measure("P")
        + measure("PCT", formula='"D / P * 100"', rollup="pooled_ratio", multiplier=100)
    )
    obs = figures([("S", "D", "2024-01", 30, None, None), ("S", "P", "2024-01", 40, None, None)])
    assert calculate(fw, obs).select("value", "numerator", "denominator").rows() == [
        (75.0, 30.0, 40.0)
    ]


def test_a_formula_of_a_formula_reads_the_figures_just_calculated() -> None:
    fw = load_framework(
        HEAD + measure("X") + measure("T", formula='"X * 2"') + measure("U", formula='"T + 1"')
    )
    obs = figures([("N", "X", "2024-01", 5, None, None), ("N", "T", "2024-01", 999, None, None)])
    made = calculate(fw, obs)
    assert made.select("measure", "value").rows() == [("T", 10.0), ("U", 11.0)]


def test_the_status_is_the_least_checked_inputs() -> None:
    assert weakest(["signed_off", "provisional", "validated"]) == "provisional"
    assert weakest(["signed_off", None]) is None
    fw = load_framework(HEAD + measure("X") + measure("Y") + measure("T", formula='"X + Y"'))
    obs = figures(
        [("N", "X", "2024-01", 5, None, None), ("N", "Y", "2024-01", 1, None, None)]
    ).with_columns(pl.Series("status", ["signed_off", "validated"]))
    assert calculate(fw, obs)["status"].to_list() == ["validated"]


def test_rollup_formula_computes_the_parent_from_its_rolled_up_inputs() -> None:
    fw = load_framework(
        HEAD
        + measure("D", rollup="sum")
        + measure("P", rollup="sum")
        + measure("PCT", formula='"D / P * 100"', rollup="formula", unit_of_measure="percent")
    )
    obs = figures(
        [
            ("N", "D", "2024-01", 1, None, None),
            ("N", "P", "2024-01", 4, None, None),
            ("S", "D", "2024-01", 3, None, None),
            ("S", "P", "2024-01", 4, None, None),
            ("N", "PCT", "2024-01", 25, 1, 4),
            ("S", "PCT", "2024-01", 75, 3, 4),
        ]
    )
    force = roll_up(fw, obs).filter(pl.col("unit") == "F").sort("measure")
    assert force.select("measure", "value", "origin").rows() == [
        ("D", 4.0, "rolled_up"),
        ("P", 8.0, "rolled_up"),
        ("PCT", 50.0, "rolled_up"),
    ]


def test_a_pooled_calculated_sum_rolls_up_as_its_inputs_do() -> None:
    fw = load_framework(SUM)
    obs = figures(
        [
            ("N", "R1", "2024-01", 1.5, 3, 2000),
            ("N", "R2", "2024-01", 2.5, 5, 2000),
            ("S", "R1", "2024-01", 1.0, 2, 2000),
            ("S", "R2", "2024-01", 0.5, 1, 2000),
        ]
    )
    rolled = roll_up(fw, pl.concat([obs, calculate(fw, obs).drop("status")]))
    force = {
        m: v
        for _, m, v in rolled.filter(pl.col("unit") == "F")
        .select("unit", "measure", "value")
        .rows()
    }
    assert force["HH"] == pytest.approx(force["R1"] + force["R2"])
    assert force["HH"] == pytest.approx(11 / 4000 * 1000)
