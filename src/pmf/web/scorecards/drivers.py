"""Shape a calculated measure's key drivers for its measure page and the page's JSON twin.

``pmf.core.drivers`` splits the change; this module reads the unit's assessment at the
measure's latest figure and shapes the split for ``scorecards/_key_drivers.html``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pmf.web.frameworks.models import Organisation, Unit

METHODS = {
    "additive": (
        "The measure is a sum of measures: each component's contribution is its own change, "
        "added or taken away as the formula does."
    ),
    "ratio": (
        "The measure is a ratio: the change is split between its numerator and its "
        "denominator by the Shapley value of the two (Das Gupta's method), and the "
        "numerator's part among the measures it adds."
    ),
}


def key_drivers_section(
    organisation: Organisation,
    unit: Unit,
    measure_code: str,
    period: str | None,
    areas: Collection[str] | None = None,
) -> dict[str, Any] | None:
    """Return the key drivers of a calculated measure at ``period``, or None for another.

    ``areas`` are the areas the reader may see (None: every area): a component in another
    area is not shown, and then neither is the split (its figures would be read from it).
    """
    from pmf.core.drivers import Against, key_drivers, rows, sentence, shape_for
    from pmf.core.periods import parse_period
    from pmf.core.text import format_value
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import assessed_by_measure

    framework = framework_of(organisation)
    measure = framework.measure(measure_code)
    shape = shape_for(measure)
    if shape is None or period is None:
        return None
    head: dict[str, Any] = {
        # The framework's ``formula:`` (pmf.core.formula), as written.
        "formula": getattr(measure, "formula", None),
        "method": shape.method,
        "method_text": METHODS[shape.method],
        "period": period,
        "period_label": parse_period(period).label,
        "components": [
            {"code": code, "name": framework.measure(code).name} for code in shape.codes
        ],
    }
    if areas is not None and any(framework.measure(code).area not in areas for code in shape.codes):
        return {**head, "withheld": True, "comparisons": []}
    assessment = assessed_by_measure(
        organisation, framework, [unit.code], cut=parse_period(period).end
    )
    found = key_drivers(framework, assessment, unit.code, measure.code, shape)
    if found is None:
        return {**head, "withheld": False, "comparisons": []}
    headings = {
        Against.PREVIOUS_PERIOD: "Against the previous period",
        Against.SAME_PERIOD_LAST_YEAR: "Against the same period last year",
        Against.STANDARD: "Against the standard",
    }
    comparisons = [
        {
            **comparison.as_dict(),
            "heading": headings[comparison.against],
            "then_text": format_value(comparison.then, measure),
            "now_text": format_value(comparison.now, measure),
            "change_text": _signed(comparison.change, measure.decimals, ""),
            "percent_text": _signed(comparison.percent, 1, "%"),
            "sentence": sentence(framework, measure, comparison) or "",
            "drivers": rows(framework, measure, comparison),
        }
        for comparison in found.comparisons
    ]
    return {**head, "withheld": False, "comparisons": comparisons}


def _signed(number: float | None, decimals: int, suffix: str) -> str:
    from pmf.core.drivers import signed

    return "–" if number is None else signed(number, decimals, suffix)
