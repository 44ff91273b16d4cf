"""The interventions' pages: the list's filters, the form, and progress on the detail page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pmf.web.interventions.models import Intervention
from tests.factories import agree

pytestmark = pytest.mark.django_db


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_filters_open_overdue_mine_and_unit(analyst: User, owner: User) -> None:
    agree(analyst)
    agree(analyst, unit="S", owner="analyst", agreed_on="2030-01-01")
    url = reverse("interventions-json", kwargs={"org": "TST"})
    count = lambda query: len(client_of(owner).get(url + query).json()["interventions"])  # noqa: E731
    assert count("") == 1  # the owner covers North, and owns nothing in South
    assert len(client_of(analyst).get(url).json()["interventions"]) == 2
    assert len(client_of(analyst).get(url + "?overdue=1").json()["interventions"]) == 1
    assert len(client_of(analyst).get(url + "?mine=1").json()["interventions"]) == 1
    assert len(client_of(analyst).get(url + "?unit=S").json()["interventions"]) == 1
    assert count("?open=1") == 1


def test_create_page_refuses_owners_and_stores_for_analysts(analyst: User, owner: User) -> None:
    url = reverse("intervention-new", kwargs={"org": "TST"})
    assert client_of(owner).get(url).status_code == 404
    response = client_of(analyst).post(
        url,
        {
            "unit": "N",
            "area": "FOCUS",
            "action": "peer_review",
            "category": "2",
            "owner": "owner",
            "description": "Commission a peer review.",
        },
    )
    assert response.status_code == 302
    assert Intervention.objects.get().action_name == "Peer review"
    assert client_of(analyst).post(url, {"unit": "N"}).status_code == 400


def test_detail_page_takes_progress_from_the_owner_only(
    analyst: User, owner: User, command_lead: User
) -> None:
    intervention = agree(analyst)
    url = reverse("intervention", kwargs={"org": "TST", "number": intervention.pk})
    assert client_of(command_lead).get(url).status_code == 200
    assert client_of(command_lead).post(url, {"text": "x"}).status_code == 400
    assert (
        client_of(owner).post(url, {"text": "Begun.", "status": "in_progress"}).status_code == 302
    )
    data = client_of(owner).get(url.rstrip("/") + ".json").json()
    assert data["intervention"]["status"] == "in_progress"
    assert [p["text"] for p in data["progress"]] == ["Begun."]
