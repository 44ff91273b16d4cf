"""Single sign-on against a real OpenID Connect provider on loopback (tests/sso_provider.py).

Each sign-in goes the whole way: pmf's sign-in page sends the browser (Django's test client)
to the provider's authorisation endpoint, the provider's page is answered as a person would
answer it, and the provider's redirect comes back to pmf's callback, which exchanges the code
for tokens, checks the ID token against the provider's keys and signs the person in.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.accounts.models import Membership, SsoIdentity
from pmf.web.accounts.sso import forget_discovery
from pmf.web.audit.models import AuditEvent
from pmf.web.frameworks.models import Organisation
from tests.factories import PASSWORD
from tests.sso_provider import CLIENT_ID, MAPPING, Running

pytestmark = pytest.mark.django_db


def sign_in_with_provider(client: Client, provider: Running, subject: str, next_: str = "") -> Any:
    """Go through the code flow as a person would; return pmf's answer to the callback."""
    start = client.get("/accounts/sso/login/" + (f"?next={next_}" if next_ else ""))
    assert start.status_code == 302, start.content
    authorise = start["Location"]
    assert authorise.startswith(f"{provider.issuer}/oauth2/authorize?")
    query = parse_qs(urlsplit(authorise).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]  # PKCE
    assert query["nonce"] and query["state"]
    # The person answers the provider's page with who they are.
    answer = httpx.post(authorise, data={"sub": subject})
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert back.path == "/accounts/sso/callback/"
    return client.get(back.path, parse_qs(back.query))


def place(username: str) -> tuple[str, str, str | None, list[str]]:
    membership = Membership.objects.select_related("organisation", "unit").get(
        user__username=username
    )
    return (
        membership.organisation.code,
        membership.role,
        membership.unit.code if membership.unit else None,
        sorted(m.code for m in membership.measures.all()),
    )


def person(provider: Running, subject: str, *groups: str, **claims: Any) -> None:
    provider.set_claims(
        subject,
        email=claims.pop("email", f"{subject}@example.org"),
        given_name="Ada",
        family_name="Lovelace",
        groups=list(groups),
        **claims,
    )


def test_the_code_flow_signs_a_new_person_in_with_the_place_their_group_gives(
    sso: Running,
) -> None:
    person(sso, "ada", "pmf-north-leads", "some-other-group")
    client = Client()
    answer = sign_in_with_provider(client, sso, "ada", next_="/TST/")
    assert answer.status_code == 302
    assert answer["Location"] == "/TST/"
    user = User.objects.get(email="ada@example.org")
    assert (user.username, user.first_name, user.last_name) == (
        "ada@example.org",
        "Ada",
        "Lovelace",
    )
    assert not user.has_usable_password()
    assert SsoIdentity.objects.get(user=user).subject == "ada"
    assert place(user.username) == ("TST", "command_lead", "N", [])
    # Signed in: the scorecard of North shows, South's is out of reach.
    assert client.get("/TST/units/N/").status_code == 200
    assert client.get("/TST/units/S/").status_code == 404
    event = AuditEvent.objects.get(kind="access")
    assert event.action == "signed in"
    assert event.actor == user
    assert event.before is None
    assert event.after == {
        "organisation": "TST",
        "role": "command_lead",
        "unit": "N",
        "measures": [],
    }
    assert event.note == "Groups: pmf-north-leads"
    # The audit trail shows it, under its own kind, to those who read North's changes.
    trail = client.get("/TST/audit/", {"kind": "access"}).content.decode()
    assert "ada@example.org signed in with Test Identity" in trail
    assert "Sign-ins" in trail


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("pmf-analysts", ("TST", "analyst", None, [])),
        ("pmf-north-leads", ("TST", "command_lead", "N", [])),
        ("pmf-er-owners", ("TST", "owner", "N", ["ER"])),
        ("pmf-moderators", ("TST", "moderator", None, [])),
        ("pmf-board", ("TST", "board_member", None, [])),
        ("pmf-viewers", ("TST", "viewer", "S", [])),
    ],
)
def test_each_group_gives_its_role_and_scope(
    sso: Running, group: str, expected: tuple[str, str, str | None, list[str]]
) -> None:
    person(sso, f"p-{group}", group)
    answer = sign_in_with_provider(Client(), sso, f"p-{group}")
    assert answer.status_code == 302
    assert place(f"p-{group}@example.org") == expected


def test_several_groups_first_entry_decides_the_role_and_the_same_roles_widen_the_scope(
    sso: Running,
) -> None:
    # The analysts' entry comes first in the mapping: the lead groups add nothing.
    person(sso, "both", "pmf-north-leads", "pmf-analysts")
    sign_in_with_provider(Client(), sso, "both")
    assert place("both@example.org") == ("TST", "analyst", None, [])
    # Two lead groups, one above the other: the force's unit covers North.
    person(sso, "wide", "pmf-north-leads", "pmf-force-leads")
    sign_in_with_provider(Client(), sso, "wide")
    assert place("wide@example.org") == ("TST", "command_lead", "F", [])


def test_groups_for_units_side_by_side_are_refused_as_a_conflict(sso: Running) -> None:
    person(sso, "split", "pmf-north-leads", "pmf-south-leads")
    answer = sign_in_with_provider(Client(), sso, "split")
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "You cannot sign in to pmf" in text
    assert "pmf-north-leads, pmf-south-leads" in text
    assert not User.objects.filter(email="split@example.org").exists()


def test_a_person_in_no_mapped_group_is_refused_with_a_page_and_nothing_is_created(
    sso: Running,
) -> None:
    person(sso, "stranger", "finance", "everyone")
    users, events = User.objects.count(), AuditEvent.objects.count()
    client = Client()
    answer = sign_in_with_provider(client, sso, "stranger")
    assert answer.status_code == 403
    assert "not in any group that has access to pmf" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)
    assert not SsoIdentity.objects.exists()


def test_a_changed_group_changes_access_at_the_next_sign_in(sso: Running) -> None:
    person(sso, "mover", "pmf-viewers")
    sign_in_with_provider(Client(), sso, "mover")
    assert place("mover@example.org") == ("TST", "viewer", "S", [])
    person(sso, "mover", "pmf-north-leads")
    client = Client()
    sign_in_with_provider(client, sso, "mover")
    assert place("mover@example.org") == ("TST", "command_lead", "N", [])
    assert client.get("/TST/units/S/").status_code == 404
    assert client.get("/TST/units/N/").status_code == 200
    latest = AuditEvent.objects.filter(kind="access").first()
    assert latest is not None
    assert latest.before == {"organisation": "TST", "role": "viewer", "unit": "S", "measures": []}
    # Out of every group: refused, and the membership that was is ended (recorded).
    person(sso, "mover", "finance")
    answer = sign_in_with_provider(Client(), sso, "mover")
    assert answer.status_code == 403
    assert not Membership.objects.filter(user__username="mover@example.org").exists()
    removed = AuditEvent.objects.filter(kind="access").first()
    assert removed is not None
    assert (removed.action, removed.after) == ("access removed", None)
    # The session signed in before now reads nothing of the organisation.
    assert client.get("/TST/units/N/").status_code == 404


def test_the_first_sign_in_takes_over_the_local_account_with_the_same_email(
    sso: Running, analyst: User
) -> None:
    analyst.email = "Analyst@Example.org"
    analyst.save()
    person(sso, "sub-of-analyst", "pmf-board", email="analyst@example.org")
    sign_in_with_provider(Client(), sso, "sub-of-analyst")
    assert SsoIdentity.objects.get(subject="sub-of-analyst").user == analyst
    assert place("analyst") == ("TST", "board_member", None, [])
    # Its password no longer signs in: the provider alone lets the person in now.
    analyst.refresh_from_db()
    assert not analyst.has_usable_password()
    answer = Client().post("/accounts/login/", {"username": "analyst", "password": PASSWORD})
    assert answer.status_code == 200  # the form again, with its error


def test_a_token_from_another_client_or_a_replayed_state_does_not_sign_in(
    sso: Running, settings: Any
) -> None:
    person(sso, "eve", "pmf-analysts")
    client = Client()
    start = client.get("/accounts/sso/login/")
    answer = httpx.post(start["Location"], data={"sub": "eve"})
    back = urlsplit(answer.headers["location"])
    # A state this browser never started: refused with a page, not signed in.
    other = Client()
    refused = other.get(back.path, parse_qs(back.query))
    assert refused.status_code == 400
    assert "Sign-in did not complete" in refused.content.decode()
    assert "_auth_user_id" not in other.session
    # pmf configured with another client id: the ID token is not for it.
    settings.PMF_SSO = replace(sso.config(MAPPING), client_id="someone-else")
    refused = client.get(back.path, parse_qs(back.query))
    assert refused.status_code == 400
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="eve@example.org").exists()


def test_a_provider_that_cannot_be_reached_is_a_page_not_a_server_error(
    settings: Any, provider: Running
) -> None:
    settings.PMF_SSO = Running(issuer="http://127.0.0.1:9").config(MAPPING)
    forget_discovery()
    answer = Client().get("/accounts/sso/login/")
    assert answer.status_code == 503
    assert "Sign-in is not available" in answer.content.decode()


def test_the_sign_in_page_offers_the_provider_beside_local_accounts(
    sso: Running, analyst: User
) -> None:
    client = Client()
    page = client.get("/accounts/login/?next=/TST/").content.decode()
    assert "Sign in with Test Identity" in page
    assert 'href="/accounts/sso/login/?next=/TST/"' in page
    assert 'name="password"' in page
    # Local sign-in still works.
    answer = client.post("/accounts/login/", {"username": "analyst", "password": PASSWORD})
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(analyst.pk)


def test_without_single_sign_on_the_page_has_no_button_and_its_paths_are_not_found(
    settings: Any, organisation: Organisation
) -> None:
    settings.PMF_SSO = None
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in page
    assert client.get("/accounts/sso/login/").status_code == 404
    assert client.get("/accounts/sso/callback/").status_code == 404


def test_single_sign_on_only_refuses_passwords(
    provider: Running, settings: Any, analyst: User
) -> None:
    settings.PMF_SSO = provider.config(MAPPING, local_accounts=False)
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Test Identity" in page
    assert 'name="password"' not in page
    answer = client.post("/accounts/login/", {"username": "analyst", "password": PASSWORD})
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session_at_pmf_and_at_the_provider(sso: Running) -> None:
    person(sso, "leaver", "pmf-analysts")
    client = Client()
    sign_in_with_provider(client, sso, "leaver")
    answer = client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    assert answer.status_code == 302
    end = urlsplit(answer["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{sso.issuer}/oauth2/end_session"
    query = parse_qs(end.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["id_token_hint"][0].count(".") == 2  # the ID token pmf was given
    # The provider's page accepts pmf's request and offers the way back.
    assert httpx.get(answer["Location"]).status_code == 200


def test_a_local_sign_out_stays_at_pmf(sso: Running, analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    answer = client.post("/accounts/logout/")
    assert answer["Location"] == "/accounts/login/"


def test_pmf_sso_check_prints_the_endpoints_and_the_mapping(
    sso: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli.app import main

    assert main(["sso", "check"]) == 0
    out = capsys.readouterr().out
    assert f"issuer:               {sso.issuer}" in out
    assert f"end session:          {sso.issuer}/oauth2/end_session" in out
    assert "pmf-north-leads: command_lead in TST, unit N and below" in out
    assert "pmf-er-owners: owner in TST, unit N and below, measures ER" in out
    assert out.rstrip().endswith(
        "OK: every organisation, unit and measure of the mapping is in pmf."
    )


def test_a_mapping_naming_what_pmf_lacks_is_refused_by_check_and_serve(
    provider: Running, settings: Any, organisation: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli.app import main
    from pmf.web.accounts.sso import refuse_bad_mapping
    from pmf.web.env import SettingError

    settings.PMF_SSO = provider.config(
        [
            {"group": "a", "organisation": "TST", "role": "command_lead", "unit": "ZZ"},
            {"group": "b", "organisation": "NOPE", "role": "viewer"},
            {"group": "c", "organisation": "TST", "role": "owner", "measures": ["ER", "QQ"]},
        ]
    )
    forget_discovery()
    assert main(["sso", "check"]) == 1
    err = capsys.readouterr().err
    assert "sso.yaml: groups[1].unit: TST has no unit 'ZZ'" in err
    assert "sso.yaml: groups[2].organisation: no organisation 'NOPE'" in err
    assert "sso.yaml: groups[3].measures: TST has no measure 'QQ'" in err
    with pytest.raises(SettingError, match=r"groups\[1\]\.unit"):
        refuse_bad_mapping()
    # At sign-in, someone in such a group is refused with a page naming what is missing.
    provider.set_claims("z", email="z@example.org", groups=["a"])
    answer = sign_in_with_provider(Client(), provider, "z")
    assert answer.status_code == 403
    assert "unit ZZ" in answer.content.decode()
    assert not User.objects.filter(email="z@example.org").exists()
