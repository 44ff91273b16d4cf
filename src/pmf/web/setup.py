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
    """Create or update the database tables, and the table of the shared cache.

    Quietly, a database that has every migration on disk applied is left as it is without
    Django's ``migrate``, which imports every migration to find that out (a third of a second
    at the start of every command).
    """
    from django.core.management import call_command

    if not (quiet and _all_applied()):
        call_command("migrate", verbosity=0 if quiet else 1, interactive=False)
    # The shared cache (sign-in lockouts, seen by every server process) lives in a table.
    call_command("createcachetable", verbosity=0)


def _all_applied() -> bool:
    """Say whether every migration file of every app is recorded as applied in the database.

    Reads the names of the files and of the ``django_migrations`` rows, importing no
    migration. Anything it cannot tell (no table yet, a database fault) is False, and
    ``migrate`` then decides as before; so is a squashed migration not yet recorded itself.
    """
    import importlib.util

    from django.apps import apps
    from django.db import DatabaseError, connection
    from django.db.migrations.loader import MigrationLoader

    on_disk: set[tuple[str, str]] = set()
    for config in apps.get_app_configs():
        module, _ = MigrationLoader.migrations_module(config.label)
        if module is None:
            continue
        try:
            spec = importlib.util.find_spec(module)
        except ImportError:
            continue
        if spec is None or spec.submodule_search_locations is None:
            continue
        for folder in spec.submodule_search_locations:
            for entry in os.scandir(folder):
                # As Django's loader: modules, neither packages nor names starting _ or ~.
                stem, dot, suffix = entry.name.partition(".")
                if dot and suffix in ("py", "pyc") and entry.is_file() and stem[:1] not in "_~":
                    on_disk.add((config.label, stem))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {(str(app), str(name)) for app, name in cursor.fetchall()}
    except DatabaseError:
        return False
    return on_disk <= applied


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
