"""Response headers that keep pages safe: the Content Security Policy, and no caching of
what a signed-in person or an API token reads.

Every page's scripts and styles come from pmf's own static files: no inline script, no
inline style, no other host. Charts draw with Vega's expression interpreter, which needs
no ``eval``; htmx is configured not to evaluate code or inject styles (see base.html).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

HEADER = "Content-Security-Policy"
PRIVATE = "private, no-store"


class ContentSecurityPolicyMiddleware:
    """Add ``settings.CONTENT_SECURITY_POLICY`` to every response that has no policy of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read for each response (a few joins): a policy changed after start-up applies, as
        # the single sign-on tests' provider in the sign-out form's form-action does.
        policy = "; ".join(
            f"{directive} {' '.join(sources)}"
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )
        if policy and HEADER not in response:
            response[HEADER] = policy
        return response


class PrivateResponsesMiddleware:
    """Mark every response to a signed-in person or an API token private, never to be stored.

    Pre-publication figures must not stay in a shared proxy's cache or in the browser's after
    the person signs out. Public static files (answered by WhiteNoise before anyone is signed
    in) and the anonymous pages keep their own caching. Place this before the authentication
    middleware: it reads ``request.user`` on the way out, after the view (and the API's
    bearer token) has set it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = PRIVATE
            if "Expires" in response:
                del response["Expires"]
        return response


class RefuseNulMiddleware:
    """Answer 400 to a request whose address or query holds the NUL character.

    No text in pmf may hold it, and PostgreSQL refuses it in any query (a filter holding it
    was a server error there and a quiet "not found" on SQLite). The API answers as its other
    refusals do, ``{"detail": ...}``; a page answers in plain words.
    """

    MESSAGE = "The address holds the NUL character (\\0), which no code or text may contain."

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.lists()
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in query
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": self.MESSAGE}, status=400)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
