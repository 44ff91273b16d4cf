"""Keep computed pages under data versions, so a write makes new only the pages it changes.

``data_version`` reads from the database a token that changes with every write to the
figures a page reads (ADR 0010, ADR 0031): the organisation's ``loaded_at`` (every framework
load or change stamps it) and the change counts of the units whose subtrees the page reads,
of all measures or of one. ``record_changes`` adds to those counts in the write's own
transaction. ``cached`` keeps a result under its version in this process's memory and in
the cache every server process on the machine shares, computing it once across the workers
(ADR 0022).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import BaseCache, cache, caches
from django.db import connection
from django.utils import translation

from pmf.core.framework import Framework
from pmf.web.frameworks.models import Measure, Organisation, Unit
from pmf.web.observations.models import MeasureStamp, UnitStamp

T = TypeVar("T")

logger = logging.getLogger(__name__)

# What a page reads, as the units whose subtrees it reads: a list of codes, or a function
# of the framework (an assessment reads its unit's peers and the national comparator too).
Scope = Collection[str] | Callable[[Framework], Collection[str]] | None


def data_version(
    organisation: Organisation, units: Scope = None, measure: str | None = None
) -> str:
    """Return a token that changes whenever the framework or a figure a page reads changes.

    ``units`` are the units whose figures, and their descendants' figures, the page reads
    (default: every unit), as codes or as a function of the framework giving them;
    ``measure`` limits it to one measure's figures. A framework load changes every token of
    the organisation; a write of figures changes the tokens of the pages that read the units
    written (through them or an ancestor), and of no other page. It is read from the
    database in one indexed query, so every worker process sees the same token, and a cache
    keyed on it cannot serve figures older than the last write. Read it before the data it
    keys.
    """
    if not callable(units):
        return _token(organisation, _version_row(organisation, units, measure))
    known = _SCOPES.get(organisation.pk)
    if known is not None:
        row = _version_row(organisation, units(known[1]), measure)
        if row is None or str(row[0]) == known[0]:
            return _token(organisation, row)
        loaded = str(row[0])
    else:
        row = _version_row(organisation, (), measure)
        if row is None:
            return _token(organisation, row)
        loaded = str(row[0])
    from pmf.web.frameworks.services import framework_of

    # The framework read between two reads of the same load time is that load's framework.
    for _ in range(3):
        framework = framework_of(organisation)
        row = _version_row(organisation, units(framework), measure)
        if row is None:
            return _token(organisation, row)
        if str(row[0]) == loaded:
            _SCOPES[organisation.pk] = (loaded, framework)
            return _token(organisation, row)
        loaded = str(row[0])
    # Frameworks loaded faster than this reads them: the whole organisation's token is safe.
    return "all-" + _token(organisation, _version_row(organisation, None, measure))


# The framework each organisation's scopes were last worked out from, with its load time.
_SCOPES: dict[int, tuple[str, Framework]] = {}


def _token(organisation: Organisation, row: tuple[Any, Any] | None) -> str:
    if row is None:
        return f"{organisation.pk}-gone"
    loaded_at, changes = row
    # The stamp is used as the database gives it (a datetime or, from SQLite, text): it only
    # has to change.
    return f"{organisation.pk}-{loaded_at}-{changes or 0}".replace(" ", "_")


def _version_row(
    organisation: Organisation, units: Collection[str] | None, measure: str | None
) -> tuple[Any, Any] | None:
    """Return the organisation's load time and the change count of ``units``' subtrees."""
    table = Organisation._meta.db_table
    unit = Unit._meta.db_table
    stamps = (MeasureStamp if measure is not None else UnitStamp)._meta.db_table
    # One indexed lookup on every page view: plain SQL, no query building.
    # From the units' codes (their organisation and code are indexed) to their counts.
    where = "u.organisation_id = o.id"
    params: list[Any] = []
    if units is None:
        where += " AND u.parent_id IS NULL"  # the roots: their subtrees hold every unit
    else:
        chosen = sorted(set(units)) or [""]
        where += f" AND u.code IN ({', '.join(['%s'] * len(chosen))})"
        params.extend(chosen)
    if measure is not None:
        where += (
            f" AND s.measure_id = (SELECT m.id FROM {Measure._meta.db_table} m "  # noqa: S608
            "WHERE m.organisation_id = o.id AND m.code = %s)"
        )
        params.append(measure)
    sql = (
        "SELECT o.loaded_at, (SELECT SUM(s.changes) "  # noqa: S608 - names are ours
        f"FROM {unit} u JOIN {stamps} s ON s.unit_id = u.id WHERE {where}) "
        f"FROM {table} o WHERE o.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, organisation.pk])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


def measure_versions(organisation: Organisation, units: Collection[str]) -> dict[str, str]:
    """Return each measure's data version (as ``data_version`` with ``measure``) in one query.

    Measures no write has changed yet are missing: their version is ``data_version``'s with
    no change, ``measure_version(versions, code)``.
    """
    table = Organisation._meta.db_table
    unit = Unit._meta.db_table
    measure = Measure._meta.db_table
    stamps = MeasureStamp._meta.db_table
    chosen = sorted(set(units)) or [""]
    sql = (
        f"SELECT o.loaded_at, NULL, NULL FROM {table} o WHERE o.id = %s UNION ALL "  # noqa: S608
        f"SELECT NULL, m.code, SUM(s.changes) FROM {unit} u "
        f"JOIN {stamps} s ON s.unit_id = u.id JOIN {measure} m ON m.id = s.measure_id "
        f"WHERE u.organisation_id = %s AND u.code IN ({', '.join(['%s'] * len(chosen))}) "
        "GROUP BY m.code"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [organisation.pk, organisation.pk, *chosen])
        rows = cursor.fetchall()
    # A column each for the load time and the codes: a database types a column by its first row.
    loaded = [value for value, code, _ in rows if code is None]
    found = {"": _token(organisation, (loaded[0], 0) if loaded else None)}
    if loaded:
        for _, code, changes in rows:
            if code is not None:
                found[code] = _token(organisation, (loaded[0], changes))
    return found


def measure_version(versions: Mapping[str, str], code: str) -> str:
    """Return one measure's version from ``measure_versions``' answer."""
    return versions.get(code, versions[""])


def record_changes(organisation: Organisation, changed: Iterable[tuple[int, int]]) -> None:
    """Count one change of each (unit id, measure id) written, in each unit and its ancestors.

    Call it in the write's transaction, after the figures are stored: the counts and the
    figures are committed together, so no reader sees one without the other. Each changed
    row counts once however many figures of it the write stored. The rows are written in
    one order, so two writers that share an ancestor take turns rather than deadlock.
    """
    pairs = set(changed)
    if not pairs:
        return
    parents = dict(Unit.objects.filter(organisation=organisation).values_list("id", "parent_id"))
    lines: dict[int, list[int]] = {}

    def line(unit_id: int) -> list[int]:
        """Return the unit and its ancestors' ids."""
        if unit_id not in lines:
            parent = parents.get(unit_id)
            lines[unit_id] = [unit_id, *(line(parent) if parent is not None else [])]
        return lines[unit_id]

    by_measure = sorted({(above, measure) for unit, measure in pairs for above in line(unit)})
    by_unit = sorted({above for above, _ in by_measure})
    _upsert(UnitStamp._meta.db_table, ["unit_id"], [(unit,) for unit in by_unit])
    _upsert(MeasureStamp._meta.db_table, ["unit_id", "measure_id"], by_measure)


def _upsert(table: str, keys: list[str], rows: Sequence[tuple[int, ...]]) -> None:
    """Add one to ``changes`` of each row ``rows`` names, creating the rows not there yet."""
    names = ", ".join(keys)
    conflict = f"ON CONFLICT ({names}) DO UPDATE SET changes = {table}.changes + 1"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join("%s::bigint[]" for _ in keys)
            sql = (
                f"INSERT INTO {table} ({names}, changes) "  # noqa: S608
                f"SELECT {names}, 1 FROM unnest({columns}) AS t({names}) "
                f"ORDER BY {names} {conflict}"
            )
            cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
            return
        selected = ", ".join(f"json_extract(j.value, '$[{index}]')" for index in range(len(keys)))
        sql = (
            f"INSERT INTO {table} ({names}, changes) "  # noqa: S608
            f"SELECT {selected}, 1 FROM json_each(%s) AS j WHERE true {conflict}"
        )
        for start in range(0, len(rows), _UPSERT_CHUNK):
            cursor.execute(sql, [json.dumps(rows[start : start + _UPSERT_CHUNK])])


_UPSERT_CHUNK = 50_000


# Cached results are keyed by the data version, so a write makes them unreachable at once;
# the timeout only lets the cache forget what nobody reads any more.
CACHE_SECONDS = 24 * 60 * 60
# While one process computes a result, the others wait for it this long before computing it
# themselves (if that process died, its claim lapses after CLAIM_SECONDS).
WAIT_SECONDS = 30.0
CLAIM_SECONDS = 60
_POLL_SECONDS = 0.05
_MISSING = object()


def cached(version: str, name: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """Return ``compute()``, kept in the caches under the data version, a name and parts.

    ``parts`` are everything else the result depends on (unit, period, filters), as values
    whose ``repr`` is stable. A result is looked for in this process's memory, then in the
    cache every server process shares (``CACHES["pages"]``); only one process computes a
    missing result while the others wait for it, so a write followed by many readers costs
    one computation, not one per worker and reader.
    """
    key = result_key(version, name, parts)
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return cast(T, found)
    value = _shared(key, compute)
    cache.set(key, value, CACHE_SECONDS)
    return value


def result_key(version: str, name: str, parts: tuple[Any, ...]) -> str:
    """Return the key a result is kept under: code, language, name, data version and parts."""
    return f"pmf:{code_stamp()}:{_language()}:{name}:{version}:{_digest(parts)}"


def _language() -> str:
    """Return the language results are written in: part of every key, never mixed up.

    Cached results hold sentences (a rationale, a trend, a grade's name) in the reader's
    language, so a Welsh page is never served to an English reader, nor the reverse.
    """
    return translation.get_language() or settings.LANGUAGE_CODE


@functools.cache
def code_stamp() -> str:
    """Return a token of pmf's code: its version and a digest of its source files' contents.

    Part of every cached result's key, so that a shared cache (files that outlive the server,
    or a Redis server several app servers use) never gives a result computed by other code
    after an upgrade or an edit. It depends on the code alone, not on where or when it was
    installed, so that two machines with the same release share every result (ADR 0032).
    Read once per process: about 2 MB of files, some 10 to 30 ms.
    """
    root = Path(__file__).resolve().parents[1]  # the pmf package
    stamp = hashlib.sha256(importlib.metadata.version("pmf").encode())
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix().encode()
        content = path.read_bytes()
        stamp.update(b"%s\0%d\0%s" % (name, len(content), content))
    return stamp.hexdigest()[:12]


# When the cache every server shares fails (a Redis server down or not answering), pages are
# computed without it for this long before it is tried again: a page never waits on it twice.
RETRY_SECONDS = 30.0
_shared_down_until = 0.0


def _pages() -> BaseCache | None:
    """Return the cache every server process shares, or None while it is failing."""
    return None if time.monotonic() < _shared_down_until else caches["pages"]


def _failed(error: Exception) -> None:
    """Leave the shared cache alone for a while after ``error``, and say so in the log."""
    global _shared_down_until  # this process's memory of a failed server
    _shared_down_until = time.monotonic() + RETRY_SECONDS
    logger.warning(
        "The shared page cache failed (%s: %s); pages are computed without it for %d s.",
        type(error).__name__,
        error,
        RETRY_SECONDS,
    )


def _quietly(action: Callable[..., object], *args: Any) -> None:
    """Do ``action`` on the shared cache; a failure only makes pages be computed again."""
    try:
        action(*args)
    except Exception as error:  # any backend's failure: Redis, files
        _failed(error)


def _shared(key: str, compute: Callable[[], T]) -> T:
    """Return the result under ``key`` from the shared cache, computing it at most once.

    When the shared cache fails, the result is computed here and the failure logged: a
    page is slower, never an error (``RETRY_SECONDS``). An error of ``compute`` itself is
    never caught here.
    """
    shared = _pages()
    claim = f"{key}:computing"
    claimed = False
    if shared is not None:
        try:
            found, claimed = _found_or_claimed(shared, key, claim)
        except Exception as error:  # any backend's failure: Redis, files
            _failed(error)
            shared = None
        else:
            if found is not _MISSING:
                return cast(T, found)
    try:
        value = compute()
        if shared is not None:
            _quietly(shared.set, key, value, CACHE_SECONDS)
    finally:
        if shared is not None and claimed:  # a claim still held by a slow process is theirs
            _quietly(shared.delete, claim)
    return value


def _found_or_claimed(shared: BaseCache, key: str, claim: str) -> tuple[object, bool]:
    """Return the result under ``key`` once there, or whether this process claimed it.

    While another process holds the claim, wait for its result (up to ``WAIT_SECONDS``);
    if it gave up or its claim lapsed, this process computes it.
    """
    found = shared.get(key, _MISSING)
    if found is not _MISSING:
        return found, False
    if shared.add(claim, os.getpid(), CLAIM_SECONDS):
        return _MISSING, True
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)
        found = shared.get(key, _MISSING)
        if found is not _MISSING:
            return found, False
        if not shared.has_key(claim):
            break  # the other process gave up (an error): compute it here
    return _MISSING, False


def cached_parts(
    parts: Mapping[str, tuple[str, str, tuple[Any, ...]]],
    compute: Callable[[list[str]], Mapping[str, T]],
) -> dict[str, T]:
    """Return a result for each of ``parts``, computing together only those not cached.

    ``parts`` maps a name to the version, name and parts ``cached`` would key it by;
    ``compute(missing)`` returns the results of the names missing from both caches, which
    are kept for the next reader. One computation of a few parts costs less than one of all.
    """
    keys = {name: result_key(version, kind, key) for name, (version, kind, key) in parts.items()}
    found_local = cache.get_many(list(keys.values()))
    missing = [key for key in keys.values() if key not in found_local]
    shared = _pages()
    found_shared: dict[str, Any] = {}
    if missing and shared is not None:
        try:
            found_shared = shared.get_many(missing)
        except Exception as error:  # any backend's failure: Redis, files
            _failed(error)
            shared = None
    found = {**found_local, **found_shared}
    if found_shared:
        cache.set_many(found_shared, CACHE_SECONDS)
    stale = [name for name, key in keys.items() if key not in found]
    results = {name: cast(T, found[key]) for name, key in keys.items() if key in found}
    if stale:
        computed = compute(stale)
        fresh = {keys[name]: computed[name] for name in stale}
        if shared is not None:
            _quietly(shared.set_many, fresh, CACHE_SECONDS)
        cache.set_many(fresh, CACHE_SECONDS)
        results.update({name: computed[name] for name in stale})
    return results


def _digest(parts: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]
