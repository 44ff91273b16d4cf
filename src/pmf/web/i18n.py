"""Languages of the web application: British English and Welsh.

Welsh public bodies publish bilingually, so every page, paper, email and generated sentence
is translatable. The catalogues live in ``src/pmf/locale/<area>/cy/LC_MESSAGES/django.po``, one
per area of the code (see ``scripts/messages.py``), and are compiled by ``make setup``.
"""

from __future__ import annotations

from django.utils import translation

from pmf.core import i18n


def install_core_translations() -> None:
    """Let the sentences pmf.core and pmf.reports write follow the request's language."""
    i18n.install(translation.gettext, translation.ngettext, translation.pgettext)
