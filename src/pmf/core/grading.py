"""Recommend a grade for each area of each unit from its assessment, by the framework's rules.

The rules are data (the ``grading`` section of the framework file, see
``docs/framework.md``); this module only applies them. Redlines, the minimum
standards, decide between Good and Requires Improvement (and Inadequate when the
framework says how many misses make it); KPIs can lift a Good to Outstanding or,
when the framework asks, lower it to Requires Improvement. Every grade carries
the reasons for it, as data and as sentences, so a command can see why the
recommendation is what it is before it grades itself.

The names of the grades are the framework's scale (``grading: {scale: ...}``; see
``GradeScale``): the rules recommend a grade by its role, such as ``requires_improvement``,
and the scale names it ("Requires improvement" on the PEEL scale). On a scale with Adequate,
the ``adequate`` rule recommends it for a few missed redlines or KPIs of concern.

>>> from pmf.core.framework import load_framework
>>> framework = load_framework(
...     "organisation: {code: T, name: T}\\nareas: [{code: FOCUS, name: FOCUS}]\\n"
...     "units: [{code: F, name: Force, type: force}]\\n"
...     "measures: [{code: ER, name: Emergency response, area: FOCUS, kind: redline,\\n"
...     "  polarity: higher_is_better, unit_of_measure: percent, frequency: month,\\n"
...     "  standard: {type: target, comparison: '>=', value: 80}}]"
... )
>>> assessment = pl.DataFrame({"unit": ["F"], "area": ["FOCUS"], "measure": ["ER"],
...     "kind": ["redline"], "value": [71.9], "met": [False]})
>>> recommend_grades(framework, assessment)[0].summary
'Requires Improvement: 1 of 1 redline not met (Emergency response).'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import polars as pl

from pmf.core.framework import (
    BUILTIN_SCALES,
    NO_GRADE,
    Framework,
    GradeRole,
    Grading,
    GradingRules,
    Kind,
    ScaleGrade,
)
from pmf.core.i18n import gettext as _
from pmf.core.i18n import ngettext
from pmf.core.text import join_words
from pmf.core.wording import named, significance_words, trend_words

__all__ = [
    "DEFAULT_SCALE",
    "Grade",
    "GradeScale",
    "Reason",
    "Recommendation",
    "kpi_signals",
    "recommend_grades",
    "signal_words",
]


class Grade(StrEnum):
    """A grade for an area of a unit, as HMICFRS names them, or No grade."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"
    NO_GRADE = "no_grade"

    @property
    def label(self) -> str:
        """Return the grade as people write it: "Requires Improvement", "No grade".

        >>> Grade.REQUIRES_IMPROVEMENT.label, Grade.NO_GRADE.label
        ('Requires Improvement', 'No grade')
        """
        if self is Grade.NO_GRADE:
            return _("No grade")
        return _(self.value.replace("_", " ").title())

    @property
    def rank(self) -> int | None:
        """Return 4 for Outstanding down to 1 for Inadequate (higher is better); None for No grade.

        >>> Grade.GOOD.rank > Grade.REQUIRES_IMPROVEMENT.rank, Grade.NO_GRADE.rank
        (True, None)
        """
        return _RANKS.get(self)


_RANKS = {
    Grade.OUTSTANDING: 4,
    Grade.GOOD: 3,
    Grade.REQUIRES_IMPROVEMENT: 2,
    Grade.INADEQUATE: 1,
}


@dataclass(frozen=True)
class GradeScale:
    """The grades a framework grades areas on, best first, and No grade beside them.

    Grades are stored by code; every page, paper and sentence names them through the
    scale. Each grade has a role in the rules (``outstanding``, ``good``, ``adequate``,
    ``requires_improvement``, ``inadequate``), so the rules recommend a grade by its role
    whatever the scale calls it.

    >>> peel = GradeScale.of({"scale": "peel"})
    >>> peel.codes
    ('outstanding', 'good', 'adequate', 'requires_improvement', 'inadequate')
    >>> peel.label("requires_improvement"), peel.short("requires_improvement"), peel.rank("good")
    ('Requires improvement', 'RI', 4)
    >>> peel.problem("met_expectations")
    'choose one of Outstanding, Good, Adequate, Requires improvement, Inadequate or No grade'
    """

    name: str
    grades: tuple[ScaleGrade, ...]

    @classmethod
    def of(cls, grading: Grading | Mapping[str, Any] | None) -> GradeScale:
        """Return the scale of a framework's grading section (parsed, or as stored)."""
        if grading is None:
            return DEFAULT_SCALE
        if not isinstance(grading, Grading):
            grading = Grading.model_validate(grading)
        name, grades = grading.scale_grades()
        return cls(name, grades)

    @property
    def codes(self) -> tuple[str, ...]:
        """Return the grades' codes, best first (No grade is not one of them)."""
        return tuple(grade.code for grade in self.grades)

    @property
    def values(self) -> tuple[str, ...]:
        """Return every value a grade may hold: the grades, best first, then No grade."""
        return (*self.codes, NO_GRADE)

    @property
    def shown_name(self) -> str:
        """Return the scale's name in the reader's language (a framework's own as written)."""
        return _(self.name)

    def _grade(self, code: str) -> ScaleGrade | None:
        return next((grade for grade in self.grades if grade.code == code), None)

    def label(self, code: str) -> str:
        """Return a grade's name as the scale writes it ("No grade" for no_grade).

        A code the scale does not hold (which a stored grade cannot be: loading a framework
        checks them) is shown as its words rather than hidden.
        """
        if code == NO_GRADE:
            return _("No grade")
        grade = self._grade(code)
        # The built-in scales' names are in the catalogue; a framework's own are shown as written.
        return _(grade.name) if grade is not None else code.replace("_", " ").capitalize()

    def short(self, code: str) -> str:
        """Return a grade's short form for running text ("RI to Good"; "no grade").

        A reader of another language reads the grade's full name in their language in running
        text ("Angen gwella", never initials no key explains), unless the catalogue gives the
        short form its own translation.
        """
        if code == NO_GRADE:
            return _("no grade")
        grade = self._grade(code)
        if grade is None:
            return self.label(code)
        name = _(grade.name)
        if grade.short is not None:
            short = _(grade.short)
            return name if short == grade.short and name != grade.name else short
        return grade.short_name if name == grade.name else name

    def letter(self, code: str) -> str:
        """Return a grade's letter for the tube map's station ("–" for no grade)."""
        if code == NO_GRADE:
            return "–"
        grade = self._grade(code)
        return grade.initials if grade is not None else code[:2].upper()

    def rank(self, code: str) -> int | None:
        """Return how good a grade is: the number of grades for the best, 1 for the worst.

        None for No grade or a code not on the scale.
        """
        codes = self.codes
        return len(codes) - codes.index(code) if code in codes else None

    def role(self, code: str) -> str:
        """Return the grade's role in the rules, which also picks its colour; no_grade else."""
        grade = self._grade(code)
        return (grade.rule or NO_GRADE) if grade is not None else NO_GRADE

    def code_for(self, role: GradeRole) -> str | None:
        """Return the code of the grade with ``role``, or None if the scale has none."""
        return next((grade.code for grade in self.grades if grade.rule == role), None)

    def problem(self, value: str) -> str | None:
        """Return why ``value`` is not a grade on this scale, or None if it is one."""
        if value in self.values:
            return None
        names = [self.label(code) for code in self.values]
        return _("choose one of {grades} or {last}").format(
            grades=", ".join(names[:-1]), last=names[-1]
        )

    def choices(self) -> list[dict[str, str]]:
        """Return every value with its label, best first and No grade last, for a form."""
        return [{"value": code, "label": self.label(code)} for code in self.values]

    def as_dict(self) -> dict[str, object]:
        """Return the scale as plain data for JSON."""
        return {
            "name": self.name,
            "grades": [
                {
                    "code": grade.code,
                    "name": grade.name,
                    "short": grade.short_name,
                    "letter": grade.initials,
                    "role": grade.rule,
                    "rank": self.rank(grade.code),
                }
                for grade in self.grades
            ],
        }


DEFAULT_SCALE = GradeScale(*BUILTIN_SCALES["default"])


@dataclass(frozen=True)
class Reason:
    """One reason for a recommended grade: the rule, the measures it refers to, a sentence."""

    rule: str
    measures: tuple[str, ...]
    text: str

    def as_dict(self) -> dict[str, object]:
        """Return the reason as plain data for JSON."""
        return {"rule": self.rule, "measures": list(self.measures), "text": self.text}


@dataclass(frozen=True)
class Recommendation:
    """The grade the rules recommend for one area of one unit, with its reasons."""

    unit: str
    area: str
    grade: str
    reasons: tuple[Reason, ...]
    scale: GradeScale = DEFAULT_SCALE

    @property
    def label(self) -> str:
        """Return the grade's name on the framework's scale."""
        return self.scale.label(self.grade)

    def as_dict(self) -> dict[str, object]:
        """Return the recommendation as plain data for JSON."""
        return {
            "unit": self.unit,
            "area": self.area,
            "grade": str(self.grade),
            "grade_label": self.label,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "summary": self.summary,
        }

    @property
    def summary(self) -> str:
        """Return the grade and its reasons in one sentence.

        >>> reason = Reason("all_redlines_met", ("ER", "CR", "VC"), "All 3 redlines met.")
        >>> Recommendation("F", "FOCUS", Grade.GOOD, (reason,)).summary
        'Good: all 3 redlines met.'
        """
        parts = [_lower_first(reason.text.rstrip(".")) for reason in self.reasons]
        return f"{self.label}: {'; '.join(parts)}." if parts else f"{self.label}."


# The words for each signal a KPI can show; the sentence for a deterioration run is the
# assessment's own trend column.
SIGNAL_WORDS = {
    "special_cause_concern": "special-cause concern",
    "special_cause_improvement": "special-cause improvement",
    "forecast_overspend": "forecast overspend",
    "improving_on_last_year": "improving on the same period last year",
}


def kpi_signals(record: Mapping[str, Any]) -> dict[str, str]:
    """Return the signals one assessment row shows, each with its words, in a fixed order.

    Signals are the names used in the framework's grading rules: ``special_cause_concern``,
    ``significantly_worse``, ``continually_deteriorating``, ``forecast_overspend``,
    ``special_cause_improvement``, ``significantly_better`` and ``improving_on_last_year``.

    >>> kpi_signals({"variation": "special_cause_concern",
    ...              "significance": "significantly worse than the MSG average",
    ...              "trend": None, "budget_position": None, "direction_last_year": "improving"})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'special_cause_concern': 'special-cause concern',
     'significantly_worse': 'significantly worse than the MSG average',
     'improving_on_last_year': 'improving on the same period last year'}
    """
    found: dict[str, str] = {}
    variation = record.get("variation")
    significance = record.get("significance") or ""
    if variation == "special_cause_concern":
        found["special_cause_concern"] = SIGNAL_WORDS["special_cause_concern"]
    if significance.startswith("significantly worse"):
        found["significantly_worse"] = significance
    if record.get("trend"):
        found["continually_deteriorating"] = str(record["trend"]).removeprefix("has been ")
    if record.get("budget_position") == "forecast overspend":
        found["forecast_overspend"] = SIGNAL_WORDS["forecast_overspend"]
    if variation == "special_cause_improvement":
        found["special_cause_improvement"] = SIGNAL_WORDS["special_cause_improvement"]
    if significance.startswith("significantly better"):
        found["significantly_better"] = significance
    if record.get("direction_last_year") == "improving":
        found["improving_on_last_year"] = SIGNAL_WORDS["improving_on_last_year"]
    return found


def signal_words(record: Mapping[str, Any], signal: str, form: str = "signal") -> str:
    """Return the words of one signal a row shows, in the reader's language, from its data.

    :func:`kpi_signals` gives the same words in English, from the assessment's columns.
    ``form`` says a run of deterioration as a signal ("continually deteriorating since July
    2018") or as a clause after "but" ("run": "deteriorating since July 2018").

    >>> signal_words({"significance_code": "worse"}, "significantly_worse")
    'significantly worse than the MSG average'
    """
    if signal in ("significantly_worse", "significantly_better"):
        code = record.get("significance_code")
        return significance_words(code) if code else named(str(record.get("significance")))
    if signal == "continually_deteriorating":
        since = record.get("deteriorating_since")
        if since:
            return trend_words(str(since), form)
        # A row written by hand without the run's start: its column's words.
        words = str(record.get("trend") or "").removeprefix("has been ")
        return words.removeprefix("continually ") if form == "run" else words
    return named(SIGNAL_WORDS[signal])


def recommend_grades(framework: Framework, assessment: pl.DataFrame) -> list[Recommendation]:
    """Return a recommendation for every internal unit in the assessment × every area.

    ``assessment`` is a frame from ``assess`` (columns unit, area, measure, kind,
    value, met, not_assessed and the KPI signal columns; missing ones count as
    empty). Units come in framework order, and for each unit the areas in
    framework order, each with the rules ``framework.grading.for_area`` gives it.
    """
    scale = GradeScale.of(framework.grading)
    present = set(assessment["unit"].unique().to_list()) if assessment.height else set()
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in assessment.iter_rows(named=True):
        by_key.setdefault((record["unit"], record["area"]), []).append(record)
    return [
        _recommend(
            framework,
            unit.code,
            area.code,
            by_key.get((unit.code, area.code), []),
            framework.grading.for_area(area.code),
            scale,
        )
        for unit in framework.units
        if not unit.external and unit.code in present
        for area in framework.areas
    ]


def _recommend(
    framework: Framework,
    unit: str,
    area: str,
    records: Sequence[Mapping[str, Any]],
    rules: GradingRules,
    scale: GradeScale = DEFAULT_SCALE,
) -> Recommendation:
    with_observations = [record for record in records if record.get("value") is not None]
    redlines = [record for record in with_observations if record["kind"] == Kind.REDLINE.value]
    judged = [record for record in redlines if record.get("met") is not None]
    not_met = [record for record in judged if not record["met"]]
    unjudged = [record for record in redlines if record.get("met") is None]
    kpis = [record for record in with_observations if record["kind"] == Kind.KPI.value]
    notes = [_not_assessed(framework, unjudged)] if unjudged else []

    def name(role: GradeRole) -> str:
        return scale.label(scale.code_for(role) or role)

    def made(role: GradeRole | None, *reasons: Reason) -> Recommendation:
        code = NO_GRADE if role is None else scale.code_for(role) or role
        return Recommendation(unit, area, code, (*reasons, *notes), scale)

    if not judged and not kpis:
        return made(
            None,
            Reason("no_measures", (), _("No redline measures or KPIs with figures.")),
        )
    inadequate = rules.inadequate
    if inadequate.redlines_not_met is not None and len(not_met) >= inadequate.redlines_not_met:
        return made(
            "inadequate",
            _not_met_reason(
                framework,
                "redlines_not_met",
                not_met,
                judged,
                _(", at least the {count} that make an area {grade}").format(
                    count=inadequate.redlines_not_met, grade=name("inadequate")
                ),
            ),
        )
    share = len(not_met) / len(judged) if judged else 0.0
    if not_met and inadequate.share_not_met is not None and share >= inadequate.share_not_met:
        return made(
            "inadequate",
            _not_met_reason(
                framework,
                "share_not_met",
                not_met,
                judged,
                _(": {share} of them, at least the {threshold} that makes an area {grade}").format(
                    share=f"{share:.0%}",
                    threshold=f"{inadequate.share_not_met:.0%}",
                    grade=name("inadequate"),
                ),
            ),
        )
    needed = rules.requires_improvement.redlines_not_met
    if len(not_met) >= needed:
        return made(
            "requires_improvement",
            _not_met_reason(framework, "redlines_not_met", not_met, judged, ""),
        )
    if not judged:
        base = Reason(
            "no_redlines",
            (),
            ngettext(
                "No redline measures with a judgement; the grade rests on {count} KPI.",
                "No redline measures with a judgement; the grade rests on {count} KPIs.",
                len(kpis),
            ).format(count=f"{len(kpis):,}"),
        )
    elif not_met:
        base = _not_met_reason(
            framework,
            "few_redlines_not_met",
            not_met,
            judged,
            _(", fewer than the {count} that make an area {grade}").format(
                count=needed, grade=name("requires_improvement")
            ),
        )
    else:
        count = len(judged)
        if count == 1:
            text = _("The one redline met.")
        elif count == 2:
            text = _("Both redlines met.")
        else:
            text = _("All {count} redlines met.").format(count=count)
        base = Reason("all_redlines_met", _codes(judged), text)
    concern_rule = rules.kpi_concern
    concerns = _showing(kpis, concern_rule.signals)
    if concern_rule.kpis is not None and len(concerns) >= concern_rule.kpis:
        return made(
            "requires_improvement",
            base,
            _kpi_reason(
                framework,
                "kpi_concern",
                concerns,
                "of concern",
                _(", at least the {count} that lower {grade} to {lower}").format(
                    count=concern_rule.kpis, grade=name("good"), lower=name("requires_improvement")
                ),
            ),
        )
    adequate = rules.adequate
    if scale.code_for("adequate") is not None:
        if adequate.redlines_not_met is not None and len(not_met) >= adequate.redlines_not_met:
            return made(
                "adequate",
                _not_met_reason(
                    framework,
                    "adequate_redlines_not_met",
                    not_met,
                    judged,
                    _(
                        ", at least the {count} that make an area {grade} and fewer than the "
                        "{needed} that make it {lower}"
                    ).format(
                        count=adequate.redlines_not_met,
                        grade=name("adequate"),
                        needed=needed,
                        lower=name("requires_improvement"),
                    ),
                ),
            )
        watched = _showing(kpis, adequate.signals)
        if adequate.kpis_of_concern is not None and len(watched) >= adequate.kpis_of_concern:
            return made(
                "adequate",
                base,
                _kpi_reason(
                    framework,
                    "adequate_kpi_concern",
                    watched,
                    "of concern",
                    _(", at least the {count} that lower {grade} to {lower}").format(
                        count=adequate.kpis_of_concern, grade=name("good"), lower=name("adequate")
                    ),
                ),
            )
    outstanding = rules.outstanding
    improving = _showing(kpis, outstanding.signals)
    if (
        outstanding.kpis_improving is not None
        and scale.code_for("outstanding") is not None
        and judged
        and not not_met
        and len(improving) >= outstanding.kpis_improving
        and len(concerns) <= outstanding.max_kpis_of_concern
    ):
        return made(
            "outstanding",
            base,
            _kpi_reason(
                framework,
                "kpis_improving",
                improving,
                "improving",
                _(", at least the {count} that make an area {grade}").format(
                    count=outstanding.kpis_improving, grade=name("outstanding")
                ),
            ),
        )
    return made("good", base)


def _showing(
    records: Iterable[Mapping[str, Any]], signals: Iterable[str]
) -> list[tuple[Mapping[str, Any], list[str]]]:
    """Return the records showing any of ``signals``, each with the signals it shows."""
    wanted = tuple(signals)
    found = []
    for record in records:
        shown = kpi_signals(record)
        names = [signal for signal in wanted if signal in shown]
        if names:
            found.append((record, names))
    return found


def _not_met_reason(
    framework: Framework,
    rule: str,
    not_met: Sequence[Mapping[str, Any]],
    judged: Sequence[Mapping[str, Any]],
    threshold: str,
) -> Reason:
    names = join_words([framework.measure(record["measure"]).name for record in not_met])
    text = ngettext(
        "{count} of {total} redline not met ({names}){threshold}.",
        "{count} of {total} redlines not met ({names}){threshold}.",
        len(judged),
    ).format(count=len(not_met), total=f"{len(judged):,}", names=names, threshold=threshold)
    return Reason(rule, _codes(not_met), text)


def _kpi_reason(
    framework: Framework,
    rule: str,
    found: Sequence[tuple[Mapping[str, Any], list[str]]],
    state: str,
    threshold: str,
) -> Reason:
    details = "; ".join(
        "{name}: {signals}".format(
            name=framework.measure(record["measure"]).name,
            signals=", ".join(signal_words(record, signal) for signal in signals),
        )
        for record, signals in found
    )
    count = len(found)
    if state == "improving":
        sentence = ngettext(
            "{count} KPI improving ({details}){threshold}.",
            "{count} KPIs improving ({details}){threshold}.",
            count,
        )
    else:
        sentence = ngettext(
            "{count} KPI of concern ({details}){threshold}.",
            "{count} KPIs of concern ({details}){threshold}.",
            count,
        )
    text = sentence.format(count=f"{count:,}", details=details, threshold=threshold)
    return Reason(rule, _codes(record for record, _ in found), text)


def _not_assessed(framework: Framework, records: Sequence[Mapping[str, Any]]) -> Reason:
    details = "; ".join(
        f"{framework.measure(record['measure']).name}: "
        f"{named(str(record.get('not_assessed') or 'no judgement'))}"
        for record in records
    )
    text = ngettext(
        "{count} redline with a figure but not assessed ({details}).",
        "{count} redlines with a figure but not assessed ({details}).",
        len(records),
    ).format(count=f"{len(records):,}", details=details)
    return Reason("not_assessed", _codes(records), text)


def _codes(records: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(str(record["measure"]) for record in records)


def _lower_first(text: str) -> str:
    # "All 3 redlines met" reads "all 3 redlines met" after a colon; "KPIs" stays as it is.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
