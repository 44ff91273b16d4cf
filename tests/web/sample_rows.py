"""A row in every empty table, from the models alone: for backups and migrations tests.

Generic over a Django app registry (the installed apps, or a migration state's historical
models), so a table added later gets a row with no change here. Values are chosen to catch a
lossy round trip: text with accents, quotes and new lines, floats that are not exact in
decimal, times with microseconds, nested JSON with keys out of order.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.apps.registry import Apps
from django.db import models

WHEN = dt.datetime(2026, 3, 31, 23, 59, 58, 123456, tzinfo=dt.UTC)


def concrete_models(registry: Apps) -> list[type[models.Model]]:
    """Return the registry's models with a table of their own, parents first."""
    found: dict[str, type[models.Model]] = {}
    for model in registry.get_models(include_auto_created=True):
        meta = model._meta
        if not (meta.proxy or not meta.managed or meta.swapped or meta.db_table in found):
            found[meta.db_table] = model
    ordered: dict[str, type[models.Model]] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered or name in path:
            return
        for field in found[name]._meta.local_concrete_fields:
            target = field.related_model if field.is_relation else None
            if isinstance(target, type) and target._meta.db_table in found:
                visit(target._meta.db_table, (*path, name))
        ordered[name] = found[name]

    for name in sorted(found):
        visit(name, ())
    return list(ordered.values())


def value_for(
    model: type[models.Model], field: models.Field[Any, Any], n: int, nth: int = 0
) -> Any:
    """Return a value for ``field`` of the ``n``th sample row: unique where it must be.

    ``nth``: how many earlier fields of the row refer to the same table; each such field
    gets a row of its own (a sharing agreement's provider and recipient differ).
    """
    if field.is_relation:
        target = field.related_model
        assert isinstance(target, type)
        rows = target._base_manager.order_by("pk")
        if field.unique:
            # A one-to-one: a target row nothing refers to yet, made if need be.
            taken = model._base_manager.values(field.attname)
            row = rows.exclude(pk__in=taken).first() or add_row(target, n + 1)
        else:
            row = rows[nth : nth + 1].first()
            if row is None:
                if field.null and nth == 0:
                    return None
                row = add_row(target, n + nth)
        return row.pk
    if field.choices:
        return field.choices[n % len(field.choices)][0]
    if isinstance(field, models.BooleanField):
        return True
    if isinstance(field, models.DecimalField):
        return decimal.Decimal(1).scaleb(-field.decimal_places) * (n + 1)
    if isinstance(field, models.FloatField):
        return n + 1 / 3
    if isinstance(field, models.IntegerField):
        return n + 1
    if isinstance(field, models.DateTimeField):
        return WHEN - dt.timedelta(days=n)
    if isinstance(field, models.DateField):
        return WHEN.date() - dt.timedelta(days=n)
    if isinstance(field, models.TimeField):
        return WHEN.time()
    if isinstance(field, models.DurationField):
        return dt.timedelta(days=n, microseconds=7)
    if isinstance(field, models.UUIDField):
        return uuid.UUID(int=n + 1)
    if isinstance(field, models.JSONField):
        return {"z": [1, 2.5, None, "café"], "a": {"b": True, "n": n}}
    if isinstance(field, models.BinaryField):
        return bytes([0, 255, n % 256])
    if isinstance(field, models.EmailField):
        return f"sample{n}@example.org"
    if isinstance(field, models.GenericIPAddressField):
        return "192.0.2.1"
    if isinstance(field, models.TextField):
        return f'Row {n}: "quoted", café\nsecond line'
    if isinstance(field, models.CharField):
        return f"s{n}-{field.name}-é"[: field.max_length]
    raise TypeError(f"{model._meta.label}.{field.name}: no sample value for {type(field)}")


def add_row(model: type[models.Model], n: int = 0) -> models.Model:
    """Insert one sample row into ``model``'s table and return it."""
    values = {}
    targets: list[Any] = []
    for field in model._meta.local_concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField):
            continue
        target = field.related_model if field.is_relation else None
        values[field.attname] = value_for(model, field, n, targets.count(target))
        if target is not None:
            targets.append(target)
    row = model(**values)
    row.save_base(raw=True, force_insert=True)
    return row


def fill_empty_tables(registry: Apps) -> list[str]:
    """Give every empty table of the registry a sample row; return the tables filled."""
    filled = []
    for model in concrete_models(registry):
        if not model._base_manager.exists():
            add_row(model)
            filled.append(model._meta.db_table)
    return filled
