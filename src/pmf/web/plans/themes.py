"""Find the common and cross-cutting themes in several units' statements, without a model.

Pure Python (no Django), so it can be tested and reasoned about on its own. A theme is a
word or a two-word phrase, after dropping stop-words and simple stemming, that appears in
the statements of two or more units. The same texts always give the same themes, in the
same order: most units first, then phrases before single words, then alphabetically.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

# Common English words that carry no theme, with the words every statement uses.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some still such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves
    across already although among another around away back being better continue
    continued continues continuing due ensure further get getting given however improve
    improved improvement improvements improving including less many may much must need
    needed needs new next per quarter remain remains risk risks since take taken well work
    working year years within without address addressed addressing area areas
    """.split()  # noqa: SIM905 (a word list reads best as words)
)
WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
# A full stop, semicolon, colon or new line ends a phrase: no phrase runs across them.
CLAUSE = re.compile(r"[.;:!?\n()\[\]]+")


@dataclass(frozen=True)
class Theme:
    """A word or phrase mentioned by two or more units, in the words most often used."""

    key: str
    phrase: str
    units: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "phrase": self.phrase, "units": list(self.units)}


def stem(word: str) -> str:
    """Return a crude stem, enough to match "staffing", "staffed" and "staff".

    >>> [stem(w) for w in ("staffing", "staffed", "delays", "reduced", "reducing", "policies")]
    ['staff', 'staff', 'delay', 'reduc', 'reduc', 'policy']
    """
    word = word.replace("'", "")
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    # "staffing" → "staff", "planned" → "plann" → "plan": undo a doubled final consonant.
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "flsz":
        word = word[:-1]
    return word


def _terms(text: str) -> list[tuple[str, str]]:
    """Return (key, surface) for each word and two-word phrase of the text, stop-words out."""
    terms: list[tuple[str, str]] = []
    for clause in CLAUSE.split(text.lower()):
        # A stop-word breaks a phrase: "response to calls" gives no "response call".
        run: list[tuple[str, str]] = []
        for word in [*WORD.findall(clause), ""]:
            word = word.strip("'-")
            if not word or word in STOP_WORDS or len(word) < 3:
                for first, second in pairwise(run):
                    terms.append((f"{first[0]} {second[0]}", f"{first[1]} {second[1]}"))
                run = []
                continue
            key = stem(word)
            terms.append((key, word))
            run.append((key, word))
    return terms


def common_themes(texts: Mapping[str, str], *, minimum_units: int = 2) -> list[Theme]:
    """Return the words and phrases that ``minimum_units`` or more units' texts share.

    ``texts`` maps each unit's code to its text (areas for improvement and risks). A single
    word is left out when a phrase containing it is mentioned by the same units: the
    phrase says more.

    >>> found = common_themes({
    ...     "N": "Call handling delays at weekends; staff vacancies.",
    ...     "S": "Delays in call handling. Staffing.",
    ...     "E": "Vehicle fleet.",
    ... })
    >>> [(theme.phrase, theme.units) for theme in found]
    [('call handling', ('N', 'S')), ('delays', ('N', 'S')), ('staff', ('N', 'S'))]
    """
    units_of: dict[str, set[str]] = {}
    surfaces: dict[str, Counter[str]] = {}
    for unit, text in texts.items():
        for key, surface in _terms(text):
            units_of.setdefault(key, set()).add(unit)
            surfaces.setdefault(key, Counter())[surface] += 1
    shared = {key: units for key, units in units_of.items() if len(units) >= minimum_units}
    phrases = [key for key in shared if " " in key]
    themes = []
    for key, units in shared.items():
        if " " not in key and any(
            key in phrase.split() and shared[phrase] == units for phrase in phrases
        ):
            continue
        # The commonest surface form, the alphabetically first among equals: deterministic.
        phrase = min(surfaces[key].items(), key=lambda item: (-item[1], item[0]))[0]
        themes.append(Theme(key=key, phrase=phrase, units=tuple(sorted(units))))
    themes.sort(key=lambda theme: (-len(theme.units), " " not in theme.key, theme.phrase))
    return themes
