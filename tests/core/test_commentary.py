"""The check of commentary's words against the statistics (pmf.core.commentary)."""

from __future__ import annotations

import pytest

from pmf.core.commentary import Claim, Evidence, claims, contradictions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Performance is improving.", [Claim.IMPROVING]),
        ("Things got worse in March; now deteriorating.", [Claim.WORSENING, Claim.WORSENING]),
        ("We are on track and meeting the target.", [Claim.ON_TRACK, Claim.ON_TRACK]),
        ("We are not on track.", [Claim.OFF_TRACK]),
        ("It isn't off track.", [Claim.ON_TRACK]),
        ("Not improving yet.", []),
        ("The improvement plan started in May.", []),
        ("We will improve.", []),
        ("No real change; on track.", [Claim.ON_TRACK]),
        ("Better than last year, behind target.", [Claim.IMPROVING, Claim.OFF_TRACK]),
    ],
)
def test_claims_are_read_from_the_words_with_negations_in_their_clause(
    text: str, expected: list[Claim]
) -> None:
    assert [claim for claim, _ in claims(text)] == expected


def test_a_claim_of_improvement_is_contradicted_by_concern_common_cause_or_worse_than_peers() -> (
    None
):
    text = "Response times improved."
    concern = contradictions(text, Evidence(variation="special_cause_concern"))
    assert [item.reason for item in concern] == [
        "the SPC chart shows special cause variation of concern"
    ]
    assert contradictions(text, Evidence(variation="common_cause"))[0].reason.endswith(
        "no significant change"
    )
    worse = Evidence(
        variation="special_cause_improvement",
        significance="significantly worse than the MSG average",
    )
    assert contradictions(text, worse)[0].reason == (
        "the figure is significantly worse than the MSG average"
    )
    assert contradictions(text, Evidence(variation="special_cause_improvement")) == ()


def test_a_claim_of_worsening_is_contradicted_by_improvement() -> None:
    found = contradictions("Arrests declining.", Evidence(variation="special_cause_improvement"))
    assert [(item.claim, item.words) for item in found] == [(Claim.WORSENING, "declining")]
    assert contradictions("Arrests declining.", Evidence(variation="special_cause_concern")) == ()


def test_claims_about_the_target_are_checked_against_the_standard_and_the_assurance() -> None:
    assert contradictions("On track.", Evidence(met=True, assurance="consistent_pass")) == ()
    found = contradictions("On track.", Evidence(met=False, assurance="consistent_fail"))
    assert found[0].reason == (
        "the latest figure does not meet its standard or target; "
        "the SPC chart says the process will consistently fail the target"
    )
    assert contradictions("Off track.", Evidence(met=True))[0].claim is Claim.OFF_TRACK


def test_nothing_known_contradicts_nothing() -> None:
    assert contradictions("Improving and on track, never worse.", Evidence()) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mae'r perfformiad yn gwella.", [Claim.IMPROVING]),
        ("Mae'r amseroedd ymateb wedi gwella eleni.", [Claim.IMPROVING]),
        ("Mae'n well na'r llynedd.", [Claim.IMPROVING]),
        ("Roedd yn waeth ym mis Mawrth; mae'n parhau i ddirywio.", [Claim.WORSENING] * 2),
        ("Mae'r gyfradd wedi gwaethygu ers mis Mai.", [Claim.WORSENING]),
        ("Rydym ar y trywydd iawn ac yn cyrraedd y targed.", [Claim.ON_TRACK] * 2),
        ("Nid ydym ar y trywydd iawn.", [Claim.OFF_TRACK]),
        ("Mae'r ffigur heb gyrraedd y targed eto.", [Claim.OFF_TRACK]),
        ("Rydym yn methu'r targed.", [Claim.OFF_TRACK]),
        ("Nid yw'n gwella eto.", []),
        ("Dechreuodd y cynllun gwella ym mis Mai.", []),
        ("Byddwn yn gweithio i wella'r gwasanaeth.", []),
        ("Y radd oedd Angen gwella.", []),
        ("Dim newid go iawn; ar y trywydd iawn.", [Claim.ON_TRACK]),
    ],
)
def test_welsh_claims_are_read_with_their_mutated_forms_and_negations(
    text: str, expected: list[Claim]
) -> None:
    assert [claim for claim, _ in claims(text)] == expected


def test_welsh_commentary_is_flagged_as_the_english_is() -> None:
    english = contradictions("Response times improved.", Evidence(variation="common_cause"))
    welsh = contradictions(
        "Mae'r amseroedd ymateb wedi gwella.", Evidence(variation="common_cause")
    )
    assert [(item.claim, item.reason) for item in welsh] == [
        (item.claim, item.reason) for item in english
    ]
    assert welsh[0].words == "wedi gwella"
    worse = contradictions(
        "Mae'r gyfradd yn waeth.", Evidence(variation="special_cause_improvement")
    )
    assert [item.claim for item in worse] == [Claim.WORSENING]
    # A negated claim about the target turns round, and is checked as the English is.
    off = contradictions("Nid ydym yn cyrraedd y targed.", Evidence(met=True))
    assert [(item.claim, item.words) for item in off] == [
        (Claim.OFF_TRACK, "Nid ydym yn cyrraedd y targed")
    ]


def test_welsh_words_leave_english_commentary_as_it_was_read() -> None:
    # "well" and "dim" are English words too: only Welsh phrases and negations are Welsh.
    assert claims("We did well; a dim improvement.") == [(Claim.IMPROVING, "improvement")]
