"""Who is acting when no one is signed in: the command line's user and command.

No Django here: the command line sets it before Django is set up.
"""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterator
from contextvars import ContextVar

# The command line says who is acting (the operating system's user and the command); the web
# passes the signed-in user. Anything else is the system itself.
_ACTING_AS: ContextVar[str] = ContextVar("pmf_acting_as", default="")


@contextlib.contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Record changes made inside the block as made by ``label`` when no user is given."""
    token = _ACTING_AS.set(label)
    try:
        yield
    finally:
        _ACTING_AS.reset(token)


def command_line_actor(command: str) -> str:
    """Return the label of the person running a command: ``"alice via pmf import"``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        name = "unknown user"
    return f"{name} via pmf {command}"


def acting_label() -> str:
    """Return the label set by ``acting_as``, or "" outside it."""
    return _ACTING_AS.get()
