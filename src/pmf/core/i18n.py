"""Translate the sentences pmf.core writes, in whatever language the reader has chosen.

pmf.core reads no files and imports no web framework, so it cannot load a catalogue itself:
the web application installs its translation functions at start (Django's, which follow the
language of each request), and until then every message is returned as written (British
English). Mark a message where it is written, with named placeholders filled after
translation, so that a translator sees the whole sentence and may reorder it::

    from pmf.core.i18n import gettext as _

    _("{unit} is {direction} than its peers").format(unit=name, direction=word)

Module-level constants are marked with :func:`gettext_noop` and translated where they are
shown. ``scripts/messages.py`` finds every marked message and keeps the catalogues up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["gettext", "gettext_noop", "install", "ngettext", "pgettext"]


@dataclass
class _Translators:
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    pgettext: Callable[[str, str], str]


def _as_written(message: str) -> str:
    return message


def _plural_as_written(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def _in_context_as_written(context: str, message: str) -> str:
    return message


_current = _Translators(_as_written, _plural_as_written, _in_context_as_written)


def install(
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
    pgettext: Callable[[str, str], str],
) -> None:
    """Translate every message from now on with these functions (the web layer's)."""
    _current.gettext = gettext
    _current.ngettext = ngettext
    _current.pgettext = pgettext


def gettext(message: str) -> str:
    """Return the message in the reader's language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Return the singular or plural form for ``count`` in the reader's language."""
    return _current.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """Return the message in the reader's language, told apart from its namesakes by context."""
    return _current.pgettext(context, message)


def gettext_noop(message: str) -> str:
    """Mark a message for the catalogue without translating it here (translate it when shown)."""
    return message
