"""Set Django up for the command line, which uses the same storage as the web application.

Also what the command line, the benchmarks and the tests do with that storage outside a
request: update the tables, run the background worker.
"""

from __future__ import annotations

import os


def setup_django() -> None:
    """Configure Django from ``pmf.web.config.settings`` once; later calls do nothing."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.web.config.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def migrate(*, quiet: bool = True) -> None:
    """Create or update the database tables, and the table of the shared cache."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0 if quiet else 1, interactive=False)
    # The shared cache (sign-in lockouts, seen by every server process) lives in a table.
    call_command("createcachetable", verbosity=0)


def migrations_pending() -> bool:
    """Say whether migrations are waiting to be applied (False if the database cannot say)."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return False


def run_worker(*, batch: bool = False) -> None:
    """Run queued background jobs (large imports) until interrupted, or only those waiting now."""
    from django.core.management import call_command

    call_command(
        "db_worker", batch=batch, reload=False, startup_delay=not batch, interval=1, verbosity=1
    )
