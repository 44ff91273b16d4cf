"""Keep computed pages under the data version, so a write makes every page of its organisation new.

``data_version`` reads a token from the database that every write changes (ADR 0010);
``cached`` keeps a result under that token in this process's memory and in the cache every
server process on the machine shares, computing it once across the workers (ADR 0022).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from django.core.cache import cache, caches
from django.db import connection

from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import ImportBatch

T = TypeVar("T")


def data_version(organisation: Organisation) -> str:
    """Return a token that changes whenever the organisation's framework or figures change.

    Every write changes it: loading a framework stamps the organisation's ``loaded_at``, and
    every import or entry that changes a figure adds an import batch. It is read from the
    database, so every worker process sees the same token, and a cache keyed on it cannot
    serve figures older than the last write. Read it before the data it keys.
    """
    batch = ImportBatch._meta.db_table
    table = Organisation._meta.db_table
    # One indexed lookup on every page view: plain SQL, no query building. The stamp is used
    # as the database gives it (a datetime or, from SQLite, text): it only has to change.
    sql = (
        f"SELECT o.loaded_at, (SELECT MAX(b.id) FROM {batch} b "  # noqa: S608 - names are ours
        f"WHERE b.organisation_id = o.id) FROM {table} o WHERE o.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [organisation.pk])
        row = cursor.fetchone()
    if row is None:
        return f"{organisation.pk}-gone"
    loaded_at, last_batch = row
    return f"{organisation.pk}-{loaded_at}-{last_batch or 0}".replace(" ", "_")


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
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]
    key = f"pmf:{code_stamp()}:{name}:{version}:{digest}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return cast(T, found)
    value = _shared(key, compute)
    cache.set(key, value, CACHE_SECONDS)
    return value


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


def _shared(key: str, compute: Callable[[], T]) -> T:
    """Return the result under ``key`` from the shared cache, computing it at most once."""
    shared = caches["pages"]
    found = shared.get(key, _MISSING)
    if found is not _MISSING:
        return cast(T, found)
    claim = f"{key}:computing"
    claimed = shared.add(claim, os.getpid(), CLAIM_SECONDS)
    if not claimed:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
            found = shared.get(key, _MISSING)
            if found is not _MISSING:
                return cast(T, found)
            if not shared.has_key(claim):
                break  # the other process gave up (an error): compute it here
    try:
        value = compute()
        shared.set(key, value, CACHE_SECONDS)
    finally:
        if claimed:  # a claim still held by a slow process is theirs to release
            shared.delete(claim)
    return value
