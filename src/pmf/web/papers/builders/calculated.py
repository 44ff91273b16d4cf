"""Name the formula of each calculated measure a paper shows, so readers know how it is made."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from pmf.core.framework import Framework
from pmf.reports.document import Bullets


def formula_sentence(framework: Framework, code: str) -> str:
    """Return "NAME is calculated from other measures: FORMULA.", or "" for a measure given.

    The formula is written with the measures' names (``Formula.render``) and, in brackets,
    as the framework file has it.
    """
    measure = framework.measure(code)
    formula = measure.calculation
    if formula is None:
        return ""
    names = {m.code: m.name for m in framework.measures}
    return _(
        "{measure} is calculated by pmf from other measures' figures: {formula} ({written})."
    ).format(measure=measure.name, formula=formula.render(names), written=formula.text)


def formula_notes(framework: Framework, codes: Iterable[str]) -> tuple[Bullets, ...]:
    """Return one list of the formulas of the calculated measures among ``codes``, or nothing."""
    sentences = tuple(
        sentence for code in dict.fromkeys(codes) if (sentence := formula_sentence(framework, code))
    )
    return (Bullets(sentences),) if sentences else ()
