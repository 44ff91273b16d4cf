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
