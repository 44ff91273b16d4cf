"""Signed-in pages and API answers are never kept by a cache; public static files are."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.api.services import issue_token
from pmf.web.frameworks.models import Organisation

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path",
    ["/TST/", "/TST/audit/", "/TST/audit.json", "/TST/cycles.json", "/accounts/tokens/"],
)
def test_every_signed_in_page_and_json_answer_is_private_and_not_stored(
    organisation: Organisation, analyst: User, path: str
) -> None:
    response = signed_in(analyst).get(path)
    assert response.status_code == 200, path
    assert response["Cache-Control"] == PRIVATE


def test_a_signed_in_refusal_is_private_and_not_stored(
    organisation: Organisation, other_org_user: User
) -> None:
    response = signed_in(other_org_user).get("/TST/")
    assert response.status_code == 404
    assert response["Cache-Control"] == PRIVATE


def test_an_api_answer_to_a_token_is_private_and_not_stored(
    organisation: Organisation, analyst: User
) -> None:
    _, key = issue_token(analyst, "tests")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    response = client.get("/api/organisations/TST/observations")
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


def test_the_sign_in_page_is_not_marked_private(organisation: Organisation) -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert response.get("Cache-Control") != PRIVATE


def test_static_files_keep_their_caching_for_a_signed_in_person(
    organisation: Organisation, analyst: User, settings: object
) -> None:
    settings.WHITENOISE_USE_FINDERS = True  # type: ignore[attr-defined]
    settings.WHITENOISE_AUTOREFRESH = True  # type: ignore[attr-defined]
    response = signed_in(analyst).get("/static/pmf/pmf.css")
    assert response.status_code == 200
    assert response["Cache-Control"] != PRIVATE
    assert "max-age" in response["Cache-Control"]
