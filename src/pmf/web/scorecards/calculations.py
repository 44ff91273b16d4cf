"""Shape a measure page's calculation section: the formula, and the latest figure's lineage.

For a calculated measure: its formula (as written and with the measures' names), each
input with a link to its own page, and the input figures (with their revisions) the latest
stored figure was computed from. For a measure other formulas use: those measures. The
same data feeds the page's partial (``scorecards/_calculation.html``) and its JSON twin.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.utils.translation import gettext_lazy

from pmf.core.framework import Framework, Rollup
from pmf.core.periods import parse_period
from pmf.core.text import format_value
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.frameworks.services import framework_of
from pmf.web.observations.calculations import lineage_of

ROLLED_UP = {
    Rollup.FORMULA: gettext_lazy(
        "by its formula from {unit}'s own inputs, themselves made from the units below"
    ),
    Rollup.POOLED_RATIO: gettext_lazy(
        "by pooling the units below: their numerators over their denominators"
    ),
    Rollup.SUM: gettext_lazy("by adding the figures of the units below"),
    Rollup.MEAN: gettext_lazy("as the mean of the figures of the units below"),
}


def calculation_section(
    organisation: Organisation,
    unit: Unit,
    measure_code: str,
    rows: list[dict[str, Any]],
    areas: Collection[str] | None = None,
    framework: Framework | None = None,
) -> dict[str, Any] | None:
    """Return the calculation section of a measure page, or None when there is nothing to say.

    ``rows`` are the page's figures (oldest first); the lineage is that of the latest one
    not in the future. ``areas`` are the areas the reader may see (None: every area): an
    input in another area is named without its figures, and calculated measures in another
    area are not listed.
    """
    framework = framework or framework_of(organisation)
    measure = framework.measure(measure_code)
    formulas = framework.formulas()

    def shared(code: str) -> bool:
        return areas is None or framework.measure(code).area in areas

    used_by = [
        {"code": code, "name": framework.measure(code).name, "formula": formula.text}
        for code, formula in formulas.items()
        if measure_code in formula.inputs and shared(code)
    ]
    formula = formulas.get(measure_code)
    if formula is None and not used_by:
        return None
    section: dict[str, Any] = {"used_by": used_by, "formula": None}
    if formula is None:
        return section
    names = {m.code: m.name for m in framework.measures}
    latest = next((row for row in reversed(rows) if not row.get("future")), None)
    section.update(
        {
            "formula": formula.text,
            "formula_named": formula.render(names),
            "inputs": [
                {"code": code, "name": names[code], "shared": shared(code)}
                for code in formula.inputs
            ],
            "rollup": measure.rollup.value,
            "period": latest["period"] if latest else None,
            "period_label": parse_period(latest["period"]).label if latest else None,
            "lineage": None,
            "rolled_up": "",
        }
    )
    if latest is None:
        return section
    found = lineage_of(organisation, measure_code, unit.code, latest["period"], framework=framework)
    if found is not None:
        lineage = found.as_json()
        lineage["value_text"] = format_value(found.value, measure)
        # An input in an area not shared with the reader is named, never its figure.
        lineage["withheld"] = [
            names[item["measure"]] for item in lineage["inputs"] if not shared(item["measure"])
        ]
        lineage["inputs"] = [item for item in lineage["inputs"] if shared(item["measure"])]
        for item in lineage["inputs"]:
            item["value_text"] = format_value(item["value"], framework.measure(item["measure"]))
        section["lineage"] = lineage
    elif measure.rollup in ROLLED_UP:
        section["rolled_up"] = str(ROLLED_UP[measure.rollup]).format(unit=unit.name)
    return section
