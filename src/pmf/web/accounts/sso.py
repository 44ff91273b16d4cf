"""Single sign-on with OpenID Connect: the provider's endpoints, the sign-in, the person's place.

mozilla-django-oidc runs the authorisation code flow (state, nonce, PKCE, the ID token's
signature against the provider's keys); pmf adds what it leaves to its users (ADR 0052):
the provider's endpoints read from its discovery document, the ID token's issuer and
audience checked, the person found by the provider's subject, and their organisation, role
and unit set from their groups at every sign-in (``sso_config.grant_for``), recorded in the
audit trail. Someone whose groups give them no place is refused, and nothing is created.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from pmf.web.accounts.models import Membership, SsoIdentity
from pmf.web.accounts.sso_config import (
    SignInRefused,
    SsoConfig,
    grant_for,
    groups_in,
)
from pmf.web.audit.services import Kind, record
from pmf.web.frameworks.models import Organisation, Unit

LOGGER = logging.getLogger("pmf.sso")
# The session keys: signed in through the provider (sign-out then ends the provider's session
# too, where it offers that), and the ID token the provider's sign-out is given as a hint.
SSO_SESSION_KEY = "pmf_sso"
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105 - a session key, not a secret
# The provider's refresh token, with which an open session's groups are read again
# (``sso_recheck``), and when they were last read (seconds since the epoch).
REFRESH_TOKEN_SESSION_KEY = "pmf_sso_refresh"  # noqa: S105 - a session key, not a secret
CHECKED_SESSION_KEY = "pmf_sso_checked"
# Seconds the provider's discovery document is kept before it is read again.
DISCOVERY_MAX_AGE = 60 * 60
TIMEOUT_SECONDS = 10
# How far the provider's clock may be from this server's when an ID token's times are read.
CLOCK_SKEW_SECONDS = 60


class SsoUnavailable(Exception):
    """Raise when the identity provider cannot be reached or its discovery document is unusable."""


@dataclass(frozen=True)
class Provider:
    """What the provider's discovery document says about it."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str
    signing_algorithm: str


_discovered: dict[str, tuple[float, Provider]] = {}
_lock = threading.Lock()


def sso_config() -> SsoConfig | None:
    """Return the deployment's single sign-on configuration, or None without one."""
    config: SsoConfig | None = getattr(settings, "PMF_SSO", None)
    return config


def discover(config: SsoConfig) -> Provider:
    """Return the provider's endpoints from its discovery document, read at most hourly."""
    now = time.monotonic()
    with _lock:
        cached = _discovered.get(config.discovery_url)
    if cached is not None and now - cached[0] < DISCOVERY_MAX_AGE:
        return cached[1]
    try:
        with urllib.request.urlopen(config.discovery_url, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 - https, or http on loopback only (sso_config)
            document = json.loads(answer.read().decode("utf-8"))
    except (URLError, OSError, ValueError) as error:
        raise SsoUnavailable(f"{config.discovery_url}: {error}") from None
    provider = _provider(config, document)
    with _lock:
        _discovered[config.discovery_url] = (now, provider)
    return provider


def _provider(config: SsoConfig, document: Any) -> Provider:
    if not isinstance(document, dict):
        raise SsoUnavailable(f"{config.discovery_url}: not a discovery document")
    missing = [
        key
        for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(document.get(key), str)
    ]
    if missing:
        raise SsoUnavailable(f"{config.discovery_url}: no {', '.join(missing)}")
    algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    usable = [alg for alg in algorithms if isinstance(alg, str) and alg[:2] in {"RS", "ES", "PS"}]
    if not usable:
        raise SsoUnavailable(f"{config.discovery_url}: no public-key signing of ID tokens")
    return Provider(
        issuer=document["issuer"],
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        userinfo_endpoint=str(document.get("userinfo_endpoint") or ""),
        jwks_uri=document["jwks_uri"],
        end_session_endpoint=str(document.get("end_session_endpoint") or ""),
        signing_algorithm="RS256" if "RS256" in usable else usable[0],
    )


def forget_discovery() -> None:
    """Forget every discovery document read (for tests, and after a provider's keys change)."""
    with _lock:
        _discovered.clear()


def oidc_setting(attr: str, *default: Any) -> Any:
    """Answer mozilla-django-oidc's settings from pmf's configuration and the provider's."""
    config = sso_config()
    if config is None:
        raise SsoUnavailable("single sign-on is not configured (PMF_SSO_CONFIG)")
    endpoints = {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
        "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
        "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
        "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
        "OIDC_RP_SIGN_ALGO": "signing_algorithm",
    }
    if attr in endpoints:
        return getattr(discover(config), endpoints[attr])
    fixed: dict[str, Any] = {
        "OIDC_RP_CLIENT_ID": config.client_id,
        "OIDC_RP_CLIENT_SECRET": config.client_secret,
        "OIDC_RP_SCOPES": " ".join(config.scopes),
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "sso-callback",
        "OIDC_TIMEOUT": TIMEOUT_SECONDS,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_CREATE_USER": True,
    }
    if attr in fixed:
        return fixed[attr]
    return getattr(settings, attr, *default)


class SsoBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # the library has no types
    """Sign a person in from the provider's answer to the authorisation code flow."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads every endpoint here; pmf reads them when a sign-in needs them.
        self.UserModel = get_user_model()

    def get_settings(self, attr: str, *args: Any) -> Any:
        """Answer the library's settings from pmf's configuration."""
        return oidc_setting(attr, *args)

    def __getattr__(self, name: str) -> Any:
        # The library's methods read its settings as attributes (self.OIDC_OP_TOKEN_ENDPOINT).
        if name.startswith("OIDC_"):
            return oidc_setting(name, None)
        raise AttributeError(name)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        """Sign in from the provider's code, on the callback only; leave passwords alone."""
        # Only the callback passes the nonce it stored: a password form is never read here.
        if request is None or sso_config() is None or "nonce" not in kwargs:
            return None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        """Return the provider's key that signed ``token``, by its key id.

        A token without a key id (the specification allows it where the provider has one
        key) is checked against the provider's one signing key; with several, it is refused.
        """
        header = jwt.get_unverified_header(token)
        try:
            with urllib.request.urlopen(  # noqa: S310 - the provider's https address (sso_config)
                self.get_settings("OIDC_OP_JWKS_ENDPOINT"), timeout=TIMEOUT_SECONDS
            ) as answer:
                keys = json.loads(answer.read().decode("utf-8")).get("keys", [])
        except (URLError, OSError, ValueError, AttributeError) as error:
            raise SsoUnavailable(f"the provider's keys: {error}") from None
        keys = [
            key
            for key in keys
            if isinstance(key, dict)
            and key.get("use", "sig") == "sig"
            and key.get("alg", header.get("alg")) == header.get("alg")
        ]
        if "kid" in header:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        if len(keys) != 1:
            raise SuspiciousOperation("no single key of the provider's signed the ID token")
        return jwt.PyJWK(keys[0])

    def get_payload_data(self, token: str, key: Any) -> Any:
        """Return the ID token's claims once its algorithm, signature and times are checked.

        The times (issued, not before, expires) are allowed ``CLOCK_SKEW_SECONDS`` either
        way: a provider whose clock runs a second ahead of this server's would otherwise issue
        tokens "not yet valid" here, and every sign-in would fail. Every refusal (a bad
        signature, another algorithm, expired, not yet valid) is ``SuspiciousOperation``: the
        library lets PyJWT's own through, which would answer 500 at the sign-in and at every
        request of a session whose re-check met one.
        """
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if algorithm != self.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation(
                    f"ID token refused: signed with {algorithm!r}, not {self.OIDC_RP_SIGN_ALGO!r}"
                )
            # The audience is checked with the issuer in get_or_create_user and the re-check.
            return jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                options={"verify_aud": False},
                leeway=CLOCK_SKEW_SECONDS,
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from None

    def get_token(self, payload: dict[str, Any]) -> Any:
        """Ask the token endpoint; keep the refresh token it may give for the re-checks."""
        answer = super().get_token(payload)
        self.pmf_refresh_token = str(answer.get("refresh_token") or "")
        return answer

    def store_tokens(self, access_token: str, id_token: str) -> None:
        """Keep the ID token (the sign-out's hint) and the refresh token in the session."""
        super().store_tokens(access_token, id_token)
        self.request.session[REFRESH_TOKEN_SESSION_KEY] = getattr(self, "pmf_refresh_token", "")

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """Accept the claims here: ``get_or_create_user`` says what is missing, in words."""
        return True

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """Return the ID token's claims with the userinfo endpoint's over them.

        Microsoft Entra ID puts the groups in the ID token only; Keycloak in either.
        """
        claims = dict(payload)
        if self.get_settings("OIDC_OP_USER_ENDPOINT"):
            claims.update(super().get_userinfo(access_token, id_token, payload))
        return claims

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """Check the ID token was issued to pmf by the provider, then sign the person in."""
        config = sso_config()
        assert config is not None  # authenticate() returned before otherwise
        provider = discover(config)
        if payload.get("iss") != provider.issuer:
            raise SuspiciousOperation(f"ID token from {payload.get('iss')!r}, not the provider")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if config.client_id not in audiences:
            raise SuspiciousOperation("ID token issued to another client")
        claims = self.get_userinfo(access_token, id_token, payload)
        if str(claims.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        try:
            return sign_in_from_claims(config, provider.issuer, claims)
        except SignInRefused as refusal:
            LOGGER.warning("single sign-on refused for %s: %s", payload.get("sub"), refusal)
            self.request.pmf_sso_refused = str(refusal)
            return None


def sign_in_from_claims(
    config: SsoConfig, issuer: str, claims: dict[str, Any], *, recheck: bool = False
) -> User:
    """Create or update the person the claims describe, with the place their groups give.

    Found by the provider's subject; at the first sign-in, the one existing account with the
    same email address and no provider of its own is taken over (its history stays, its
    password goes), or a new one is made with no password. Raise ``SignInRefused`` when
    their groups give them no place: nothing is created, and a person known before loses
    their membership. ``recheck``: an open session's groups read again (``sso_recheck``);
    only a person pmf knows is updated, and the audit trail records it when their place
    changed.
    """
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SuspiciousOperation("no subject (sub) in the claims")
    identity = (
        SsoIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    known = identity.user if identity is not None else None
    if recheck and known is None:
        raise SuspiciousOperation("a re-check of a subject pmf does not know")
    try:
        grant = grant_for(config, groups_in(claims, config.groups_claim), covers=_covers)
    except SignInRefused as refusal:
        if known is not None:
            _withdraw(known, config, str(refusal))
        raise
    email = str(claims.get(config.email_claim) or "").strip()
    if not email or "@" not in email:
        raise SignInRefused(
            _(
                "The identity provider sent no email address (the {claim} claim). Ask your "
                "administrator to release it to pmf."
            ).format(claim=config.email_claim)
        )
    with transaction.atomic():
        organisation, unit, measures = _place(grant.organisation, grant.unit, grant.measures)
        user = known or _existing_account(email) or _new_account(email)
        if not user.is_active:
            raise SignInRefused(
                _("Your pmf account has been switched off. Ask an analyst to switch it on.")
            )
        if known is None:
            # From now on the provider alone lets them in: a password kept beside it would
            # outlive their removal from every group.
            user.set_unusable_password()
        user.email = email
        user.first_name = str(claims.get("given_name") or "")[:150]
        user.last_name = str(claims.get("family_name") or "")[:150]
        if not user.first_name and not user.last_name:
            user.first_name = str(claims.get("name") or "")[:150]
        user.save()
        defaults: dict[str, Any] = {"issuer": issuer, "subject": subject}
        if not recheck:  # a re-check is not a sign-in
            defaults["last_sign_in"] = timezone.now()
        SsoIdentity.objects.update_or_create(user=user, defaults=defaults)
        before = _place_of(user)
        membership, _created = Membership.objects.update_or_create(
            user=user, defaults={"organisation": organisation, "role": grant.role, "unit": unit}
        )
        membership.measures.set(measures)
        user.__dict__.pop("_pmf_membership", None)
        after = _place_of(user)
        if recheck and after == before:
            return user
        record(
            organisation,
            kind=Kind.ACCESS,
            action="access re-checked" if recheck else "signed in",
            label=(
                f"{user.get_username()}'s groups at {config.name} changed their place"
                if recheck
                else f"{user.get_username()} signed in with {config.name}"
            ),
            object_id=user.pk,
            unit_code=unit.code if unit else "",
            before=before,
            after=after,
            note=f"Groups: {', '.join(grant.groups)}",
            user=user,
        )
    return user


def _covers(organisation: str, top: str, unit: str) -> bool:
    """Say whether ``unit`` is ``top`` or below it in ``organisation``'s unit tree."""
    parents = dict(
        Unit.objects.filter(organisation__code=organisation).values_list("code", "parent__code")
    )
    seen: set[str] = set()
    current: str | None = unit
    while current is not None and current not in seen:
        if current == top:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _place(
    organisation_code: str, unit_code: str | None, measure_codes: tuple[str, ...]
) -> tuple[Organisation, Unit | None, list[Any]]:
    """Return the organisation, unit and measures the mapping names; refuse any pmf lacks."""
    problem = _(
        "pmf's sign-in settings name {what}, which pmf does not hold, so nobody in your groups "
        "can sign in. Tell your administrator (they can run pmf sso check)."
    )
    organisation = Organisation.objects.filter(code=organisation_code).first()
    if organisation is None:
        raise SignInRefused(
            problem.format(what=_("organisation {code}").format(code=organisation_code))
        )
    unit = None
    if unit_code:
        unit = organisation.units.filter(code=unit_code).first()
        if unit is None:
            raise SignInRefused(problem.format(what=_("unit {code}").format(code=unit_code)))
    measures = list(organisation.measures.filter(code__in=measure_codes))
    missing = sorted(set(measure_codes) - {measure.code for measure in measures})
    if missing:
        raise SignInRefused(
            problem.format(what=_("measure {code}").format(code=", ".join(missing)))
        )
    return organisation, unit, measures


def _existing_account(email: str) -> User | None:
    """Return the one account with this email address and no provider yet, if there is one."""
    candidates = list(User.objects.filter(email__iexact=email, sso_identity__isnull=True)[:2])
    return candidates[0] if len(candidates) == 1 else None


def _new_account(email: str) -> User:
    """Make an account named by the email address, with no password (sign-in is elsewhere)."""
    base = email.lower()[:140]
    username = base
    number = 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base}-{number}"
    user = User(username=username, email=email)
    user.set_unusable_password()
    user.save()
    return user


def _place_of(user: User) -> dict[str, Any] | None:
    membership = (
        Membership.objects.select_related("organisation", "unit")
        .prefetch_related("measures")
        .filter(user=user)
        .first()
    )
    if membership is None:
        return None
    return {
        "organisation": membership.organisation.code,
        "role": membership.role,
        "unit": membership.unit.code if membership.unit else None,
        "measures": sorted(measure.code for measure in membership.measures.all()),
    }


def _withdraw(user: User, config: SsoConfig, reason: str) -> None:
    """End the membership of a person whose groups no longer give them a place."""
    membership = Membership.objects.select_related("organisation", "unit").filter(user=user).first()
    if membership is None:
        return
    with transaction.atomic():
        before = _place_of(user)
        organisation = membership.organisation
        unit_code = membership.unit.code if membership.unit else ""
        membership.delete()
        record(
            organisation,
            kind=Kind.ACCESS,
            action="access removed",
            label=f"{user.get_username()} is in no group for pmf at {config.name}",
            object_id=user.pk,
            unit_code=unit_code,
            before=before,
            after=None,
            note=reason,
            user=user,
        )


def mapping_problems(config: SsoConfig) -> list[str]:
    """Return what the group mapping names that pmf does not hold, each naming its key."""
    problems = []
    for number, mapping in enumerate(config.groups, start=1):
        key = f"{config.source}: groups[{number}]"
        organisation = Organisation.objects.filter(code=mapping.organisation).first()
        if organisation is None:
            problems.append(f"{key}.organisation: no organisation {mapping.organisation!r}")
            continue
        if mapping.unit and not organisation.units.filter(code=mapping.unit).exists():
            problems.append(f"{key}.unit: {organisation.code} has no unit {mapping.unit!r}")
        held = set(
            organisation.measures.filter(code__in=mapping.measures).values_list("code", flat=True)
        )
        for code in mapping.measures:
            if code not in held:
                problems.append(f"{key}.measures: {organisation.code} has no measure {code!r}")
    return problems


def refuse_bad_mapping() -> None:
    """Raise ``SettingError`` listing the mapping's problems, if single sign-on is configured."""
    from pmf.web.env import SettingError

    config = sso_config()
    problems = mapping_problems(config) if config is not None else []
    if problems:
        raise SettingError(
            "PMF_SSO_CONFIG: the group mapping names what pmf does not hold (load the "
            "framework first, or correct the file):\n  " + "\n  ".join(problems)
        )
