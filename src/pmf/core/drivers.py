"""Split the change in a calculated measure into its components' contributions: key drivers.

A measure calculated as a signed sum of measures (``VWI + SEXUAL + ROBBERY``) moves by the
sum of its components' moves, so each component's contribution is its own change, signed
as the formula adds or subtracts it. A measure calculated as a ratio (``SOLVED / RECORDED``,
or a sum over a measure: ``(A + B) / POP * 1000``) moves because its numerator and its
denominator both moved; the change is split between them by the Shapley value of the two
factors (Das Gupta 1993; Shorrocks 2013), which adds up to the whole change exactly and
needs no order of factors. A numerator that is itself a sum is then split among its terms.

Each contribution is given in the measure's units, as a share of the change, and as a
contribution to the percentage change (``Δcomponent / |total then| × 100``: the components'
percentages add up to the total's, as the ONS's contributions to inflation do). The change
is taken against the previous period, the same period last year and the standard the
measure is judged against (see ``docs/methods.md``, "Key drivers").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

import polars as pl

from pmf.core.formula import Formula
from pmf.core.framework import Framework, Measure
from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop
from pmf.core.periods import parse_period
from pmf.core.text import format_value, join_words, period_name
from pmf.core.wording import standard_words

__all__ = [
    "Against",
    "Comparison",
    "Driver",
    "KeyDrivers",
    "Part",
    "Shape",
    "chosen",
    "compared_words",
    "decompose",
    "key_drivers",
    "rationale_sentence",
    "rows",
    "sentence",
    "shape_for",
    "shape_of",
    "signed",
]

# A share or a difference smaller than this, relative to the figures, is rounding.
TOLERANCE = 1e-9
# The sentence names at most this many drivers in the direction of the change.
MOST_DRIVERS = 3


@dataclass(frozen=True)
class Part:
    """One measure in a numerator: its code and the number it is multiplied by (±1 in a sum)."""

    code: str
    coefficient: float


@dataclass(frozen=True)
class Shape:
    """What a formula is, as far as splitting its change goes.

    ``parts`` are added (each times its coefficient) and the sum divided by ``denominator``
    when there is one: ``A + B - C`` is parts A (1), B (1), C (-1) and no denominator;
    ``(A + B) / P * 1000`` is parts A (1000), B (1000) over P.
    """

    parts: tuple[Part, ...]
    denominator: str | None = None

    @property
    def method(self) -> Literal["additive", "ratio"]:
        """Return ``additive`` for a sum, ``ratio`` for a sum over a measure."""
        return "additive" if self.denominator is None else "ratio"

    @property
    def codes(self) -> tuple[str, ...]:
        """Return the codes of every measure the shape reads, the denominator last."""
        codes = tuple(part.code for part in self.parts)
        return (*codes, self.denominator) if self.denominator else codes


class Against(StrEnum):
    """What the change is measured against."""

    PREVIOUS_PERIOD = "previous_period"
    SAME_PERIOD_LAST_YEAR = "same_period_last_year"
    STANDARD = "standard"


Role = Literal["term", "denominator", "unexplained"]


@dataclass(frozen=True)
class Driver:
    """One component's part in a change.

    ``contribution`` is in the calculated measure's units; ``share`` its fraction of the
    change (None when there was none); ``percent`` its contribution to the percentage
    change (None when the earlier figure was 0). The ``unexplained`` row holds what the
    components do not account for: a total stored apart from its components, or rounding.
    """

    code: str
    role: Role
    then: float | None
    now: float | None
    contribution: float
    share: float | None
    percent: float | None
    coefficient: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the driver as plain data for JSON."""
        return {
            "code": self.code,
            "role": self.role,
            "then": self.then,
            "now": self.now,
            "change": None if self.then is None or self.now is None else self.now - self.then,
            "contribution": self.contribution,
            "share": self.share,
            "percent": self.percent,
            "coefficient": self.coefficient,
        }


def decompose(
    shape: Shape,
    then: Mapping[str, float],
    now: Mapping[str, float],
    *,
    total_then: float | None = None,
    total_now: float | None = None,
) -> tuple[Driver, ...]:
    """Return each component's contribution to the change from ``then`` to ``now``.

    ``then`` and ``now`` hold every code of the shape. ``total_then`` and ``total_now`` are
    the calculated measure's own figures (by default, the formula's value): when the
    components do not account for all of the change, an ``unexplained`` driver says how
    much is left. Additive: a part's contribution is its coefficient times its change.
    Ratio (``N / D``, ``N`` the sum of the parts): Shapley's split of the two factors,
    ``ΔN × ½(1/D₀ + 1/D₁)`` to the numerator, shared among its parts by their changes,
    and ``½(N₀ + N₁) × (1/D₁ − 1/D₀)`` to the denominator.

    >>> shape = Shape((Part("VWI", 1), Part("SEXUAL", 1), Part("BURGLARY", -1)))
    >>> found = decompose(shape, {"VWI": 5, "SEXUAL": 2, "BURGLARY": 1},
    ...                   {"VWI": 6, "SEXUAL": 1.5, "BURGLARY": 0.5})
    >>> [(item.code, item.contribution, item.share) for item in found]
    [('VWI', 1.0, 1.0), ('SEXUAL', -0.5, -0.5), ('BURGLARY', 0.5, 0.5)]
    >>> ratio = Shape((Part("SOLVED", 100),), denominator="RECORDED")
    >>> [(item.code, round(item.contribution, 3)) for item in decompose(
    ...     ratio, {"SOLVED": 20, "RECORDED": 100}, {"SOLVED": 30, "RECORDED": 120})]
    [('SOLVED', 9.167), ('RECORDED', -4.167)]
    """
    numerator_then = sum(part.coefficient * then[part.code] for part in shape.parts)
    numerator_now = sum(part.coefficient * now[part.code] for part in shape.parts)
    if shape.denominator is None:
        inverse_then = inverse_now = 1.0
    else:
        if then[shape.denominator] == 0 or now[shape.denominator] == 0:
            raise ZeroDivisionError(f"{shape.denominator} is 0: the ratio has no value")
        inverse_then, inverse_now = 1 / then[shape.denominator], 1 / now[shape.denominator]
    model_then, model_now = numerator_then * inverse_then, numerator_now * inverse_now
    start = model_then if total_then is None else total_then
    end = model_now if total_now is None else total_now
    change = end - start
    # The numerator's factor: the mean of the denominator's inverse then and now (Shapley).
    weight = (inverse_then + inverse_now) / 2
    pieces: list[tuple[str, Role, float | None, float | None, float]] = [
        (
            part.code,
            "term",
            then[part.code],
            now[part.code],
            part.coefficient * (now[part.code] - then[part.code]) * weight,
        )
        for part in shape.parts
    ]
    coefficients = {part.code: part.coefficient for part in shape.parts}
    if shape.denominator is not None:
        effect = (numerator_then + numerator_now) / 2 * (inverse_now - inverse_then)
        pieces.append(
            (
                shape.denominator,
                "denominator",
                then[shape.denominator],
                now[shape.denominator],
                effect,
            )
        )
    left = change - sum(piece[4] for piece in pieces)
    # Rounding in the arithmetic is relative to the largest number in it, not to the change.
    size = max([1.0, abs(start), abs(end), *(abs(piece[4]) for piece in pieces)])
    if abs(left) > TOLERANCE * size:
        pieces.append(("", "unexplained", None, None, left))

    def driver(piece: tuple[str, Role, float | None, float | None, float]) -> Driver:
        code, role, before, after, contribution = piece
        return Driver(
            code=code,
            role=role,
            then=before,
            now=after,
            contribution=contribution,
            share=_share(contribution, change, start, end),
            percent=None if start == 0 else contribution / abs(start) * 100,
            coefficient=coefficients.get(code) if role == "term" else None,
        )

    return tuple(driver(piece) for piece in pieces)


def _share(contribution: float, change: float, start: float, end: float) -> float | None:
    if abs(change) <= TOLERANCE * max(1.0, abs(start), abs(end)):
        return None
    return contribution / change


# Points at which a formula is evaluated to find its shape: distinct, not round, positive.
_PROBES = ((2.5, 3.75, 1.3, 7.1, 0.9), (4.2, 1.7, 2.9, 0.6, 5.3), (0.8, 6.4, 3.3, 2.2, 1.9))


def shape_of(formula: Formula) -> Shape | None:
    """Return the formula's shape when its change can be split, or None.

    A signed sum of measures (``formula.terms()``) is additive. A sum of measures (each
    times a number) divided by one measure is a ratio: that is found by evaluating the
    formula, which for a formula of +, -, * and / is a rational function of its inputs,
    at points where it must equal ``Σ cᵢxᵢ / x_d`` if it has that shape. Anything else
    (a product of two measures, a measure squared, a sum with a constant) gives None.

    >>> from pmf.core.formula import parse_formula
    >>> shape_of(parse_formula("(A + B) / POP * 1000"))
    Shape(parts=(Part(code='A', coefficient=1000.0), Part(code='B', coefficient=1000.0)), denominator='POP')
    >>> shape_of(parse_formula("A * B")) is None
    True
    """  # noqa: E501 - a doctest's expected output is one line
    inputs = tuple(dict.fromkeys(formula.inputs))
    if len(inputs) < 2:
        # One measure, or a constant: there is nothing to split the change among.
        return None
    terms = formula.terms()
    if terms is not None:
        return Shape(tuple(Part(term.code, float(term.sign)) for term in terms))
    for denominator in inputs:
        others = [code for code in inputs if code != denominator]
        coefficients = []
        for code in others:
            # Only this input and the denominator 1, the rest 0: the value is its coefficient.
            value = _evaluate(
                formula, {name: 1.0 if name in (code, denominator) else 0.0 for name in inputs}
            )
            if value is None or value == 0:
                break
            coefficients.append(value)
        else:
            parts = tuple(
                Part(code, coefficient)
                for code, coefficient in zip(others, coefficients, strict=True)
            )
            if all(_fits(formula, inputs, parts, denominator, probe) for probe in _PROBES):
                return Shape(parts, denominator)
    return None


def shape_for(measure: Measure) -> Shape | None:
    """Return the shape of a calculated measure's formula, or None for any other measure.

    >>> from pmf.core.framework import Measure
    >>> plain = Measure(code="X", name="X", area="A", kind="kpi", polarity="neither",
    ...                 unit_of_measure="count", frequency="month")
    >>> shape_for(plain) is None
    True
    """
    # The framework's ``formula:`` on a measure, read once (pmf.core.formula).
    formula = measure.calculation
    return None if formula is None else shape_of(formula)


def _evaluate(formula: Formula, values: Mapping[str, float]) -> float | None:
    try:
        found = formula.evaluate(values)
    except (ZeroDivisionError, ArithmeticError):
        return None
    return None if found is None or not math.isfinite(found) else float(found)


def _fits(
    formula: Formula,
    inputs: tuple[str, ...],
    parts: tuple[Part, ...],
    denominator: str,
    probe: tuple[float, ...],
) -> bool:
    # More inputs than probe numbers: the numbers are used again, shifted by their place.
    values = {
        code: probe[index % len(probe)] + index // len(probe) for index, code in enumerate(inputs)
    }
    found = _evaluate(formula, values)
    if found is None:
        return False
    expected = sum(part.coefficient * values[part.code] for part in parts) / values[denominator]
    return math.isclose(found, expected, rel_tol=1e-9, abs_tol=1e-12)


@dataclass(frozen=True)
class Comparison:
    """The change in a measure against one earlier figure or its standard, split.

    ``label`` says what the figure is compared with in English ("June 2025", "the MSG
    average"), written by :func:`compared_words` from ``against``, ``period`` and, against a
    standard, its kind (``standard_kind``: peer_average, target, zero) and words
    (``standard``); ``drivers`` is empty, and ``reason`` says why, when the change cannot be
    split.
    """

    against: Against
    label: str
    period: str | None
    then: float | None
    now: float | None
    drivers: tuple[Driver, ...]
    reason: str = ""
    standard_kind: str = ""
    standard: str = ""

    @property
    def compared(self) -> str:
        """Return what the figure is compared with, in the reader's language."""
        return compared_words(self.against, self.period, self.standard_kind, self.standard)

    @property
    def change(self) -> float | None:
        """Return the change in the calculated measure, or None without both figures."""
        return None if self.then is None or self.now is None else self.now - self.then

    @property
    def percent(self) -> float | None:
        """Return the change as a percentage of the earlier figure, or None."""
        change = self.change
        if change is None or not self.then:
            return None
        return change / abs(self.then) * 100

    def as_dict(self) -> dict[str, Any]:
        """Return the comparison as plain data for JSON."""
        return {
            "against": self.against.value,
            "label": self.label,
            "period": self.period,
            "then": self.then,
            "now": self.now,
            "change": self.change,
            "percent": self.percent,
            "drivers": [driver.as_dict() for driver in self.drivers],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class KeyDrivers:
    """The key drivers of one calculated measure for one unit at one period."""

    unit: str
    measure: str
    period: str
    method: Literal["additive", "ratio"]
    shape: Shape
    comparisons: tuple[Comparison, ...]

    def comparison(self, against: Against) -> Comparison | None:
        """Return the comparison against ``against``, if there is one."""
        return next((item for item in self.comparisons if item.against is against), None)

    def as_dict(self) -> dict[str, Any]:
        """Return the key drivers as plain data for JSON."""
        return {
            "unit": self.unit,
            "measure": self.measure,
            "period": self.period,
            "method": self.method,
            "parts": [
                {"code": part.code, "coefficient": part.coefficient} for part in self.shape.parts
            ],
            "denominator": self.shape.denominator,
            "comparisons": [item.as_dict() for item in self.comparisons],
        }


def key_drivers(
    framework: Framework,
    assessment: pl.DataFrame,
    unit: str,
    measure: str,
    shape: Shape,
) -> KeyDrivers | None:
    """Return the split of ``measure``'s change for ``unit``, read from its assessment.

    ``assessment`` is ``pmf.core.assessment.assess``'s frame for the unit, with rows for the
    measure and every measure of ``shape``; each comparison reads the figures of the same
    periods for all of them (``value``, ``previous_value``, ``last_year_value`` and, against
    the standard, ``reference``). Returns None when the measure has no figure.

    Against the standard the gap is split only for a sum whose components are judged by
    standards of the same kind (a target each, or the MSG average each): the gap of each
    component to its own standard is its contribution, and what the components' standards
    do not add up to is unexplained. A standard of improvement on an earlier period is that
    comparison already; budgets, grades and ratios are not split.
    """
    rows = {
        record["measure"]: record
        for record in assessment.filter(pl.col("unit") == unit).iter_rows(named=True)
    }
    total = rows.get(measure)
    if total is None or total.get("value") is None:
        return None
    period = str(total["period"])
    components = {code: rows.get(code) for code in shape.codes}
    late = sorted(
        code
        for code, record in components.items()
        if record is None or record.get("value") is None or record.get("period") != period
    )
    over_time = [(Against.PREVIOUS_PERIOD, "previous_value", "previous_period")]
    # A period of a year or more (2022 - 24) has last year's as its previous: said once.
    if total.get("last_year_period") != total.get("previous_period"):
        over_time.append((Against.SAME_PERIOD_LAST_YEAR, "last_year_value", "last_year_period"))
    comparisons = [
        _over_time(framework, shape, total, components, late, against, column, period_column)
        for against, column, period_column in over_time
    ]
    standard = _against_standard(framework, shape, total, components, late)
    if standard is not None:
        comparisons.append(standard)
    return KeyDrivers(
        unit=unit,
        measure=measure,
        period=period,
        method=shape.method,
        shape=shape,
        comparisons=tuple(comparisons),
    )


def _names(framework: Framework, codes: Sequence[str]) -> str:
    return join_words([_name(framework, code) for code in codes])


def _name(framework: Framework, code: str) -> str:
    try:
        return framework.measure(code).name
    except KeyError:
        return code


def _over_time(
    framework: Framework,
    shape: Shape,
    total: Mapping[str, Any],
    components: Mapping[str, Mapping[str, Any] | None],
    late: Sequence[str],
    against: Against,
    column: str,
    period_column: str,
) -> Comparison:
    earlier = total.get(period_column)
    label = compared_words(against, earlier, english=True)
    then, now = total.get(column), total["value"]
    found = Comparison(against, label, earlier, then, now, ())
    if then is None:
        return _without(found, f"no figure for {label or 'the earlier period'}")
    if late:
        return _without(found, f"no figure for {total['period']} of {_names(framework, late)}")
    before = {code: record[column] for code, record in components.items() if record}
    missing = [code for code in shape.codes if before.get(code) is None]
    if missing:
        return _without(found, f"no figure for {label} of {_names(framework, missing)}")
    after = {code: record["value"] for code, record in components.items() if record}
    return _split(found, shape, before, after)


def _split(
    found: Comparison, shape: Shape, then: Mapping[str, float], now: Mapping[str, float]
) -> Comparison:
    try:
        drivers = decompose(shape, then, now, total_then=found.then, total_now=found.now)
    except ZeroDivisionError as error:
        return _without(found, str(error))
    return replace(found, drivers=drivers)


def _without(found: Comparison, reason: str) -> Comparison:
    return replace(found, drivers=(), reason=reason)


# What a change against a standard is compared with, by the standard's kind.
_AGAINST_PEERS = gettext_noop("the MSG average of {period}")
_AGAINST_TARGET = gettext_noop("the target of {standard}")
_AGAINST_NO_ITEMS = gettext_noop("the standard of no items")
_AGAINST_AVERAGE = gettext_noop("the MSG average")
_AGAINST_STANDARD = gettext_noop("the standard: {standard}")  # within budget, at least Good


def compared_words(
    against: Against,
    period: str | None,
    standard_kind: str = "",
    standard: str = "",
    *,
    english: bool = False,
) -> str:
    """Return what a change is compared with: a period, or the standard by its kind.

    In English as written with ``english`` (the comparison's ``label``), else in the reader's
    language.

    >>> compared_words(Against.STANDARD, "2025-06", "peer_average")
    'the MSG average of June 2025'
    >>> compared_words(Against.STANDARD, "2025-06", "target", "≥ 80.0%")
    'the target of ≥ 80.0%'
    >>> compared_words(Against.STANDARD, "2025-06", "", "within budget (£120)")
    'the standard: within budget (£120)'
    """

    def say(message: str, **parts: str) -> str:
        return (message if english else _(message)).format(**parts)

    def name(code: str) -> str:
        return parse_period(code).label if english else period_name(code)

    if against is not Against.STANDARD:
        return name(period) if period else ""
    if standard_kind == "peer_average":
        return say(_AGAINST_PEERS, period=name(period)) if period else say(_AGAINST_AVERAGE)
    if standard_kind == "zero":
        return say(_AGAINST_NO_ITEMS)
    words = standard if english else standard_words(standard)
    return say(_AGAINST_TARGET if standard_kind == "target" else _AGAINST_STANDARD, standard=words)


def _standard_kind(standard: str) -> str:
    """Return the kind of standard from its words, as the scorecard writes them."""
    if standard.startswith("v. MSG average"):
        return "peer_average"
    if standard.startswith(("≥", "≤", ">", "<", "=")):
        return "target"
    if standard == "no items":
        return "zero"
    return ""


def _against_standard(
    framework: Framework,
    shape: Shape,
    total: Mapping[str, Any],
    components: Mapping[str, Mapping[str, Any] | None],
    late: Sequence[str],
) -> Comparison | None:
    words = str(total.get("standard") or "")
    kind = _standard_kind(words)
    if not words or words.startswith("better than"):
        # No standard, or improvement on an earlier period: that comparison is made already.
        return None
    peer = kind == "peer_average"
    period = total.get("peer_period") if peer else total["period"]
    label = compared_words(Against.STANDARD, period, kind, words, english=True)
    # The MSG average is of the latest period the group has figures for: split only when that
    # is the figure's own period (the assessment keeps the unit's figure of that period only).
    now = total["value"]
    found = Comparison(
        Against.STANDARD, label, period, total.get("reference"), now, (), "", kind, words
    )
    if peer and period != total["period"]:
        when = parse_period(str(period)).label if period else "no period"
        return _without(found, f"the MSG average is of {when}, not of the figure's period")
    if not kind:
        return _without(found, f"a standard of {words} is not split")
    if shape.denominator is not None:
        return _without(found, "the gap of a ratio to its standard is not split")
    if found.then is None or now is None:
        return _without(found, "no figure for the standard")
    if late:
        return _without(found, f"no figure for {total['period']} of {_names(framework, late)}")
    then: dict[str, float] = {}
    after: dict[str, float] = {}
    unlike: list[str] = []
    for code in shape.codes:
        record = components.get(code) or {}
        same = _standard_kind(str(record.get("standard") or "")) == kind
        if peer:
            same = same and record.get("peer_period") == period
        reference = record.get("reference")
        value = record.get("value")
        if not same or reference is None or value is None:
            unlike.append(code)
        else:
            then[code], after[code] = reference, value
    if unlike:
        judged = "the MSG average" if peer else "a standard of the same kind"
        return _without(found, f"{_names(framework, unlike)} not judged against {judged}")
    return _split(found, shape, then, after)


def signed(number: float, decimals: int = 1, suffix: str = "%") -> str:
    """Return a number with its sign, a minus as a minus sign: ``+4.1%``, ``−3.9%``.

    >>> signed(-3.94), signed(0.04), signed(12.0, 2, "")
    ('−3.9%', '+0.0%', '+12.00')
    """
    text = f"{abs(number):,.{decimals}f}"
    return f"{'−' if number < 0 and float(text.replace(',', '')) else '+'}{text}{suffix}"


def sentence(framework: Framework, measure: Measure, found: Comparison) -> str | None:
    """Return the key drivers of a comparison in one sentence, as a board paper says them.

    The drivers are the components that moved the total the way it moved, largest first,
    until they account for the change (at most three), each with its contribution to the
    percentage change; then the largest that moved against it ("offset by"). With no change
    at the precision shown: what moved within it, as seed 000's "No overall change ..., but
    slight deterioration in VWI (+0.1), and improvement (-0.1) in Burglary Residential".
    None when the comparison has no split.

    >>> from pmf.core.framework import load_framework
    >>> framework = load_framework(
    ...     "organisation: {code: T, name: T}\\nareas: [{code: A, name: A}]\\n"
    ...     "units: [{code: F, name: Force, type: force}]\\nmeasures:\\n"
    ...     + "".join(f"- {{code: {code}, name: {code.title()}, area: A, kind: kpi,"
    ...               f" polarity: lower_is_better, unit_of_measure: rate, frequency: month}}\\n"
    ...               for code in ("HARM", "VWI", "SEX")))
    >>> drivers = decompose(Shape((Part("VWI", 1), Part("SEX", 1))),
    ...                     {"VWI": 6.0, "SEX": 4.0}, {"VWI": 6.2, "SEX": 3.5})
    >>> found = Comparison(Against.PREVIOUS_PERIOD, "June 2025", "2025-06", 10.0, 9.7, drivers)
    >>> sentence(framework, framework.measure("HARM"), found)
    'Against June 2025 (−3.0%), key drivers: Sex −5.0%; offset by Vwi +2.0%.'
    """
    if not found.drivers or found.then is None or found.now is None:
        return None
    decimals = measure.decimals
    scale = 10**decimals
    parts = [item for item in found.drivers if item.role != "unexplained"]
    if round(found.now * scale) == round(found.then * scale):
        moved = sorted(
            (item for item in parts if round(item.contribution * scale)),
            key=lambda item: _size(item, decimals),
        )[:MOST_DRIVERS]
        compared = found.compared
        if not moved:
            return _("No change against {compared} in the total or any component.").format(
                compared=compared
            )
        listed = join_words(
            [
                f"{_name(framework, item.code)} ({signed(item.contribution, decimals, '')})"
                for item in moved
            ]
        )
        return _("No overall change against {compared}, but movement within it: {drivers}.").format(
            compared=compared, drivers=listed
        )
    change = found.now - found.then
    same = sorted(
        (item for item in parts if item.contribution * change > 0),
        key=lambda item: _size(item, decimals),
    )
    chosen: list[Driver] = []
    for item in same:
        chosen.append(item)
        if len(chosen) == MOST_DRIVERS or sum(x.contribution for x in chosen) / change >= 1:
            break
    opposite = sorted(
        (item for item in parts if item.contribution * change < 0),
        key=lambda item: _size(item, decimals),
    )
    words = join_words([_driver_words(framework, item, decimals) for item in chosen])
    offset = _driver_words(framework, opposite[0], decimals) if opposite else ""
    if found.percent is not None and opposite:
        text = _("Against {compared} ({change}), key drivers: {drivers}; offset by {offset}.")
    elif found.percent is not None:
        text = _("Against {compared} ({change}), key drivers: {drivers}.")
    elif opposite:
        text = _("Against {compared}, key drivers: {drivers}; offset by {offset}.")
    else:
        text = _("Against {compared}, key drivers: {drivers}.")
    overall = signed(found.percent) if found.percent is not None else ""
    return text.format(compared=found.compared, change=overall, drivers=words, offset=offset)


def _size(item: Driver, decimals: int) -> float:
    # Largest first; equal at a finer precision than shown, in the formula's order (the sort
    # is stable), so that 4.0 - 3.9 does not come before 6.1 - 6.0 by a rounding error.
    return -round(abs(item.contribution), decimals + 3)


def _driver_words(framework: Framework, item: Driver, decimals: int) -> str:
    amount = (
        signed(item.percent)
        if item.percent is not None
        else signed(item.contribution, decimals, "")
    )
    return f"{_name(framework, item.code)} {amount}"


def rows(framework: Framework, measure: Measure, found: Comparison) -> list[dict[str, Any]]:
    """Return a comparison's drivers as a table shows them: names, figures and words.

    Each component's figures are shown as its own measure shows them; contributions in the
    calculated measure's units (with its precision, signed); the share of the change and the
    contribution to the percentage change as signed percentages.

    >>> from pmf.core.framework import load_framework
    >>> framework = load_framework(
    ...     "organisation: {code: T, name: T}\\nareas: [{code: A, name: A}]\\n"
    ...     "units: [{code: F, name: Force, type: force}]\\nmeasures:\\n"
    ...     + "".join(f"- {{code: {code}, name: {code}, area: A, kind: kpi, decimals: 2,"
    ...               f" polarity: lower_is_better, unit_of_measure: rate, frequency: month}}\\n"
    ...               for code in ("HARM", "VWI", "SEX")))
    >>> drivers = decompose(Shape((Part("VWI", 1), Part("SEX", 1))),
    ...                     {"VWI": 6.0, "SEX": 4.0}, {"VWI": 6.2, "SEX": 3.5})
    >>> found = Comparison(Against.PREVIOUS_PERIOD, "June 2025", "2025-06", 10.0, 9.7, drivers)
    >>> [(row["name"], row["contribution_text"], row["share_text"], row["percent_text"])
    ...  for row in rows(framework, framework.measure("HARM"), found)]
    [('VWI', '+0.20', '−66.7%', '+2.0%'), ('SEX', '−0.50', '+166.7%', '−5.0%')]
    """
    shown: list[dict[str, Any]] = []
    for item in found.drivers:
        own = _own(framework, item.code) or measure
        unexplained = item.role == "unexplained"
        shown.append(
            {
                **item.as_dict(),
                "name": "Not explained by the components"
                if unexplained
                else _name(framework, item.code),
                "role_text": {
                    "term": "taken away" if (item.coefficient or 0) < 0 else "added",
                    "denominator": "denominator",
                    "unexplained": "",
                }[item.role],
                "then_text": "" if unexplained else format_value(item.then, own),
                "now_text": "" if unexplained else format_value(item.now, own),
                "change_text": ""
                if item.then is None or item.now is None
                else signed(item.now - item.then, own.decimals, ""),
                "contribution_text": signed(item.contribution, measure.decimals, ""),
                "share_text": "–" if item.share is None else signed(item.share * 100),
                "percent_text": "–" if item.percent is None else signed(item.percent),
            }
        )
    return shown


def _own(framework: Framework, code: str) -> Measure | None:
    try:
        return framework.measure(code) if code else None
    except KeyError:
        return None


def chosen(framework: Framework, found: KeyDrivers) -> Comparison | None:
    """Return the comparison the rationale and the board paper speak of.

    The one the measure's standard judges (the MSG average, a target, the same period last
    year or the previous period), else the previous period; None when it has no split.
    """
    standard = found.comparison(Against.STANDARD)
    preferred = [Against.PREVIOUS_PERIOD]
    if standard is not None and standard.drivers:
        return standard
    measure = framework.measure(found.measure)
    for item in measure.standard:
        against = getattr(item, "against", None)
        if against == "same_period_last_year":
            preferred.insert(0, Against.SAME_PERIOD_LAST_YEAR)
            break
    for against in preferred:
        comparison = found.comparison(against)
        if comparison is not None and comparison.drivers:
            return comparison
    return None


def rationale_sentence(
    framework: Framework, assessment: pl.DataFrame, unit: str, measure: Measure
) -> str | None:
    """Return the key drivers sentence of a calculated measure for the rationale, or None.

    None for a measure without a formula that splits, or without the figures to split it.
    """
    shape = shape_for(measure)
    if shape is None:
        return None
    found = key_drivers(framework, assessment, unit, measure.code, shape)
    if found is None:
        return None
    comparison = chosen(framework, found)
    return None if comparison is None else sentence(framework, measure, comparison)
