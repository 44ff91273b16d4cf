"""Read the single sign-on configuration, and decide a person's place from their groups.

The settings read the file named by ``PMF_SSO_CONFIG`` when the server starts: a file pmf
cannot use stops start-up with a message naming the file and the key (``groups[2].role``),
before any page is served. Nothing here reads the database, so the settings may import it;
the organisations, units and measures the mapping names are checked against the database by
``pmf sso check`` and by ``pmf serve`` as it starts (``pmf.web.accounts.sso``).

The file (docs/guide/sso.md)::

    provider:
      name: Microsoft Entra ID          # the button says "Sign in with Microsoft Entra ID"
      issuer: https://login.microsoftonline.com/TENANT/v2.0
      client_id: 00000000-0000-0000-0000-000000000000
      scopes: [openid, email, profile]  # the default
      groups_claim: groups              # the default
      email_claim: email                # the default
    local_accounts: true                # false: single sign-on only
    recheck_minutes: 15                 # an open session's groups read again this often
    recheck_grace_minutes: 60           # provider unreachable: signed out this long after
    groups:
      - group: pmf-analysts             # a value of the groups claim
        organisation: MPS
        role: analyst
      - group: pmf-central-west
        organisation: MPS
        role: command_lead
        unit: CW                        # that unit and everything below it

The client secret comes from ``PMF_SSO_CLIENT_SECRET`` (or ``client_secret`` in the file).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from pmf.web.env import SettingError

# The roles of ``Membership.Role`` (tests/web/accounts/test_sso_config.py keeps them equal):
# the settings read this module before Django's models exist.
ROLES = ("analyst", "owner", "command_lead", "moderator", "board_member", "viewer")
DISCOVERY_PATH = "/.well-known/openid-configuration"
DEFAULT_SCOPES = ("openid", "email", "profile")
# An open session's groups are read again from the provider this often (minutes), and a
# session whose re-check the provider cannot answer ends this long after it was due.
DEFAULT_RECHECK_MINUTES = 15
DEFAULT_RECHECK_GRACE_MINUTES = 60

_TOP_KEYS = {"provider", "local_accounts", "groups", "recheck_minutes", "recheck_grace_minutes"}
_PROVIDER_KEYS = {
    "name",
    "issuer",
    "client_id",
    "client_secret",
    "scopes",
    "groups_claim",
    "email_claim",
}
_GROUP_KEYS = {"group", "organisation", "role", "unit", "measures"}


class SsoConfigError(SettingError):
    """Raise when the single sign-on file cannot be used; the message names file and key."""


@dataclass(frozen=True)
class GroupMapping:
    """One identity-provider group: the organisation, role and unit subtree it gives."""

    group: str
    organisation: str
    role: str
    unit: str | None = None
    measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class SsoConfig:
    """A deployment's OpenID Connect provider and how its groups map to places in pmf."""

    source: str
    name: str
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    groups_claim: str
    email_claim: str
    local_accounts: bool
    groups: tuple[GroupMapping, ...]
    recheck_minutes: int = DEFAULT_RECHECK_MINUTES
    recheck_grace_minutes: int = DEFAULT_RECHECK_GRACE_MINUTES


@dataclass(frozen=True)
class Grant:
    """A person's place, decided from their groups: what their membership becomes."""

    organisation: str
    role: str
    unit: str | None
    measures: tuple[str, ...]
    groups: tuple[str, ...]


class SignInRefused(Exception):
    """Raise when a person's groups give them no place in pmf, or places that conflict."""


def load_sso_config(path: str, *, client_secret: str = "") -> SsoConfig | None:
    """Return the configuration in ``path`` (None when ``path`` is empty); else raise.

    ``client_secret`` (from ``PMF_SSO_CLIENT_SECRET``) wins over the file's.
    """
    if not path:
        return None
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise SsoConfigError(
            f"PMF_SSO_CONFIG={path!r}: cannot read the file ({error.strerror})"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SsoConfigError(f"{file.name}: not YAML: {error}") from None
    return parse_sso_config(data, source=file.name, client_secret=client_secret)


def parse_sso_config(data: Any, *, source: str, client_secret: str = "") -> SsoConfig:
    """Return the configuration held in ``data``; raise ``SsoConfigError`` naming the key."""

    def fail(key: str, problem: str) -> SsoConfigError:
        return SsoConfigError(f"{source}: {key}: {problem}")

    if not isinstance(data, dict):
        raise SsoConfigError(f"{source}: expected keys provider, groups and local_accounts")
    _unknown(data, _TOP_KEYS, "", fail)
    provider = data.get("provider")
    if not isinstance(provider, dict):
        raise fail("provider", "missing: the identity provider's name, issuer and client_id")
    _unknown(provider, _PROVIDER_KEYS, "provider.", fail)
    name = _text(provider, "name", "provider.name", fail)
    issuer = _text(provider, "issuer", "provider.issuer", fail)
    _check_url(issuer, "provider.issuer", fail)
    client_id = _text(provider, "client_id", "provider.client_id", fail)
    secret = client_secret or _text(provider, "client_secret", "provider.client_secret", fail, "")
    if not secret:
        raise fail(
            "provider.client_secret",
            "missing: set PMF_SSO_CLIENT_SECRET to the secret the identity provider issued",
        )
    scopes = provider.get("scopes", list(DEFAULT_SCOPES))
    if isinstance(scopes, str):
        scopes = scopes.split()
    if not isinstance(scopes, list) or not all(isinstance(s, str) and s for s in scopes):
        raise fail("provider.scopes", "expected a list of scope names, such as [openid, email]")
    if "openid" not in scopes:
        raise fail("provider.scopes", "must include openid (it is what makes it OpenID Connect)")
    local = data.get("local_accounts", True)
    if not isinstance(local, bool):
        raise fail("local_accounts", f"{local!r} is not true or false")
    discovery = issuer if issuer.endswith(DISCOVERY_PATH) else issuer.rstrip("/") + DISCOVERY_PATH
    return SsoConfig(
        source=source,
        name=name,
        issuer=issuer.removesuffix(DISCOVERY_PATH),
        discovery_url=discovery,
        client_id=client_id,
        client_secret=secret,
        scopes=tuple(scopes),
        groups_claim=_text(provider, "groups_claim", "provider.groups_claim", fail, "groups"),
        email_claim=_text(provider, "email_claim", "provider.email_claim", fail, "email"),
        local_accounts=local,
        groups=_mappings(data.get("groups"), fail),
        recheck_minutes=_minutes(data, "recheck_minutes", DEFAULT_RECHECK_MINUTES, 1, fail),
        recheck_grace_minutes=_minutes(
            data, "recheck_grace_minutes", DEFAULT_RECHECK_GRACE_MINUTES, 0, fail
        ),
    )


def _minutes(
    data: Mapping[str, Any],
    key: str,
    default: int,
    least: int,
    fail: Callable[[str, str], SsoConfigError],
) -> int:
    """Return a whole number of minutes, at least ``least`` and at most a day."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= 24 * 60:
        raise fail(key, f"{value!r} is not a whole number of minutes from {least} to 1440")
    return value


def _mappings(entries: Any, fail: Callable[[str, str], SsoConfigError]) -> tuple[GroupMapping, ...]:
    if not isinstance(entries, list) or not entries:
        raise fail("groups", "missing: list at least one group with its organisation and role")
    found: list[GroupMapping] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        key = f"groups[{number}]"
        if not isinstance(entry, dict):
            raise fail(key, "expected group, organisation, role and optionally unit")
        _unknown(entry, _GROUP_KEYS, f"{key}.", fail)
        group = _text(entry, "group", f"{key}.group", fail)
        if group in seen:
            raise fail(f"{key}.group", f"{group!r} is already mapped by groups[{seen[group]}]")
        seen[group] = number
        role = _text(entry, "role", f"{key}.role", fail)
        if role not in ROLES:
            raise fail(f"{key}.role", f"{role!r} is not a role; the roles: {', '.join(ROLES)}")
        unit = _text(entry, "unit", f"{key}.unit", fail, "") or None
        measures = entry.get("measures", [])
        if not isinstance(measures, list) or not all(isinstance(m, str) and m for m in measures):
            raise fail(f"{key}.measures", "expected a list of measure codes")
        if measures and role != "owner":
            raise fail(f"{key}.measures", "only a measure owner (role: owner) has measures")
        found.append(
            GroupMapping(
                group=group,
                organisation=_text(entry, "organisation", f"{key}.organisation", fail),
                role=role,
                unit=unit,
                measures=tuple(measures),
            )
        )
    return tuple(found)


def _unknown(
    data: Mapping[Any, Any], known: set[str], prefix: str, fail: Callable[[str, str], Exception]
) -> None:
    for key in data:
        if key not in known:
            raise fail(f"{prefix}{key}", f"not a key here; the keys: {', '.join(sorted(known))}")


def _text(
    data: Mapping[str, Any],
    key: str,
    name: str,
    fail: Callable[[str, str], SsoConfigError],
    default: str | None = None,
) -> str:
    value = data.get(key)
    if value is None:
        if default is None:
            raise fail(name, "missing")
        return default
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise fail(name, f"{value!r} is not text")
    text = str(value).strip()
    if not text and default is None:
        raise fail(name, "empty")
    return text


def _check_url(url: str, name: str, fail: Callable[[str, str], SsoConfigError]) -> None:
    """Refuse an address that is not https (plain http only on this machine, for tests)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and _loopback(host):
        return
    raise fail(name, f"{url!r} is not an https:// address of the identity provider")


def origin_of(url: str) -> str:
    """Return the scheme, host and port of ``url``: ``https://login.example.org``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def groups_in(claims: Mapping[str, Any], claim: str) -> tuple[str, ...]:
    """Return the values of ``claim``: a list of groups, or one text (Google's ``hd``)."""
    value = claims.get(claim)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(item) for item in value if isinstance(item, str | int))
    return ()


def grant_for(
    config: SsoConfig, groups: Iterable[str], *, covers: Callable[[str, str, str], bool]
) -> Grant:
    """Decide a person's place from their groups; raise ``SignInRefused`` when there is none.

    The rule (docs/guide/sso.md): the first entry of the mapping, in the file's order, that
    names one of the person's groups decides their organisation and role. Every matching
    entry with that organisation and role adds its scope: the whole organisation if any of
    them has no unit, else the unit that covers all of theirs (``covers(organisation, top,
    unit)`` says whether ``unit`` is ``top`` or below it); units side by side are a
    conflict, refused, since a person covers one part of the unit tree. A measure owner's
    measures are those of all these entries. Entries giving another organisation or role
    are not used.
    """
    from django.utils.translation import gettext as _

    held = set(groups)
    matched = [mapping for mapping in config.groups if mapping.group in held]
    if not matched:
        raise SignInRefused(
            _(
                "Your account is not in any group that has access to pmf. Ask your "
                "administrator to add you to one of the groups for pmf."
            )
        )
    first = matched[0]
    same = [m for m in matched if m.organisation == first.organisation and m.role == first.role]
    units = [m.unit for m in same]
    unit: str | None
    if None in units:
        unit = None
    else:
        named = [u for u in units if u is not None]
        tops = [
            top for top in named if all(covers(first.organisation, top, other) for other in named)
        ]
        if not tops:
            raise SignInRefused(
                _(
                    "Your groups ({groups}) give you the same role in units side by side, and "
                    "pmf gives each person one unit and everything below it. Ask your "
                    "administrator to map one group for the units you cover."
                ).format(groups=", ".join(m.group for m in same))
            )
        unit = tops[0]
    measures = tuple(dict.fromkeys(code for m in same for code in m.measures))
    return Grant(
        organisation=first.organisation,
        role=first.role,
        unit=unit,
        measures=measures,
        groups=tuple(m.group for m in same),
    )
