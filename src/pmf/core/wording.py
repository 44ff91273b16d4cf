"""Write the assessment's comparisons as phrases, in English for its columns or in the reader's.

The assessment keeps each comparison as data: a run of deterioration as the period it
started (``deteriorating_since``), the place among the peers as ``rank``, ``gap_percent``
and ``peer_period``, a significant difference as a code (``significance_code``,
``national_code``: similar, better, worse, higher, lower). The functions here write the
phrase from that data with one whole message of the catalogue per phrase and named
placeholders, periods named by :func:`pmf.core.text.period_name`. With ``english=True`` they
write the message as it is, untranslated, whatever the reader's language: that is how the
assessment fills its English columns (``trend``, ``position``, ``significance``,
``national_comparison``), which the grading rules, the JSON API and the open data read, so
the columns and the sentences shown to a reader come from the same message and cannot drift.
The columns are written once per distinct set of parts, not once per row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop, pgettext
from pmf.core.periods import ParseError, parse_period
from pmf.core.text import INSPECTION_GRADES, period_name

__all__ = [
    "ORDINALS",
    "SIGNIFICANCE_CODES",
    "STANDARDS",
    "and_all",
    "and_words",
    "named",
    "ordinal_words",
    "phrase_column",
    "position_words",
    "significance_words",
    "standard_phrase",
    "standard_words",
    "translated_period",
    "trend_words",
]

# Values the assessment names with a fixed phrase, which is their code and their English:
# a reason a figure is not assessed, a budget position and its forecast's method, a signal, a
# direction.
_NAMED = frozenset(
    (
        gettext_noop("showing special-cause concern"),
        gettext_noop("showing special-cause improvement"),
        gettext_noop("special-cause concern"),
        gettext_noop("special-cause improvement"),
        gettext_noop("forecast overspend"),
        gettext_noop("forecast underspend"),
        gettext_noop("on budget"),
        # How a budget's outturn is forecast (pmf.core.forecast's ``method``).
        gettext_noop("run rate"),
        gettext_noop("seasonal"),
        gettext_noop("actual"),
        gettext_noop("improving on the same period last year"),
        gettext_noop("the MSG average"),
        gettext_noop("no standard"),
        gettext_noop("no peer group"),
        gettext_noop("no peer figures for this period"),
        gettext_noop("no figure for the comparison period"),
        gettext_noop("no judgement"),
        gettext_noop("higher"),
        gettext_noop("lower"),
        gettext_noop("high"),
        gettext_noop("low"),
    )
)

# The standards as the assessment's ``standard`` column writes them (``describe_standard``),
# one whole message each, by the standard's type (an improvement's by what it is against);
# a target is its comparison and number ("≥ 80.0%"), the same in every language.
STANDARDS = {
    "peer_average": gettext_noop("v. MSG average"),
    "zero": gettext_noop("no items"),
    "within_budget": gettext_noop("within budget ({budget})"),
    "inspection_grade": gettext_noop("at least {grade}"),
    "same_period_last_year": gettext_noop("better than same period last year"),
    "previous_period": gettext_noop("better than previous period"),
}
# Each standard's English words read back into their parts: the column is parsed, not guessed.
_STANDARD_PATTERNS = tuple(
    (message, re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", re.escape(message))))
    for message in STANDARDS.values()
)

ORDINALS = [
    gettext_noop("first"),
    gettext_noop("second"),
    gettext_noop("third"),
    gettext_noop("fourth"),
    gettext_noop("fifth"),
    gettext_noop("sixth"),
    gettext_noop("seventh"),
    gettext_noop("eighth"),
    gettext_noop("ninth"),
    gettext_noop("tenth"),
    gettext_noop("eleventh"),
    gettext_noop("twelfth"),
    gettext_noop("thirteenth"),
    gettext_noop("fourteenth"),
    gettext_noop("fifteenth"),
    gettext_noop("sixteenth"),
    gettext_noop("seventeenth"),
    gettext_noop("eighteenth"),
    gettext_noop("nineteenth"),
    gettext_noop("twentieth"),
]

# A run of deterioration, by how it is said: the assessment's ``trend`` column, a KPI's
# signal, and the clause after "but".
_TREND = {
    "trend": gettext_noop("has been continually deteriorating since {period}"),
    "signal": gettext_noop("continually deteriorating since {period}"),
    "run": gettext_noop("deteriorating since {period}"),
}

SIGNIFICANCE_CODES = ("similar", "better", "worse", "higher", "lower")

# Against the MSG average: whole, so that a translation can mutate "average" as it needs.
_AGAINST_MSG = {
    "similar": gettext_noop("not significantly different from the MSG average"),
    "better": gettext_noop("significantly better than the MSG average"),
    "worse": gettext_noop("significantly worse than the MSG average"),
    "higher": gettext_noop("significantly higher than the MSG average"),
    "lower": gettext_noop("significantly lower than the MSG average"),
}
# Against another benchmark: the national unit, by its name.
_AGAINST = {
    "similar": gettext_noop("not significantly different from {benchmark}"),
    "better": gettext_noop("significantly better than {benchmark}"),
    "worse": gettext_noop("significantly worse than {benchmark}"),
    "higher": gettext_noop("significantly higher than {benchmark}"),
    "lower": gettext_noop("significantly lower than {benchmark}"),
}

# The place among the peers, by the side of the average and whether it is of another period.
_POSITION = {
    ("below", False): gettext_noop("{ordinal} in its MSG and {percent}% below the MSG average"),
    ("above", False): gettext_noop("{ordinal} in its MSG and {percent}% above the MSG average"),
    ("equal", False): gettext_noop("{ordinal} in its MSG and equal to the MSG average"),
    ("below", True): gettext_noop(
        "in {period}, {ordinal} in its MSG and {percent}% below the MSG average"
    ),
    ("above", True): gettext_noop(
        "in {period}, {ordinal} in its MSG and {percent}% above the MSG average"
    ),
    ("equal", True): gettext_noop("in {period}, {ordinal} in its MSG and equal to the MSG average"),
}


def _say(message: str, english: bool, **parts: object) -> str:
    """Return ``message`` with its parts: as written in English, else in the reader's language."""
    return (message if english else _(message)).format(**parts)


def _period(code: str, english: bool) -> str:
    return parse_period(code).label if english else period_name(code)


def translated_period(label: str) -> str:
    """Return a period's label (or code) as the reader's language names it; else as given."""
    try:
        return period_name(parse_period(label.strip()))
    except (ParseError, ValueError):
        return label


def named(value: str) -> str:
    """Return one of the assessment's named values in the reader's language; else as given.

    >>> named("no peer group"), named("England")
    ('no peer group', 'England')
    """
    return _(value) if value in _NAMED else value


def standard_phrase(kind: str, *, budget: str = "", grade: str = "", english: bool = False) -> str:
    """Return a standard of ``kind`` (a key of ``STANDARDS``) in words.

    ``budget`` is the budget as shown ("£120"), ``grade`` the code of an inspection's minimum
    grade, named in the reader's language. With ``english=True``, the words of the
    assessment's ``standard`` column, whatever the reader's language.

    >>> standard_phrase("inspection_grade", grade="requires_improvement")
    'at least Requires improvement'
    >>> standard_phrase("within_budget", budget="£120")
    'within budget (£120)'
    """
    name = INSPECTION_GRADES.get(grade, grade.replace("_", " ").capitalize())
    if name and not english:
        name = _(name)
    return _say(STANDARDS[kind], english, budget=budget, grade=name)


def standard_words(standard: str) -> str:
    """Return a standard, as the assessment's ``standard`` column writes it, in the reader's words.

    The column's English is read back into its parts (a budget's sum, an inspection's grade)
    and said again in the reader's language; a target ("≥ 80.0%"), or words that are no
    standard's, are shown as they are.

    >>> standard_words("v. MSG average"), standard_words("at least Good")
    ('v. MSG average', 'at least Good')
    """
    for message, pattern in _STANDARD_PATTERNS:
        found = pattern.fullmatch(standard)
        if found is None:
            continue
        parts = found.groupdict()
        if "grade" in parts:
            grades = {name: code for code, name in INSPECTION_GRADES.items()}
            grade = grades.get(parts["grade"])
            if grade is None:
                return standard
            return standard_phrase("inspection_grade", grade=grade)
        return _(message).format(**parts)
    return standard


def trend_words(since: str, form: str = "trend", *, english: bool = False) -> str:
    """Return a run of deterioration since the period coded ``since``.

    ``form`` is "trend" (the assessment's column), "signal" (a KPI's signal) or "run" (the
    clause after "but").

    >>> trend_words("2018-07"), trend_words("2025-09", "run")
    ('has been continually deteriorating since July 2018', 'deteriorating since September 2025')
    """
    return _say(_TREND[form], english, period=_period(since, english))


def significance_words(code: str, benchmark: str | None = None, *, english: bool = False) -> str:
    """Return a significant difference (or none) from the MSG average, or from ``benchmark``.

    >>> significance_words("worse"), significance_words("similar", "England")
    ('significantly worse than the MSG average', 'not significantly different from England')
    """
    if benchmark is None:
        return _say(_AGAINST_MSG[code], english)
    return _say(_AGAINST[code], english, benchmark=benchmark)


def ordinal_words(rank: int, *, english: bool = False) -> str:
    """Return a place as a word ("second") up to twentieth, then as a number ("21st").

    >>> ordinal_words(3), ordinal_words(22), ordinal_words(112)
    ('third', '22nd', '112th')
    """
    if 1 <= rank <= len(ORDINALS):
        word = ORDINALS[rank - 1]
        return word if english else _(word)
    # 21st, 22nd, 23rd, but 111th, 112th, 113th.
    last = rank % 10
    teen = 11 <= rank % 100 <= 13
    suffix = "th" if teen or last not in (1, 2, 3) else {1: "st", 2: "nd", 3: "rd"}[last]
    return f"{rank}{suffix}"


def position_words(
    rank: int, gap_percent: float, period: str | None = None, *, english: bool = False
) -> str:
    """Return the place among the peers and the gap to their average, rounded to 0.1%.

    ``period`` is the code of the peers' period when it is not the figure's own.

    >>> position_words(2, -3.21)
    'second in its MSG and 3.2% below the MSG average'
    >>> position_words(1, 0.04, "2025-08")
    'in August 2025, first in its MSG and equal to the MSG average'
    """
    # Rounded half to even at one decimal, as the columns always were (Polars' ``round``).
    if math.isfinite(gap_percent):
        percent: float | str = round(abs(gap_percent) * 10) / 10
    else:
        percent = "NaN" if math.isnan(gap_percent) else "inf"
    side = "equal" if percent == 0 else ("below" if gap_percent < 0 else "above")
    parts: dict[str, Any] = {"ordinal": ordinal_words(rank, english=english), "percent": percent}
    if period is not None:
        parts["period"] = _period(period, english)
    return _say(_POSITION[side, period is not None], english, **parts)


def phrase_column(
    frame: pl.DataFrame, columns: list[str], write: Callable[..., str | None], name: str
) -> pl.DataFrame:
    """Add column ``name``: ``write(*values)`` of ``columns``, called once per distinct row.

    ``write`` is given None for a null value.
    """
    distinct = frame.select(columns).unique()
    words = [write(*values) for values in distinct.iter_rows()]
    table = distinct.with_columns(pl.Series(name, words, dtype=pl.String))
    return frame.join(table, on=columns, how="left", nulls_equal=True, maintain_order="left")


def and_words(first: str, second: str) -> str:
    """Join two clauses with "and", as the reader's language does ("a"/"ac" in Welsh).

    >>> and_words("special-cause concern", "forecast overspend")
    'special-cause concern and forecast overspend'
    """
    if second.startswith(tuple("aeiouyAEIOUY")):
        return pgettext("before a vowel", "{items} and {last}").format(items=first, last=second)
    return pgettext("before a consonant", "{items} and {last}").format(items=first, last=second)


def and_all(parts: Sequence[str]) -> str:
    """Join clauses with "and", each to the next as :func:`and_words` does; "" for none.

    >>> and_all(["special-cause concern", "forecast overspend", "a run"])
    'special-cause concern and forecast overspend and a run'
    """
    if not parts:
        return ""
    joined = parts[0]
    for part in parts[1:]:
        joined = and_words(joined, part)
    return joined
