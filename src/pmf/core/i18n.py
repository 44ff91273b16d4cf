"""Translation for pmf.core and pmf.reports without Django: ``gettext`` and ``ngettext``.

The web layer installs Django's translation functions here (``install``); until it does,
the English text is returned as it is. (A placeholder of the delivery branch: the Welsh
branch's module of the same name and API replaces it at merge.)
"""

from __future__ import annotations

from collections.abc import Callable

_gettext: Callable[[str], str] = lambda message: message  # noqa: E731
_ngettext: Callable[[str, str, int], str] = lambda singular, plural, n: (  # noqa: E731
    singular if n == 1 else plural
)


def install(gettext_: Callable[[str], str], ngettext_: Callable[[str, str, int], str]) -> None:
    """Use these translation functions from now on (the web layer passes Django's)."""
    global _gettext, _ngettext
    _gettext, _ngettext = gettext_, ngettext_


def gettext(message: str) -> str:
    """Return ``message`` in the active language."""
    return _gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural of a message for ``n``, in the active language."""
    return _ngettext(singular, plural, n)
