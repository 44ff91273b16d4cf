"""A real OpenID Connect provider on loopback for the single sign-on tests.

oidc-provider-mock (PyPI, in the lock file's dev group) runs an Authlib provider in a thread:
discovery, the authorisation page, tokens signed with its own key, userinfo, end-session.
A test says which claims a person has (``set_claims``), then signs in through it. Nothing
here fakes the provider: pmf talks to it over HTTP as it would to Entra ID or Keycloak.

oidc-provider-mock (0.3.4) answers a refresh with a new access token only: its refresh grant
has no OpenID extension and never rotates the refresh token, and no option changes that.
Entra ID and Keycloak answer with a new ID token and a new refresh token, and Entra ID puts
the groups in the ID token only. ``RefreshAnswer`` completes the mock's own answer as they do,
in the provider's process (a Flask ``after_request`` of its app): the ID token carries the
person's claims as the provider holds them and is signed with the provider's own key, the one
its ``/jwks`` serves; a rotated refresh token replaces the old one, which the provider then
refuses. A test may also have it answer with an ID token pmf must refuse (another audience or
issuer, another key, expired). This uses the mock's storage (``oidc_provider_mock._storage``),
so it is tied to the version in the lock file.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import quote

import flask
import httpx
import jwt
import oidc_provider_mock
import werkzeug.serving
from cryptography.hazmat.primitives.asymmetric import rsa
from oidc_provider_mock._app import _user_claims_for_scope
from oidc_provider_mock._storage import RefreshToken, storage

from pmf.web.accounts.sso_config import SsoConfig, parse_sso_config

CLIENT_ID = "pmf-tests"
CLIENT_SECRET = "a-secret-for-the-tests"
# The web tests' mapping, for the test framework's organisation TST (tests/conftest.py).
MAPPING = [
    {"group": "pmf-analysts", "organisation": "TST", "role": "analyst"},
    {"group": "pmf-north-leads", "organisation": "TST", "role": "command_lead", "unit": "N"},
    {"group": "pmf-south-leads", "organisation": "TST", "role": "command_lead", "unit": "S"},
    {"group": "pmf-force-leads", "organisation": "TST", "role": "command_lead", "unit": "F"},
    {
        "group": "pmf-er-owners",
        "organisation": "TST",
        "role": "owner",
        "unit": "N",
        "measures": ["ER"],
    },
    {"group": "pmf-moderators", "organisation": "TST", "role": "moderator"},
    {"group": "pmf-board", "organisation": "TST", "role": "board_member"},
    {"group": "pmf-viewers", "organisation": "TST", "role": "viewer", "unit": "S"},
]


@dataclass
class RefreshAnswer:
    """How the provider answers a refresh; the defaults are the mock's own answer."""

    # A new ID token beside the new access token, and a new refresh token (the old revoked).
    id_token: bool = False
    rotate: bool = False
    # The userinfo endpoint without the groups (Entra ID: in the ID token only).
    userinfo_groups: bool = True
    # A new ID token pmf must refuse: for another client, from another issuer, signed with
    # a key that is not the provider's (under the provider's key id), or expired.
    audience: str = ""
    issuer: str = ""
    foreign_key: bool = False
    expired: bool = False
    # Seconds the provider's clock runs ahead of pmf's (its tokens are issued "in the future").
    ahead: int = 0
    # The refresh tokens presented to the provider, in order.
    presented: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Running:
    """The provider's address, and how to tell it about people."""

    issuer: str
    refresh: RefreshAnswer = field(default_factory=RefreshAnswer)

    def answer_refresh(self, **how: Any) -> None:
        """Say how the provider answers refreshes from now on (nothing said: as the mock)."""
        default = RefreshAnswer()
        for each in fields(RefreshAnswer):
            setattr(self.refresh, each.name, how.pop(each.name, getattr(default, each.name)))
        assert not how, how

    def set_claims(self, subject: str, **claims: Any) -> None:
        """Say what the provider answers about ``subject`` from now on."""
        answer = httpx.put(f"{self.issuer}/users/{quote(subject, safe='')}", json=claims)
        assert answer.status_code == 204, answer.text

    def config(self, groups: list[dict[str, Any]], **top: Any) -> SsoConfig:
        """Return a configuration for this provider with the given group mapping."""
        data = {
            "provider": {
                "name": "Test Identity",
                "issuer": self.issuer,
                "client_id": CLIENT_ID,
            },
            "groups": groups,
            **top,
        }
        return parse_sso_config(data, source="sso.yaml", client_secret=CLIENT_SECRET)


def _complete(refresh: RefreshAnswer, response: flask.Response) -> flask.Response:
    """Complete the mock's answer to a refresh, or its userinfo, as ``refresh`` says."""
    request = flask.request
    if request.path == "/userinfo" and response.status_code == 200:
        if not refresh.userinfo_groups:
            claims = response.get_json()
            claims.pop("groups", None)
            response.set_data(json.dumps(claims))
        return response
    if request.path != "/oauth2/token" or request.form.get("grant_type") != "refresh_token":
        return response
    presented = str(request.form.get("refresh_token") or "")
    refresh.presented.append(presented)
    old = storage.get_refresh_token(presented)
    if response.status_code != 200 or old is None:
        return response
    answer = response.get_json()
    access = storage.get_access_token(answer["access_token"])
    assert access is not None
    if refresh.id_token:
        answer["id_token"] = _id_token(refresh, old.client_id, access.get_user(), access.scope)
    if refresh.rotate:
        storage.remove_refresh_token(presented)
        rotated = RefreshToken(
            token=secrets.token_urlsafe(32),
            access_token=access.token,
            user_id=access.user_id,
            scope=access.scope,
            expires_at=access.expires_at,
            client_id=old.client_id,
        )
        storage.store_refresh_token(rotated)
        answer["refresh_token"] = rotated.token
    response.set_data(json.dumps(answer))
    return response


def _id_token(refresh: RefreshAnswer, client_id: str, user: Any, scope: str) -> str:
    """Sign an ID token with the person's claims as the provider holds them now."""
    now = int(time.time()) + refresh.ahead
    claims = {
        **_user_claims_for_scope(user, scope),
        "iss": refresh.issuer or flask.request.host_url.rstrip("/"),
        "aud": refresh.audience or client_id,
        "iat": now - 600 if refresh.expired else now,
        "exp": now - 300 if refresh.expired else now + 3600,
    }
    key: Any = storage.jwk.as_pem(is_private=True)
    if refresh.foreign_key:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = storage.jwk.as_dict()["kid"]
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@contextmanager
def running_provider() -> Iterator[Running]:
    """Start the provider on a free loopback port; stop it afterwards."""
    refresh = RefreshAnswer()
    app = oidc_provider_mock.app(require_nonce=True)
    app.after_request(lambda response: _complete(refresh, response))
    server = werkzeug.serving.make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield Running(issuer=f"http://localhost:{server.server_port}", refresh=refresh)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
