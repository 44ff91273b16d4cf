"""Back the whole database up to one archive file, and restore it: all or nothing.

The archive is a zip file that describes itself (ADR 0021):

- ``manifest.json``: the archive format, the pmf version, the database vendor, when it was
  made, the migrations applied (per app), and for every table its columns, row count and the
  sha256 of its member (plus one per block of rows, to say where a damaged member differs);
- ``tables/<table>.jsonl``: one JSON array per row, every column in the manifest's order, rows
  in primary-key order. Values are written the same way whichever database they came from
  (times in UTC, decimals as text), so a table's checksum is the checksum of its content;

Uploaded files waiting for their import are not in the archive: they are transient (deleted
once imported, refused or a day old), belong to the analyst who uploaded them, and live in
this deployment's own folder. Archives written by earlier versions hold them as
``uploads/<name>``; a restore checks them against the manifest and leaves them out, so it
writes no file anywhere, only rows into the database.

The tables are every concrete model Django knows (``django.apps``), the auto-created
many-to-many tables included, so a table added by a later migration is backed up with no
change here. Two tables are not: ``django_migrations`` (its content is the manifest's
``migrations``) and the shared cache table (sign-in lockouts; rebuilt as people sign in).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import importlib.metadata
import json
import os
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Collate
from django.utils.duration import duration_iso_string

FORMAT = 1
MANIFEST = "manifest.json"
# A checksum per this many rows, so a damaged member is reported with the rows that differ.
BLOCK = 10_000
CHUNK = 2_000
# Tables migrate fills on an empty database: the archive's rows replace them, ids and all,
# because permissions and generic relations refer to content types by id.
FILLED_BY_MIGRATE = ("django_content_type", "auth_permission")
UPLOAD_NAME = re.compile(r"[0-9A-Za-z_.-]+")


# What reading a damaged archive's member raises: a bad header or checksum, a damaged
# compressed stream (zlib.error), a member cut short.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


class RestoreRefused(Exception):
    """The archive cannot be restored here; the message says why and what to do."""


class BackupRefused(Exception):
    """The database cannot be backed up as it is; the message says what to do."""


@dataclass(frozen=True)
class Table:
    """One database table: its model, columns and archive member."""

    model: type[models.Model]
    fields: tuple[models.Field[Any, Any], ...]

    @property
    def name(self) -> str:
        return str(self.model._meta.db_table)

    @property
    def member(self) -> str:
        return f"tables/{self.name}.jsonl"

    @property
    def columns(self) -> list[str]:
        return [str(f.column) for f in self.fields]


@dataclass
class Summary:
    """What a backup wrote or a restore read: rows per table, and uploads left out."""

    rows: dict[str, int] = field(default_factory=dict)
    # Waiting uploads in an earlier version's archive, checked and not restored.
    uploads_left_out: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """Return every table of every installed model, parents before the tables that refer to them.

    Generic over ``django.apps``: proxy, unmanaged and swapped models are left out, many-to-many
    tables are in, and a table shared by several models appears once.
    """
    found: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped or meta.db_table in found:
            continue
        found[meta.db_table] = Table(model, tuple(meta.local_concrete_fields))
    # Order by foreign keys (a depth-first walk); cycles and self-references are left to the
    # database, whose foreign keys are checked at commit.
    ordered: dict[str, Table] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered or name in path:
            return
        for column in found[name].fields:
            target = column.related_model if column.is_relation else None
            if isinstance(target, type) and target._meta.db_table in found:
                visit(target._meta.db_table, (*path, name))
        ordered[name] = found[name]

    for name in sorted(found):
        visit(name, ())
    return list(ordered.values())


def migration_state(alias: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """Return the migrations applied to the database, per app."""
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def code_migration_state() -> dict[str, list[str]]:
    """Return the migrations this version of pmf has, per app (what ``pmf migrate`` applies)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    state: dict[str, list[str]] = {}
    for app, name in loader.graph.nodes:
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def _differences(have: dict[str, list[str]], want: dict[str, list[str]]) -> list[str]:
    """Name the migrations in ``have`` but not ``want`` ("app.name")."""
    return sorted(
        f"{app}.{name}"
        for app, names in have.items()
        for name in sorted(set(names) - set(want.get(app, [])))
    )


def pmf_version() -> str:
    """Return the installed pmf's version."""
    return importlib.metadata.version("pmf")


# --------------------------------------------------------------------------------------------
# Values: the same text from SQLite and PostgreSQL
# --------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Return ``value`` as JSON, the same whichever database it was read from.

    >>> plain(decimal.Decimal("0E-2")), plain(dt.date(2026, 4, 1))
    ('0.00', '2026-04-01')
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    return value


def line(values: list[Any]) -> bytes:
    """Return one row as its canonical line: JSON, keys sorted, no spaces, UTF-8."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def _rows(table: Table, alias: str) -> Iterator[tuple[Any, ...]]:
    """Yield every row of ``table`` in primary-key order, a chunk at a time."""
    connection = connections[alias]
    pk = table.model._meta.pk
    order: Any = "pk"
    if connection.vendor == "postgresql" and isinstance(pk, models.CharField | models.TextField):
        # Byte order, as SQLite sorts text: the same member whichever database it came from.
        order = Collate("pk", "C")
    query = table.model._base_manager.using(alias).order_by(order)
    yield from query.values_list(*[f.attname for f in table.fields]).iterator(chunk_size=CHUNK)


@contextmanager
def _snapshot(alias: str) -> Iterator[None]:
    """Read every table from one snapshot of the database, writing nothing."""
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupRefused("A backup reads in a transaction of its own: start it outside one.")
    if connection.vendor == "sqlite":
        # A deferred read transaction: in WAL mode writers carry on, and we see one snapshot.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _entry(name: str) -> zipfile.ZipInfo:
    """Return a compressed zip entry stamped now (a streamed entry is otherwise dated 1980)."""
    entry = zipfile.ZipInfo(name, date_time=dt.datetime.now().timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def _private_file(path: Path) -> IO[bytes]:
    """Open ``path`` for writing, readable and writable by its owner only (0600)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")


def backup(path: Path, alias: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write the whole database to the archive ``path`` (mode 0600).

    Reads one consistent snapshot (REPEATABLE READ on PostgreSQL, one read transaction on
    SQLite) and streams each table, so memory does not grow with the number of rows. The file
    appears complete or not at all: it is written beside ``path`` and renamed at the end.
    """
    applied = migration_state(alias)
    code = code_migration_state()
    missing, unknown = _differences(code, applied), _differences(applied, code)
    if missing or unknown:
        first = (missing or unknown)[0]
        raise BackupRefused(
            f"The database is not at this pmf's migration state ({len(missing)} migrations not "
            f"applied, {len(unknown)} unknown to this pmf; first {first}). Back it up with the "
            "pmf version that last migrated it"
            + (", or run pmf migrate first." if not unknown else ".")
        )
    partial = path.with_name(f".{path.name}.partial")
    summary = Summary()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "pmf_version": pmf_version(),
        "vendor": connections[alias].vendor,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "migrations": applied,
        "tables": {},
    }
    try:
        with _private_file(partial) as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            with _snapshot(alias):
                for table in tables():
                    digest, blocks, count = hashlib.sha256(), [], 0
                    block = hashlib.sha256()
                    with zf.open(_entry(table.member), "w", force_zip64=True) as member:
                        for row in _rows(table, alias):
                            data = line([plain(value) for value in row])
                            member.write(data)
                            digest.update(data)
                            block.update(data)
                            count += 1
                            if count % BLOCK == 0:
                                blocks.append(block.hexdigest())
                                block = hashlib.sha256()
                    if count % BLOCK:
                        blocks.append(block.hexdigest())
                    manifest["tables"][table.name] = {
                        "model": table.model._meta.label,
                        "columns": table.columns,
                        "rows": count,
                        "sha256": digest.hexdigest(),
                        "blocks": blocks,
                    }
                    summary.rows[table.name] = count
            zf.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return summary


# --------------------------------------------------------------------------------------------
# Restore
# --------------------------------------------------------------------------------------------


def read_manifest(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    """Return the archive's manifest; raise ``RestoreRefused`` if it has none we can read."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise RestoreRefused(f"{name}: no {MANIFEST}; this is not a pmf backup.") from None
    except (ValueError, *DAMAGED) as error:
        raise RestoreRefused(
            f"{name}: {MANIFEST} cannot be read ({error}): the archive is damaged. "
            "Nothing was restored; restore an earlier backup."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RestoreRefused(
            f"{name}: backup format {manifest.get('format')!r} is not this pmf's ({FORMAT}); "
            "restore it with the pmf version that made it."
            if isinstance(manifest, dict)
            else f"{name}: {MANIFEST} is not an object."
        )
    return manifest


def _check_migrations(manifest: dict[str, Any], name: str, alias: str) -> None:
    """Refuse unless the archive's migrations are exactly the database's and the code's."""
    code = code_migration_state()
    database = migration_state(alias)
    if _differences(code, database):
        raise RestoreRefused("The database is not fully migrated: run pmf migrate first.")
    archive = {app: list(names) for app, names in manifest.get("migrations", {}).items()}
    newer = _differences(archive, code)
    older = _differences(code, archive)
    made_by = manifest.get("pmf_version", "unknown")
    if newer:
        raise RestoreRefused(
            f"{name} was made by pmf {made_by}, whose database has migrations this pmf "
            f"({pmf_version()}) does not know: {', '.join(newer[:5])}"
            f"{' ...' if len(newer) > 5 else ''}. Restore it with pmf {made_by}."
        )
    if older:
        raise RestoreRefused(
            f"{name} was made by pmf {made_by}, before these migrations: "
            f"{', '.join(older[:5])}{' ...' if len(older) > 5 else ''}. Restore it with pmf "
            f"{made_by} into an empty database, then install pmf {pmf_version()} and run "
            "pmf migrate."
        )


def _decoder(table: Table) -> Callable[[list[Any]], dict[str, Any]]:
    """Return a function from a row's JSON values to attribute values for the model."""
    fields = table.fields

    def decode(values: list[Any]) -> dict[str, Any]:
        if not isinstance(values, list) or len(values) != len(fields):
            count = len(values) if isinstance(values, list) else "no list of"
            raise ValueError(f"has {count} values; the manifest lists {len(fields)} columns")
        row = {}
        for column, value in zip(fields, values, strict=True):
            try:
                row[column.attname] = (
                    value
                    if value is None or isinstance(column, models.JSONField)
                    else column.to_python(value)
                )
            except (ValidationError, ValueError, TypeError) as error:
                text = "; ".join(error.messages) if isinstance(error, ValidationError) else error
                raise ValueError(f"column {column.column}: {value!r}: {text}") from None
        return row

    return decode


def _read_rows(
    archive: zipfile.ZipFile, table: Table, name: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield each row of the table's member, numbered from 1, decoded for the model."""
    decode = _decoder(table)
    with archive.open(table.member) as member:
        for number, raw in enumerate(member, start=1):
            yield number, _decode_line(decode, raw, number, table, name)


def _decode_line(
    decode: Callable[[list[Any]], dict[str, Any]], raw: bytes, number: int, table: Table, name: str
) -> dict[str, Any]:
    try:
        return decode(json.loads(raw))
    except ValueError as error:
        raise RestoreRefused(
            f"{name}: {table.member} row {number}: {error}. Nothing was restored."
        ) from None


def _verify(archive: zipfile.ZipFile, manifest: dict[str, Any], name: str) -> list[Table]:
    """Check every member against the manifest and every row against its model; return tables."""
    described = manifest.get("tables", {})
    known = tables()
    names = {table.name for table in known}
    unknown = sorted(set(described) - names)
    absent = sorted(names - set(described))
    if unknown or absent:
        raise RestoreRefused(
            f"{name}: its tables are not this pmf's "
            f"(not here: {', '.join(unknown) or 'none'}; not in the backup: "
            f"{', '.join(absent) or 'none'})."
        )
    members = set(archive.namelist())
    for table in known:
        entry = described[table.name]
        if entry.get("columns") != table.columns:
            raise RestoreRefused(
                f"{name}: {table.member}: columns {entry.get('columns')} are not this pmf's "
                f"{table.columns}."
            )
        if table.member not in members:
            raise RestoreRefused(f"{name}: {table.member} is missing. Nothing was restored.")
        digest, block, blocks, count = hashlib.sha256(), hashlib.sha256(), [], 0
        decode = _decoder(table)
        try:
            with archive.open(table.member) as lines:
                for raw in lines:
                    _decode_line(decode, raw, count + 1, table, name)
                    digest.update(raw)
                    block.update(raw)
                    count += 1
                    if count % BLOCK == 0:
                        blocks.append(block.hexdigest())
                        block = hashlib.sha256()
        except DAMAGED as error:
            raise RestoreRefused(
                f"{name}: {table.member} cannot be read ({error}): the archive is damaged. "
                "Nothing was restored."
            ) from None
        if count % BLOCK:
            blocks.append(block.hexdigest())
        if digest.hexdigest() != entry.get("sha256") or count != entry.get("rows"):
            expected = entry.get("blocks", [])
            first = next(
                (i for i, (a, b) in enumerate(zip(blocks, expected, strict=False)) if a != b),
                min(len(blocks), len(expected)),
            )
            raise RestoreRefused(
                f"{name}: {table.member} does not match its checksum in the manifest "
                f"({count} rows, the manifest says {entry.get('rows')}; the first difference is "
                f"in rows {first * BLOCK + 1} to {(first + 1) * BLOCK}): the file is damaged or "
                "was edited. Nothing was restored."
            )
    for upload, expected_digest in manifest.get("uploads", {}).items():
        member = f"uploads/{upload}"
        if not UPLOAD_NAME.fullmatch(upload) or member not in members:
            raise RestoreRefused(f"{name}: {member} is missing or badly named.")
        try:
            content = archive.read(member)
        except DAMAGED as error:
            raise RestoreRefused(
                f"{name}: {member} cannot be read ({error}): the archive is damaged. "
                "Nothing was restored."
            ) from None
        if hashlib.sha256(content).hexdigest() != expected_digest:
            raise RestoreRefused(
                f"{name}: {member} does not match its checksum in the manifest. "
                "Nothing was restored."
            )
    return known


def occupied_tables(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Return the tables holding rows, other than those migrate fills by itself."""
    return [
        table.name
        for table in tables()
        if table.name not in FILLED_BY_MIGRATE and table.model._base_manager.using(alias).exists()
    ]


@contextmanager
def _triggers_off(connection: BaseDatabaseWrapper, names: list[str]) -> Iterator[None]:
    """Switch the tables' own triggers off inside the transaction, and on again after.

    An append-only table (the audit log) refuses UPDATE and DELETE by a trigger; a restore
    writes the archived rows exactly, so no trigger fires while it does. PostgreSQL: ALTER
    TABLE ... DISABLE TRIGGER USER (foreign-key triggers stay on). SQLite: drop the triggers
    and create them again from their stored SQL. Both are undone if the restore fails.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in names:
                cursor.execute(f"ALTER TABLE {quote(name)} DISABLE TRIGGER USER")
            yield
            for name in names:
                cursor.execute(f"ALTER TABLE {quote(name)} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'trigger'")
            triggers = [(name, sql) for name, sql, table in cursor.fetchall() if table in names]
            for trigger, _ in triggers:
                cursor.execute(f"DROP TRIGGER {quote(trigger)}")
            yield
            for _, sql in triggers:
                cursor.execute(sql)
        else:
            yield


def _insert(table: Table, rows: list[dict[str, Any]], alias: str) -> None:
    connection = connections[alias]
    objects = [SimpleNamespace(**row) for row in rows]
    size = max(1, connection.ops.bulk_batch_size(list(table.fields), objects))
    manager = table.model._base_manager.using(alias)
    for start in range(0, len(objects), size):
        # raw=True: the values as archived (no auto_now, no defaults), as loaddata does.
        manager._insert(  # type: ignore[attr-defined]  # private, so not in django-stubs
            objects[start : start + size], fields=list(table.fields), raw=True, using=alias
        )


def restore(path: Path, *, replace: bool = False, alias: str = DEFAULT_DB_ALIAS) -> Summary:
    """Restore the archive ``path`` into the database, all or nothing.

    Refuses an archive whose migrations differ from this pmf's, a damaged archive (naming the
    member and row) and, unless ``replace``, a database that holds data already. Every member
    is checked before anything is written; the rows are then written in one transaction, the
    tables' own triggers off, and PostgreSQL's sequences are set past the restored ids.
    """
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise RestoreRefused(f"{path}: no such file.") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise RestoreRefused(f"{name}: not a pmf backup ({error}).") from None
    with archive:
        manifest = read_manifest(archive, name)
        _check_migrations(manifest, name, alias)
        known = _verify(archive, manifest, name)
        if not replace:
            occupied = occupied_tables(alias)
            if occupied:
                raise RestoreRefused(
                    f"The database holds data already ({', '.join(occupied[:5])}"
                    f"{' ...' if len(occupied) > 5 else ''}): restore into an empty database, "
                    "or give --replace to delete everything in it first."
                )
        summary = Summary()
        connection = connections[alias]
        names = [table.name for table in known]
        try:
            with transaction.atomic(using=alias), _triggers_off(connection, names):
                for table in reversed(known):
                    table.model._base_manager.using(alias)._raw_delete(alias)
                for table in known:
                    batch: list[dict[str, Any]] = []
                    count = 0
                    for count, row in _read_rows(archive, table, name):  # noqa: B007
                        batch.append(row)
                        if len(batch) >= CHUNK:
                            _insert(table, batch, alias)
                            batch = []
                    if batch:
                        _insert(table, batch, alias)
                    summary.rows[table.name] = count
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(
                        no_style(), [t.model for t in known]
                    ):
                        cursor.execute(sql)
                _check_constraints(connection, names)
        except IntegrityError as error:
            raise RestoreRefused(
                f"{name}: its rows break a rule of the database ({error}). Nothing was restored."
            ) from None
        summary.uploads_left_out = len(manifest.get("uploads", {}))
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    return summary


def _check_constraints(connection: BaseDatabaseWrapper, names: list[str]) -> None:
    """Check the foreign keys now, inside the transaction, so a failure can be reported."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        connection.check_constraints(table_names=names)
