"""pmf backup and pmf restore: every table back row by row, or nothing changed.

Run on SQLite (``make pytest``) and on PostgreSQL (``make pytest-postgres``). The comparison is
generic over ``django.apps`` (many-to-many and auth tables included), so a table added later is
compared with no change here; the populated database must have a row in every table.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from pmf.cli import main
from pmf.core.framework import load_framework
from pmf.sources.examples import registry
from pmf.web import backup
from pmf.web.accounts.models import SharingAgreement
from pmf.web.accounts.services import create_demo_users
from pmf.web.api.services import issue_token
from pmf.web.entry.services import keep_upload
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from pmf.web.observations.services import load_example
from tests.factories import GOOD
from tests.web.sample_rows import concrete_models, fill_empty_tables

# A backup reads in a transaction of its own, so these tests commit their rows.
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# Tables that are no model's: the applied migrations (in the manifest) and the shared cache.
NOT_BACKED_UP = {"django_migrations", "pmf_cache"}

Rows = dict[str, list[tuple[Any, ...]]]


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Path) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"


def snapshot() -> Rows:
    """Read every table of every model, every column, rows in primary-key order."""
    rows = {}
    for model in concrete_models(apps):
        columns = [field.attname for field in model._meta.local_concrete_fields]
        query = model._base_manager.order_by("pk").values_list(*columns)
        rows[model._meta.db_table] = list(query)
    return rows


def assert_same(before: Rows, after: Rows) -> None:
    assert sorted(after) == sorted(before)
    for table, rows in before.items():
        assert len(after[table]) == len(rows), f"{table}: {len(after[table])} rows, not {len(rows)}"
        for number, (old, new) in enumerate(zip(rows, after[table], strict=True), start=1):
            assert new == old, f"{table} row {number}"


def empty_the_database() -> None:
    """Leave the database as migrate leaves a new one, content types numbered differently."""
    call_command("flush", interactive=False, verbosity=0)
    Permission.objects.all().delete()
    ContentType.objects.all().delete()
    ContentType.objects.clear_cache()
    configs = list(reversed(list(apps.get_app_configs())))
    for config in configs:
        create_contenttypes(config, verbosity=0)
    for config in configs:
        create_permissions(config, verbosity=0)


def populate_small() -> Organisation:
    organisation = store_framework(load_framework(GOOD), "framework.yaml")
    fill_empty_tables(apps)
    return organisation


def manifest_of(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(backup.MANIFEST))


def rewrite(path: Path, changes: dict[str, bytes]) -> None:
    """Replace some members of the archive ``path``."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members.update(changes)
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def test_round_trip_of_the_police_example_restores_every_table_row_by_row(tmp_path: Path) -> None:
    load_example(registry()["police"])
    police = Organisation.objects.get(code="MPS")
    partner = store_framework(load_framework(GOOD), "framework.yaml")
    create_demo_users(police)
    analyst = User.objects.get(username="demo-analyst")
    issue_token(analyst, "nightly-load")
    group = Group.objects.create(name="Auditors")
    group.permissions.set(Permission.objects.filter(codename__startswith="view_")[:3])
    analyst.groups.add(group)
    analyst.user_permissions.add(Permission.objects.get(codename="change_user"))
    agreement = SharingAgreement.objects.create(
        provider=police, recipient=partner, purpose="Community safety", starts="2026-04-01"
    )
    agreement.areas.set(police.areas.all()[:2])
    Client().force_login(analyst)
    token = keep_upload("figures.csv", "unit,measure\nMPS,café\n".encode(), police, analyst)
    fill_empty_tables(apps)
    before = snapshot()
    # The comparison covers every table in the database, and every table has rows.
    assert set(connection.introspection.table_names()) - set(before) == NOT_BACKED_UP
    assert [table for table, rows in before.items() if not rows] == []

    archive = tmp_path / "pmf.zip"
    summary = backup.backup(archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    manifest = manifest_of(archive)
    assert {table: entry["rows"] for table, entry in manifest["tables"].items()} == {
        table: len(rows) for table, rows in before.items()
    }
    assert summary.total == sum(len(rows) for rows in before.values())
    # Uploads waiting for their import are transient: not in the archive.
    assert "uploads" not in manifest
    assert not any(name.startswith("uploads/") for name in zipfile.ZipFile(archive).namelist())
    assert manifest["vendor"] == connection.vendor
    assert manifest["migrations"]["frameworks"][0] == "0001_initial"

    empty_the_database()
    (tmp_path / "uploads" / token).unlink()
    assert snapshot()["django_content_type"] != before["django_content_type"]
    backup.restore(archive)
    assert_same(before, snapshot())
    assert not (tmp_path / "uploads" / token).exists()
    # The restored database backs up to the same content, table by table.
    again = tmp_path / "again.zip"
    backup.backup(again)
    assert {t: e["sha256"] for t, e in manifest_of(again)["tables"].items()} == {
        t: e["sha256"] for t, e in manifest["tables"].items()
    }


def test_restore_refuses_a_database_with_data_and_replace_replaces_it(tmp_path: Path) -> None:
    populate_small()
    before = snapshot()
    archive = tmp_path / "pmf.zip"
    backup.backup(archive)
    User.objects.create_user("newcomer")
    Organisation.objects.filter(code="TST").update(name="Renamed")
    changed = snapshot()
    with pytest.raises(backup.RestoreRefused, match=r"holds data already.*--replace"):
        backup.restore(archive)
    assert_same(changed, snapshot())
    backup.restore(archive, replace=True)
    assert_same(before, snapshot())


def test_a_damaged_member_is_named_and_nothing_is_restored(tmp_path: Path) -> None:
    populate_small()
    archive = tmp_path / "pmf.zip"
    backup.backup(archive)
    member = "tables/frameworks_unit.jsonl"
    with zipfile.ZipFile(archive) as zf:
        content = zf.read(member)
    manifest = manifest_of(archive)
    empty_the_database()
    empty = snapshot()

    edited = content.replace(b'"North"', b'"Nowhere"', 1)
    assert edited != content
    rewrite(archive, {member: edited})
    with pytest.raises(backup.RestoreRefused, match=rf"{member} does not match.*rows 1 to"):
        backup.restore(archive)
    assert_same(empty, snapshot())

    # A row that is not a row, with a checksum to match: named by member, row and column.
    lines = content.splitlines(keepends=True)
    columns = manifest["tables"]["frameworks_unit"]["columns"]
    row = json.loads(lines[1])
    row[columns.index("external")] = "maybe"
    lines[1] = backup.line(row)
    bad = b"".join(lines)
    manifest["tables"]["frameworks_unit"]["sha256"] = hashlib.sha256(bad).hexdigest()
    manifest["tables"]["frameworks_unit"]["blocks"] = [hashlib.sha256(bad).hexdigest()]
    rewrite(archive, {member: bad, backup.MANIFEST: json.dumps(manifest).encode()})
    with pytest.raises(backup.RestoreRefused, match=rf"{member} row 2: column external: 'maybe'"):
        backup.restore(archive)
    assert_same(empty, snapshot())

    rewrite(archive, {backup.MANIFEST: b"{not json"})
    with pytest.raises(backup.RestoreRefused, match=r"manifest\.json cannot be read"):
        backup.restore(archive)
    (tmp_path / "not.zip").write_text("unit,measure\n", encoding="utf-8")
    with pytest.raises(backup.RestoreRefused, match="not a pmf backup"):
        backup.restore(tmp_path / "not.zip")


def test_a_backup_from_another_pmf_version_says_which_version_to_use(tmp_path: Path) -> None:
    populate_small()
    archive = tmp_path / "pmf.zip"
    backup.backup(archive)
    manifest = manifest_of(archive)
    empty_the_database()

    newer = json.loads(json.dumps(manifest))
    newer["pmf_version"] = "9.0.0"
    newer["migrations"]["frameworks"].append("0099_from_the_future")
    rewrite(archive, {backup.MANIFEST: json.dumps(newer).encode()})
    with pytest.raises(
        backup.RestoreRefused, match=r"frameworks\.0099_from_the_future\. Restore it with pmf 9"
    ):
        backup.restore(archive)

    older = json.loads(json.dumps(manifest))
    older["pmf_version"] = "0.0.1"
    older["migrations"]["frameworks"].remove("0006_computed_peer_groups")
    rewrite(archive, {backup.MANIFEST: json.dumps(older).encode()})
    with pytest.raises(
        backup.RestoreRefused,
        match=r"before these migrations: frameworks\.0006_computed_peer_groups\. Restore it "
        r"with pmf 0\.0\.1 into an empty database, then install pmf .* and run pmf migrate",
    ):
        backup.restore(archive)
    assert backup.occupied_tables() == []

    # A database migrated by a newer pmf is not backed up by this one.
    recorder = MigrationRecorder(connection)
    recorder.record_applied("frameworks", "0099_from_the_future")
    try:
        with pytest.raises(backup.BackupRefused, match=r"1 unknown to this pmf"):
            backup.backup(tmp_path / "refused.zip")
    finally:
        recorder.record_unapplied("frameworks", "0099_from_the_future")
    assert not (tmp_path / "refused.zip").exists()


# An append-only table, as the audit log is: a trigger refuses UPDATE and DELETE.
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER grade_events_append_only BEFORE DELETE ON cycles_gradeevent "
        "BEGIN SELECT RAISE(ABORT, 'grade events are append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'grade events are append-only'; END $$",
        "CREATE TRIGGER grade_events_append_only BEFORE UPDATE OR DELETE ON cycles_gradeevent "
        "FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}


def test_replace_works_past_an_append_only_tables_trigger_and_keeps_it(tmp_path: Path) -> None:
    populate_small()
    before = snapshot()
    archive = tmp_path / "pmf.zip"
    backup.backup(archive)
    with connection.cursor() as cursor:
        for sql in APPEND_ONLY[connection.vendor]:
            cursor.execute(sql)
    try:
        backup.restore(archive, replace=True)
        assert_same(before, snapshot())
        with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM cycles_gradeevent")
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER grade_events_append_only ON cycles_gradeevent")
                cursor.execute("DROP FUNCTION refuse()")
            else:
                cursor.execute("DROP TRIGGER grade_events_append_only")


def test_the_commands_back_up_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    populate_small()
    before = snapshot()
    archive = tmp_path / "nightly.zip"
    assert main(["backup", str(archive)]) == 0
    assert "readable by you only" in capsys.readouterr().out
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert main(["restore", str(archive)]) == 1
    assert "--replace" in capsys.readouterr().err
    assert main(["restore", "--replace", str(archive)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert_same(before, snapshot())


SQLITE_SIDE = """
import sys
from pathlib import Path
from pmf.web.setup import setup_django
setup_django()
from django.apps import apps
from django.core.management import call_command
from pmf.web import backup
call_command("migrate", verbosity=0)
if sys.argv[1] == "make":
    from pmf.core.framework import load_framework
    from pmf.web.frameworks.services import store_framework
    from tests.factories import GOOD
    from tests.web.sample_rows import fill_empty_tables
    store_framework(load_framework(GOOD), "framework.yaml")
    fill_empty_tables(apps)
else:
    backup.restore(Path(sys.argv[3]))
backup.backup(Path(sys.argv[2]))
"""


def on_sqlite(tmp_path: Path, name: str, *args: str) -> None:
    database = tmp_path / f"{name}.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "pmf.web.config.settings",
        "PMF_UPLOAD_DIR": str(tmp_path / f"{name}-uploads"),
    }
    subprocess.run([sys.executable, "-c", SQLITE_SIDE, *args], env=env, cwd=ROOT, check=True)


def checksums(path: Path) -> dict[str, str]:
    return {table: entry["sha256"] for table, entry in manifest_of(path)["tables"].items()}


def test_sqlite_to_this_database_and_back(tmp_path: Path) -> None:
    """On PostgreSQL this is the move from a laptop to a server, and back again."""
    laptop = tmp_path / "laptop.zip"
    on_sqlite(tmp_path, "laptop", "make", str(laptop))
    backup.restore(laptop)
    server = tmp_path / "server.zip"
    backup.backup(server)
    assert manifest_of(server)["vendor"] == connection.vendor
    assert checksums(server) == checksums(laptop)
    back = tmp_path / "back.zip"
    on_sqlite(tmp_path, "back", "restore", str(back), str(server))
    assert checksums(back) == checksums(laptop)


def test_an_earlier_archives_waiting_uploads_are_checked_and_never_written(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Archives from before issue 15 carried uploads; a restore writes no file from them."""
    populate_small()
    before = snapshot()
    archive = tmp_path / "earlier.zip"
    backup.backup(archive)
    content = b"unit,measure\nN,ER\n"
    manifest = manifest_of(archive)
    manifest["uploads"] = {
        "0123456789abcdef0123456789abcdef.csv": hashlib.sha256(content).hexdigest()
    }
    rewrite(
        archive,
        {
            "uploads/0123456789abcdef0123456789abcdef.csv": content,
            backup.MANIFEST: json.dumps(manifest).encode(),
        },
    )
    assert main(["restore", "--replace", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "Left out 1 upload that waited for import" in out
    assert_same(before, snapshot())
    assert not (tmp_path / "uploads").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["earlier.zip"]


def test_an_archive_naming_an_upload_outside_the_folder_is_refused(tmp_path: Path) -> None:
    populate_small()
    archive = tmp_path / "pmf.zip"
    backup.backup(archive)
    manifest = manifest_of(archive)
    manifest["uploads"] = {"../../escaped.csv": hashlib.sha256(b"x").hexdigest()}
    rewrite(
        archive,
        {"uploads/../../escaped.csv": b"x", backup.MANIFEST: json.dumps(manifest).encode()},
    )
    with pytest.raises(backup.RestoreRefused, match="missing or badly named"):
        backup.restore(archive, replace=True)
    assert not (tmp_path.parent / "escaped.csv").exists()
