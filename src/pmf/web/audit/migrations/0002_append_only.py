"""Refuse UPDATE and DELETE on the audit trail in the database itself, per vendor.

The model refuses them too; the triggers also stop raw SQL and any other client of the
database. TRUNCATE (an administrator's act, outside the application) is not a row change.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "audit_auditevent"
MESSAGE = "the audit trail is append-only"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION pmf_audit_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION pmf_audit_refuse_change()
    """,
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS pmf_audit_refuse_change()",
]
SQLITE = [
    f"""
    CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]
STATEMENTS = {"postgresql": (POSTGRESQL, POSTGRESQL_REVERSE), "sqlite": (SQLITE, SQLITE_REVERSE)}


def _run(schema_editor: Any, reverse: bool) -> None:
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if statements is None:
        return  # another database: the model's own refusals still hold
    for sql in statements[1 if reverse else 0]:
        schema_editor.execute(sql, params=None)


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, reverse=False)


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, reverse=True)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
