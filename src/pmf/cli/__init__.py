"""The pmf command line: ``pmf.cli.app`` builds it from the command groups in this package.

Nothing outside this package imports it (an import-linter contract); ``pmf`` and
``python -m pmf.cli`` run ``main``.
"""

from pmf.cli.app import main

__all__ = ["main"]
