"""Who is calling: a bearer token for programs, or the browser's session for the docs page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from pmf.web.api.services import user_for_key


class BearerToken(HttpBearer):
    """``Authorization: Bearer <key>`` with a key issued on the tokens page or by ``pmf token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_key(token.strip())
        if user is not None:
            # The services ask request.user, as they do for the pages.
            request.user = user
        return user


class BrowserSession(APIKeyCookie):
    """The signed-in browser's session, so that the docs page can try requests out.

    Reading needs nothing more; a write must carry the CSRF token (the docs page sends it),
    or another site could make a signed-in person's browser change figures.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if self.csrf and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header with a write"))
        return request.user
