"""Compare grades between cycles: the changes, the board paper's sentences, the tube map's rows.

Grades are plain values here, as the grading module stores them: the codes of the
framework's scale (``pmf.core.grading.GradeScale``; by default ``outstanding``, ``good``,
``requires_improvement``, ``inadequate``) and ``no_grade``. The scale's grades are ranked,
best first; "no grade" is not a grade on that scale. ``None`` stands for "not graded in
that cycle" (the area or unit was not in the process then). Every function takes the
scale; without one, the default scale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pmf.core.framework import NO_GRADE
from pmf.core.grading import DEFAULT_SCALE, GradeScale
from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop, ngettext
from pmf.core.text import join_words

# The default scale's grades, best first: a move towards the start is an improvement.
RANKED_GRADES = DEFAULT_SCALE.codes
GRADES = DEFAULT_SCALE.values

GRADE_LABELS = {code: DEFAULT_SCALE.label(code) for code in GRADES}
GRADE_LETTERS = {code: DEFAULT_SCALE.letter(code) for code in GRADES}
ChangeKind = Literal["improvement", "downgrade", "no_grade", "newly_graded"]
# The order the paper gives them in.
_KINDS: tuple[ChangeKind, ...] = ("improvement", "downgrade", "newly_graded", "no_grade")

_NUMBER_WORDS = (
    gettext_noop("no"),
    gettext_noop("one"),
    gettext_noop("two"),
    gettext_noop("three"),
    gettext_noop("four"),
    gettext_noop("five"),
    gettext_noop("six"),
    gettext_noop("seven"),
    gettext_noop("eight"),
    gettext_noop("nine"),
    gettext_noop("ten"),
)


def _check(grade: str | None, scale: GradeScale = DEFAULT_SCALE) -> None:
    if grade is not None and grade not in scale.values:
        raise ValueError(f"unknown grade {grade!r}: expected one of {', '.join(scale.values)}")


def _graded(grade: str | None) -> bool:
    return grade is not None and grade != NO_GRADE


def grade_label(
    grade: str | None, *, short: bool = False, scale: GradeScale = DEFAULT_SCALE
) -> str:
    """Return a grade's label on ``scale``; ``short`` abbreviates as running text does.

    >>> grade_label("requires_improvement"), grade_label("requires_improvement", short=True)
    ('Requires Improvement', 'RI')
    >>> grade_label("adequate", scale=GradeScale.of({"scale": "peel"}))
    'Adequate'
    >>> grade_label(None)
    'Not graded'
    """
    _check(grade, scale)
    if grade is None:
        return _("not graded") if short else _("Not graded")
    return scale.short(grade) if short else scale.label(grade)


def number_words(count: int, *, capital: bool = False) -> str:
    """Write a count as the paper does: words up to ten, figures above.

    >>> number_words(6, capital=True), number_words(12)
    ('Six', '12')
    """
    text = _NUMBER_WORDS[count] if 0 <= count <= 10 else f"{count:,}"
    return text.capitalize() if capital else text


def number_words_translated(count: int) -> str:
    """Write a count as :func:`number_words` does, in the reader's language ("dau").

    For sentences translated whole, as the history's "Changes in grades" are; an English
    sentence pieced together elsewhere uses :func:`number_words`, so that it never gets a
    Welsh number.
    """
    return _(_NUMBER_WORDS[count]) if 0 <= count <= 10 else f"{count:,}"


# --------------------------------------------------------------------------------------------
# Changes between two cycles
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeChange:
    """A unit's grade for an area that differs from the last cycle's."""

    unit: str
    area: str
    before: str | None
    after: str | None
    scale: GradeScale = field(default=DEFAULT_SCALE, repr=False, compare=False)

    @property
    def kind(self) -> ChangeKind:
        """Say what sort of change this is.

        >>> GradeChange("FORCE", "PROCESS", "good", "requires_improvement").kind
        'downgrade'
        >>> GradeChange("FORCE", "INNOVATION", "good", "no_grade").kind
        'no_grade'
        """
        _check(self.before, self.scale)
        _check(self.after, self.scale)
        if _graded(self.before) and _graded(self.after):
            rank_before = self.scale.codes.index(self.before)
            rank_after = self.scale.codes.index(self.after)
            if rank_after < rank_before:
                return "improvement"
            if rank_after > rank_before:
                return "downgrade"
        elif _graded(self.before):
            return "no_grade"
        elif _graded(self.after):
            return "newly_graded"
        raise ValueError(f"{self.before!r} to {self.after!r} is not a change of grade")

    def as_dict(self) -> dict[str, Any]:
        """Return the change as plain data for CSV and JSON."""
        return {
            "unit": self.unit,
            "area": self.area,
            "before": self.before,
            "after": self.after,
            "kind": self.kind,
        }


def grade_changes(
    previous: Mapping[tuple[str, str], str],
    current: Mapping[tuple[str, str], str],
    scale: GradeScale = DEFAULT_SCALE,
) -> list[GradeChange]:
    """Return the changes between two cycles' grades keyed by (unit, area), leaving out the same.

    A pair missing from a cycle was not graded then. "No grade" and not graded are
    the same for this purpose: neither is a grade to change from or to. A unit with
    no grades at all in one of the two cycles joined or left the process; that is a
    change of scope, not of grade, and is left out (the cycle overview shows it).
    Changes come in the order the pairs were first met, previous cycle first.

    >>> before = {("FORCE", "PROCESS"): "good", ("FORCE", "FOCUS"): "inadequate"}
    >>> after = {("FORCE", "PROCESS"): "requires_improvement", ("FORCE", "FOCUS"): "inadequate"}
    >>> changes = grade_changes(before, after)
    >>> changes
    [GradeChange(unit='FORCE', area='PROCESS', before='good', after='requires_improvement')]
    >>> changes[0].kind
    'downgrade'
    """
    for grade in (*previous.values(), *current.values()):
        _check(grade, scale)
    units_before = {unit for unit, _ in previous}
    units_after = {unit for unit, _ in current}
    changes = []
    for key in dict.fromkeys([*previous, *current]):
        unit, area = key
        if unit not in units_before or unit not in units_after:
            continue
        before, after = previous.get(key), current.get(key)
        if before == after or not (_graded(before) or _graded(after)):
            continue
        changes.append(GradeChange(unit=unit, area=area, before=before, after=after, scale=scale))
    return changes


# --------------------------------------------------------------------------------------------
# The paper's "Changes in grades" text
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangesSummary:
    """The 'Changes in grades' sentences, for the commands and for the top unit."""

    command_level: tuple[str, ...]
    top_level: tuple[str, ...]
    top_unit_name: str = "Top unit"

    @property
    def text(self) -> str:
        """Return the sentences as a Markdown list, command level first, as the paper has them."""
        lines = ["- " + _("Command level:")]
        lines += [f"  - {sentence}" for sentence in self.command_level]
        lines.append(f"- {self.top_unit_name}:")
        lines += [f"  - {sentence}" for sentence in self.top_level]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as plain data for JSON."""
        return {
            "command_level": list(self.command_level),
            "top_level": list(self.top_level),
            "top_unit_name": self.top_unit_name,
            "text": self.text,
        }


class _Names:
    """Names and framework order of units and areas; unknown codes follow, as met."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        self.order = {code: index for index, code in enumerate(names)}

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def position(self, code: str) -> int:
        return self.order.get(code, len(self.order))

    def sort(self, codes: Iterable[str]) -> list[str]:
        return sorted(dict.fromkeys(codes), key=self.position)


# The command level's sentences, whole, for each kind of change: for one change, for two
# ("both"), for more ("all"), naming where they all are; then for two or more spread out, and
# for more with one place holding most of them ("four in PROCESS"). ``{count}`` is the number
# in words, capitalised; ``{where}`` a unit's or an area's name; ``{moves}`` the moves.
_ONE, _TWO, _ALL, _TWO_SPREAD, _SPREAD, _MOSTLY = range(6)
_COMMAND_SENTENCES: dict[ChangeKind, tuple[str, str, str, str, str, str]] = {
    "improvement": (
        gettext_noop("One improvement, in {where} ({moves})."),
        gettext_noop("Two improvements, both in {where} ({moves})."),
        gettext_noop("{count} improvements, all in {where} ({moves})."),
        gettext_noop("Two improvements."),
        gettext_noop("{count} improvements."),
        gettext_noop("{count} improvements, {most} in {where}."),
    ),
    "downgrade": (
        gettext_noop("One downgrade, in {where} ({moves})."),
        gettext_noop("Two downgrades, both in {where} ({moves})."),
        gettext_noop("{count} downgrades, all in {where} ({moves})."),
        gettext_noop("Two downgrades."),
        gettext_noop("{count} downgrades."),
        gettext_noop("{count} downgrades, {most} in {where}."),
    ),
    "newly_graded": (
        gettext_noop("One new grade, in {where} ({moves})."),
        gettext_noop("Two new grades, both in {where} ({moves})."),
        gettext_noop("{count} new grades, all in {where} ({moves})."),
        gettext_noop("Two new grades."),
        gettext_noop("{count} new grades."),
        gettext_noop("{count} new grades, {most} in {where}."),
    ),
    "no_grade": (
        gettext_noop("One not graded, in {where} ({moves})."),
        gettext_noop("Two not graded, both in {where} ({moves})."),
        gettext_noop("{count} not graded, all in {where} ({moves})."),
        gettext_noop("Two not graded."),
        gettext_noop("{count} not graded."),
        gettext_noop("{count} not graded, {most} in {where}."),
    ),
}


def _count_words(count: int, *, capital: bool = False) -> str:
    """Return a count in words in the reader's language, as the history's sentences write it."""
    text = number_words_translated(count)
    return text[:1].upper() + text[1:] if capital else text


def _moves(changes: Sequence[GradeChange], names: _Names, *, of_area: bool) -> str:
    """Return "RI to Good for FOCUS and SERVICE USER", one group per move, "; " between."""
    groups: dict[tuple[str | None, str | None], list[str]] = {}
    for change in changes:
        move = (change.before, change.after)
        groups.setdefault(move, []).append(change.area if of_area else change.unit)
    parts = []
    scale = changes[0].scale if changes else DEFAULT_SCALE
    for (before, after), codes in groups.items():
        parts.append(
            _move_words(before, after, of_area=of_area).format(
                before=grade_label(before, short=True, scale=scale),
                after=grade_label(after, short=True, scale=scale),
                names=join_words([names.name(code) for code in names.sort(codes)]),
            )
        )
    return "; ".join(parts)


def _move_words(before: str | None, after: str | None, *, of_area: bool) -> str:
    """Return the words of one move between grades, to be filled with the grades and names.

    A move from or to no grade is a message of its own, so that a language need not put "no
    grade" where its grammar puts a grade's name (Welsh: "o'r radd {before}").
    """
    if before == NO_GRADE:
        if of_area:
            # Translators: graded now, not before, for the areas named ("no grade to Good for
            # FOCUS").
            return _("no grade to {after} for {names}")
        # Translators: graded now, not before, in the units named.
        return _("no grade to {after} in {names}")
    if after == NO_GRADE:
        if of_area:
            # Translators: graded before, not now, for the areas named.
            return _("{before} to no grade for {names}")
        # Translators: graded before, not now, in the units named.
        return _("{before} to no grade in {names}")
    if of_area:
        # Translators: a move between grades, for the areas named ("RI to Good for FOCUS").
        return _("{before} to {after} for {names}")
    # Translators: a move between grades, in the units named ("RI to Good in North LPA").
    return _("{before} to {after} in {names}")


def _command_sentence(
    kind: ChangeKind, changes: Sequence[GradeChange], units: _Names, areas: _Names
) -> str:
    count = len(changes)
    sentences = _COMMAND_SENTENCES[kind]
    words = _count_words(count, capital=True)
    unit_counts = Counter(change.unit for change in changes)
    area_counts = Counter(change.area for change in changes)
    if len(unit_counts) == 1 or len(area_counts) == 1:
        of_area = len(unit_counts) == 1
        if of_area:
            changes = sorted(changes, key=lambda change: areas.position(change.area))
            where = units.name(changes[0].unit)
        else:
            changes = sorted(changes, key=lambda change: units.position(change.unit))
            where = areas.name(changes[0].area)
        sentence = sentences[{1: _ONE, 2: _TWO}.get(count, _ALL)]
        return _(sentence).format(
            count=words,
            where=where,
            moves=_moves(changes, areas if of_area else units, of_area=of_area),
        )
    # Name the biggest concentration only when one area or unit has more than any other.
    ranked = [(n, areas.name(code)) for code, n in area_counts.items()]
    ranked += [(n, units.name(code)) for code, n in unit_counts.items()]
    ranked.sort(key=lambda item: -item[0])
    if ranked[0][0] > 1 and ranked[0][0] > ranked[1][0]:
        return _(sentences[_MOSTLY]).format(
            count=words, most=_count_words(ranked[0][0]), where=ranked[0][1]
        )
    return _(sentences[_TWO_SPREAD if count == 2 else _SPREAD]).format(count=words)


def _top_move(kind: str, before: str, after: str, areas: str, count: int) -> str:
    """Return one of the top unit's moves, "downgrade from Good to RI for PROCESS"."""
    if kind == "improvement":
        text = ngettext(
            "improvement from {before} to {after} for {areas}",
            "improvements from {before} to {after} for {areas}",
            count,
        )
    else:
        text = ngettext(
            "downgrade from {before} to {after} for {areas}",
            "downgrades from {before} to {after} for {areas}",
            count,
        )
    return text.format(before=before, after=after, areas=areas)


def _top_sentences(changes: Sequence[GradeChange], areas: _Names) -> list[str]:
    changes = sorted(changes, key=lambda change: areas.position(change.area))
    scale = changes[0].scale if changes else DEFAULT_SCALE
    sentences = []
    ranked = [change for change in changes if change.kind in ("improvement", "downgrade")]
    if ranked:
        groups: dict[tuple[str, str | None, str | None], list[str]] = {}
        for change in ranked:
            groups.setdefault((change.kind, change.before, change.after), []).append(change.area)
        parts = [
            _top_move(
                kind,
                grade_label(before, short=True, scale=scale),
                grade_label(after, short=True, scale=scale),
                join_words([areas.name(c) for c in codes]),
                len(codes),
            )
            for (kind, before, after), codes in groups.items()
        ]
        count = len(ranked)
        if count == 1:
            sentences.append(_("One change: {moves}.").format(moves="; ".join(parts)))
        else:
            sentences.append(
                _("{count} changes: {moves}.").format(
                    count=_count_words(count, capital=True), moves="; ".join(parts)
                )
            )
    for kind in ("no_grade", "newly_graded"):
        groups_by_grade: dict[str | None, list[str]] = {}
        for change in changes:
            if change.kind == kind:
                grade = change.before if kind == "no_grade" else change.after
                groups_by_grade.setdefault(grade, []).append(change.area)
        for grade, codes in groups_by_grade.items():
            listed = join_words([areas.name(code) for code in codes])
            label = grade_label(grade, short=True, scale=scale)
            if kind == "no_grade":
                text = _("No grade for {areas} (graded at {grade} in the last cycle).")
            else:
                text = _("Graded at {grade} for {areas} (no grade in the last cycle).")
            sentences.append(text.format(areas=listed, grade=label))
    return sentences


def changes_summary(
    changes: Sequence[GradeChange],
    *,
    top_unit: str,
    unit_names: Mapping[str, str],
    area_names: Mapping[str, str],
) -> ChangesSummary:
    """Write the paper's 'Changes in grades': command level and top unit (force) level apart.

    Commands: one sentence per kind of change (improvements, downgrades, new grades,
    not graded), with "both" or "all" when every change is in one unit or area, and
    otherwise the biggest concentration when one area or unit has more than any other.
    The top unit: its improvements and downgrades area by area, then any area it was
    not graded for, or graded for again.

    >>> changes = [
    ...     GradeChange("SOUTH", "FOCUS", "requires_improvement", "good"),
    ...     GradeChange("SOUTH", "SERVICE", "requires_improvement", "good"),
    ...     GradeChange("FORCE", "PROCESS", "good", "requires_improvement"),
    ... ]
    >>> summary = changes_summary(changes, top_unit="FORCE",
    ...     unit_names={"FORCE": "Essex Police", "SOUTH": "South LPA"},
    ...     area_names={"FOCUS": "FOCUS", "SERVICE": "SERVICE USER", "PROCESS": "PROCESS"})
    >>> summary.command_level
    ('Two improvements, both in South LPA (RI to Good for FOCUS and SERVICE USER).',)
    >>> summary.top_level
    ('One change: downgrade from Good to RI for PROCESS.',)
    """
    units, areas = _Names(unit_names), _Names(area_names)
    commands = [change for change in changes if change.unit != top_unit]
    command_level = []
    for kind in _KINDS:
        of_kind = [change for change in commands if change.kind == kind]
        if of_kind:
            command_level.append(_command_sentence(kind, of_kind, units, areas))
    top_level = _top_sentences([change for change in changes if change.unit == top_unit], areas)
    return ChangesSummary(
        command_level=tuple(command_level) or (_("No changes."),),
        top_level=tuple(top_level) or (_("No changes."),),
        top_unit_name=units.name(top_unit),
    )


# --------------------------------------------------------------------------------------------
# The tube map's grades per area over the cycles (pmf.reports.charts.tube draws them)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TubeMapCell:
    """One area's grade in one cycle, as the table beside the tube map shows it."""

    area: str
    area_title: str
    grade: str | None
    label: str
    letter: str


@dataclass(frozen=True)
class TubeMapRow:
    """One cycle of the tube map: each area's grade, in the areas' order."""

    cycle: int
    cycle_label: str
    cells: tuple[TubeMapCell, ...]

    def as_dict(self) -> dict[str, Any]:
        """Return the row as plain data for JSON."""
        return {
            "cycle": self.cycle,
            "cycle_label": self.cycle_label,
            "grades": {cell.area: cell.grade for cell in self.cells},
        }


def tube_map_rows(
    cycles: Sequence[tuple[int, str]],
    areas: Sequence[tuple[str, str]],
    grades: Mapping[tuple[int, str], str | None],
    scale: GradeScale = DEFAULT_SCALE,
) -> list[TubeMapRow]:
    """Return the tube map's data as rows, one per cycle, for the table beside the chart.

    >>> rows = tube_map_rows([(1, "Cycle 1")], [("FOCUS", "FOCUS")], {(1, "FOCUS"): "good"})
    >>> rows[0].cells[0].label, rows[0].cells[0].letter
    ('Good', 'G')
    """
    rows = []
    for number, cycle_label in cycles:
        cells = []
        for code, title in areas:
            grade = grades.get((number, code))
            _check(grade, scale)
            cells.append(
                TubeMapCell(
                    area=code,
                    area_title=title,
                    grade=grade,
                    label=grade_label(grade, scale=scale),
                    letter=scale.letter(grade or NO_GRADE),
                )
            )
        rows.append(TubeMapRow(cycle=number, cycle_label=cycle_label, cells=tuple(cells)))
    return rows
