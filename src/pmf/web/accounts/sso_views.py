"""The single sign-on pages: off to the provider, back from it, and signing out of both."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from pmf.web.accounts.sso import (
    CHECKED_SESSION_KEY,
    ID_TOKEN_SESSION_KEY,
    SSO_SESSION_KEY,
    SsoUnavailable,
    discover,
    oidc_setting,
    sso_config,
)

LOGGER = logging.getLogger("pmf.sso")


def problem_page(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    """Render the page that says why the sign-in did not happen, with a way back."""
    config = sso_config()
    return render(
        request,
        "registration/sso_problem.html",
        {"title": title, "message": message, "provider": config.name if config else ""},
        status=status,
    )


def _unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    LOGGER.error("single sign-on: the identity provider cannot be reached: %s", error)
    return problem_page(
        request,
        _("Sign-in is not available"),
        _(
            "pmf cannot reach the service that signs you in. Try again in a few minutes; if "
            "it still fails, tell your administrator."
        ),
        503,
    )


class SsoSignInView(OIDCAuthenticationRequestView):  # type: ignore[misc]  # no types
    """Send the person to the identity provider to sign in (``?next=`` comes back with them)."""

    def __init__(self, **kwargs: Any) -> None:
        # The library reads the provider's endpoints here; pmf reads them in get(), where a
        # provider that cannot be reached is a page, not a server error.
        View.__init__(self, **kwargs)

    def get_settings(self, attr: str, *args: Any) -> Any:
        """Answer the library's settings from pmf's configuration."""
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        """Redirect to the provider's authorisation endpoint with state, nonce and PKCE."""
        config = sso_config()
        if config is None:
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discover(config).authorization_endpoint
        except SsoUnavailable as error:
            return _unavailable(request, error)
        self.OIDC_RP_CLIENT_ID = config.client_id
        response: HttpResponse = super().get(request)
        return response


class SsoCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]  # no types
    """Take the provider's answer: sign the person in, or say why not."""

    def get_settings(self, attr: str, *args: Any) -> Any:
        """Answer the library's settings from pmf's configuration."""
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        """Exchange the code for tokens and sign in; a refusal is a page saying why."""
        if sso_config() is None:
            raise Http404("Single sign-on is not configured.")
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as error:  # a state this browser never sent
            LOGGER.warning("single sign-on callback refused: %s", error)
            return self.login_failure()
        except SsoUnavailable as error:
            return _unavailable(request, error)
        except OSError as error:
            answer = getattr(error, "response", None)
            if answer is not None and 400 <= answer.status_code < 500:
                # The provider refused the code (used, expired, or not this client's).
                LOGGER.warning("single sign-on: the provider refused the code: %s", error)
                return self.login_failure()
            return _unavailable(request, error)  # the token or userinfo endpoint did not answer
        return response

    def login_success(self) -> HttpResponse:
        """Sign in, and remember that the provider did it (for signing out there too)."""
        response: HttpResponse = super().login_success()
        self.request.session[SSO_SESSION_KEY] = True
        self.request.session[CHECKED_SESSION_KEY] = time.time()
        return response

    def login_failure(self) -> HttpResponse:
        """Say why: no group for pmf (403), or a sign-in that did not complete (400)."""
        refused = getattr(self.request, "pmf_sso_refused", None)
        if refused:
            return problem_page(self.request, _("You cannot sign in to pmf"), refused, 403)
        return problem_page(
            self.request,
            _("Sign-in did not complete"),
            _(
                "The sign-in was cancelled, took too long or was started in another browser. "
                "Try again."
            ),
            400,
        )


class SignOutView(auth_views.LogoutView):
    """Sign out of pmf; after a single sign-on, out of the provider too where it offers that."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """End the pmf session, then send the browser to the provider's end-session endpoint."""
        single = bool(request.session.get(SSO_SESSION_KEY))
        id_token = request.session.get(ID_TOKEN_SESSION_KEY, "")
        response: HttpResponse = super().post(request, *args, **kwargs)
        config = sso_config()
        if not single or config is None:
            return response
        try:
            end_session = discover(config).end_session_endpoint
        except SsoUnavailable as error:
            LOGGER.warning("single sign-on: no sign-out at the provider: %s", error)
            return response
        if not end_session:
            return response
        query = {
            "client_id": config.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
        if id_token:
            query["id_token_hint"] = id_token
        separator = "&" if "?" in end_session else "?"
        return HttpResponseRedirect(f"{end_session}{separator}{urlencode(query)}")
