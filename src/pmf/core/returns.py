"""Statutory returns: which figure goes in which cell of a return, and whether it may go.

A return (``docs/framework.md``, "Statutory returns") names a CSV or XLSX template and, for
each cell to fill, a measure, a unit, a period (the return's own, the previous one or the same
one last year) and a part of the observation (the value, the numerator or the denominator).
``plan`` lists the cells of a return for a period; ``check`` fills them from the observations
held and names every problem that stops the return going out: a cell with no figure, a figure
not yet validated (or signed off, as the return asks), a figure outside the return's rules.
Reading and writing the template itself is ``pmf.sources.returns``'s part; this module never
touches a file.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from pmf.core.cells import column_letters, column_number, parse_cell
from pmf.core.framework.schema import (
    FrameworkModel,
    Return,
    ReturnRules,
)
from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop
from pmf.core.periods import ParseError, Period, parse_period

# How far a figure has been checked, in order: a return asks for at least one of the last two.
STATUS_ORDER = {"provisional": 0, "validated": 1, "signed_off": 2}
STATUS_NAMES = {
    "provisional": gettext_noop("provisional"),
    "validated": gettext_noop("validated"),
    "signed_off": gettext_noop("signed off"),
}


@dataclass(frozen=True)
class PlannedCell:
    """One cell a return fills: where, and which figure of which measure, unit and period."""

    address: str
    row: int
    column: int
    measure: str
    unit: str
    period: str
    part: str
    decimals: int | None
    rules: ReturnRules

    @property
    def key(self) -> tuple[str, str, str]:
        """Return (unit, measure, period): where the figure is held."""
        return (self.unit, self.measure, self.period)


@dataclass(frozen=True)
class HeldObservation:
    """An observation as held: its value, numerator, denominator and how far it has been checked."""

    value: float | None
    numerator: float | None
    denominator: float | None
    status: str


@dataclass(frozen=True)
class FilledCell:
    """A planned cell with the number it gets (None when it cannot), as text, and its problems."""

    cell: PlannedCell
    number: float | None
    text: str
    status: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ReturnCheck:
    """A return checked for one period: every cell, and every problem, each naming its cell."""

    definition: Return
    period: str
    cells: tuple[FilledCell, ...]

    @property
    def problems(self) -> tuple[str, ...]:
        """Return each problem as ``C7 (measure, unit, period): what is wrong``."""
        return tuple(
            f"{filled.cell.address} ({filled.cell.measure}, {filled.cell.unit}, "
            f"{filled.cell.period}): {problem}"
            for filled in self.cells
            for problem in filled.problems
        )

    @property
    def ready(self) -> bool:
        """Return True when every cell has a figure that may go out."""
        return not any(filled.problems for filled in self.cells)


def return_period(definition: Return, text: str) -> Period:
    """Return the period ``text`` names; raise ``ValueError`` if it is not of the return's kind.

    >>> from pmf.core.periods import PeriodKind
    >>> definition = Return(code="R", name="R", template="r.csv", frequency=PeriodKind.MONTH,
    ...     cells=({"cell": "B2", "measure": "M", "unit": "U"},))
    >>> return_period(definition, "May 2024").code
    '2024-05'
    >>> return_period(definition, "2024/25")
    Traceback (most recent call last):
    ...
    ValueError: '2024/25' is a financial year; return R is made by month
    """
    try:
        period = parse_period(text)
    except ParseError as error:
        raise ValueError(str(error)) from None
    if period.kind is not definition.frequency:
        kind = period.kind.value.replace("_", " ")
        wanted = definition.frequency.value.replace("_", " ")
        raise ValueError(f"{text!r} is a {kind}; return {definition.code} is made by {wanted}")
    return period


def _shifted(period: Period | None, which: str) -> str:
    if period is None:
        return ""
    if which == "previous":
        return period.previous().code
    if which == "same_period_last_year":
        return period.same_period_last_year().code
    return period.code


def _rules(base: ReturnRules, own: ReturnRules) -> ReturnRules:
    # A cell's or column's own rules override the return's, field by field.
    written = {name: getattr(own, name) for name in own.model_fields_set}
    return base.model_copy(update=written)


def plan(definition: Return, period: Period | None = None) -> tuple[PlannedCell, ...]:
    """Return the cells ``definition`` fills for ``period``: its cells, then its table by row.

    Without a period, the cells' periods are left empty: the layout alone.
    """
    cells: list[PlannedCell] = []
    for cell in definition.cells:
        at_row, at_column = parse_cell(cell.cell)
        cells.append(
            PlannedCell(
                address=cell.cell.upper(),
                row=at_row,
                column=at_column,
                measure=cell.measure,
                unit=cell.unit or definition.unit or "",
                period=_shifted(period, cell.period),
                part=cell.part,
                decimals=cell.decimals,
                rules=_rules(definition.rules, cell),
            )
        )
    for row in definition.rows:
        for column in definition.columns:
            number = column_number(column.column)
            address = f"{column_letters(number)}{row.row}"
            cells.append(
                PlannedCell(
                    address=address,
                    row=row.row,
                    column=number,
                    measure=column.measure,
                    unit=row.unit,
                    period=_shifted(period, column.period),
                    part=column.part,
                    decimals=column.decimals,
                    rules=_rules(definition.rules, column),
                )
            )
    return tuple(cells)


def check(
    model: FrameworkModel,
    definition: Return,
    period: Period,
    observations: Mapping[tuple[str, str, str], HeldObservation],
    scope: Collection[str] | None = None,
) -> ReturnCheck:
    """Fill the cells of ``definition`` for ``period`` from ``observations`` and name each problem.

    ``observations`` is keyed by (unit, measure, period code). ``scope`` (unit codes), when given,
    leaves out the cells of other units: a reader scoped to a few units sees only theirs.

    >>> from pmf.core.framework import load_framework
    >>> framework = load_framework(
    ...     "organisation: {code: T, name: T}\\nareas: [{code: A, name: A}]\\n"
    ...     "units: [{code: U, name: U, type: force}]\\n"
    ...     "measures: [{code: M, name: M, area: A, kind: kpi, polarity: neither,"
    ...     " unit_of_measure: count, frequency: month, decimals: 0}]\\n"
    ...     "returns: [{code: R, name: R, template: r.csv, frequency: month, unit: U,"
    ...     " rules: {whole: true}, cells: [{cell: B2, measure: M}, {cell: B3, measure: M,"
    ...     " period: previous}]}]")
    >>> may = parse_period("2024-05")
    >>> held = {("U", "M", "2024-05"): HeldObservation(12.0, None, None, "validated")}
    >>> result = check(framework.model, framework.return_("R"), may, held)
    >>> [filled.text for filled in result.cells]
    ['12', '']
    >>> result.problems
    ('B3 (M, U, 2024-04): no figure',)
    """
    measures = {measure.code: measure for measure in model.measures}
    filled: list[FilledCell] = []
    for cell in plan(definition, period):
        if scope is not None and cell.unit not in scope:
            continue
        held = observations.get(cell.key)
        measure = measures.get(cell.measure)
        decimals = cell.decimals
        if decimals is None:
            decimals = 0 if cell.part != "value" or measure is None else measure.decimals
        if held is None:
            filled.append(FilledCell(cell, None, "", "", (_("no figure"),)))
            continue
        number = getattr(held, cell.part)
        problems: list[str] = []
        if number is None or not math.isfinite(number):
            problems.append(_("the figure has no {part}").format(part=cell.part))
            number = None
        if STATUS_ORDER.get(held.status, 0) < STATUS_ORDER[definition.status]:
            problems.append(
                _("the figure is {status}; the return needs {wanted} figures").format(
                    status=_(STATUS_NAMES.get(held.status, held.status)),
                    wanted=_(STATUS_NAMES[definition.status]),
                )
            )
        if number is not None:
            problems.extend(_broken_rules(number, cell.rules))
            number = round(number, decimals)
        text = "" if number is None else f"{number:.{decimals}f}"
        filled.append(FilledCell(cell, number, text, held.status, tuple(problems)))
    return ReturnCheck(definition, period.code, tuple(filled))


def _broken_rules(number: float, rules: ReturnRules) -> Iterator[str]:
    shown = f"{number:g}"
    if rules.whole and not float(number).is_integer():
        yield _("{number} is not a whole number; the return takes whole numbers only").format(
            number=shown
        )
    if rules.minimum is not None and number < rules.minimum:
        yield _("{number} is below the return's minimum, {minimum}").format(
            number=shown, minimum=f"{rules.minimum:g}"
        )
    if rules.maximum is not None and number > rules.maximum:
        yield _("{number} is above the return's maximum, {maximum}").format(
            number=shown, maximum=f"{rules.maximum:g}"
        )


__all__ = [
    "FilledCell",
    "HeldObservation",
    "PlannedCell",
    "ReturnCheck",
    "check",
    "plan",
    "return_period",
]
