"""Write the rationale for one area of one unit, in the style of the Essex board paper.

Redline by redline, Met or Not Met, the figure against its standard, the place
among the peers, the comparison with the last board and the run of
deterioration; then the KPIs that stand out. No language model: every sentence
is put together from assessment columns, and every number is a column's value
formatted as the scorecard shows it (see ``docs/methods.md``, "Rationale text").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from pmf.core.drivers import rationale_sentence
from pmf.core.framework import NO_GRADE, Framework, Kind, Measure, Polarity
from pmf.core.grading import GradeScale, kpi_signals, recommend_grades, signal_words
from pmf.core.i18n import gettext as _
from pmf.core.scorecard import (
    position_of,
    pulls_significance,
    pulls_trend,
    steps_words,
    tensions,
    trend_of,
)
from pmf.core.text import format_value
from pmf.core.wording import (
    and_all,
    named,
    significance_words,
    standard_words,
    translated_period,
)

__all__ = ["Rationale", "rationale"]

# The KPI signals worth a line in the rationale; improving on last year is too common to be.
HIGHLIGHTS = (
    "special_cause_concern",
    "significantly_worse",
    "continually_deteriorating",
    "forecast_overspend",
    "special_cause_improvement",
    "significantly_better",
)


@dataclass(frozen=True)
class Rationale:
    """The generated rationale for one area of one unit: grade line, redlines, KPI highlights."""

    unit: str
    area: str
    grade: str
    grade_line: str
    reasons: tuple[str, ...]
    redlines: tuple[str, ...]
    kpis: tuple[str, ...]

    @property
    def text(self) -> str:
        """Return the whole rationale as Markdown: the grade line, then Redlines and KPIs."""
        redlines, kpis = _("Redlines"), _("KPIs")
        no_redlines, nothing = _("No redline measures."), _("Nothing stands out.")
        parts = [f"## {self.grade_line}", "", " ".join(self.reasons), "", f"### {redlines}", ""]
        parts += [f"- {line}" for line in self.redlines] or [f"- {no_redlines}"]
        parts += ["", f"### {kpis}", ""]
        parts += [f"- {line}" for line in self.kpis] or [f"- {nothing}"]
        return "\n".join(parts) + "\n"

    def as_dict(self) -> dict[str, object]:
        """Return the rationale as plain data for JSON."""
        return {
            "unit": self.unit,
            "area": self.area,
            "grade": str(self.grade),
            "grade_line": self.grade_line,
            "reasons": list(self.reasons),
            "redlines": list(self.redlines),
            "kpis": list(self.kpis),
            "text": self.text,
        }


def rationale(
    framework: Framework,
    assessment: pl.DataFrame,
    unit: str,
    area: str,
    previous: pl.DataFrame | None = None,
) -> Rationale:
    """Return the rationale for ``area`` of ``unit`` from its assessment.

    ``previous`` is the assessment at the previous cycle's cut-off (same columns);
    with it each redline says where it stood at the last board.

    >>> from pmf.core.framework import load_framework
    >>> framework = load_framework(
    ...     "organisation: {code: T, name: T}\\nareas: [{code: FOCUS, name: FOCUS}]\\n"
    ...     "units: [{code: F, name: Force, type: force}]\\n"
    ...     "measures: [{code: ER, name: Emergency Response Times, area: FOCUS,\\n"
    ...     "  kind: redline, polarity: higher_is_better, unit_of_measure: percent,\\n"
    ...     "  frequency: month, standard: {type: target, comparison: '>=', value: 80}}]"
    ... )
    >>> assessment = pl.DataFrame({"unit": ["F"], "area": ["FOCUS"], "measure": ["ER"],
    ...     "kind": ["redline"], "period": ["2019-07"], "value": [71.94], "met": [False],
    ...     "standard": ["≥ 80.0%"], "reference": [80.0],
    ...     "trend": ["has been continually deteriorating since July 2018"]})
    >>> found = rationale(framework, assessment, "F", "FOCUS")
    >>> found.grade_line
    'FOCUS – Requires Improvement'
    >>> print(found.redlines[0])
    Emergency Response Times – Not Met. 71.9% against the target of ≥ 80.0%. Has been continually deteriorating since July 2018.
    """  # noqa: E501 - a doctest's expected output is one line
    rows = assessment.filter((pl.col("unit") == unit) & (pl.col("area") == area))
    # Grading the area's rows alone gives the area's grade, or nothing when it has no rows.
    recommendations = recommend_grades(framework, rows)
    if recommendations:
        found = next(item for item in recommendations if item.area == area)
        grade, reasons = found.grade, tuple(reason.text for reason in found.reasons)
    else:
        grade, reasons = NO_GRADE, (_("No redline measures or KPIs with figures."),)
    before = _by_measure(previous, unit) if previous is not None else {}
    records = {record["measure"]: record for record in rows.iter_rows(named=True)}
    target = framework.unit(unit)
    redlines: list[str] = []
    kpis: list[str] = []
    for measure in framework.measures:
        if measure.area != area:
            continue
        record = records.get(measure.code)
        if measure.kind is Kind.REDLINE:
            if record is not None and record.get("value") is not None:
                said = _redline(measure, record, before.get(measure.code))
                redlines.append(_with_drivers(said, framework, assessment, unit, measure))
            elif measure.standard_for(target) is not None:
                redlines.append(_("{measure} – No figure.").format(measure=measure.name))
        elif measure.kind is Kind.KPI and record is not None and record.get("value") is not None:
            line = _kpi(measure, record)
            if line:
                kpis.append(_with_drivers(line, framework, assessment, unit, measure))
    return Rationale(
        unit=unit,
        area=area,
        grade=grade,
        grade_line=_("{area} – {grade}").format(
            area=framework.area(area).name, grade=GradeScale.of(framework.grading).label(grade)
        ),
        reasons=reasons,
        redlines=tuple(redlines),
        kpis=tuple(kpis),
    )


def _with_drivers(
    line: str, framework: Framework, assessment: pl.DataFrame, unit: str, measure: Measure
) -> str:
    """Add a calculated measure's key drivers to its line ("key drivers: Sexual offences −3.9%")."""
    drivers = rationale_sentence(framework, assessment, unit, measure)
    return _("{line} {drivers}").format(line=line, drivers=drivers) if drivers else line


def _by_measure(frame: pl.DataFrame, unit: str) -> dict[str, dict[str, Any]]:
    return {
        record["measure"]: record
        for record in frame.filter(pl.col("unit") == unit).iter_rows(named=True)
    }


def _redline(measure: Measure, record: Mapping[str, Any], before: Mapping[str, Any] | None) -> str:
    """Return one redline's sentences: the verdict first, with what pulls against it.

    "Met, but deteriorating since September 2025": a run, special-cause concern or a
    significantly worse place that pulls against a met standard is said in the verdict's
    sentence, never as a separate fact a reader would set against it.
    """
    met = record.get("met")
    variation = record.get("variation")
    pulled = tensions(met, record, variation)
    if met is None:
        reason = named(str(record.get("not_assessed") or "no standard"))
        head = _("{measure} – Not assessed ({reason}).").format(measure=measure.name, reason=reason)
    else:
        head = _verdict(measure, bool(met), pulled, variation)
    clauses = [_against_standard(measure, record)]
    position = position_of(record)
    if position:
        clauses.append(position)
    then_gap = before.get("gap_percent") if before else None
    if position and then_gap is not None:
        clauses.append(_("it was {gap} at the last board").format(gap=_gap_words(then_gap)))
    code = record.get("significance_code")
    if code in ("better", "worse", "higher", "lower") and not pulls_significance(met, code):
        clauses.append(significance_words(str(code)))
    sentences = [head, _sentence("; ".join(clause for clause in clauses if clause))]
    if before is not None and before.get("value") is not None:
        sentences.append(_since_last_board(measure, record, before))
    trend = trend_of(record)
    if trend and not pulls_trend(met, variation):
        sentences.append(_sentence(trend))
    return " ".join(sentence for sentence in sentences if sentence)


def _verdict(measure: Measure, met: bool, pulled: list[str], variation: str | None) -> str:
    """Return the verdict's sentence, with what pulls against it (as ``verdict_words`` says).

    The seed papers' capitals: "Met", "Not Met". Each form is one whole sentence, so that a
    translation may order its parts as its language does.
    """
    name = measure.name
    if not pulled:
        return (_("{measure} – Met.") if met else _("{measure} – Not Met.")).format(measure=name)
    against = and_all(pulled)
    if variation == ("special_cause_improvement" if met else "special_cause_concern"):
        if met:
            text = _("{measure} – Met and showing special-cause improvement, but {against}.")
        else:
            text = _("{measure} – Not Met and showing special-cause concern, but {against}.")
    else:
        text = (
            _("{measure} – Met, but {against}.")
            if met
            else _("{measure} – Not Met, but {against}.")
        )
    return text.format(measure=name, against=against)


def _against_standard(measure: Measure, record: Mapping[str, Any]) -> str:
    """Say the figure against what the standard compares it with, by the kind of standard."""
    value = format_value(record.get("value"), measure)
    standard = str(record.get("standard") or "")
    reference = record.get("reference")
    if standard.startswith("v. MSG average"):
        if reference is None:
            return value
        average = format_value(reference, measure)
        peer_period = record.get("peer_period")
        if peer_period and peer_period != record.get("period"):
            # The latest period the peer group has figures for: compared like with like.
            return _(
                "{value} in {period}; in {peer_period}, the latest period with the MSG's "
                "figures, {peer_value} against the MSG average of {average}"
            ).format(
                value=value,
                period=translated_period(str(record["period"])),
                peer_period=translated_period(str(peer_period)),
                peer_value=format_value(record.get("peer_value"), measure),
                average=average,
            )
        return _("{value} against the MSG average of {average}").format(
            value=value, average=average
        )
    if standard == "no items":
        if record.get("met"):
            return _("No items")
        return _("{value} items, where the standard is none").format(value=value)
    if standard.startswith("within budget"):
        budget = format_value(reference, measure)
        if record.get("forecast") is None:
            return _("{value} against a budget of {budget}").format(value=value, budget=budget)
        position = named(str(record.get("budget_position") or "forecast"))
        return _("{position}: {forecast} forecast against a budget of {budget}").format(
            position=position[:1].upper() + position[1:],
            forecast=format_value(record["forecast"], measure),
            budget=budget,
        )
    if standard.startswith("at least"):
        return _("Graded {value} (the standard is {standard})").format(
            value=value, standard=standard_words(standard)
        )
    if standard.startswith("better than"):
        last_year = standard == "better than same period last year"
        period = record.get("last_year_period" if last_year else "previous_period")
        if reference is None or period is None:
            return value
        label = translated_period(str(period))
        then = format_value(reference, measure)
        if then == value:
            # Equal at the precision shown: the direction of travel says "no change" too.
            return _("{value}, no better than {then} in {period}").format(
                value=value, then=then, period=label
            )
        return _("{value} against {then} in {period}").format(value=value, then=then, period=label)
    if standard:
        return _("{value} against the target of {standard}").format(value=value, standard=standard)
    return value


def _gap_words(gap_percent: float) -> str:
    percent = round(abs(gap_percent), 1)
    if percent == 0:
        return _("equal to the MSG average")
    if gap_percent < 0:
        return _("{percent}% below").format(percent=percent)
    return _("{percent}% above").format(percent=percent)


def _since_last_board(
    measure: Measure, record: Mapping[str, Any], before: Mapping[str, Any]
) -> str:
    then = before["value"]
    label = translated_period(str(before["period"])) if before.get("period") else ""
    then_value = format_value(then, measure)
    shown = _("{value} in {period}").format(value=then_value, period=label) if label else then_value
    # Compared at the precision shown, as the direction of travel is.
    now_shown = round(record["value"] * 10**measure.decimals)
    then_shown = round(then * 10**measure.decimals)
    if now_shown == then_shown:
        return _("No change since the last board ({then}).").format(then=shown)
    if measure.polarity is Polarity.NEITHER:
        if now_shown > then_shown:
            return _("Higher than at the last board ({then}).").format(then=shown)
        return _("Lower than at the last board ({then}).").format(then=shown)
    better = (now_shown > then_shown) == (measure.polarity is Polarity.HIGHER_IS_BETTER)
    if not better:
        return _("Deteriorated since the last board ({then}).").format(then=shown)
    steps = record.get("deteriorating_steps") or 0
    if record.get("trend") and steps:
        # Better than the last board saw, yet worse at every step lately: one sentence, both.
        each = steps_words(str(record["period"]), int(steps))
        return _("Improved since the last board ({then}), but worse in {steps}.").format(
            then=shown, steps=each
        )
    return _("Improved since the last board ({then}).").format(then=shown)


# Signals that say a KPI is doing well, and those that say it is not: said together, the
# good comes first and the bad follows "but", in one clause.
GOOD_SIGNALS = ("special_cause_improvement", "significantly_better")
BAD_SIGNALS = (
    "special_cause_concern",
    "significantly_worse",
    "continually_deteriorating",
    "forecast_overspend",
)


def _kpi(measure: Measure, record: Mapping[str, Any]) -> str | None:
    signals = kpi_signals(record)
    variation = str(record.get("variation") or "")
    good = [signal_words(record, name) for name in GOOD_SIGNALS if name in signals]
    bad = [signal_words(record, name, "run") for name in BAD_SIGNALS if name in signals]
    if good and bad:
        words = [_("{good}, but {bad}").format(good=and_all(good), bad=and_all(bad))]
    else:
        words = [signal_words(record, name) for name in HIGHLIGHTS if name in signals]
    if variation.startswith("special_cause_neutral"):
        direction = named(variation.rsplit("_", 1)[-1])
        words.insert(0, _("special-cause variation ({direction})").format(direction=direction))
    if not words:
        return None
    value = format_value(record.get("value"), measure)
    period = record.get("period")
    if period:
        text = _("{measure}: {value} ({period}); {signals}.")
    else:
        text = _("{measure}: {value}; {signals}.")
    return text.format(
        measure=measure.name,
        value=value,
        period=translated_period(str(period)) if period else "",
        signals="; ".join(words),
    )


def _sentence(text: str) -> str:
    if not text:
        return ""
    return f"{text[0].upper()}{text[1:]}{'' if text.endswith('.') else '.'}"
