"""Say the assessment's words in the reader's language.

The assessment writes its judgements as British English phrases in its columns ("has been
continually deteriorating since July 2018", "significantly worse than the MSG average",
"second in its MSG and 3.2% below the MSG average"); the grading rules and the JSON API read
them as data, so they stay English there. A sentence shown to a reader takes them through
:func:`say`, which gives the same phrase in the reader's language: each phrase is one whole
message of the catalogue, with its parts (a period, a benchmark, a percentage) put back in.
In English every phrase is returned exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pmf.core import i18n
from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop, pgettext
from pmf.core.periods import ParseError, parse_period
from pmf.core.text import period_name

__all__ = ["and_words", "say", "translated_period"]

# Phrases said as they are, in the reader's language.
_FIXED = {
    phrase: phrase
    for phrase in (
        gettext_noop("showing special-cause concern"),
        gettext_noop("showing special-cause improvement"),
        gettext_noop("special-cause concern"),
        gettext_noop("special-cause improvement"),
        gettext_noop("forecast overspend"),
        gettext_noop("forecast underspend"),
        gettext_noop("on budget"),
        gettext_noop("improving on the same period last year"),
        gettext_noop("equal to the MSG average"),
        gettext_noop("the MSG average"),
        gettext_noop("v. MSG average"),
        # Whole, so that a translation can mutate "average" as its grammar needs.
        gettext_noop("not significantly different from the MSG average"),
        gettext_noop("significantly better than the MSG average"),
        gettext_noop("significantly worse than the MSG average"),
        gettext_noop("significantly higher than the MSG average"),
        gettext_noop("significantly lower than the MSG average"),
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
}


def translated_period(label: str) -> str:
    """Return a period's label (or code) as the reader's language names it; else as given."""
    try:
        return period_name(parse_period(label.strip()))
    except (ParseError, ValueError):
        return label


def _benchmark(text: str) -> str:
    """Return what a figure is compared with: "the MSG average" translated, a unit's name kept."""
    return _(text) if text in _FIXED else text


def _ordinal(word: str) -> str:
    return _(word)


# (pattern of the English phrase, how to say it): the patterns are tried in order.
_Say = Callable[[re.Match[str]], str]
_PATTERNS: tuple[tuple[re.Pattern[str], _Say], ...] = (
    (
        re.compile(r"has been continually deteriorating since (?P<period>.+)"),
        lambda m: _("has been continually deteriorating since {period}").format(
            period=translated_period(m["period"])
        ),
    ),
    (
        re.compile(r"continually deteriorating since (?P<period>.+)"),
        lambda m: _("continually deteriorating since {period}").format(
            period=translated_period(m["period"])
        ),
    ),
    (
        re.compile(r"deteriorating since (?P<period>.+)"),
        lambda m: _("deteriorating since {period}").format(period=translated_period(m["period"])),
    ),
    (
        re.compile(r"showing special-cause improvement, though (?P<run>.+)"),
        lambda m: _("showing special-cause improvement, though {run}").format(run=say(m["run"])),
    ),
    (
        re.compile(r"not significantly different from (?P<benchmark>.+)"),
        lambda m: _("not significantly different from {benchmark}").format(
            benchmark=_benchmark(m["benchmark"])
        ),
    ),
    (
        re.compile(r"significantly better than (?P<benchmark>.+)"),
        lambda m: _("significantly better than {benchmark}").format(
            benchmark=_benchmark(m["benchmark"])
        ),
    ),
    (
        re.compile(r"significantly worse than (?P<benchmark>.+)"),
        lambda m: _("significantly worse than {benchmark}").format(
            benchmark=_benchmark(m["benchmark"])
        ),
    ),
    (
        re.compile(r"significantly higher than (?P<benchmark>.+)"),
        lambda m: _("significantly higher than {benchmark}").format(
            benchmark=_benchmark(m["benchmark"])
        ),
    ),
    (
        re.compile(r"significantly lower than (?P<benchmark>.+)"),
        lambda m: _("significantly lower than {benchmark}").format(
            benchmark=_benchmark(m["benchmark"])
        ),
    ),
    (
        re.compile(r"in (?P<period>[^,]+), (?P<position>.+ in its MSG and .+)"),
        lambda m: _("in {period}, {position}").format(
            period=translated_period(m["period"]), position=say(m["position"])
        ),
    ),
    (
        re.compile(r"(?P<ordinal>\w+) in its MSG and (?P<side>.+)"),
        lambda m: _("{ordinal} in its MSG and {side}").format(
            ordinal=_ordinal(m["ordinal"]), side=say(m["side"])
        ),
    ),
    (
        re.compile(r"the MSG average of (?P<period>.+)"),
        lambda m: _("the MSG average of {period}").format(period=translated_period(m["period"])),
    ),
    (
        re.compile(r"the target of (?P<standard>.+)"),
        lambda m: _("the target of {standard}").format(standard=m["standard"]),
    ),
    (
        re.compile(r"(?P<percent>[0-9.]+)% below the MSG average"),
        lambda m: _("{percent}% below the MSG average").format(percent=m["percent"]),
    ),
    (
        re.compile(r"(?P<percent>[0-9.]+)% above the MSG average"),
        lambda m: _("{percent}% above the MSG average").format(percent=m["percent"]),
    ),
)


def say(phrase: str) -> str:
    """Return one of the assessment's phrases in the reader's language (English: as written).

    A phrase it does not know is returned as it is.

    >>> say("has been continually deteriorating since July 2018")
    'has been continually deteriorating since July 2018'
    """
    if i18n.language().startswith("en"):
        return phrase
    if phrase in _FIXED:
        return _(phrase)
    for pattern, words in _PATTERNS:
        found = pattern.fullmatch(phrase)
        if found is not None:
            return words(found)
    return phrase


def and_words(first: str, second: str) -> str:
    """Join two clauses with "and", as the reader's language does ("a"/"ac" in Welsh).

    >>> and_words("special-cause concern", "forecast overspend")
    'special-cause concern and forecast overspend'
    """
    if second.startswith(tuple("aeiouyAEIOUY")):
        return pgettext("before a vowel", "{items} and {last}").format(items=first, last=second)
    return pgettext("before a consonant", "{items} and {last}").format(items=first, last=second)
