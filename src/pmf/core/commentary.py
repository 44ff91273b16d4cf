"""Check an owner's commentary against the statistics: words that say what the figures do not.

A commentary says what happened, why, and what is being done. What happened and why are
claims about the figures: "improving", "better", "on track", "worse", "off track". Each claim
is read from the words (a negation just before a claim turns it round or drops it, see
``claims``) and compared with the evidence of the same unit, measure and period: the SPC
chart's variation at the latest figure, its assurance against the target, whether the
standard is met, and the significance against the peer average. A claim the evidence
contradicts is a ``Contradiction``, with the words quoted and the reason. What is being done
is not checked: "an improvement plan" claims nothing about the figures. The method and its
limits are in docs/methods.md ("Commentary that contradicts the statistics").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop
from pmf.core.wording import named, significance_words

__all__ = ["Claim", "Contradiction", "Evidence", "claims", "contradictions"]


class Claim(StrEnum):
    """What a commentary's words say about the figures."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    ON_TRACK = "on track"
    OFF_TRACK = "off track"


# Phrases, lower case, longest first within each claim (a phrase is matched on word bounds).
# "improve" alone is an intention ("we will improve"), not a claim, and is left out.
PHRASES: dict[Claim, tuple[str, ...]] = {
    Claim.IMPROVING: (
        "getting better",
        "improvements",
        "improvement",
        "improving",
        "improved",
        "better",
    ),
    Claim.WORSENING: (
        "getting worse",
        "deteriorating",
        "deteriorated",
        "deterioration",
        "worsening",
        "worsened",
        "declining",
        "worse",
    ),
    Claim.ON_TRACK: (
        "meeting the standard",
        "meeting the target",
        "meets the standard",
        "meets the target",
        "ahead of target",
        "on target",
        "on track",
    ),
    Claim.OFF_TRACK: (
        "missing the standard",
        "missing the target",
        "misses the standard",
        "misses the target",
        "behind target",
        "off target",
        "off track",
    ),
}
# Words that make a claim no claim ("improvement plan" is work, not a result).
NOT_CLAIMS = ("improvement plan", "improvement action", "improvement work", "improvement board")
# A negation within this many words before a claim, in its clause, turns it round ("not on
# track": off track) or, for a direction, drops it ("not improving" is not "worsening").
NEGATION_WINDOW = 3
NEGATIONS = frozenset(
    {"not", "no", "never", "nor", "without", "isn't", "aren't", "hasn't", "haven't", "wasn't"}
)
# The same claims in Welsh, with the mutated forms a word takes after another ("yn well",
# "heb gyrraedd y targed", "parhau i ddirywio"). A bare verb-noun that is an intention as
# often as a claim ("gwella": improve) is left out, as "improve" is; phrases starting "'n"
# are the short "yn" after a vowel ("mae'n well").
PHRASES_CY: dict[Claim, tuple[str, ...]] = {
    Claim.IMPROVING: (
        "wedi bod yn gwella",
        "parhau i wella",
        "wedi gwella",
        "yn gwella",
        "'n gwella",
        "gwellodd",
        "gwelliannau",
        "gwelliant",
        "welliant",
        "yn well",
        "'n well",
        "gwell",
    ),
    Claim.WORSENING: (
        "wedi bod yn gwaethygu",
        "parhau i waethygu",
        "parhau i ddirywio",
        "wedi gwaethygu",
        "yn gwaethygu",
        "'n gwaethygu",
        "gwaethygodd",
        "gwaethygu",
        "waethygu",
        "wedi dirywio",
        "yn dirywio",
        "'n dirywio",
        "dirywiodd",
        "dirywio",
        "ddirywio",
        "dirywiad",
        "ddirywiad",
        "yn waeth",
        "'n waeth",
        "gwaeth",
    ),
    Claim.ON_TRACK: (
        "ar y trywydd iawn",
        "ar y trywydd cywir",
        "cyrraedd y targed",
        "gyrraedd y targed",
        "chyrraedd y targed",
        "cyrraedd y safon",
        "gyrraedd y safon",
        "chyrraedd y safon",
        "bodloni'r targed",
        "fodloni'r targed",
        "bodloni'r safon",
        "fodloni'r safon",
        "o flaen y targed",
        "ar darged",
    ),
    Claim.OFF_TRACK: (
        "y tu ôl i'r targed",
        "tu ôl i'r targed",
        "oddi ar y trywydd",
        "methu'r targed",
        "fethu'r targed",
        "methu'r safon",
        "fethu'r safon",
    ),
}
# Welsh words that make a claim no claim: work to improve, the grade "Angen gwella", and "ni
# waeth" (no matter).
NOT_CLAIMS_CY = (
    "cynllun gwella",
    "camau gwella",
    "gwaith gwella",
    "bwrdd gwella",
    "angen gwella",
    "ni waeth",
)
# Welsh negations, read before a Welsh claim only, so that an English text reads as before.
NEGATIONS_CY = frozenset(
    {"ddim", "dim", "nid", "nad", "ni", "na", "nac", "heb", "dyw", "dydy", "dydyn", "nag"}
)
# Negated, a claim about the target turns round; one about the direction says nothing.
TURNED = {
    Claim.ON_TRACK: Claim.OFF_TRACK,
    Claim.OFF_TRACK: Claim.ON_TRACK,
}


@dataclass(frozen=True)
class Evidence:
    """The statistics of one unit's measure at one period, as the assessment gives them.

    ``variation`` and ``assurance`` are the SPC chart's codes (``special_cause_improvement``,
    ``special_cause_concern``, ``common_cause``; ``consistent_pass``, ``consistent_fail``,
    ``inconsistent``); ``met`` whether the standard or target is met; ``significance`` the
    comparison with the peer average in words ("significantly worse than the MSG average")
    and ``significance_code`` as its code (``worse``), from which a reader's words are written.
    Any may be None: what is not known contradicts nothing.
    """

    variation: str | None = None
    assurance: str | None = None
    met: bool | None = None
    significance: str | None = None
    significance_code: str | None = None

    def significance_text(self) -> str:
        """Return the comparison with the peer average in the reader's language."""
        if self.significance_code:
            return significance_words(self.significance_code)
        return named(self.significance or "")


@dataclass(frozen=True)
class Contradiction:
    """A claim in the commentary that the statistics contradict: the words, and why."""

    claim: Claim
    words: str
    reason: str


# Words of either language (Welsh has letters with a circumflex and other accents).
_WORD = re.compile(r"[a-zàáâäèéêëìíîïòóôöùúûüẁẃŵẅỳýŷÿ']+")


def claims(text: str) -> list[tuple[Claim, str]]:
    """Return the claims a text makes, each with the words that make it, in order.

    >>> claims("Response times improved, and we are not on track yet.")
    [(<Claim.IMPROVING: 'improving'>, 'improved'), (<Claim.OFF_TRACK: 'off track'>, 'not on track')]
    >>> claims("Not improving, but the improvement plan has started.")
    []
    >>> [words for _, words in claims("Mae wedi gwella, ond nid ydym ar y trywydd iawn.")]
    ['wedi gwella', 'nid ydym ar y trywydd iawn']
    """
    lowered = text.lower().replace("\u2019", "'")
    for phrase in (*NOT_CLAIMS, *NOT_CLAIMS_CY):
        lowered = lowered.replace(phrase, " " * len(phrase))
    found: list[tuple[int, Claim, str]] = []
    taken: list[tuple[int, int]] = []
    ordered = sorted(
        (
            (claim, phrase, negations)
            for table, negations in ((PHRASES, NEGATIONS), (PHRASES_CY, NEGATIONS_CY))
            for claim, phrases in table.items()
            for phrase in phrases
        ),
        key=lambda item: -len(item[1]),
    )
    for claim, phrase, negations in ordered:
        # A phrase starting "'n" belongs to the word before it ("mae'n well").
        bound = r"\w*" if phrase.startswith("'") else r"\b"
        for match in re.finditer(rf"{bound}{re.escape(phrase)}\b", lowered):
            start, end = match.span()
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            # A negation counts within the claim's own clause: "no change; on track" is on track.
            clause = max(lowered.rfind(mark, 0, start) for mark in ".;:,!?") + 1
            before = list(_WORD.finditer(lowered, clause, start))[-NEGATION_WINDOW:]
            negation = next((word for word in reversed(before) if word[0] in negations), None)
            if negation is None:
                found.append((start, claim, text[start:end]))
                continue
            turned = TURNED.get(claim)
            if turned is not None:
                found.append((start, turned, text[negation.start() : end]))
    return [(claim, words) for _, claim, words in sorted(found, key=lambda item: item[0])]


COMMON_CAUSE = gettext_noop(
    "the SPC chart shows only common cause variation: no significant change"
)


def _reasons(claim: Claim, evidence: Evidence) -> list[str]:
    """Return why the evidence contradicts one claim (nothing: it does not)."""
    reasons: list[str] = []
    variation, assurance, met = evidence.variation, evidence.assurance, evidence.met
    significance = (evidence.significance or "").lower()
    if claim is Claim.IMPROVING:
        if variation == "special_cause_concern":
            reasons.append(_("the SPC chart shows special cause variation of concern"))
        elif variation == "common_cause":
            reasons.append(
                _("the SPC chart shows only common cause variation: no significant change")
            )
        if significance.startswith("significantly worse"):
            reasons.append(
                _("the figure is {significance}").format(significance=evidence.significance_text())
            )
    elif claim is Claim.WORSENING:
        if variation == "special_cause_improvement":
            reasons.append(_("the SPC chart shows special cause variation of improvement"))
        elif variation == "common_cause":
            reasons.append(
                _("the SPC chart shows only common cause variation: no significant change")
            )
        if significance.startswith("significantly better"):
            reasons.append(
                _("the figure is {significance}").format(significance=evidence.significance_text())
            )
    elif claim is Claim.ON_TRACK:
        if met is False:
            reasons.append(_("the latest figure does not meet its standard or target"))
        if assurance == "consistent_fail":
            reasons.append(_("the SPC chart says the process will consistently fail the target"))
    elif claim is Claim.OFF_TRACK:
        if met is True:
            reasons.append(_("the latest figure meets its standard or target"))
        if assurance == "consistent_pass":
            reasons.append(_("the SPC chart says the process will consistently pass the target"))
    return reasons


def contradictions(text: str, evidence: Evidence) -> tuple[Contradiction, ...]:
    """Return each claim in ``text`` that ``evidence`` contradicts, with the reasons.

    >>> found = contradictions(
    ...     "Answering improved this month.", Evidence(variation="common_cause")
    ... )
    >>> [(c.claim.value, c.words) for c in found]
    [('improving', 'improved')]
    >>> found[0].reason
    'the SPC chart shows only common cause variation: no significant change'
    >>> contradictions("Still off track.", Evidence(met=False))
    ()
    """
    found: list[Contradiction] = []
    for claim, words in claims(text):
        reasons = _reasons(claim, evidence)
        if reasons:
            found.append(Contradiction(claim, words, "; ".join(reasons)))
    return tuple(found)
