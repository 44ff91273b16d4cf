"""Set Django up for the command line, which uses the same storage as the web application."""

from __future__ import annotations

import os


def setup_django() -> None:
    """Configure Django from ``pmf.web.config.settings`` once; later calls do nothing."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.web.config.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
