"""Migrations forward on a populated database: every row survives, new columns are filled.

Each pmf app goes back to its first migration (or before it, when that needs a later migration
of another app), a row goes into every table with the historical models of that state, and
the database is migrated forward to the latest. Generic over the migration graph: a new
migration is tested with no change here. A data migration adds its own check to
``DATA_MIGRATIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.graph import MigrationGraph
from django.db.models import NOT_PROVIDED

from tests.web.sample_rows import concrete_models, fill_empty_tables

pytestmark = pytest.mark.django_db(transaction=True)

Key = tuple[str, str]
Target = tuple[str, str | None]
Rows = dict[str, dict[Any, dict[str, Any]]]

# Checks of data migrations: (app, migration) -> a function of the rows before and after.
DATA_MIGRATIONS: dict[Key, Callable[[Rows, Rows], None]] = {}


def pmf_apps(graph: MigrationGraph) -> list[str]:
    from django.apps import apps

    labels = {config.label for config in apps.get_app_configs() if config.name.startswith("pmf.")}
    return sorted({app for app, _ in graph.nodes} & labels)


def early_targets(graph: MigrationGraph) -> list[Target]:
    """Each pmf app at its first migration, or unmigrated if that needs another's later one."""
    local = pmf_apps(graph)
    target: dict[str, str | None] = {app: graph.root_nodes(app)[0][1] for app in local}

    def within(node: Key) -> bool:
        name = target[node[0]]
        return name is not None and node in graph.forwards_plan((node[0], name))

    changed = True
    while changed:
        changed = False
        for app, name in target.items():
            needs = graph.forwards_plan((app, name)) if name else []
            if any(a in local and a != app and not within((a, n)) for a, n in needs):
                target[app] = None
                changed = True
    others = [node for node in graph.leaf_nodes() if node[0] not in local]
    return [*others, *sorted(target.items())]


def rows_of(registry: Apps) -> Rows:
    """Read every table of the registry: rows by primary key, values by column."""
    rows: Rows = {}
    for model in concrete_models(registry):
        fields = model._meta.local_concrete_fields
        rows[model._meta.db_table] = {
            values[model._meta.pk.attname]: {
                field.column: values[field.attname] for field in fields
            }
            for values in model._base_manager.values(*[f.attname for f in fields])
        }
    return rows


def migrate(targets: list[Target]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _default(field: Any) -> Any:
    """Return the value a column added with ``field`` gives existing rows."""
    if field.default is not NOT_PROVIDED:
        return field.get_default()
    # A database default (db_default) is an expression: Value("") holds "".
    return getattr(field.db_default, "value", field.db_default)


def test_migrations_forward_keep_every_row_of_a_populated_database() -> None:
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    latest = graph.leaf_nodes()
    early = early_targets(graph)
    assert ("frameworks", "0001_initial") in early
    try:
        executor = migrate(early)
        old = executor.loader.project_state([t for t in early if t[1]]).apps
        filled = fill_empty_tables(old)
        assert "frameworks_organisation" in filled
        before = rows_of(old)
        executor = migrate(latest)
        now = executor.loader.project_state(latest).apps
        after = rows_of(now)
    finally:
        migrate(latest)
    defaults = {
        model._meta.db_table: {
            field.column: _default(field)
            for field in model._meta.local_concrete_fields
            if field.default is not NOT_PROVIDED or field.db_default is not NOT_PROVIDED
        }
        for model in concrete_models(now)
    }
    for table, rows in before.items():
        assert table in after, f"{table} is gone"
        for pk, row in rows.items():
            assert pk in after[table], f"{table} row {pk} is gone"
            new = after[table][pk]
            for column, value in row.items():
                if column in new:
                    assert new[column] == value, f"{table} row {pk} column {column}"
            for column in set(new) - set(row):
                # A column added since: the row has its default (or NULL).
                expected = defaults[table].get(column)
                assert new[column] == expected, f"{table} row {pk} new column {column}"
    for check in DATA_MIGRATIONS.values():
        check(before, after)
