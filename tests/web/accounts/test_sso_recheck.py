"""An open single sign-on session re-checked against the real provider on loopback.

The person signs in through the provider (tests/sso_provider.py); the provider is then told
new claims for them, or to revoke their tokens, and the session's last check is moved back
(``CHECKED_SESSION_KEY``) instead of waiting: the next request re-reads their groups.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx
import jwt
import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.accounts.models import Membership, SsoIdentity
from pmf.web.accounts.sso import (
    CHECKED_SESSION_KEY,
    ID_TOKEN_SESSION_KEY,
    REFRESH_TOKEN_SESSION_KEY,
    SSO_SESSION_KEY,
    forget_discovery,
)
from pmf.web.accounts.sso_recheck import RETRY_SESSION_KEY
from pmf.web.audit.models import AuditEvent
from tests.sso_provider import CLIENT_ID, CLIENT_SECRET, MAPPING, Running
from tests.web.accounts.test_sso import person, place, sign_in_with_provider

pytestmark = pytest.mark.django_db


def signed_in(sso: Running, subject: str, *groups: str) -> Client:
    person(sso, subject, *groups)
    client = Client()
    answer = sign_in_with_provider(client, sso, subject)
    assert answer.status_code == 302, answer.content
    return client


def last_checked(client: Client, minutes_ago: float) -> None:
    """Move the session's last check back, as if ``minutes_ago`` had passed."""
    session = client.session
    session[CHECKED_SESSION_KEY] = time.time() - minutes_ago * 60
    session.save()


def test_the_sign_in_keeps_the_refresh_token_and_the_time_of_the_check(sso: Running) -> None:
    client = signed_in(sso, "keeper", "pmf-analysts")
    assert client.session[SSO_SESSION_KEY] is True
    assert client.session[REFRESH_TOKEN_SESSION_KEY]
    assert abs(client.session[CHECKED_SESSION_KEY] - time.time()) < 60


def test_a_changed_group_changes_the_open_sessions_place_once_the_re_check_is_due(
    sso: Running,
) -> None:
    client = signed_in(sso, "mover", "pmf-viewers")
    assert client.get("/TST/units/S/").status_code == 200
    signed_in_at = SsoIdentity.objects.get(subject="mover").last_sign_in
    person(sso, "mover", "pmf-north-leads")
    # Before the re-check is due (15 minutes by default), nothing is asked.
    last_checked(client, 14)
    assert client.get("/TST/units/N/").status_code == 404
    assert place("mover@example.org") == ("TST", "viewer", "S", [])
    # Due: the groups are read again and mapped as at sign-in.
    last_checked(client, 16)
    assert client.get("/TST/units/N/").status_code == 200
    assert client.get("/TST/units/S/").status_code == 404
    assert place("mover@example.org") == ("TST", "command_lead", "N", [])
    event = AuditEvent.objects.filter(kind="access").first()
    assert event is not None
    assert event.action == "access re-checked"
    assert event.before == {"organisation": "TST", "role": "viewer", "unit": "S", "measures": []}
    assert event.after == {
        "organisation": "TST",
        "role": "command_lead",
        "unit": "N",
        "measures": [],
    }
    assert event.note == "Groups: pmf-north-leads"
    assert abs(client.session[CHECKED_SESSION_KEY] - time.time()) < 60
    # The re-check is not a sign-in.
    assert SsoIdentity.objects.get(subject="mover").last_sign_in == signed_in_at
    # A re-check that changes nothing leaves no event.
    events = AuditEvent.objects.filter(kind="access").count()
    last_checked(client, 16)
    assert client.get("/TST/units/N/").status_code == 200
    assert AuditEvent.objects.filter(kind="access").count() == events


def test_someone_taken_out_of_every_group_is_signed_out_with_the_refusal_page(
    sso: Running,
) -> None:
    client = signed_in(sso, "leaver", "pmf-analysts")
    person(sso, "leaver", "finance")
    last_checked(client, 16)
    answer = client.get("/TST/")
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "You cannot sign in to pmf" in text
    assert "not in any group that has access to pmf" in text
    assert "_auth_user_id" not in client.session
    assert not Membership.objects.filter(user__username="leaver@example.org").exists()
    removed = AuditEvent.objects.filter(kind="access").first()
    assert removed is not None
    assert (removed.action, removed.after) == ("access removed", None)


def test_the_re_check_is_configurable(provider: Running, settings: Any, organisation: Any) -> None:
    settings.PMF_SSO = provider.config(MAPPING, recheck_minutes=2)
    forget_discovery()
    client = signed_in(provider, "quick", "pmf-viewers")
    person(provider, "quick", "pmf-board")
    last_checked(client, 3)
    assert client.get("/TST/").status_code == 200
    assert place("quick@example.org") == ("TST", "board_member", None, [])


def test_someone_disabled_at_the_provider_loses_the_session_and_no_request_is_redirected_there(
    sso: Running,
) -> None:
    client = signed_in(sso, "gone", "pmf-analysts")
    # Disabled at the provider: their tokens are revoked, the refresh token refused.
    assert httpx.post(f"{sso.issuer}/users/gone/revoke-tokens").status_code == 204
    last_checked(client, 16)
    # An API call: 401 with the reason, in JSON, not a redirect.
    api = client.get("/api/organisations/TST/units")
    assert api.status_code == 401
    assert "has ended. Sign in again" in api.json()["detail"]
    assert "_auth_user_id" not in client.session

    client = signed_in(sso, "gone2", "pmf-analysts")
    assert httpx.post(f"{sso.issuer}/users/gone2/revoke-tokens").status_code == 204
    last_checked(client, 16)
    # A form sent: a page saying to sign in again, not a redirect that loses it.
    sent = client.post("/TST/", {})
    assert sent.status_code == 403
    assert "Your sign-in has ended" in sent.content.decode()
    assert "_auth_user_id" not in client.session

    client = signed_in(sso, "gone3", "pmf-analysts")
    assert httpx.post(f"{sso.issuer}/users/gone3/revoke-tokens").status_code == 204
    last_checked(client, 16)
    # A page: signed out, so the sign-in page with the way back.
    page = client.get("/TST/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/?next=/TST/")
    # Their place stays as it was: the provider said nothing about their groups.
    assert place("gone3@example.org") == ("TST", "analyst", None, [])


def test_signing_out_is_never_held_up_by_a_due_re_check(sso: Running) -> None:
    client = signed_in(sso, "going", "pmf-analysts")
    assert httpx.post(f"{sso.issuer}/users/going/revoke-tokens").status_code == 204
    last_checked(client, 16)
    answer = client.post("/accounts/logout/")
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{sso.issuer}/oauth2/end_session?")
    assert "_auth_user_id" not in client.session


def test_an_unreachable_provider_keeps_the_session_for_the_grace_time_then_ends_it(
    sso: Running, settings: Any
) -> None:
    client = signed_in(sso, "patient", "pmf-analysts")
    settings.PMF_SSO = replace(
        settings.PMF_SSO, discovery_url="http://127.0.0.1:9/.well-known/openid-configuration"
    )
    forget_discovery()
    # Due, but the provider does not answer: kept, and asked again a minute later at most.
    last_checked(client, 16)
    assert client.get("/TST/").status_code == 200
    assert "_auth_user_id" in client.session
    assert client.session[RETRY_SESSION_KEY] > time.time()
    # Past the grace time (60 minutes after the check was due): signed out, with the reason.
    last_checked(client, 15 + 61)
    session = client.session
    session[RETRY_SESSION_KEY] = 0
    session.save()
    sent = client.post("/TST/", {})
    assert sent.status_code == 403
    assert "could not check your access with Test Identity in time" in (sent.content.decode())
    assert "_auth_user_id" not in client.session
    # Their place stays: nothing was said about their groups.
    assert place("patient@example.org") == ("TST", "analyst", None, [])


def test_local_accounts_are_never_re_checked(
    provider: Running, settings: Any, analyst: User
) -> None:
    # Even with a provider that cannot be reached and an ancient session.
    settings.PMF_SSO = replace(
        provider.config(MAPPING, recheck_grace_minutes=0),
        discovery_url="http://127.0.0.1:9/.well-known/openid-configuration",
    )
    forget_discovery()
    client = Client()
    client.force_login(analyst)
    last_checked(client, 10_000)
    assert client.get("/TST/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_pmf_sso_check_prints_the_re_check(
    sso: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli.app import main

    assert main(["sso", "check"]) == 0
    out = capsys.readouterr().out
    assert (
        "session re-check:     every 15 minutes (provider unreachable: signed out 60 minutes "
        "after a missed re-check)"
    ) in out


def test_the_ended_session_is_explained_in_welsh_to_a_welsh_reader(sso: Running) -> None:
    from django.conf import settings

    client = signed_in(sso, "cymro", "pmf-analysts")
    assert httpx.post(f"{sso.issuer}/users/cymro/revoke-tokens").status_code == 204
    last_checked(client, 16)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    try:
        sent = client.post("/TST/", {})
    finally:
        from django.utils import translation

        translation.activate("en-gb")
    assert sent.status_code == 403
    text = sent.content.decode()
    assert "Mae eich mewngofnodi wedi dod i ben" in text
    assert "Mae eich mewngofnodi gyda Test Identity wedi dod i ben." in text


# ------------------------------------------------------------------------------------------
# A new ID token with the refreshed tokens (Entra ID, Keycloak), and rotated refresh tokens
# ------------------------------------------------------------------------------------------


def test_the_groups_of_a_refreshed_id_token_change_the_place(sso: Running) -> None:
    # As Entra ID: the groups are in the ID token only, not at the userinfo endpoint.
    sso.answer_refresh(id_token=True, userinfo_groups=False)
    client = signed_in(sso, "entra", "pmf-viewers")
    signed_in_token = client.session[ID_TOKEN_SESSION_KEY]
    person(sso, "entra", "pmf-north-leads")
    last_checked(client, 16)
    assert client.get("/TST/units/N/").status_code == 200
    assert place("entra@example.org") == ("TST", "command_lead", "N", [])
    event = AuditEvent.objects.filter(kind="access").first()
    assert event is not None
    assert (event.action, event.note) == ("access re-checked", "Groups: pmf-north-leads")
    # The new ID token is kept: the provider's sign-out is given it as its hint.
    kept = client.session[ID_TOKEN_SESSION_KEY]
    assert kept != signed_in_token
    assert jwt.decode(kept, options={"verify_signature": False})["groups"] == ["pmf-north-leads"]


def test_without_a_refreshed_id_token_groups_only_the_id_token_carried_are_not_read(
    sso: Running,
) -> None:
    # The same provider, but no new ID token: pmf reads no groups, so no place.
    sso.answer_refresh(userinfo_groups=False)
    client = signed_in(sso, "entra2", "pmf-viewers")
    last_checked(client, 16)
    answer = client.get("/TST/")
    assert answer.status_code == 403
    assert "not in any group that has access to pmf" in answer.content.decode()
    assert not Membership.objects.filter(user__username="entra2@example.org").exists()


@pytest.mark.parametrize(
    "refused",
    [
        {"audience": "another-client"},
        {"issuer": "https://login.example.org"},
        {"foreign_key": True},
        {"expired": True},
    ],
    ids=["audience", "issuer", "signature", "expired"],
)
def test_a_refreshed_id_token_not_the_providers_for_pmf_ends_the_session(
    sso: Running, refused: dict[str, Any]
) -> None:
    client = signed_in(sso, "forged", "pmf-viewers")
    sso.answer_refresh(id_token=True, **refused)
    # What the token says is not believed: the place stays as it was.
    person(sso, "forged", "pmf-analysts")
    last_checked(client, 16)
    page = client.get("/TST/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/?next=/TST/")
    assert "_auth_user_id" not in client.session
    assert place("forged@example.org") == ("TST", "viewer", "S", [])
    assert not AuditEvent.objects.filter(kind="access", action="access re-checked").exists()


def test_a_provider_whose_clock_runs_half_a_minute_ahead_is_believed(sso: Running) -> None:
    # Its new ID token was issued "in the future" by pmf's clock: within a minute is allowed.
    client = signed_in(sso, "ahead", "pmf-viewers")
    sso.answer_refresh(id_token=True, userinfo_groups=False, ahead=30)
    person(sso, "ahead", "pmf-analysts")
    last_checked(client, 16)
    assert client.get("/TST/").status_code == 200
    assert place("ahead@example.org")[:2] == ("TST", "analyst")
    # Five minutes ahead is a token not yet valid: the session ends, the place stays.
    sso.answer_refresh(id_token=True, userinfo_groups=False, ahead=300)
    person(sso, "ahead", "pmf-board")
    last_checked(client, 16)
    assert client.get("/TST/").status_code == 302
    assert place("ahead@example.org")[:2] == ("TST", "analyst")


def test_a_rotated_refresh_token_is_kept_and_presented_at_the_next_re_check(
    sso: Running,
) -> None:
    # The provider gives a new refresh token at each refresh and refuses the old one after.
    sso.answer_refresh(id_token=True, rotate=True)
    client = signed_in(sso, "rotor", "pmf-viewers")
    first = client.session[REFRESH_TOKEN_SESSION_KEY]
    last_checked(client, 16)
    assert client.get("/TST/").status_code == 200
    second = client.session[REFRESH_TOKEN_SESSION_KEY]
    assert second not in {"", first}
    person(sso, "rotor", "pmf-board")
    last_checked(client, 16)
    assert client.get("/TST/").status_code == 200
    assert "_auth_user_id" in client.session
    assert place("rotor@example.org") == ("TST", "board_member", None, [])
    third = client.session[REFRESH_TOKEN_SESSION_KEY]
    assert sso.refresh.presented == [first, second]
    assert third not in {first, second}
    # The old one is refused by the provider now: a session that kept it would have ended.
    refused = httpx.post(
        f"{sso.issuer}/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": first},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
