"""Check what one part of a framework says about another: codes that must exist, be unique, agree.

Each check yields a data path (``("measures", 3, "area")``) and a message; ``load_framework``
turns the path into a file line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import pairwise
from typing import TypeVar

from pmf.core.cells import column_letters, column_number
from pmf.core.formula import Formula, find_cycle
from pmf.core.framework.problems import dotted
from pmf.core.framework.schema import (
    GRADE_ROLES,
    NO_GRADE,
    Area,
    AreaGrading,
    CustomScale,
    FrameworkModel,
    Grading,
    GradingRules,
    Kind,
    Measure,
    PeriodRollup,
    Polarity,
    Return,
    Rollup,
    SpcBaseline,
    SpcEvent,
    SpcRebase,
    Unit,
    UnitOfMeasure,
    parse_frequency_period,
)
from pmf.core.framework.scoring import scoring_references
from pmf.core.periods import SUB_MONTH_KINDS, ParseError, PeriodKind, parse_period, read_period
from pmf.core.yamlsource import Path

_Coded = TypeVar("_Coded", Unit, Measure, Area)


def cross_references(model: FrameworkModel) -> Iterator[tuple[Path, str]]:
    """Yield the path and message of each reference in ``model`` that does not hold."""
    yield from _duplicates("areas", model.areas)
    # Files of figures name units and measures by code or name, whatever the case: each of
    # those spellings must lead to one unit or measure, or a figure lands on the wrong one.
    yield from _duplicates("units", model.units, ignore_case=True)
    yield from _duplicates("measures", model.measures, ignore_case=True)
    yield from _ambiguous_names("units", model.units)
    yield from _ambiguous_names("measures", model.measures)
    units = {unit.code: unit for unit in model.units}
    areas = {area.code for area in model.areas}
    for index, unit in enumerate(model.units):
        if unit.parent is not None and unit.parent not in units:
            yield ("units", index, "parent"), f"{unit.parent!r} is not a unit in this file"
        elif unit.parent is not None and units[unit.parent].external and not unit.external:
            yield ("units", index, "parent"), f"{unit.parent!r} is external; it cannot have units"
        elif _in_cycle(unit.code, units):
            yield ("units", index, "parent"), f"{unit.parent!r} makes the unit its own ancestor"
    yield from _map_references(model)
    national = model.organisation.national
    if national is not None and national not in units:
        yield ("organisation", "national"), f"{national!r} is not a unit in this file"
    unit_types = {unit.type for unit in model.units}
    for index, measure in enumerate(model.measures):
        where: Path = ("measures", index)
        if measure.area not in areas:
            allowed = ", ".join(sorted(areas))
            yield (*where, "area"), f"{measure.area!r} is not one of {allowed}"
        if measure.frequency is PeriodKind.ROLLING and measure.window_months is None:
            yield (*where, "window_months"), "is required for a rolling frequency"
        if measure.period_rollup is not None and measure.frequency not in SUB_MONTH_KINDS:
            yield (*where, "period_rollup"), "is for measures reported by week or by day"
        if measure.period_rollup is PeriodRollup.POOLED_RATIO and not measure.denominator:
            yield (
                (*where, "denominator"),
                "is required to pool a ratio (period_rollup: pooled_ratio)",
            )
        if (
            measure.rollup is Rollup.POOLED_RATIO
            and not measure.denominator
            and measure.formula is None
        ):
            yield (*where, "denominator"), "is required to pool a ratio (rollup: pooled_ratio)"
        if measure.rollup is Rollup.POOLED_RATIO and measure.standardised is not None:
            yield (
                (*where, "rollup"),
                (
                    "a standardised measure cannot pool a ratio: its figures have no numerator and "
                    "denominator (import a parent's own age bands instead)"
                ),
            )
        yield from _validity_references(measure, where)
        if (
            measure.unit_of_measure is UnitOfMeasure.PERCENT
            and measure.denominator
            and measure.formula is None
            and measure.standardised is None
            and measure.multiplier != 100
        ):
            # Each figure must equal numerator / denominator × multiplier: with any other
            # multiplier a percentage would be read and shown as a fraction of 100.
            yield (
                (*where, "multiplier"),
                f"must be 100 for a percentage of a numerator and denominator, not "
                f"{measure.multiplier:g} (a figure is numerator / denominator × multiplier)",
            )
        if measure.kind is Kind.REDLINE and not measure.standard:
            yield (*where, "standard"), "a redline needs a standard (what 'met' means)"
        for position, standard in enumerate(measure.standard):
            for unit_type in standard.unit_types or ():
                if unit_type not in unit_types:
                    allowed = ", ".join(sorted(unit_types))
                    yield (
                        (*where, "standard", position, "unit_types"),
                        (f"{unit_type!r} is not one of {allowed}"),
                    )
            if standard.type == "peer_average" and measure.polarity is Polarity.NEITHER:
                yield (
                    (*where, "standard", position, "type"),
                    ("peer_average needs a polarity of higher_is_better or lower_is_better"),
                )
    for index, group in enumerate(model.peer_groups):
        where = ("peer_groups", index)
        if (group.unit is None) == (not group.units):
            yield where, "give either unit with members, or units (who are each other's peers)"
        if group.unit is not None and not group.members:
            yield (*where, "members"), "must not be empty"
        for field_name in ("unit", "members", "units"):
            value = getattr(group, field_name)
            for position, code in enumerate(value if isinstance(value, tuple) else [value]):
                if code is not None and code not in units:
                    path: Path = (
                        (*where, field_name, position)
                        if isinstance(value, tuple)
                        else (*where, field_name)
                    )
                    yield path, f"{code!r} is not a unit in this file"
    yield from target_references(model, units)
    yield from formula_references(model)
    yield from _spc_references(model, units)
    yield from _grading_references(model)
    yield from _intervention_references(model)
    yield from _risk_references(model, units)
    yield from scoring_references(
        model.scoring,
        {m.code: (m.area, m.polarity.value) for m in model.measures},
        areas,
        unit_types,
    )
    yield from _return_references(model, units)


def formula_references(model: FrameworkModel) -> Iterator[tuple[Path, str]]:
    """Yield the problems of calculated measures: unknown inputs, frequencies, circles, roll-up.

    A formula's inputs must be measures of the file with the same frequency (and window),
    the formulas must not use each other in a circle, and a calculated measure's roll-up must
    be one its figures can take.
    """
    measures = {measure.code: measure for measure in model.measures}
    formulas = {}
    for index, measure in enumerate(model.measures):
        where: Path = ("measures", index)
        formula = measure.calculation
        if formula is None:
            if measure.rollup is Rollup.FORMULA:
                yield (
                    (*where, "rollup"),
                    f"measure {measure.code} has no formula: rollup: formula is for a "
                    "calculated measure (use sum, pooled_ratio, mean or none)",
                )
            continue
        formulas[measure.code] = formula
        known = True
        for code in formula.inputs:
            used = measures.get(code)
            if used is None:
                known = False
                hint = (
                    f" (to subtract, put spaces round the minus sign: {code.replace('-', ' - ')})"
                    if "-" in code
                    else ""
                )
                yield (
                    (*where, "formula"),
                    f"{code!r} is not a measure in this file: the formula of measure "
                    f"{measure.code} cannot be calculated without it{hint}",
                )
            elif used.frequency is not measure.frequency or (
                used.window_months != measure.window_months
            ):
                known = False
                yield (
                    (*where, "formula"),
                    f"measure {measure.code} is reported by {_frequency(measure)} but its input "
                    f"{code} by {_frequency(used)}: a formula's inputs must have its frequency",
                )
        if measure.standardised is not None:
            yield (
                (*where, "formula"),
                f"measure {measure.code} is standardised from age bands; it cannot also have a "
                "formula",
            )
        if known:
            problem = _calculated_rollup_problem(measure, formula, measures)
            if problem is not None:
                yield (*where, "rollup"), problem
    cycle = find_cycle(formulas)
    if cycle is not None:
        index = next(i for i, m in enumerate(model.measures) if m.code == cycle[0])
        yield (
            ("measures", index, "formula"),
            "the formulas of measures " + " → ".join(cycle) + " use each other in a circle: "
            "each needs the other's figures first",
        )


def _frequency(measure: Measure) -> str:
    kind = measure.frequency.value.replace("_", " ")
    if measure.window_months is not None:
        return f"{kind} ({measure.window_months} months)"
    return kind


def _calculated_rollup_problem(
    measure: Measure, formula: Formula, measures: dict[str, Measure]
) -> str | None:
    """Say why a calculated measure cannot roll up as it says, or None when it can.

    Pooling needs numerators and denominators: a calculated figure has them when its
    formula is a ratio of two measures (numerator: the first's value, denominator: the
    second's) or a signed sum of pooled ratios sharing a denominator and multiplier.
    """
    if measure.rollup is not Rollup.POOLED_RATIO:
        return None
    if formula.ratio() is not None:
        return None
    terms = formula.terms()
    if terms is not None:
        used = [measures[term.code] for term in terms]
        if all(
            m.rollup is Rollup.POOLED_RATIO
            and m.denominator == used[0].denominator
            and m.multiplier == measure.multiplier
            for m in used
        ):
            return None
    return (
        f"measure {measure.code} cannot pool a ratio: its formula is neither a ratio of two "
        "measures (A / B * 1000) nor a sum of pooled ratios with the same denominator and "
        "multiplier as it; use rollup: formula (the parent's value from its own inputs)"
    )


def _validity_references(measure: Measure, where: Path) -> Iterator[tuple[Path, str]]:
    valid = measure.valid
    place: Path = (*where, "valid")
    if valid.minimum is not None and valid.maximum is not None and valid.maximum < valid.minimum:
        yield (
            (*place, "max"),
            f"{valid.maximum:g} is less than min ({valid.minimum:g}) for measure {measure.code}",
        )
    if valid.target_scale is not None and 0 < valid.target_scale <= 1:
        yield (
            (*place, "target_scale"),
            f"{valid.target_scale:g} must be more than 1 (how many times the target is far "
            f"from it), or off, for measure {measure.code}",
        )
    if valid.proportion and measure.unit_of_measure not in (
        UnitOfMeasure.PERCENT,
        UnitOfMeasure.RATIO,
        UnitOfMeasure.RATE,
    ):
        yield (
            (*place, "proportion"),
            f"measure {measure.code} is a {measure.unit_of_measure.value}; only a percent, "
            "ratio or rate has a numerator and denominator to compare",
        )


def _grading_references(model: FrameworkModel) -> Iterator[tuple[Path, str]]:
    grading = model.grading
    areas = {area.code for area in model.areas}
    yield from _inadequate_before_requires_improvement(grading, ("grading",))
    yield from _scale_references(grading)
    seen: dict[str, int] = {}
    for index, override in enumerate(grading.areas):
        where: Path = ("grading", "areas", index)
        if override.area not in areas:
            allowed = ", ".join(sorted(areas))
            yield (*where, "area"), f"{override.area!r} is not one of {allowed}"
        elif override.area in seen:
            yield (
                (*where, "area"),
                f"{override.area!r} already has rules at grading.areas[{seen[override.area]}]",
            )
        else:
            yield from _inadequate_before_requires_improvement(
                grading.for_area(override.area), where
            )
        seen.setdefault(override.area, index)


def _intervention_references(model: FrameworkModel) -> Iterator[tuple[Path, str]]:
    menu = model.interventions
    sections: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("categories", tuple(item.code for item in menu.categories)),
        ("actions", tuple(item.code for item in menu.actions)),
    )
    for section, codes in sections:
        seen: dict[str, int] = {}
        for index, code in enumerate(codes):
            if code in seen:
                yield (
                    ("interventions", section, index, "code"),
                    f"{code!r} is already used by interventions.{section}[{seen[code]}]",
                )
            seen.setdefault(code, index)


def _risk_references(model: FrameworkModel, units: dict[str, Unit]) -> Iterator[tuple[Path, str]]:
    risks = model.risks
    for scale in ("likelihood", "impact"):
        weights = getattr(risks, f"{scale}_weights")
        levels = len(getattr(risks, scale))
        if weights is None:
            continue
        where: Path = ("risks", f"{scale}_weights")
        if len(weights) != levels:
            yield where, f"gives {len(weights)} weights for the {levels} levels of {scale}"
        elif any(weight <= 0 for weight in weights):
            yield where, "every weight must be more than 0"
        elif any(later <= earlier for earlier, later in pairwise(weights)):
            yield where, "must rise from the first level to the last"
    bands = [band.min_score for band in risks.bands]
    if bands and any(later <= earlier for earlier, later in pairwise(bands)):
        yield ("risks", "bands"), "each band's min_score must be more than the one before"
    if risks.measure is not None:
        measure = next((m for m in model.measures if m.code == risks.measure), None)
        if measure is None:
            yield ("risks", "measure"), f"{risks.measure!r} is not a measure in this file"
        elif measure.frequency is not PeriodKind.MONTH or measure.unit_of_measure not in (
            UnitOfMeasure.COUNT,
        ):
            yield (
                ("risks", "measure"),
                f"{risks.measure!r} must be a monthly count (frequency: month, "
                "unit_of_measure: count): it is the number of risks above the threshold",
            )
    if risks.unit is not None and (risks.unit not in units or units[risks.unit].external):
        yield ("risks", "unit"), f"{risks.unit!r} is not an internal unit in this file"


def _inadequate_before_requires_improvement(
    rules: GradingRules, where: Path
) -> Iterator[tuple[Path, str]]:
    inadequate = rules.inadequate.redlines_not_met
    requires_improvement = rules.requires_improvement.redlines_not_met
    if inadequate is not None and inadequate <= requires_improvement:
        yield (
            (*where, "inadequate", "redlines_not_met"),
            f"{inadequate} must be more than requires_improvement.redlines_not_met "
            f"({requires_improvement})",
        )
    adequate = rules.adequate.redlines_not_met
    if adequate is not None and adequate >= requires_improvement:
        yield (
            (*where, "adequate", "redlines_not_met"),
            f"{adequate} must be fewer than requires_improvement.redlines_not_met "
            f"({requires_improvement})",
        )


def _scale_references(grading: Grading) -> Iterator[tuple[Path, str]]:
    """Check a custom scale's grades, and that the rules written recommend only its grades."""
    name, grades = grading.scale_grades()
    where: Path = ("grading", "scale", "grades")
    if isinstance(grading.scale, CustomScale):
        codes: dict[str, int] = {}
        roles: dict[str, int] = {}
        for index, grade in enumerate(grades):
            if grade.code == NO_GRADE:
                yield (*where, index, "code"), f"{NO_GRADE!r} is kept for areas with no grade"
            elif grade.code in codes:
                yield (
                    (*where, index, "code"),
                    f"{grade.code!r} is already used by grading.scale.grades[{codes[grade.code]}]",
                )
            codes.setdefault(grade.code, index)
            role = grade.rule
            if role is None:
                yield (
                    (*where, index, "role"),
                    f"grade {grade.code!r} needs a role, one of {', '.join(GRADE_ROLES)}",
                )
            elif role in roles:
                yield (
                    (*where, index, "role"),
                    f"{role!r} is already the role of grading.scale.grades[{roles[role]}]",
                )
            roles.setdefault(role or "", index)
        ranked = [GRADE_ROLES.index(grade.rule) for grade in grades if grade.rule is not None]
        if ranked != sorted(ranked):
            yield where, "the grades must go best first, in the order " + ", ".join(GRADE_ROLES)
        for needed in ("good", "requires_improvement"):
            if needed not in roles:
                yield where, f"the scale needs a grade whose role is {needed!r}"
    present = {grade.rule for grade in grades}
    sections: list[tuple[Path, GradingRules | AreaGrading]] = [(("grading",), grading)]
    sections += [(("grading", "areas", i), area) for i, area in enumerate(grading.areas)]
    for place, rules in sections:
        for section in ("outstanding", "adequate", "inadequate"):
            rule = getattr(rules, section)
            if rule is None or section in present:
                continue
            written = [field for field in rule.model_fields_set if field != "signals"]
            if any(getattr(rule, field) is not None for field in written):
                yield (
                    (*place, section),
                    f"the {name} scale has no grade whose role is {section!r} to recommend",
                )


def target_references(model: FrameworkModel, units: dict[str, Unit]) -> Iterator[tuple[Path, str]]:
    """Yield the path and message of each target whose measure, unit or periods do not hold."""
    measures = {measure.code: measure for measure in model.measures}
    for index, target in enumerate(model.targets):
        where: Path = ("targets", index)
        measure = measures.get(target.measure)
        if measure is None:
            yield (*where, "measure"), f"{target.measure!r} is not a measure in this file"
        elif target.comparison is None and measure.polarity is Polarity.NEITHER:
            yield (*where, "comparison"), "is required where neither direction is better"
        if target.unit is not None and target.unit not in units:
            yield (*where, "unit"), f"{target.unit!r} is not a unit in this file"
        spans = {}
        for field_name in ("starts", "ends"):
            text = getattr(target, field_name)
            if text is not None:
                try:
                    spans[field_name] = (
                        read_period(text, measure.frequency) if measure else parse_period(text)
                    )
                except ParseError as error:
                    yield (*where, field_name), str(error)
        if "starts" in spans and "ends" in spans and spans["ends"].end < spans["starts"].start:
            yield (*where, "ends"), f"{target.ends!r} is before {target.starts!r}"


def _spc_references(model: FrameworkModel, units: dict[str, Unit]) -> Iterator[tuple[Path, str]]:
    """Check each measure's SPC block: its periods fit the measure, its units exist."""
    for index, measure in enumerate(model.measures):
        spc = measure.spc
        where: Path = ("measures", index, "spc")
        problem = chart_problem(measure)
        if problem is not None:
            yield (*where, "chart"), problem
        baselines: list[tuple[Path, SpcBaseline | None]] = [((*where, "baseline"), spc.baseline)]
        for position, settings in enumerate(spc.units):
            place: Path = (*where, "units", position)
            if settings.unit not in units:
                yield (*place, "unit"), f"{settings.unit!r} is not a unit in this file"
            baselines.append(((*place, "baseline"), settings.baseline))
        for place, baseline in baselines:
            if baseline is None:
                continue
            found = {}
            for field_name, key in (("starts", "from"), ("ends", "to")):
                text = getattr(baseline, field_name)
                if text is None:
                    continue
                try:
                    found[key] = parse_period(parse_frequency_period(measure, text))
                except ValueError as error:
                    yield (*place, key), str(error)
            if "from" in found and "to" in found and found["to"] < found["from"]:
                yield (*place, "to"), f"{baseline.ends!r} is before {baseline.starts!r}"
        seen: dict[tuple[str | None, str], int] = {}
        marks: list[tuple[str, int, SpcRebase | SpcEvent]] = [
            *(("rebases", position, item) for position, item in enumerate(spc.rebases)),
            *(("events", position, item) for position, item in enumerate(spc.events)),
        ]
        for section, position, item in marks:
            place = (*where, section, position)
            try:
                code = parse_frequency_period(measure, item.period)
            except ValueError as error:
                yield (*place, "period"), str(error)
                code = item.period
            if item.unit is not None and item.unit not in units:
                yield (*place, "unit"), f"{item.unit!r} is not a unit in this file"
            if section == "rebases":
                mark = (item.unit, code)
                if mark in seen:
                    earlier = dotted((*where, section, seen[mark]))
                    yield (*place, "period"), f"{item.period!r} is already a rebase at {earlier}"
                seen.setdefault(mark, position)


def chart_problem(measure: Measure) -> str | None:
    """Say why the measure's figures cannot be drawn as its ``spc.chart``, or None if they can.

    A p or p′ chart plots a proportion, so the figures need numerators and denominators
    (the measure has a ``denominator``) and the numerator must be part of the denominator (a
    ``percent``, or ``valid: {proportion: true}``); a u or u′ chart plots a rate: a
    ``denominator`` is enough; a c chart plots a count of events: a ``count`` in whole numbers
    with no denominator. g and t charts plot the cases or the time between single events, one
    point per event, and a measure's figures are one total per period: they are refused.
    run, i (XmR) and mr charts take any figures.
    """
    chart = measure.spc.chart
    code = measure.code
    proportion = measure.valid.proportion
    if proportion is None:
        proportion = measure.unit_of_measure is UnitOfMeasure.PERCENT
    if chart in ("p", "pp"):
        if not measure.denominator:
            return (
                f"a {chart} chart plots a proportion, numerator over denominator, but measure "
                f"{code} has no denominator: give one (and numerators and denominators in its "
                "figures), or choose chart i"
            )
        if not proportion:
            return (
                f"a {chart} chart plots a proportion (a part of a whole), but measure {code} is "
                f"a {measure.unit_of_measure.value} that is not one: use chart "
                f"{'u' if chart == 'p' else 'up'} for a rate, or set valid: {{proportion: true}}"
            )
    elif chart in ("u", "up") and not measure.denominator:
        return (
            f"a {chart} chart plots a rate, numerator over denominator, but measure {code} has "
            "no denominator: give one (and numerators and denominators in its figures), or "
            "choose chart c for a count or i"
        )
    elif chart == "c":
        whole = measure.valid.whole
        if measure.unit_of_measure is not UnitOfMeasure.COUNT or measure.denominator:
            return (
                f"a c chart plots a count of events, but measure {code} is a "
                f"{measure.unit_of_measure.value}"
                + (" with a denominator" if measure.denominator else "")
                + ": use chart u for a rate, p for a proportion, or i"
            )
        if whole is False:
            return (
                f"a c chart plots a count of events in whole numbers, but measure {code} has "
                "valid: {whole: false} (an amount): choose chart i"
            )
    elif chart in ("g", "t"):
        between = "cases" if chart == "g" else "time"
        return (
            f"a {chart} chart plots the {between} between single events, one point per event, "
            f"but the figures of measure {code} are one total per period: choose chart c for a "
            "count (u for a rate), or draw event-level data with pmf stats spc --chart "
            f"{chart}"
        )
    return None


def _duplicates(
    section: str, items: Iterable[_Coded], *, ignore_case: bool = False
) -> Iterator[tuple[Path, str]]:
    seen: dict[str, int] = {}
    listed = list(items)
    for index, item in enumerate(listed):
        key = item.code.lower() if ignore_case else item.code
        if key not in seen:
            seen[key] = index
        elif listed[seen[key]].code == item.code:
            yield (
                (section, index, "code"),
                f"{item.code!r} is already used by {section}[{seen[key]}]",
            )
        else:
            yield (
                (section, index, "code"),
                f"{item.code!r} differs from {listed[seen[key]].code!r} of {section}[{seen[key]}] "
                f"only in case; files of figures name {section} without regard to case, so "
                "codes must differ in more than case",
            )


def _ambiguous_names(section: str, items: Iterable[Unit | Measure]) -> Iterator[tuple[Path, str]]:
    """Refuse a name that a file of figures could mean as another unit or measure."""
    listed = list(items)
    codes: dict[str, int] = {}
    for index, item in enumerate(listed):
        codes.setdefault(item.code.lower(), index)  # a code twice is _duplicates' to report
    names: dict[str, int] = {}
    for index, item in enumerate(listed):
        key = item.name.strip().lower()
        other = codes.get(key, index)
        if other != index and key != item.code.lower():
            yield (
                (section, index, "name"),
                f"{item.name!r} is the code of {section}[{other}]; files of figures name "
                f"{section} by code or name, and the code would win: choose another name",
            )
        elif key in names:
            yield (
                (section, index, "name"),
                f"{item.name!r} is also the name of {section}[{names[key]}]; files of figures "
                f"name {section} by code or name, so names must differ",
            )
        names.setdefault(key, index)


def _in_cycle(code: str, units: dict[str, Unit]) -> bool:
    seen = {code}
    parent = units[code].parent
    while parent is not None and parent in units:
        if parent in seen:
            return True
        seen.add(parent)
        parent = units[parent].parent
    return False


def _return_references(
    model: FrameworkModel, units: Mapping[str, Unit]
) -> Iterator[tuple[Path, str]]:
    """Yield the path and message of each reference of a return that does not hold.

    Each cell's measure and unit must be in the file and the measure reported at the return's
    frequency; no two cells may share an address, and no two returns a code.
    """
    measures = {measure.code: measure for measure in model.measures}
    seen_codes: set[str] = set()
    for index, definition in enumerate(model.returns):
        where: Path = ("returns", index)
        if definition.code in seen_codes:
            yield (*where, "code"), f"{definition.code!r} is a second return with this code"
        seen_codes.add(definition.code)
        if definition.unit is not None and definition.unit not in units:
            yield (*where, "unit"), f"{definition.unit!r} is not a unit in this file"
        addresses: dict[str, Path] = {}
        if definition.period_cell is not None:
            addresses[definition.period_cell.upper()] = (*where, "period_cell")
        for position, cell in enumerate(definition.cells):
            at: Path = (*where, "cells", position)
            if cell.unit is None and definition.unit is None:
                yield (*at, "unit"), "is required: the return names no unit for its cells"
            elif cell.unit is not None and cell.unit not in units:
                yield (*at, "unit"), f"{cell.unit!r} is not a unit in this file"
            yield from _measure_problems(definition, measures, cell.measure, at)
            address = cell.cell.upper()
            if address in addresses:
                yield (*at, "cell"), f"{address} is filled twice in this return"
            addresses[address] = at
        for position, row in enumerate(definition.rows):
            if row.unit not in units:
                yield (*where, "rows", position, "unit"), f"{row.unit!r} is not a unit in this file"
        rows = [line.row for line in definition.rows]
        for position, column in enumerate(definition.columns):
            at = (*where, "columns", position)
            yield from _measure_problems(definition, measures, column.measure, at)
            for number in rows:
                address = f"{column_letters(column_number(column.column))}{number}"
                if address in addresses:
                    yield (*at, "column"), f"{address} is filled twice in this return"
                addresses[address] = at


def _measure_problems(
    definition: Return, measures: Mapping[str, Measure], code: str, at: Path
) -> Iterator[tuple[Path, str]]:
    measure = measures.get(code)
    if measure is None:
        yield (*at, "measure"), f"{code!r} is not a measure in this file"
        return
    if measure.frequency is not definition.frequency:
        yield (
            (*at, "measure"),
            f"{code} is reported by {measure.frequency.value.replace('_', ' ')}, but return "
            f"{definition.code} is made by {definition.frequency.value.replace('_', ' ')}",
        )


def _map_references(model: FrameworkModel) -> Iterator[tuple[Path, str]]:
    """Yield each ONS code given to two units, and each map unit type no unit has."""
    first: dict[str, str] = {}
    for index, unit in enumerate(model.units):
        if unit.ons_code is None:
            continue
        if unit.ons_code in first:
            yield (
                ("units", index, "ons_code"),
                f"{unit.ons_code!r} is already the ONS code of unit {first[unit.ons_code]}",
            )
        else:
            first[unit.ons_code] = unit.code
    if model.maps is None:
        return
    unit_types = {unit.type for unit in model.units}
    unknown = False
    for index, unit_type in enumerate(model.maps.unit_types):
        if unit_type not in unit_types:
            unknown = True
            allowed = ", ".join(sorted(unit_types))
            yield ("maps", "unit_types", index), f"{unit_type!r} is not one of {allowed}"
    if not unknown and not map_units(model):
        yield ("maps",), "no unit has an ons_code (of the unit_types drawn): the map would be empty"


def map_units(model: FrameworkModel) -> list[Unit]:
    """Return the units a map draws: those with an ONS code, of the map's unit types if given."""
    if model.maps is None:
        return []
    types = set(model.maps.unit_types)
    return [
        unit
        for unit in model.units
        if unit.ons_code is not None and (not types or unit.type in types)
    ]
