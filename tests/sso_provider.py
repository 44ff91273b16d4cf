"""A real OpenID Connect provider on loopback for the single sign-on tests.

oidc-provider-mock (PyPI, in the lock file's dev group) runs an Authlib provider in a thread:
discovery, the authorisation page, tokens signed with its own key, userinfo, end-session.
A test says which claims a person has (``set_claims``), then signs in through it. Nothing
here fakes the provider: pmf talks to it over HTTP as it would to Entra ID or Keycloak.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import oidc_provider_mock

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


@dataclass(frozen=True)
class Running:
    """The provider's address, and how to tell it about people."""

    issuer: str

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


@contextmanager
def running_provider() -> Iterator[Running]:
    """Start the provider on a free loopback port; stop it afterwards."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield Running(issuer=f"http://localhost:{server.server_port}")
