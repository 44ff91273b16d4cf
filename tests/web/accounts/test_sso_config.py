"""The single sign-on file: what it holds, and a file pmf cannot use stopping start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pmf.web.accounts.models import Membership
from pmf.web.accounts.sso_config import (
    ROLES,
    SignInRefused,
    SsoConfigError,
    grant_for,
    groups_in,
    load_sso_config,
    parse_sso_config,
)

GOOD = """\
provider:
  name: Contoso
  issuer: https://login.example.org/tenant/v2.0
  client_id: pmf
groups:
  - group: analysts
    organisation: MPS
    role: analyst
  - group: cw-owners
    organisation: MPS
    role: owner
    unit: CW
    measures: [ASB, BURG]
"""


def parse(text: str, secret: str = "s3cret") -> Any:
    import yaml

    return parse_sso_config(yaml.safe_load(text), source="sso.yaml", client_secret=secret)


def test_the_roles_are_the_memberships_roles() -> None:
    assert set(ROLES) == set(Membership.Role.values)


def test_a_good_file_is_read_with_its_defaults() -> None:
    config = parse(GOOD)
    assert config.discovery_url == (
        "https://login.example.org/tenant/v2.0/.well-known/openid-configuration"
    )
    assert config.scopes == ("openid", "email", "profile")
    assert (config.groups_claim, config.email_claim, config.local_accounts) == (
        "groups",
        "email",
        True,
    )
    assert config.client_secret == "s3cret"
    assert config.groups[1].measures == ("ASB", "BURG")
    assert config.groups[1].unit == "CW"
    assert (config.recheck_minutes, config.recheck_grace_minutes) == (15, 60)


def test_the_session_re_check_intervals_are_read_from_the_file() -> None:
    config = parse(GOOD.replace("groups:", "recheck_minutes: 5\nrecheck_grace_minutes: 0\ngroups:"))
    assert (config.recheck_minutes, config.recheck_grace_minutes) == (5, 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("role: analyst", "role: boss"), "sso.yaml: groups[1].role: 'boss' is not a role"),
        (("  client_id: pmf\n", ""), "sso.yaml: provider.client_id: missing"),
        (("https://login", "http://login"), "sso.yaml: provider.issuer: 'http://login"),
        (
            ("    unit: CW\n", "    unit: CW\n    scope: all\n"),
            "sso.yaml: groups[2].scope: not a key",
        ),
        (("role: owner", "role: viewer"), "sso.yaml: groups[2].measures: only a measure owner"),
        (("group: cw-owners", "group: analysts"), "groups[2].group: 'analysts' is already"),
        (
            ("    organisation: MPS\n    role: analyst", "    role: analyst"),
            "groups[1].organisation",
        ),
        (("groups:", "local_accounts: maybe\ngroups:"), "sso.yaml: local_accounts: 'maybe'"),
        (("client_id: pmf", "client_id: pmf\n  scopes: [email]"), "provider.scopes: must include"),
        (
            ("groups:", "recheck_minutes: 0\ngroups:"),
            "sso.yaml: recheck_minutes: 0 is not a whole number of minutes from 1 to 1440",
        ),
        (
            ("groups:", "recheck_minutes: quarter\ngroups:"),
            "sso.yaml: recheck_minutes: 'quarter' is not a whole number of minutes",
        ),
        (
            ("groups:", "recheck_grace_minutes: -5\ngroups:"),
            "sso.yaml: recheck_grace_minutes: -5 is not a whole number of minutes from 0",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_key(change: tuple[str, str], message: str) -> None:
    with pytest.raises(SsoConfigError) as refused:
        parse(GOOD.replace(*change))
    assert message in str(refused.value)


def test_no_client_secret_anywhere_is_refused_naming_the_variable() -> None:
    with pytest.raises(SsoConfigError, match="PMF_SSO_CLIENT_SECRET"):
        parse(GOOD, secret="")


def test_a_missing_or_broken_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SsoConfigError, match="cannot read the file"):
        load_sso_config(str(tmp_path / "absent.yaml"))
    broken = tmp_path / "sso.yaml"
    broken.write_text("provider: [", encoding="utf-8")
    with pytest.raises(SsoConfigError, match=r"sso\.yaml: not YAML"):
        load_sso_config(str(broken), client_secret="x")
    assert load_sso_config("") is None


def test_the_server_does_not_start_with_a_bad_mapping(tmp_path: Path) -> None:
    path = tmp_path / "sso.yaml"
    path.write_text(GOOD.replace("role: analyst", "role: boss"), encoding="utf-8")
    env = {
        **os.environ,
        "PMF_SSO_CONFIG": str(path),
        "PMF_SSO_CLIENT_SECRET": "x",
        "DJANGO_SETTINGS_MODULE": "pmf.web.config.settings",
    }
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "sso.yaml: groups[1].role: 'boss' is not a role" in run.stderr


def test_the_sign_out_form_may_be_redirected_to_the_providers_site(tmp_path: Path) -> None:
    path = tmp_path / "sso.yaml"
    path.write_text(GOOD, encoding="utf-8")
    env = {
        **os.environ,
        "PMF_SSO_CONFIG": str(path),
        "PMF_SSO_CLIENT_SECRET": "x",
        "DJANGO_SETTINGS_MODULE": "pmf.web.config.settings",
    }
    code = (
        "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['form-action'])"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[\"'self'\", 'https://login.example.org']"


def test_a_groups_claim_may_be_one_text_or_a_list() -> None:
    assert groups_in({"hd": "example.org"}, "hd") == ("example.org",)
    assert groups_in({"groups": ["a", "b", {"x": 1}]}, "groups") == ("a", "b")
    assert groups_in({}, "groups") == ()


def never_covers(organisation: str, top: str, unit: str) -> bool:
    return top == unit


def test_the_first_matching_entry_decides_and_no_match_is_refused() -> None:
    config = parse(GOOD)
    grant = grant_for(config, ["cw-owners", "analysts"], covers=never_covers)
    assert (grant.organisation, grant.role, grant.unit, grant.groups) == (
        "MPS",
        "analyst",
        None,
        ("analysts",),
    )
    with pytest.raises(SignInRefused):
        grant_for(config, ["finance"], covers=never_covers)
