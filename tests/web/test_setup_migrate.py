"""Updating the tables at a command's start: a database already up to date is left as it is.

``pmf.web.setup.migrate`` reads the migration files' names and the ``django_migrations`` rows
before it asks Django's ``migrate``; these tests check that shortcut says "up to date" only
when Django would find nothing to apply.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from pmf.web.setup import _all_applied, migrate, migrations_pending

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_migrated_database_is_up_to_date() -> None:
    assert not migrations_pending()
    assert _all_applied()


def test_an_unapplied_migration_is_seen_and_then_applied() -> None:
    from django.core.management import call_command

    graph = MigrationLoader(connection).graph
    # The latest migration of a pmf app that has an earlier one to go back to.
    app, name = next(
        (app, name)
        for app, name in sorted(graph.leaf_nodes())
        if graph.node_map[(app, name)].parents and app in {"entry", "observations", "audit"}
    )
    (parent,) = [node.key for node in graph.node_map[(app, name)].parents if node.key[0] == app]
    call_command("migrate", app, parent[1], verbosity=0)
    assert migrations_pending()
    assert not _all_applied()
    migrate()
    assert not migrations_pending()
    assert _all_applied()


def test_a_migration_not_recorded_as_applied_is_not_up_to_date() -> None:
    # django_migrations is no model's table: the test database is not reset after this test,
    # so the row goes back as it was.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT app, name, applied FROM django_migrations WHERE app = 'frameworks' "
            "ORDER BY name DESC"
        )
        app, name, applied = cursor.fetchone()
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", [app, name])
        try:
            assert not _all_applied()
        finally:
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)",
                [app, name, applied],
            )
    assert _all_applied()
