"""The pmf command line: ``pmf.cli.app`` builds it from the command groups in this package.

Nothing outside this package imports it (an import-linter contract), and importing one of
its modules imports no other: ``main`` is looked up on first use. ``pmf`` and
``python -m pmf.cli`` run ``pmf.cli.app.main``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmf.cli.app import main

__all__ = ["main"]


def __getattr__(name: str) -> object:
    """Return ``main`` from ``pmf.cli.app`` when first asked for (``from pmf.cli import main``)."""
    if name == "main":
        from pmf.cli.app import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
