"""Compute calculated measures' figures from their inputs' figures, unit by unit, period by period.

A calculated measure's figure for a unit and period is its formula
(``pmf.core.formula``) over the figures of its inputs for the same unit and period; it has
none when an input has none. Formulas that use other calculated measures are computed
after them (``calculation_order``).

A calculated figure also has a numerator and denominator when its formula gives them:

* a ratio of two measures, ``A / B * k``: the numerator is A's value and the denominator
  B's (so a parent can pool it: ``rollup: pooled_ratio``);
* a signed sum of measures whose figures all have a numerator and the same denominator
  (rates per the same population): the numerator is the signed sum of theirs and the
  denominator theirs.

Its status is the least checked of its inputs' (provisional, then validated, then signed
off): a calculated figure is no more certain than what it is made from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import polars as pl

from pmf.core.formula import Formula, Ratio, Term, calculation_order
from pmf.core.framework import Framework, Rollup

STATUS_ORDER = ("provisional", "validated", "signed_off")
"""Statuses from least to most checked."""

CALCULATED_SCHEMA: dict[str, type[pl.DataType]] = {
    "unit": pl.String,
    "measure": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "status": pl.String,
}


def calculate(
    framework: Framework,
    observations: pl.DataFrame,
    *,
    measures: Collection[str] | None = None,
) -> pl.DataFrame:
    """Return the figures of the calculated measures from ``observations``' figures.

    ``observations`` has columns unit, measure, period, value, numerator and denominator
    (and status, if known). Only the calculated ``measures`` are computed (default: all),
    each wherever every input has a figure; a calculated measure used by another is taken
    from ``observations`` unless it is computed here too. The result has the columns of
    ``CALCULATED_SCHEMA`` (status: the least checked input's, null when not known).

    >>> from pmf.core.framework import load_framework
    >>> fw = load_framework('''
    ... organisation: {code: F, name: Force}
    ... areas: [{code: A, name: A}]
    ... units: [{code: F, name: F, type: force}]
    ... measures:
    ... - {code: X, name: X, area: A, kind: kpi, polarity: neither, unit_of_measure: count,
    ...    frequency: month}
    ... - {code: Y, name: Y, area: A, kind: kpi, polarity: neither, unit_of_measure: count,
    ...    frequency: month}
    ... - {code: T, name: Total, area: A, kind: kpi, polarity: neither, unit_of_measure: count,
    ...    frequency: month, formula: X + Y}
    ... ''')
    >>> obs = pl.DataFrame({"unit": ["F", "F", "F"], "measure": ["X", "Y", "X"],
    ...                     "period": ["2024-01", "2024-01", "2024-02"], "value": [2.0, 3.0, 4.0],
    ...                     "numerator": [None] * 3, "denominator": [None] * 3})
    >>> calculate(fw, obs).select("measure", "period", "value").rows()
    [('T', '2024-01', 5.0)]
    """
    formulas = framework.formulas()
    wanted = set(formulas) if measures is None else set(measures) & set(formulas)
    order = [code for code in calculation_order(formulas) if code in wanted]
    if not order:
        return pl.DataFrame(schema=CALCULATED_SCHEMA)
    has_status = "status" in observations.columns
    held = _observations(observations, has_status)
    found: list[pl.DataFrame] = []
    for code in order:
        rows = calculate_one(formulas[code], code, held, has_status=has_status)
        if rows.height:
            found.append(rows)
            # Later formulas read this one's figures, not any held before.
            held = pl.concat([held.filter(pl.col("measure") != code), rows], how="vertical_relaxed")
    if not found:
        return pl.DataFrame(schema=CALCULATED_SCHEMA)
    return pl.concat(found, how="vertical_relaxed")


def calculate_one(
    formula: Formula, code: str, observations: pl.DataFrame, *, has_status: bool = True
) -> pl.DataFrame:
    """Return measure ``code``'s figures by ``formula`` for each unit and period its inputs have.

    ``observations`` as for :func:`calculate` (with a status column, which may be null).
    """
    inputs = list(formula.inputs)
    held = _observations(observations, has_status).filter(pl.col("measure").is_in(inputs))
    if not held.height:
        return pl.DataFrame(schema=CALCULATED_SCHEMA)
    # One row per unit and period with every input's figure beside it.
    wide = held.pivot(
        on="measure",
        index=["unit", "period"],
        values=["value", "numerator", "denominator", "status"],
        aggregate_function="first",
    )
    names = {
        (part, name): f"{part}_{name}"
        for part in ("value", "numerator", "denominator", "status")
        for name in inputs
        if f"{part}_{name}" in wide.columns
    }
    if any(("value", name) not in names for name in inputs):
        return pl.DataFrame(schema=CALCULATED_SCHEMA)
    complete = wide.filter(
        pl.all_horizontal(pl.col(names[("value", name)]).is_not_null() for name in inputs)
    )
    rows = []
    ratio = formula.ratio()
    terms = formula.terms()
    for row in complete.iter_rows(named=True):
        values = {name: row[names[("value", name)]] for name in inputs}
        value = formula.evaluate(values)
        if value is None:
            continue
        numerator, denominator = _parts(row, names, ratio, terms, values)
        rows.append(
            (
                row["unit"],
                code,
                row["period"],
                value,
                numerator,
                denominator,
                weakest(row[names[("status", name)]] for name in inputs),
            )
        )
    return pl.DataFrame(rows, schema=CALCULATED_SCHEMA, orient="row")


def weakest(statuses: Iterable[str | None]) -> str | None:
    """Return the least checked of ``statuses``, or None when any is not known.

    >>> weakest(["signed_off", "validated"])
    'validated'
    """
    ranks = []
    for status in statuses:
        if status not in STATUS_ORDER:
            return None
        ranks.append(STATUS_ORDER.index(status))
    return STATUS_ORDER[min(ranks)] if ranks else None


def _observations(observations: pl.DataFrame, has_status: bool) -> pl.DataFrame:
    status = pl.col("status") if has_status else pl.lit(None, dtype=pl.String)
    return observations.select(
        pl.col("unit").cast(pl.String),
        pl.col("measure").cast(pl.String),
        pl.col("period").cast(pl.String),
        pl.col("value").cast(pl.Float64),
        pl.col("numerator").cast(pl.Float64),
        pl.col("denominator").cast(pl.Float64),
        status.cast(pl.String).alias("status"),
    )


def _parts(
    row: dict[str, Any],
    names: dict[tuple[str, str], str],
    ratio: Ratio | None,
    terms: tuple[Term, ...] | None,
    values: dict[str, float],
) -> tuple[float | None, float | None]:
    if ratio is not None:
        return values[ratio.numerator], values[ratio.denominator]
    if terms is None:
        return None, None
    numerators = [row[names[("numerator", term.code)]] for term in terms]
    denominators = {row[names[("denominator", term.code)]] for term in terms}
    if None in numerators or None in denominators or len(denominators) != 1:
        return None, None
    total = sum(term.sign * float(n) for term, n in zip(terms, numerators, strict=True))
    return total, float(denominators.pop())


def with_rollup_inputs(framework: Framework, measures: Iterable[str]) -> list[str]:
    """Return ``measures`` and every input a ``rollup: formula`` measure among them needs.

    A parent's figure of such a measure is computed from the parent's own inputs, so whoever
    rolls up only some measures' figures must read those inputs' figures too.

    >>> from pmf.core.framework import load_framework
    >>> fw = load_framework('''
    ... organisation: {code: F, name: Force}
    ... areas: [{code: A, name: A}]
    ... units: [{code: F, name: F, type: force}]
    ... measures:
    ... - {code: X, name: X, area: A, kind: kpi, polarity: neither, unit_of_measure: count,
    ...    frequency: month, rollup: sum}
    ... - {code: T, name: Twice, area: A, kind: kpi, polarity: neither, unit_of_measure: count,
    ...    frequency: month, formula: X * 2, rollup: formula}
    ... ''')
    >>> with_rollup_inputs(fw, ["T"])
    ['T', 'X']
    """
    chosen = list(dict.fromkeys(measures))
    formulas = framework.formulas()
    index = 0
    while index < len(chosen):
        code = chosen[index]
        index += 1
        formula = formulas.get(code)
        if formula is None or framework.measure(code).rollup is not Rollup.FORMULA:
            continue
        chosen.extend(i for i in formula.inputs if i not in chosen)
    return chosen
