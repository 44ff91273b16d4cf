"""The recommendations' pages: each step, the form, who reads which, and scoped analysts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.recommendations import services
from pmf.web.recommendations.models import Recommendation
from tests.factories import details, member, membership

pytestmark = pytest.mark.django_db


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


def test_the_history_says_a_status_and_a_body_in_words_and_the_json_keeps_the_codes(
    recommendation: Recommendation, owner: User
) -> None:
    url = reverse("recommendation", args=["TST", 1])
    client = signed_in(owner)
    assert client.post(url, {"step": "evidence", "text": "Rota."}).status_code == 302
    page = client.get(url).content.decode()
    assert "Body: HMICFRS" in page and "Status: Open → Evidence submitted" in page
    assert "evidence_submitted" not in page.split("<h2", 1)[-1]
    data = client.get(reverse("recommendation-json", args=["TST", 1])).json()
    evidence = data["history"][-1]["changes"][0]
    assert evidence["before"] == "open" and evidence["after_text"] == "Evidence submitted"
