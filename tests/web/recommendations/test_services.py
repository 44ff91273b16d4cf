"""Inspection and audit recommendations: the workflow, closure approval, figures and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.recommendations import services
from pmf.web.recommendations.models import Recommendation
from tests.factories import details, member

pytestmark = pytest.mark.django_db


def membership(user: User) -> Membership:
    return Membership.objects.get(user=user)


@pytest.fixture
def recommendation(organisation: Organisation, analyst: User, owner: User) -> Recommendation:
    return services.create_recommendation(
        organisation, membership(analyst), details(), user=analyst
    )


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


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_steps_through_the_pages(
    recommendation: Recommendation, owner: User, moderator: User
) -> None:
    url = reverse("recommendation", args=["TST", 1])
    assert signed_in(owner).post(url, {"step": "evidence", "text": "Rota."}).status_code == 302
    refused = signed_in(owner).post(url, {"step": "approve"})
    assert refused.status_code == 400 and "Only a moderator" in refused.content.decode()
    assert signed_in(moderator).post(url, {"step": "approve"}).status_code == 302
    data = signed_in(moderator).get(reverse("recommendation-json", args=["TST", 1])).json()
    assert data["recommendation"]["closure_approved_by"] == "moderator"
    listing = signed_in(moderator).get(reverse("recommendations-json", args=["TST"])).json()
    assert listing["figures"]["percent_complete"] == 100


def test_recording_through_the_form(organisation: Organisation, analyst: User, owner: User) -> None:
    client = signed_in(analyst)
    response = client.post(reverse("recommendation-new", args=["TST"]), details())
    assert response.status_code == 302 and response["Location"] == "/TST/recommendations/1/"
    edit = reverse("recommendation-edit", args=["TST", 1])
    assert client.post(edit, details(due_date="2031-01-01")).status_code == 302
    assert signed_in(owner).get(edit).status_code == 404


# Each page with arguments inside the command lead's scope (North's 1) and outside it (South's 2).
RECOMMENDATION_PAGES = {
    "recommendations": ({"org": "TST"}, None),
    "recommendations-json": ({"org": "TST"}, None),
    "recommendation": ({"org": "TST", "number": 1}, {"org": "TST", "number": 2}),
    "recommendation-json": ({"org": "TST", "number": 1}, {"org": "TST", "number": 2}),
}


@pytest.mark.parametrize("name", sorted(RECOMMENDATION_PAGES))
def test_recommendation_pages_by_role_and_scope(
    name: str,
    recommendation: Recommendation,
    analyst: User,
    command_lead: User,
    other_org_user: User,
    organisation: Organisation,
) -> None:
    services.create_recommendation(organisation, None, details(unit="S", owner=""))
    inside, outside = RECOMMENDATION_PAGES[name]
    assert Client().get(reverse(name, kwargs=inside)).status_code == 302
    assert signed_in(analyst).get(reverse(name, kwargs=inside)).status_code == 200
    lead = signed_in(command_lead)
    assert lead.get(reverse(name, kwargs=inside)).status_code == 200
    if outside is not None:
        assert lead.get(reverse(name, kwargs=outside)).status_code == 404
    assert signed_in(other_org_user).get(reverse(name, kwargs=inside)).status_code == 404


def test_pmf_remind_tells_owners_of_overdue_recommendations_and_reviews(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    import datetime as dt

    from django.core import mail

    from pmf.web.interventions.reminders import send_reminders
    from pmf.web.risks.services import create_risk
    from tests.factories import rated

    owner.email = "owner@example.org"
    owner.save()
    services.create_recommendation(
        organisation, membership(analyst), details(due_date="2019-12-31"), user=analyst
    )
    create_risk(
        organisation, membership(analyst), rated(3, 3, owner="owner", review_date="2019-11-30")
    )
    send_reminders(dt.date(2020, 1, 15))
    subjects = sorted(message.subject for message in mail.outbox)
    assert "Test Force: recommendation 1 is overdue" in subjects
    assert "Test Force: the review of risk 1 is overdue" in subjects
    count = len(mail.outbox)
    send_reminders(dt.date(2020, 1, 15))
    assert len(mail.outbox) == count  # not twice the same day


# A scoped analyst records recommendations only within their scope (issue 15, item 1.3).


@pytest.mark.parametrize(("unit", "what"), [("S", "another command"), ("", "the whole force")])
def test_a_scoped_analyst_cannot_record_a_recommendation_outside_their_scope(
    organisation: Organisation, owner: User, unit: str, what: str
) -> None:
    scoped = member("scoped_analyst", organisation, Membership.Role.ANALYST, unit="N")
    client = signed_in(scoped)
    page = client.get(reverse("recommendation-new", args=["TST"]))
    assert [choice["code"] for choice in page.context["units"]] == ["N"]
    response = client.post(reverse("recommendation-new", args=["TST"]), details(unit=unit))
    assert response.status_code == 400, what
    assert "Unit: choose North or a unit below it" in response.content.decode(), what
    assert not Recommendation.objects.exists(), what
    assert client.post(reverse("recommendation-new", args=["TST"]), details()).status_code == 302


def test_a_scoped_analyst_cannot_change_a_recommendation_outside_their_scope(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    south = services.create_recommendation(
        organisation, membership(analyst), details(unit="S", owner="analyst"), user=analyst
    )
    scoped = member("scoped_analyst", organisation, Membership.Role.ANALYST, unit="N")
    edit = reverse("recommendation-edit", args=["TST", south.number])
    assert signed_in(scoped).post(edit, details(unit="N")).status_code == 404
    with pytest.raises(services.Refused):
        services.update_recommendation(south, membership(scoped), details(unit="N"))
    south.refresh_from_db()
    assert south.unit.code == "S"  # type: ignore[union-attr]
