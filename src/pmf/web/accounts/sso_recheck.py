"""Re-check an open single sign-on session against the provider, every few minutes.

A session signed in through the provider (``SSO_SESSION_KEY``) is checked again when
``recheck_minutes`` (``PMF_SSO_CONFIG``) have passed since the last check: pmf exchanges the
refresh token it was given at the sign-in for new tokens, reads the person's claims from the
new ID token and the userinfo endpoint, and maps their groups exactly as at the sign-in
(``sso.sign_in_from_claims``): their role and unit follow their groups; in no mapped group,
their membership ends (recorded) and they are signed out with the refusal page. A provider
that refuses the refresh token (the person disabled, their tokens revoked) ends the session.

The check is made on the server, within the request: nothing is redirected to the provider,
so a form sent or an API call is never turned into a redirect. A session that ends at a
check answers a page's GET as signed out (the sign-in page, with the way back); a form sent
gets a 403 page saying to sign in again; an API call gets a 401 with the reason.

A provider that cannot be reached does not end the session at once: pmf tries again a minute
later, and ends the session ``recheck_grace_minutes`` after the missed check was due, so an
unreachable provider never keeps a session open for ever (docs/guide/sso.md, ADR 0052).
Local accounts are never checked here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

import requests
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from pmf.web.accounts.models import SsoIdentity
from pmf.web.accounts.sso import (
    CHECKED_SESSION_KEY,
    ID_TOKEN_SESSION_KEY,
    LOGGER,
    REFRESH_TOKEN_SESSION_KEY,
    SSO_SESSION_KEY,
    TIMEOUT_SECONDS,
    SsoBackend,
    SsoUnavailable,
    discover,
    sign_in_from_claims,
    sso_config,
)
from pmf.web.accounts.sso_config import SignInRefused, SsoConfig

# When pmf may ask an unreachable provider again (seconds since the epoch), and how soon.
RETRY_SESSION_KEY = "pmf_sso_retry"
RETRY_SECONDS = 60
API_PREFIX = "/api/"
# Signing in and out, and choosing the language, are never held up by a re-check: signing
# out of a session just ended must not answer "your sign-in has ended".
EXEMPT_URL_NAMES = ("logout", "sso-login", "sso-callback", "language")


class SessionEnded(Exception):
    """Raise when the provider no longer vouches for the session (refresh token refused)."""


def recheck(request: HttpRequest, config: SsoConfig) -> None:
    """Read the person's claims from the provider again and map their groups as at sign-in.

    Raise ``SignInRefused`` when their groups give no place any more (membership ended),
    ``SessionEnded`` when the provider refuses the refresh token or answers about someone
    else, ``SsoUnavailable`` when it cannot be reached.
    """
    session = request.session
    refresh_token = str(session.get(REFRESH_TOKEN_SESSION_KEY) or "")
    if not refresh_token:
        raise SessionEnded("the provider gave no refresh token at the sign-in")
    identity = SsoIdentity.objects.filter(user_id=int(request.user.pk or 0)).first()
    if identity is None:
        raise SessionEnded("the person has no identity at the provider any more")
    provider = discover(config)
    backend = SsoBackend()
    backend.request = request
    answer = _ask(_refresh, provider.token_endpoint, config, refresh_token)
    access_token = str(answer.get("access_token") or "")
    id_token = str(answer.get("id_token") or "")
    payload: dict[str, Any] = {"sub": identity.subject}
    try:
        if id_token:
            payload = backend.get_payload_data(id_token, backend.retrieve_matching_jwk(id_token))
            audience = payload.get("aud")
            audiences = [audience] if isinstance(audience, str) else list(audience or [])
            if payload.get("iss") != provider.issuer or config.client_id not in audiences:
                raise SessionEnded("the refreshed ID token is not the provider's for pmf")
        claims = _ask(backend.get_userinfo, access_token, id_token, payload)
        if not (str(claims.get("sub")) == str(payload.get("sub")) == identity.subject):
            raise SessionEnded("the provider answered about another subject")
        user = sign_in_from_claims(config, provider.issuer, claims, recheck=True)
    except SuspiciousOperation as error:
        raise SessionEnded(str(error)) from None
    if user.pk != request.user.pk:
        raise SessionEnded("the provider's subject belongs to another account")
    session[REFRESH_TOKEN_SESSION_KEY] = str(answer.get("refresh_token") or refresh_token)
    if id_token:
        session[ID_TOKEN_SESSION_KEY] = id_token


def _refresh(token_endpoint: str, config: SsoConfig, refresh_token: str) -> Any:
    """Exchange the refresh token for new tokens (the client authenticated by HTTP Basic).

    HTTP Basic is the client authentication every provider must accept (RFC 6749, 2.3.1),
    with the identifier and secret form-encoded.
    """
    answer = requests.post(
        token_endpoint,
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "scope": " ".join(config.scopes),
        },
        auth=(quote_plus(config.client_id), quote_plus(config.client_secret)),
        timeout=TIMEOUT_SECONDS,
    )
    answer.raise_for_status()
    return answer.json()


def _ask(call: Callable[..., Any], *args: Any) -> Any:
    """Call the provider; its refusal (4xx) ends the session, its silence is unavailability."""
    try:
        return call(*args)
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else 0
        if 400 <= status < 500:
            raise SessionEnded(f"the provider refused: {error}") from None
        raise SsoUnavailable(str(error)) from None
    except (requests.RequestException, ValueError) as error:
        raise SsoUnavailable(str(error)) from None


class SsoRecheckMiddleware:
    """Check single sign-on sessions against the provider when their re-check is due."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer for the check when it ends the session; else go on with the request."""
        return self.check(request) or self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        """Re-check the session if due; return the answer when it ends it."""
        config = sso_config()
        session = request.session
        if config is None or not session.get(SSO_SESSION_KEY):
            return None
        if not request.user.is_authenticated:
            return None
        if request.path in {reverse(name) for name in EXEMPT_URL_NAMES}:
            return None
        now = time.time()
        due = float(session.get(CHECKED_SESSION_KEY) or 0) + config.recheck_minutes * 60
        if now < due or now < float(session.get(RETRY_SESSION_KEY) or 0):
            return None
        username = request.user.get_username()
        try:
            recheck(request, config)
        except SignInRefused as refusal:
            LOGGER.warning("single sign-on re-check: %s has no place any more", username)
            logout(request)
            return self.refused(request, config, str(refusal))
        except SessionEnded as error:
            LOGGER.warning("single sign-on re-check: %s signed out: %s", username, error)
            logout(request)
            return self.ended(request, config, unreachable=False)
        except SsoUnavailable as error:
            if now >= due + config.recheck_grace_minutes * 60:
                LOGGER.error(
                    "single sign-on re-check: %s signed out, no provider: %s", username, error
                )
                logout(request)
                return self.ended(request, config, unreachable=True)
            LOGGER.warning("single sign-on re-check for %s put off: %s", username, error)
            session[RETRY_SESSION_KEY] = now + RETRY_SECONDS
            return None
        session[CHECKED_SESSION_KEY] = now
        session.pop(RETRY_SESSION_KEY, None)
        return None

    def refused(self, request: HttpRequest, config: SsoConfig, message: str) -> HttpResponse:
        """Say that the person's groups no longer give them a place (the sign-in's refusal)."""
        from pmf.web.accounts.sso_views import problem_page

        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": message}, status=401)
        return problem_page(request, _("You cannot sign in to pmf"), message, 403)

    def ended(
        self, request: HttpRequest, config: SsoConfig, *, unreachable: bool
    ) -> HttpResponse | None:
        """Answer a request whose session just ended: a page's GET goes on signed out."""
        from pmf.web.accounts.sso_views import problem_page

        if unreachable:
            message = _(
                "pmf could not check your access with {provider} in time, so you have been "
                "signed out. Sign in again when {provider} is available."
            ).format(provider=config.name)
        else:
            message = _(
                "Your sign-in with {provider} has ended. Sign in again; anything you were "
                "sending was not saved."
            ).format(provider=config.name)
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": message}, status=401)
        if request.method in {"GET", "HEAD"}:
            return None
        return problem_page(request, _("Your sign-in has ended"), message, 403)
