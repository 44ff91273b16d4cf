"""Sign-in with a lockout: repeated failures for one username pause further attempts."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import views as auth_views
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest, HttpResponse

from pmf.web.accounts.sso import sso_config

# After this many failures within the window, the username is locked for the window.
MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _key(username: str) -> str:
    """Return the failure counter's key: one for every spelling Django signs in as the user.

    Django normalises a username with NFKC before looking it up, so a full-width "ｌockme"
    signs in as "lockme": the key is normalised the same way, then case-folded.
    """
    return f"pmf-sign-in-failures:{unicodedata.normalize('NFKC', username).strip().casefold()}"


def _cache() -> BaseCache:
    # Shared by every server process, so that a second worker does not reset the count.
    return caches["shared"]


def is_locked(username: str) -> bool:
    """Say whether sign-ins for ``username`` are paused after repeated failures."""
    return int(_cache().get(_key(username), 0)) >= MAX_FAILURES


class SignInView(auth_views.LoginView):
    """Django's sign-in page, refusing a locked username before checking its password.

    With single sign-on configured it offers the provider's button too, or only that when
    the deployment has switched local accounts off (docs/guide/sso.md).
    """

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """Add the single sign-on provider, if any, and whether passwords are accepted."""
        config = sso_config()
        return super().get_context_data(
            sso=config, local_accounts=config is None or config.local_accounts, **kwargs
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        config = sso_config()
        if config is not None and not config.local_accounts:
            # Single sign-on only: no password is checked, whoever's it is.
            return self.render_to_response(self.get_context_data(), status=403)
        username = request.POST.get("username", "")
        if is_locked(username):
            return self.render_to_response(
                self.get_context_data(form=self.get_form(), locked=True), status=429
            )
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:  # the form came back: the password was wrong
            key = _key(username)
            _cache().add(key, 0, WINDOW_SECONDS)
            try:
                _cache().incr(key)
            except ValueError:  # a sign-in with the right password cleared it meanwhile
                _cache().add(key, 1, WINDOW_SECONDS)
            # incr() writes the count back with the cache's default timeout (5 minutes):
            # the window is counted from the latest failure, as documented.
            _cache().touch(key, WINDOW_SECONDS)
        else:
            _cache().delete(_key(username))
        return response
