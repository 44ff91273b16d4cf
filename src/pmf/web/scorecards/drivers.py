"""Shape a calculated measure's key drivers for its measure page and the page's JSON twin.

``pmf.core.drivers`` splits the change; this module reads the unit's assessment at the
measure's latest figure and shapes the split for ``scorecards/_key_drivers.html``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmf.web.frameworks.models import Organisation, Unit

if TYPE_CHECKING:
    from pmf.core.framework import Framework

METHODS = {
    "additive": gettext_lazy(
        "The measure is a sum of measures: each component's contribution is its own change, "
        "added or taken away as the formula does."
    ),
    "ratio": gettext_lazy(
        "The measure is a ratio: the change is split between its numerator and its "
        "denominator by the Shapley value of the two (Das Gupta's method), and the "
        "numerator's part among the measures it adds."
    ),
}


# Translators: the table's column headings, separated by "|"; keep each ":numeric" and {then}.
COLUMNS = gettext_lazy(
    # xgettext: no-python-format
    "Component|In the formula|{then}:numeric|Now:numeric|Change:numeric|Contribution:numeric|"
    "Share of the change:numeric|Contribution to the % change:numeric"
)


def key_drivers_section(
    organisation: Organisation,
    unit: Unit,
    measure_code: str,
    period: str | None,
    areas: Collection[str] | None = None,
    framework: Framework | None = None,
) -> dict[str, Any] | None:
    """Return the key drivers of a calculated measure at ``period``, or None for another.

    ``areas`` are the areas the reader may see (None: every area): a component in another
    area is not shown, and then neither is the split (its figures would be read from it).
    """
    from pmf.core.drivers import Against, key_drivers, rows, sentence, shape_for
    from pmf.core.periods import parse_period
    from pmf.core.text import format_value
    from pmf.web.frameworks.services import framework_of

    framework = framework or framework_of(organisation)
    measure = framework.measure(measure_code)
    shape = shape_for(measure)
    if shape is None or period is None:
        return None
    head: dict[str, Any] = {
        "formula": measure.formula,
        "method": shape.method,
        "method_text": str(METHODS[shape.method]),
        "period": period,
        "period_label": parse_period(period).label,
        "components": [
            {"code": code, "name": framework.measure(code).name} for code in shape.codes
        ],
    }
    if areas is not None and any(framework.measure(code).area not in areas for code in shape.codes):
        return {**head, "withheld": True, "comparisons": []}
    found = key_drivers(
        framework,
        _assessment(organisation, unit.code, (measure.code, *shape.codes), period),
        unit.code,
        measure.code,
        shape,
    )
    if found is None:
        return {**head, "withheld": False, "comparisons": []}
    headings = {
        Against.PREVIOUS_PERIOD: _("Against the previous period"),
        Against.SAME_PERIOD_LAST_YEAR: _("Against the same period last year"),
        Against.STANDARD: _("Against the standard"),
    }
    comparisons = [
        {
            **comparison.as_dict(),
            "heading": headings[comparison.against],
            # The table's columns: a standard is not an earlier figure.
            "columns": str(COLUMNS).format(
                then=_("Standard") if comparison.against is Against.STANDARD else _("Then")
            ),
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


def _assessment(organisation: Organisation, unit: str, codes: tuple[str, ...], period: str) -> Any:
    """Return the unit's assessment of the measure and its components at ``period``'s end.

    Only those measures are assessed (a measure's rows depend on its own figures alone, as
    ``assessed_by_measure`` says), kept until one of their figures in the units read changes.
    """
    from pmf.core.assessment import assess, assessment_roots, units_read
    from pmf.core.periods import parse_period
    from pmf.web.cache import cached, data_version
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import held_observations

    framework = framework_of(organisation)
    roots = assessment_roots(framework, [unit])
    version = "-".join(data_version(organisation, roots, code) for code in codes)

    def compute() -> Any:
        held = held_observations(
            organisation, units=sorted(units_read(framework, [unit])), measures=list(codes)
        )
        return assess(framework, held, units=[unit], cut=parse_period(period).end)

    return cached(version, "key-drivers-assessment", (unit, codes, period), compute)


def _signed(number: float | None, decimals: int, suffix: str) -> str:
    from pmf.core.drivers import signed

    return "–" if number is None else signed(number, decimals, suffix)


def key_drivers_for(
    organisation: Organisation, unit_code: str, measure_code: str, period: str | None = None
) -> dict[str, Any]:
    """Return the key drivers of a unit's calculated measure, for the command line.

    ``period`` defaults to the period of the unit's latest figure of the measure. Raise
    ``LookupError`` for an unknown unit or measure, a measure that is not calculated or
    whose formula does not split, a bad period or no figure to split.
    """
    from pmf.core.drivers import shape_for
    from pmf.core.periods import ParseError, parse_period
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import assessed_by_measure

    framework = framework_of(organisation)
    try:
        measure = framework.measure(measure_code)
    except KeyError:
        raise LookupError(f"no measure {measure_code!r} in {organisation.code}") from None
    unit = organisation.units.filter(code=unit_code, external=False).first()
    if unit is None:
        raise LookupError(f"no unit {unit_code!r} in {organisation.code}")
    if measure.formula is None:
        raise LookupError(f"{measure.code} is not calculated: it has no formula to split")
    if shape_for(measure) is None:
        raise LookupError(
            f"{measure.code} = {measure.formula}: only a sum of measures, or a sum of measures "
            "over a measure, is split into key drivers"
        )
    if period is not None:
        try:
            period = parse_period(period, measure.frequency).code
        except ParseError as error:
            raise LookupError(f"period: {error}") from None
    else:
        assessment = assessed_by_measure(organisation, framework, [unit.code])
        latest = assessment.filter(assessment["measure"] == measure.code)["period"].to_list()
        if not latest:
            raise LookupError(f"{unit.name} has no figure of {measure.name}")
        period = str(latest[0])
    found = key_drivers_section(organisation, unit, measure.code, period)
    if found is None or not found["comparisons"]:
        raise LookupError(
            f"{unit.name} has no figure of {measure.name} for {parse_period(period).label}"
        )
    return {
        "organisation": organisation.code,
        "unit": {"code": unit.code, "name": unit.name},
        "measure": {"code": measure.code, "name": measure.name},
        **found,
    }
