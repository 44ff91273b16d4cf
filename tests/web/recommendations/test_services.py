"""Inspection and audit recommendations: the workflow, closure approval, figures and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from pmf.web.frameworks.models import Organisation
from pmf.web.recommendations import services
from pmf.web.recommendations.models import Recommendation
from tests.factories import details, membership

pytestmark = pytest.mark.django_db


def test_owner_submits_evidence_and_only_the_named_role_approves_closure(
    recommendation: Recommendation,
    owner: User,
    analyst: User,
    moderator: User,
    command_lead: User,
) -> None:
    services.take_step(recommendation, membership(owner), "start", user=owner)
    services.take_step(recommendation, membership(owner), "evidence", "New rota.", user=owner)
    assert recommendation.status == Recommendation.Status.EVIDENCE_SUBMITTED
    for someone in (owner, analyst, command_lead):
        with pytest.raises(services.Refused, match="Only a moderator or board member"):
            services.take_step(recommendation, membership(someone), "approve", user=someone)
    services.take_step(recommendation, membership(moderator), "approve", "Seen.", user=moderator)
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.CLOSED
    assert recommendation.closure_approved_by == moderator
    assert [event.step for event in recommendation.events.all()] == [
        "created",
        "started",
        "evidence",
        "approved",
    ]


def test_an_owner_who_is_an_approver_cannot_approve_their_own(
    organisation: Organisation, analyst: User, board_member: User
) -> None:
    mine = services.create_recommendation(organisation, None, details(owner="board_member"))
    services.take_step(mine, membership(board_member), "evidence", "Done.", user=board_member)
    with pytest.raises(services.Refused, match="not the owner"):
        services.take_step(mine, membership(board_member), "approve", user=board_member)


def test_returned_evidence_needs_a_reason_and_goes_back_in_progress(
    recommendation: Recommendation, owner: User, board_member: User
) -> None:
    services.take_step(recommendation, membership(owner), "evidence", "Plan.", user=owner)
    with pytest.raises(services.Refused, match="Reason"):
        services.take_step(recommendation, membership(board_member), "return", " ")
    services.take_step(recommendation, membership(board_member), "return", "No figures.")
    assert recommendation.status == Recommendation.Status.IN_PROGRESS
    with pytest.raises(services.Refused, match="Evidence: say what"):
        services.take_step(recommendation, membership(owner), "evidence", "")


def test_only_analysts_record_and_change_recommendations(
    organisation: Organisation, owner: User, recommendation: Recommendation
) -> None:
    with pytest.raises(services.Refused, match="Only analysts"):
        services.create_recommendation(organisation, membership(owner), details())
    with pytest.raises(services.Refused, match="Only analysts"):
        services.update_recommendation(
            recommendation, membership(owner), {"due_date": "2031-01-01"}
        )
    with pytest.raises(services.Refused) as refused:
        services.create_recommendation(organisation, None, details(body="ofstead", due_date="x"))
    assert refused.value.problems == [
        "Body: choose who made the recommendation",
        "Due date: give a date as YYYY-MM-DD",
    ]


def test_figures_complete_and_overdue_by_body_and_report(
    organisation: Organisation, owner: User, moderator: User
) -> None:
    done = services.create_recommendation(organisation, None, details())
    services.create_recommendation(organisation, None, details(due_date="2019-12-31"))
    services.create_recommendation(
        organisation, None, details(body="external_audit", report_title="Accounts 2019")
    )
    services.take_step(done, membership(owner), "evidence", "Done.")
    services.take_step(done, membership(moderator), "approve", user=moderator)
    figures = services.recommendation_counts(organisation, today=dt.date(2020, 1, 1))
    assert {key: figures[key] for key in ("total", "complete", "percent_complete", "overdue")} == {
        "total": 3,
        "complete": 1,
        "percent_complete": 33.3,
        "overdue": 1,
    }
    assert [(b["body"], b["complete"], b["total"]) for b in figures["by_body"]] == [
        ("hmicfrs", 1, 2),
        ("external_audit", 0, 1),
    ]
    assert [r["report_title"] for r in figures["by_report"]] == ["PEEL 2019", "Accounts 2019"]
