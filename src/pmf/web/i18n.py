"""Languages of the web application: British English and Welsh.

Welsh public bodies publish bilingually, so every page, paper, email and generated sentence
is translatable. The catalogues live in ``src/pmf/locale/<area>/cy/LC_MESSAGES/django.po``, one
per area of the code (see ``scripts/messages.py``), and are compiled by ``make setup``.

The reader chooses the language with the switcher in every page's header ("English |
Cymraeg"), which links to :func:`choose_language`: it keeps the choice in Django's language
cookie (read by ``LocaleMiddleware`` on every request, signed in or not) and, for a signed-in
user, in their preference, so that emails and scheduled papers can be written in the
recipient's language (:func:`language_for`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from pmf.core import i18n

__all__ = [
    "WELSH",
    "choose_language",
    "html_language",
    "install_core_translations",
    "language_for",
]

WELSH = "cy"
# The <html lang> of each language, as BCP 47 writes it (British English: en-GB).
_HTML_LANG = {"en-gb": "en-GB", WELSH: WELSH}


def install_core_translations() -> None:
    """Let the sentences pmf.core and pmf.reports write follow the request's language."""
    i18n.install(translation.gettext, translation.ngettext, translation.pgettext)
    i18n.install_language(translation.get_language)


def _supported(code: str | None) -> str | None:
    """Return ``code`` if it is one of the site's languages, None otherwise."""
    codes = {language for language, _ in settings.LANGUAGES}
    return code if code in codes else None


def language_for(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """Return the language to write to ``user`` in: their choice, else the site's default.

    Emails and scheduled papers are written outside any request; activate this language
    around them (``translation.override(language_for(user))``).
    """
    from pmf.web.accounts.models import LanguagePreference

    if user is None or not user.is_authenticated:
        return str(settings.LANGUAGE_CODE)
    chosen = LanguagePreference.objects.filter(user_id=user.pk).values_list("language", flat=True)
    return _supported(chosen.first()) or str(settings.LANGUAGE_CODE)


def _next_url(request: HttpRequest, given: str | None) -> str:
    """Return ``given`` if it is a path on this site, else the home page: never elsewhere."""
    if given and url_has_allowed_host_and_scheme(
        given, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return given
    return "/"


@login_not_required
@never_cache
def choose_language(request: HttpRequest) -> HttpResponse:
    """Keep the reader's language (``language``) and send them back to ``next``, on this site.

    A link (GET) from the switcher or a form (POST, with its CSRF token) may choose; anyone
    may, signed in or not (the sign-in page has the switcher too). An unknown language
    changes nothing. The choice is the language cookie, and a signed-in user's preference.
    """
    data: Any = request.POST if request.method == "POST" else request.GET
    response = HttpResponseRedirect(_next_url(request, data.get("next")))
    language = _supported(data.get("language"))
    if language is None:
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",  # sent on a link from another site, not on its forms' POSTs
    )
    if request.user.is_authenticated:
        from pmf.web.accounts.models import LanguagePreference

        LanguagePreference.objects.update_or_create(
            user_id=request.user.pk, defaults={"language": language}
        )
    return response


def html_language(request: HttpRequest) -> dict[str, str]:
    """Give every template ``html_lang``, the active language as ``<html lang>`` writes it."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    return {"html_lang": _HTML_LANG.get(active.lower(), active)}
