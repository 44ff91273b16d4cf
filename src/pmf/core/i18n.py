"""Mark the sentences pmf.core writes for translation (a placeholder until Welsh is merged).

The welsh-core part of issue 20 brings the real module (the web application installs
Django's translation functions); this one returns every message as written, with the same
names, so that messages marked here are found by its catalogue tools. At merge, keep
welsh-core's module.
"""

from __future__ import annotations


def gettext(message: str) -> str:
    """Return ``message`` translated: as written, until a translator is installed."""
    return message


def gettext_noop(message: str) -> str:
    """Return ``message`` unchanged, marked for translation where it is shown."""
    return message
