"""Shape an assessment into a unit's scorecard: areas, then measures, in words people read."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import polars as pl

from pmf.core.assessment import ASSESSMENT_COLUMNS
from pmf.core.framework import Framework, Polarity
from pmf.core.history import number_words_translated
from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop, ngettext
from pmf.core.periods import PeriodKind, parse_period
from pmf.core.text import format_value, period_name
from pmf.core.wording import (
    and_all,
    named,
    position_words,
    significance_words,
    standard_words,
    translated_period,
    trend_words,
)

# One arrow vocabulary everywhere (pages, papers, terminal): the arrow says which way the
# figure moved, the word says whether that is better or worse by the measure's polarity.
ARROWS = {"up": "↑", "down": "↓", "same": "→"}
DIRECTION_LEGEND = gettext_noop(
    "↑ the figure rose, ↓ it fell, → it is the same at the precision shown; "
    "better or worse by the measure's polarity (higher or lower where neither is better)."
)
SPC_LEGEND = gettext_noop(
    "the latest figure against the limits of the measure's own chart: by default its last 36 "
    "months (12 quarters, 10 years), limits from the first 20 of them or from a rebase, "
    "'(trial)' where fewer set them; each measure's page names the periods."
)
# One mark vocabulary everywhere, beside the figure it qualifies: a letter (never a colour
# alone), its words for screen readers, and one legend sentence wherever the marks appear.
MARKS = {"provisional": "P", "warned": "W"}
MARK_WORDS = {
    "provisional": gettext_noop("provisional"),
    "warned": gettext_noop("stored with accepted warnings"),
}
MARKS_LEGEND = gettext_noop(
    "P the figure is provisional and may yet be revised; W it was stored with plausibility "
    "warnings that someone accepted, with a reason (the measure's page gives both). A figure "
    "summed from its units' figures carries the mark any of them carries."
)


def mark_letters(provisional: bool, warned: bool) -> str:
    """Return a figure's marks as letters: "P", "W", "P W" or "".

    >>> mark_letters(True, True), mark_letters(False, False)
    ('P W', '')
    """
    found = [MARKS[name] for name, on in (("provisional", provisional), ("warned", warned)) if on]
    return " ".join(found)


def mark_words(provisional: bool, warned: bool) -> str:
    """Return a figure's marks in words, for screen readers and titles, or "".

    >>> mark_words(True, True)
    'provisional; stored with accepted warnings'
    """
    found = [MARK_WORDS[name] for name, on in (("provisional", provisional), ("warned", warned))]
    return "; ".join(word for word, on in zip(found, (provisional, warned), strict=True) if on)


def mark_words_translated(provisional: bool, warned: bool) -> str:
    """Return a figure's marks in words in the reader's language, for pages, or "".

    :func:`mark_words` stays English for the API and the open data.
    """
    found = [_(MARK_WORDS[name]) for name, on in (("provisional", provisional), ("warned", warned))]
    return "; ".join(word for word, on in zip(found, (provisional, warned), strict=True) if on)


def met_words(met_text: str) -> str:
    """Return a row's ``met_text`` ("Met", "Not met", "Not assessed (...)") in the reader's
    language, for pages; the API and the open data keep the English.

    >>> met_words("Not met"), met_words("–")
    ('Not met', '–')
    """
    if met_text == "Met":
        return _("Met")
    if met_text == "Not met":
        return _("Not met")
    if met_text.startswith("Not assessed (") and met_text.endswith(")"):
        reason = met_text[len("Not assessed (") : -1]
        return _("Not assessed ({reason})").format(reason=named(reason))
    return met_text


def direction_legend() -> str:
    """Return the legend of the arrows of direction in the reader's language."""
    return _(DIRECTION_LEGEND)


def spc_legend() -> str:
    """Return the legend of the SPC column in the reader's language."""
    return _(SPC_LEGEND)


def marks_legend() -> str:
    """Return the legend of the marks (P, W) in the reader's language."""
    return _(MARKS_LEGEND)


def marked(text: str, provisional: bool, warned: bool) -> str:
    """Return a figure's text with its marks in brackets, for plain text (papers, terminal).

    >>> marked("301", True, False), marked("301", False, False)
    ('301 [P]', '301')
    """
    letters = mark_letters(provisional, warned)
    return f"{text} [{letters.replace(' ', ', ')}]" if letters else text


@dataclass(frozen=True)
class ObservationMarks:
    """The marks of the figures held, by (unit, measure, period).

    ``own`` holds each reported figure's (provisional, warned); ``below`` the marks a unit's
    rolled-up figure takes from the figures of the units below it.
    """

    own: dict[tuple[str, str, str], tuple[bool, bool]]
    below: dict[tuple[str, str, str], tuple[bool, bool]]

    def of(self, unit: str, measure: str, period: str, origin: str) -> tuple[bool, bool]:
        """Return (provisional, warned) of one figure, as reported or as rolled up."""
        found = self.own if origin == "reported" else self.below
        return found.get((unit, measure, period), (False, False))


NO_MARKS = ObservationMarks({}, {})


def observation_marks(
    framework: Framework, flagged: Iterable[tuple[str, str, str, bool, bool]]
) -> ObservationMarks:
    """Return the marks of the figures held from (unit, measure, period, provisional, warned).

    Only marked figures need be given. Each marks its own figure and, through ``below``, the
    figure of every unit above it that is summed from it.
    """
    parents = {unit.code: unit.parent for unit in framework.units}
    own: dict[tuple[str, str, str], tuple[bool, bool]] = {}
    below: dict[tuple[str, str, str], tuple[bool, bool]] = {}
    for unit, measure, period, provisional, warned in flagged:
        if not (provisional or warned):
            continue
        key = (unit, measure, period)
        was = own.get(key, (False, False))
        own[key] = (was[0] or provisional, was[1] or warned)
        above = parents.get(unit)
        seen = {unit}
        while above is not None and above not in seen:
            seen.add(above)
            key = (above, measure, period)
            was = below.get(key, (False, False))
            below[key] = (was[0] or provisional, was[1] or warned)
            above = parents.get(above)
    return ObservationMarks(own, below)


# Assessment columns a scorecard row carries as they are.
PASSED_THROUGH = ASSESSMENT_COLUMNS[ASSESSMENT_COLUMNS.index("previous_cycle_period") :]


@dataclass(frozen=True)
class ScorecardRow:
    """One measure on a scorecard, with the numbers and the words shown for them."""

    area: str
    measure: str
    name: str
    kind: str
    period: str
    period_label: str
    value: float | None
    value_text: str
    standard: str
    reference: float | None
    reference_text: str
    met: bool | None
    met_text: str
    rag: str | None
    previous_period: str | None
    previous_value: float | None
    direction_previous: str | None
    last_year_period: str | None
    last_year_value: float | None
    direction_last_year: str | None
    previous_cycle_period: str | None
    previous_cycle_value: float | None
    direction_previous_cycle: str | None
    peer_group: str | None
    peer_average: float | None
    pooled_average: float | None
    group_size: int | None
    rank: int | None
    gap: float | None
    gap_percent: float | None
    position: str | None
    trend: str | None
    deteriorating_since: str | None
    deteriorating_steps: int | None
    forecast: float | None
    forecast_method: str | None
    budget_variance: float | None
    budget_position: str | None
    significance: str | None
    national_value: float | None
    national_comparison: str | None
    variation: str | None
    assurance: str | None
    spc_points: int | None
    trial_limits: bool | None
    origin: str
    polarity: str = Polarity.NEITHER.value
    peer_period: str | None = None
    future_period: str | None = None
    provisional: bool = False
    warned: bool = False
    significance_code: str | None = None
    national_code: str | None = None
    # The national unit's name as the reader reads it (its Welsh name for Welsh readers), for
    # the note's words; not one of the row's columns: ``national_comparison`` names it in English.
    national_name: str | None = field(default=None, compare=False, metadata={"column": False})

    @property
    def mark(self) -> str:
        """Return the figure's marks as letters ("P", "W", "P W") or "" (see ``MARKS_LEGEND``)."""
        return mark_letters(self.provisional, self.warned)

    @property
    def mark_words(self) -> str:
        """Return the figure's marks in words, or ""."""
        return mark_words(self.provisional, self.warned)

    @property
    def value_marked(self) -> str:
        """Return the value with its marks for plain text: "301 [P]"."""
        return marked(self.value_text, self.provisional, self.warned)

    @property
    def standard_text(self) -> str:
        """Return the standard with what it compared with: "v. MSG average (1.98)".

        A fixed target already shows its number, so it stands alone. An improvement
        standard names the period it compares with ("better than November 2024 (0.25)"),
        and an MSG average of another period than the row's says which. In the reader's
        language (``standard_words``); the ``standard`` field stays the column's English.
        """
        if self.reference_text == "–":
            return standard_words(self.standard)
        if self.standard.startswith("better than"):
            last_year = self.standard.endswith("last year")
            period = self.last_year_period if last_year else self.previous_period
            if period:
                return _("better than {period} ({reference})").format(
                    period=period_name(period), reference=self.reference_text
                )
        if self.standard.startswith("v. "):
            standard = standard_words(self.standard)
            if self.peer_period and self.peer_period != self.period:
                return _("{standard} ({reference}, {period})").format(
                    standard=standard,
                    reference=self.reference_text,
                    period=period_name(self.peer_period),
                )
            return _("{standard} ({reference})").format(
                standard=standard, reference=self.reference_text
            )
        return standard_words(self.standard)

    @property
    def direction_previous_text(self) -> str:
        """Return the direction against the previous period in the one arrow vocabulary."""
        return direction_text(self.direction_previous, self.polarity)

    @property
    def direction_last_year_text(self) -> str:
        """Return the direction against the same period last year."""
        return direction_text(self.direction_last_year, self.polarity)

    @property
    def direction_previous_cycle_text(self) -> str:
        """Return the direction against the previous cycle's figure."""
        return direction_text(self.direction_previous_cycle, self.polarity)

    @property
    def future_text(self) -> str:
        """Return a warning about a figure held for a period not yet begun, or nothing."""
        if not self.future_period:
            return ""
        return _(
            "a figure is held for {period}, a period in the future: check it (not assessed)"
        ).format(period=period_name(self.future_period))

    @property
    def note(self) -> str:
        """Return the one sentence about the row beyond its cells, or nothing (see ``note``)."""
        return note(self)

    @property
    def rank_text(self) -> str:
        """Return the rank in the peer group as "3 of 8", or a dash."""
        if self.rank is None or self.group_size is None:
            return "–"
        return _("{rank} of {size}").format(rank=self.rank, size=self.group_size)

    def as_dict(self) -> dict[str, Any]:
        """Return the row as plain data for CSV and JSON."""
        # Every field is a scalar: a shallow copy is what ``asdict`` would make, without its
        # recursive deep copy of each value (a sixth of a scorecard page's time).
        return {name: getattr(self, name) for name in ROW_FIELDS}


ROW_FIELDS = tuple(item.name for item in fields(ScorecardRow) if item.metadata.get("column", True))
"""The row's columns, as exports, the JSON API and ``ScorecardRow.as_dict`` give them."""


@dataclass(frozen=True)
class AreaSection:
    """An area of the scorecard and its measures."""

    code: str
    title: str
    rows: list[ScorecardRow]


@dataclass(frozen=True)
class Scorecard:
    """A unit's scorecard: every area, including those with no measures yet.

    ``as_at`` is the period most of its measures share; ``other_periods`` counts the
    measures at another period (each row names its own), and ``cut_off`` the cut-off
    asked for, when one was.
    """

    organisation: str
    unit: str
    unit_name: str
    as_at: str
    sections: list[AreaSection]
    previous: str | None = None
    other_periods: int = 0
    cut_off: str | None = None
    future: tuple[str, ...] = ()

    def rows(self) -> list[ScorecardRow]:
        """Return every measure row, area by area."""
        return [row for section in self.sections for row in section.rows]

    @property
    def has_marks(self) -> bool:
        """Return whether any figure carries a mark, so the marks' legend is wanted."""
        return any(row.mark for row in self.rows())

    @property
    def heading(self) -> str:
        """Return what it is as at: "as at November 2025 (1 measure at another period)"."""
        as_at = _("no figures") if self.as_at == "no figures" else translated_period(self.as_at)
        if self.cut_off and self.cut_off != self.as_at and self.as_at != "no figures":
            text = _("as at {period}, the latest figures to {cut_off}").format(
                period=as_at, cut_off=translated_period(self.cut_off)
            )
        else:
            text = _("as at {period}").format(period=as_at)
        if self.other_periods:
            text += ngettext(
                " ({count} measure at another period)",
                " ({count} measures at other periods)",
                self.other_periods,
            ).format(count=f"{self.other_periods:,}")
        return text

    @property
    def future_text(self) -> str:
        """Return a warning naming the measures with a figure dated in the future, or nothing."""
        if not self.future:
            return ""
        names = ", ".join(self.future)
        return _(
            "Figures dated in the future are held for {names}; they are not assessed and do "
            "not move the period the scorecard is as at. Check them."
        ).format(names=names)


def build_scorecard(
    framework: Framework,
    assessment: pl.DataFrame,
    unit: str,
    *,
    areas: list[str] | None = None,
    kinds: list[str] | None = None,
    exceptions_only: bool = False,
    as_at: str | None = None,
    previous: str | None = None,
    marks: ObservationMarks | None = None,
) -> Scorecard:
    """Return the scorecard of ``unit`` from an assessment frame (see ``assess``).

    ``exceptions_only`` keeps the measures that did not meet their standard or
    are deteriorating on both comparisons. The scorecard is as at the period most of its
    measures share; ``as_at`` names the cut-off asked for, kept in ``cut_off``. ``marks``
    (``observation_marks``) says which figures are provisional or stored with accepted warnings.
    """
    marks = marks or NO_MARKS
    rows = assessment.filter(pl.col("unit") == unit)
    common, others = _common_period(rows)
    if kinds:
        rows = rows.filter(pl.col("kind").is_in(kinds))
    if exceptions_only:
        rows = rows.filter(
            (pl.col("met") == False)  # noqa: E712 - a Polars expression, not a Python test
            | (
                (pl.col("direction_previous") == "deteriorating")
                & (pl.col("direction_last_year") == "deteriorating")
            )
        )
    by_area: dict[str, list[ScorecardRow]] = {area.code: [] for area in framework.areas}
    national = framework.organisation.national
    national_name = framework.unit(national).name if national else None
    for record in rows.iter_rows(named=True):
        measure = framework.measure(record["measure"])
        met = record["met"]
        provisional, warned = marks.of(unit, measure.code, record["period"], record["origin"])
        by_area[record["area"]].append(
            ScorecardRow(
                area=record["area"],
                measure=measure.code,
                name=measure.name,
                kind=measure.kind.value,
                period=record["period"],
                period_label=parse_period(record["period"]).label,
                value=record["value"],
                value_text=format_value(record["value"], measure),
                standard=record["standard"] or "–",
                reference=record["reference"],
                reference_text=format_value(record["reference"], measure),
                met=met,
                met_text=(
                    "Met"
                    if met
                    else "Not met"
                    if met is not None
                    else f"Not assessed ({record['not_assessed']})"
                    if record["standard"]
                    else "–"
                ),
                rag=record["rag"],
                previous_period=record["previous_period"],
                previous_value=record["previous_value"],
                direction_previous=record["direction_previous"],
                last_year_period=record["last_year_period"],
                last_year_value=record["last_year_value"],
                direction_last_year=record["direction_last_year"],
                origin=record["origin"],
                polarity=measure.polarity.value,
                provisional=provisional,
                warned=warned,
                **{name: record.get(name) for name in PASSED_THROUGH},
                national_name=national_name,
            )
        )
    sections = [
        AreaSection(area.code, area.title, by_area[area.code])
        for area in framework.areas
        if areas is None or area.code in areas
    ]
    target = framework.unit(unit)
    return Scorecard(
        organisation=framework.organisation.name,
        unit=target.code,
        unit_name=target.name,
        as_at=common,
        previous=previous,
        sections=sections,
        other_periods=others,
        cut_off=as_at,
        future=tuple(
            framework.measure(code).name
            for code, when in zip(
                rows["measure"].to_list(),
                rows["future_period"].to_list() if "future_period" in rows.columns else [],
                strict=False,
            )
            if when
        ),
    )


def _common_period(rows: pl.DataFrame) -> tuple[str, int]:
    """Return the label of the period most rows share and how many rows are at another.

    Among periods shared by equally many rows, the latest wins.
    """
    if rows.height == 0:
        return "no figures", 0
    counts = Counter(rows["period"].to_list())
    best = max(counts, key=lambda code: (counts[code], _ordering(code)))
    return parse_period(best).label, rows.height - counts[best]


def _ordering(code: str) -> tuple[dt.date, dt.date]:
    period = parse_period(code)
    return period.end, period.start


VARIATION_WORDS = {
    "common_cause": gettext_noop("common cause"),
    "special_cause_improvement": gettext_noop("improvement"),
    "special_cause_concern": gettext_noop("concern"),
    "special_cause_neutral_high": gettext_noop("higher"),
    "special_cause_neutral_low": gettext_noop("lower"),
}
# Making Data Count's words for the assurance icons.
ASSURANCE_WORDS = {
    "consistent_pass": gettext_noop("passes"),
    "consistent_fail": gettext_noop("fails"),
    "inconsistent": gettext_noop("hit and miss"),
}


def variation_words(variation: str | None, default: str = "") -> str:
    """Return an SPC variation in words in the reader's language ("common cause"), or default.

    >>> variation_words("special_cause_concern"), variation_words(None, "–")
    ('concern', '–')
    """
    words = VARIATION_WORDS.get(variation or "")
    return _(words) if words else default


def assurance_words(assurance: str | None, default: str = "") -> str:
    """Return an SPC assurance in words in the reader's language ("passes"), or default."""
    words = ASSURANCE_WORDS.get(assurance or "")
    return _(words) if words else default


def spc_text(variation: str | None, assurance: str | None, trial: bool | None) -> str:
    """Return the SPC variation and assurance in words, e.g. "concern; fails" or a dash."""
    if variation is None:
        return "–"
    words = _(VARIATION_WORDS.get(variation, variation))
    if assurance:
        words += f"; {_(ASSURANCE_WORDS.get(assurance, assurance))}"
    # Translators: limits set by fewer points than the chart's rules ask for.
    return _("{words} (trial)").format(words=words) if trial else words


def direction_text(direction: str | None, polarity: str | Polarity | None = None) -> str:
    """Return a direction of travel in the one arrow vocabulary, or a dash.

    The arrow says which way the figure moved and the word whether that is better
    (see ``DIRECTION_LEGEND``); without the polarity the word stands alone.

    >>> direction_text("improving", "lower_is_better"), direction_text("no change")
    ('↓ better', '→ no change')
    """
    if not direction:
        return "–"
    sense = Polarity(polarity) if polarity else None
    if direction == "no change":
        same = _("no change")
        return f"{ARROWS['same']} {same}"
    if direction in ("higher", "lower"):
        return f"{ARROWS['up' if direction == 'higher' else 'down']} {_(direction)}"
    word = _("better") if direction == "improving" else _("worse")
    if sense is None or sense is Polarity.NEITHER:
        return word
    rose = (direction == "improving") == (sense is Polarity.HIGHER_IS_BETTER)
    return f"{ARROWS['up' if rose else 'down']} {word}"


def _field(row: Mapping[str, Any] | ScorecardRow, name: str) -> Any:
    """Return one of an assessment row's values, from a record or a scorecard row."""
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


def pulls_trend(met: bool | None, variation: str | None) -> bool:
    """Return whether a run of deterioration pulls against the verdict (see :func:`tensions`)."""
    return met is True or (met is False and variation == "special_cause_improvement")


def pulls_significance(met: bool | None, code: str | None) -> bool:
    """Return whether the difference from the MSG average pulls against the verdict."""
    return (met is True and code == "worse") or (met is False and code == "better")


def trend_of(row: Mapping[str, Any] | ScorecardRow, form: str = "trend") -> str | None:
    """Return a row's run of deterioration in the reader's language, or None without one.

    ``form`` as :func:`pmf.core.wording.trend_words` takes it. A row without the run's start
    (written by hand) is said as its ``trend`` column says it.
    """
    trend = _field(row, "trend")
    if not trend:
        return None
    since = _field(row, "deteriorating_since")
    if since:
        return trend_words(str(since), form)
    return str(trend) if form == "trend" else run_words(str(trend))


def position_of(row: Mapping[str, Any] | ScorecardRow) -> str | None:
    """Return a row's place among its peers in the reader's language, or None without one."""
    position = _field(row, "position")
    if not position:
        return None
    rank, gap = _field(row, "rank"), _field(row, "gap_percent")
    if rank is None or gap is None:
        return str(position)
    peers, period = _field(row, "peer_period"), _field(row, "period")
    return position_words(int(rank), float(gap), peers if peers and peers != period else None)


def significance_of(row: Mapping[str, Any] | ScorecardRow, national: bool = False) -> str | None:
    """Return a row's difference from the MSG average (or the national figure), or None.

    The national unit is named as the reader reads it where the row knows it (a scorecard
    row's ``national_name``), else as the English column names it.
    """
    text = _field(row, "national_comparison" if national else "significance")
    code = _field(row, "national_code" if national else "significance_code")
    if not text:
        return None
    if not code:
        return named(str(text))
    if not national:
        return significance_words(str(code))
    # Else the benchmark's name follows the English words of the code, as the column writes it.
    name = _field(row, "national_name")
    if not name:
        name = str(text).removeprefix(significance_words(str(code), "", english=True))
    return significance_words(str(code), str(name))


def tensions(
    met: bool | None, row: Mapping[str, Any] | ScorecardRow, variation: str | None
) -> list[str]:
    """Return what pulls against a verdict of ``met``, in the order said, in the reader's words.

    The verdict (met or not) comes first; a run of deterioration, special-cause concern or a
    significantly worse place among peers under a met standard (or special-cause improvement
    or a significantly better place under an unmet one) follows it after "but", so two true
    facts that pull apart are said together. See ``docs/methods.md``, "What a figure's
    statements mean and which comes first". ``row`` is the assessment's row (its run of
    deterioration and its difference from the MSG average).

    >>> tensions(True, {"trend": "…", "deteriorating_since": "2025-09"},
    ...          "special_cause_improvement")
    ['deteriorating since September 2025']
    >>> tensions(False, {"trend": "…", "deteriorating_since": "2025-06"},
    ...          "special_cause_improvement")
    ['showing special-cause improvement, though deteriorating since June 2025']
    """
    found: list[str] = []
    if met is None:
        return found
    run = trend_of(row, "run") if pulls_trend(met, variation) else None
    code = _field(row, "significance_code")
    if met:
        if run:
            found.append(run)
        if variation == "special_cause_concern":
            found.append(_("showing special-cause concern"))
    elif variation == "special_cause_improvement":
        # The chart's improvement and a recent run of worse figures, said as one thought.
        if run:
            found.append(_("showing special-cause improvement, though {run}").format(run=run))
        else:
            found.append(_("showing special-cause improvement"))
    if pulls_significance(met, code):
        found.append(significance_words(str(code)))
    return found


def verdict_words(met: bool, pulled: Sequence[str], variation: str | None) -> str:
    """Return the verdict with what pulls against it, and the SPC signal that agrees with it.

    When the chart agrees with the verdict but something else pulls against it, both are in
    the one sentence, so "improvement" in the SPC column never stands beside a bare
    "deteriorating" (a chart's special cause against its baseline; a run over the last few
    periods).

    ``pulled`` is what :func:`tensions` gives, in the reader's language.

    >>> verdict_words(True, ["deteriorating since September 2025"], "special_cause_improvement")
    'met and showing special-cause improvement, but deteriorating since September 2025'
    >>> verdict_words(False, [], "special_cause_concern")
    'not met'
    """
    if not pulled:
        return _("met") if met else _("not met")
    against = and_all(pulled)
    if variation == ("special_cause_improvement" if met else "special_cause_concern"):
        if met:
            text = _("met and showing special-cause improvement, but {against}")
        else:
            text = _("not met and showing special-cause concern, but {against}")
    else:
        text = _("met, but {against}") if met else _("not met, but {against}")
    return text.format(against=against)


def steps_words(period: str, steps: int) -> str:
    """Return "each of the last two months" for a run of ``steps`` worse steps to ``period``."""
    kind = parse_period(period).kind
    count = number_words_translated(steps)
    if kind is PeriodKind.MONTH:
        text = ngettext("each of the last {count} month", "each of the last {count} months", steps)
    elif kind in (PeriodKind.QUARTER, PeriodKind.FINANCIAL_QUARTER):
        text = ngettext(
            "each of the last {count} quarter", "each of the last {count} quarters", steps
        )
    elif kind in (PeriodKind.FINANCIAL_YEAR, PeriodKind.YEAR):
        text = ngettext("each of the last {count} year", "each of the last {count} years", steps)
    elif kind is PeriodKind.WEEK:
        text = ngettext("each of the last {count} week", "each of the last {count} weeks", steps)
    elif kind is PeriodKind.DAY:
        text = ngettext("each of the last {count} day", "each of the last {count} days", steps)
    else:
        text = ngettext(
            "each of the last {count} period", "each of the last {count} periods", steps
        )
    return text.format(count=count)


def _run_against_last_year(row: ScorecardRow) -> str:
    """Return a run of deterioration, with the year's comparison when that pulls the other way.

    "better than November 2024, but worse in each of the last two months (since September
    2025)": the v. last year cell and the run, said together, so they do not read as a
    contradiction.
    """
    trend = row.trend or ""
    if row.direction_last_year == "improving" and row.last_year_period and row.deteriorating_steps:
        label = period_name(row.last_year_period)
        steps = steps_words(row.period, row.deteriorating_steps)
        if row.deteriorating_since:
            return _("better than {period}, but worse in {steps} (since {since})").format(
                period=label, steps=steps, since=period_name(row.deteriorating_since)
            )
        return _("better than {period}, but worse in {steps}").format(period=label, steps=steps)
    return trend_of(row) or trend


def run_words(trend: str) -> str:
    """Return a run of deterioration as a clause: "deteriorating since September 2025"."""
    return trend.removeprefix("has been ").removeprefix("continually ")


def note(row: ScorecardRow) -> str:
    """Return the one sentence about a row beyond its cells: tensions, peers, trend, budget.

    Empty parts are left out, so no clause is ever blank; a trend under a met standard is
    said with the verdict ("met, but deteriorating since ..."), not as a separate fact.
    """
    parts: list[str] = []
    pulled = tensions(row.met, row, row.variation)
    if pulled:
        parts.append(verdict_words(bool(row.met), pulled, row.variation))
    parts.append(position_of(row) or "")
    if row.significance and not pulls_significance(row.met, row.significance_code):
        parts.append(significance_of(row) or "")
    parts.append(significance_of(row, national=True) or "")
    if row.trend and not pulls_trend(row.met, row.variation):
        parts.append(_run_against_last_year(row))
    if row.budget_position and row.forecast is not None:
        parts.append(
            _("{position} ({method} forecast)").format(
                position=named(row.budget_position), method=named(row.forecast_method or "")
            )
        )
    if row.future_text:
        parts.append(row.future_text)
    return "; ".join(part for part in parts if part.strip())
