"""Make a parent unit's figures from its children's, the way each measure says.

A command's crime rate is the pooled rate of its districts (the sum of offences
over the sum of population), not the mean of their rates; a count is the sum.
A parent that reports a figure of its own keeps it. By default a parent is only
given a rolled-up figure when every child has one for that period: a total of
the children who happened to report would look complete and be wrong. Where a
total of whoever reported is the published convention (NHS England's national
A&E figure sums the providers that submitted), the measure says
``rollup_partial: true``; the number of children reporting is kept with it.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from pmf.core.framework import Framework, Rollup

ROLLED_UP = "rolled_up"


def roll_up(
    framework: Framework, observations: pl.DataFrame, *, units: Collection[str] | None = None
) -> pl.DataFrame:
    """Add figures for parent units computed from their children; return all figures.

    ``observations`` has columns unit, measure, period, value, numerator and
    denominator (other columns are carried through for reported figures). The
    result has the same columns plus ``origin``: ``reported`` or ``rolled_up``.
    With ``units``, only the parents among them and the parents below them are given
    rolled-up figures: what a page about those units needs, and no more.

    >>> from pmf.core.framework import load_framework
    >>> fw = load_framework('''
    ... organisation: {code: F, name: Force}
    ... areas: [{code: A, name: A}]
    ... units: [{code: F, name: F, type: force}, {code: N, name: N, type: bcu, parent: F},
    ...         {code: S, name: S, type: bcu, parent: F}]
    ... measures: [{code: C, name: Crimes, area: A, kind: kpi, polarity: lower_is_better,
    ...             unit_of_measure: count, frequency: month, rollup: sum}]
    ... ''')
    >>> obs = pl.DataFrame({"unit": ["N", "S"], "measure": ["C", "C"], "period": ["2019-07"] * 2,
    ...                     "value": [3.0, 4.0], "numerator": [None, None],
    ...                     "denominator": [None, None]})
    >>> roll_up(fw, obs).filter(pl.col("unit") == "F")["value"].to_list()
    [7.0]
    """
    rolled = observations.with_columns(pl.lit("reported").alias("origin"))
    rules = pl.DataFrame(
        {
            "measure": [m.code for m in framework.measures],
            "rollup": [m.rollup.value for m in framework.measures],
            "multiplier": [m.multiplier for m in framework.measures],
            "partial": [m.rollup_partial for m in framework.measures],
        },
        schema={
            "measure": pl.String,
            "rollup": pl.String,
            "multiplier": pl.Float64,
            "partial": pl.Boolean,
        },
    ).filter(~pl.col("rollup").is_in([Rollup.NONE.value, Rollup.FORMULA.value]))
    by_formula = [
        m.code for m in framework.measures if m.rollup is Rollup.FORMULA and m.formula is not None
    ]
    if rules.height == 0 and not by_formula:
        return rolled
    internal = [unit for unit in framework.units if not unit.external]
    if units is not None:
        # A parent among ``units`` needs every unit below it; no unit above them is made.
        wanted = set(units)
        wanted.update(below.code for code in units for below in framework.descendants(code))
        internal = [unit for unit in internal if unit.parent in wanted]
    depth = {unit.code: _depth(framework, unit.code) for unit in internal}
    children = pl.DataFrame(
        {
            "unit": [unit.code for unit in internal if unit.parent],
            "parent": [unit.parent for unit in internal if unit.parent],
        },
        schema={"unit": pl.String, "parent": pl.String},
    )
    child_count = children.group_by("parent").agg(pl.len().alias("children"))
    for level in sorted({d for d in depth.values() if d > 0}, reverse=True):
        at_level = [code for code, d in depth.items() if d == level]
        level_children = children.filter(pl.col("unit").is_in(at_level))
        pooled = _combine(rolled, level_children, rules, child_count)
        # Parents keep their own reported figures.
        pooled = pooled.join(
            rolled.select("unit", "measure", "period"),
            on=["unit", "measure", "period"],
            how="anti",
        )
        rolled = pl.concat([rolled, pooled], how="diagonal_relaxed")
        if by_formula:
            parents = level_children["parent"].unique().to_list()
            rolled = _by_formula(framework, rolled, parents, by_formula)
    return rolled


def _by_formula(
    framework: Framework, rolled: pl.DataFrame, parents: list[str], measures: list[str]
) -> pl.DataFrame:
    """Add the parents' figures of ``rollup: formula`` measures from the parents' own inputs.

    The inputs are the parents' figures, reported or already rolled up from their children;
    a parent that reports a calculated figure keeps it.
    """
    from pmf.core.calculation import calculate

    mine = rolled.filter(pl.col("unit").is_in(parents))
    made = calculate(framework, mine, measures=measures).join(
        mine.select("unit", "measure", "period"), on=["unit", "measure", "period"], how="anti"
    )
    if not made.height:
        return rolled
    made = made.drop("status").with_columns(pl.lit(ROLLED_UP).alias("origin"))
    return pl.concat([rolled, made], how="diagonal_relaxed")


def _combine(
    rolled: pl.DataFrame,
    children: pl.DataFrame,
    rules: pl.DataFrame,
    child_count: pl.DataFrame,
) -> pl.DataFrame:
    joined = rolled.join(children, on="unit").join(rules, on="measure")
    if joined.height == 0:
        return rolled.clear().with_columns(pl.lit(ROLLED_UP).alias("origin"))
    rollup = pl.col("rollup").first()
    grouped = joined.group_by("parent", "measure", "period").agg(
        pl.len().alias("reporting"),
        rollup.alias("rollup"),
        pl.col("multiplier").first().alias("multiplier"),
        pl.col("partial").first().alias("partial"),
        pl.col("value").sum().alias("sum_value"),
        pl.col("value").mean().alias("mean_value"),
        pl.col("numerator").sum().alias("sum_numerator"),
        pl.col("denominator").sum().alias("sum_denominator"),
        pl.col("numerator").null_count().alias("missing_numerators"),
        pl.col("denominator").null_count().alias("missing_denominators"),
    )
    grouped = grouped.join(child_count, on="parent").filter(
        pl.col("partial") | (pl.col("reporting") == pl.col("children"))
    )
    kind = pl.col("rollup")
    has_ratio_parts = (pl.col("missing_numerators") == 0) & (pl.col("missing_denominators") == 0)
    grouped = grouped.filter((kind != Rollup.POOLED_RATIO.value) | has_ratio_parts)
    return grouped.select(
        pl.col("parent").alias("unit"),
        "measure",
        "period",
        pl.when(kind == Rollup.SUM.value)
        .then(pl.col("sum_value"))
        .when(kind == Rollup.MEAN.value)
        .then(pl.col("mean_value"))
        .otherwise(pl.col("sum_numerator") / pl.col("sum_denominator") * pl.col("multiplier"))
        .alias("value"),
        pl.when(kind == Rollup.POOLED_RATIO.value)
        .then(pl.col("sum_numerator"))
        .when(kind == Rollup.SUM.value)
        .then(pl.when(pl.col("missing_numerators") == 0).then(pl.col("sum_numerator")))
        .alias("numerator"),
        pl.when(kind == Rollup.POOLED_RATIO.value)
        .then(pl.col("sum_denominator"))
        .when(kind == Rollup.SUM.value)
        .then(pl.when(pl.col("missing_denominators") == 0).then(pl.col("sum_denominator")))
        .alias("denominator"),
        pl.lit(ROLLED_UP).alias("origin"),
        pl.col("reporting").alias("children_reporting"),
        pl.col("children").alias("children_expected"),
    )


def _depth(framework: Framework, code: str) -> int:
    depth = 0
    parent = framework.unit(code).parent
    while parent is not None:
        depth += 1
        parent = framework.unit(parent).parent
    return depth
