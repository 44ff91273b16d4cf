"""Load a framework into storage, and rebuild the core framework from storage."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from pmf.core.framework import Framework, FrameworkModel
from pmf.web.frameworks.models import (
    Area,
    AreaName,
    Measure,
    Organisation,
    PeerGroup,
    Standard,
    Unit,
)


@transaction.atomic
def store_framework(framework: Framework, file_name: str = "") -> Organisation:
    """Create or update the organisation and everything in its framework, by code.

    Units, areas and measures that are no longer in the file are kept, because
    observations may refer to them.
    """
    model = framework.model
    org = model.organisation
    organisation, _ = Organisation.objects.update_or_create(
        code=org.code,
        defaults={
            "name": org.name,
            "kind": org.kind,
            "description": org.description,
            "source": org.source,
            "licence": org.licence,
            "national": org.national or "",
            "framework_file": file_name,
        },
    )
    units = _store_units(organisation, framework)
    areas = {}
    for position, area in enumerate(model.areas):
        stored, _ = Area.objects.update_or_create(
            organisation=organisation,
            code=area.code,
            defaults={"name": area.name, "description": area.description, "position": position},
        )
        stored.former_names.all().delete()
        AreaName.objects.bulk_create(
            AreaName(area=stored, name=former.name, until=former.until or "", position=index)
            for index, former in enumerate(area.formerly)
        )
        areas[area.code] = stored
    for position, measure in enumerate(model.measures):
        fields = measure.model_dump(
            mode="json", exclude={"code", "area", "standard", "window_months"}
        )
        fields = {key: "" if value is None else value for key, value in fields.items()}
        stored_measure, _ = Measure.objects.update_or_create(
            organisation=organisation,
            code=measure.code,
            defaults={
                **fields,
                "area": areas[measure.area],
                "window_months": measure.window_months,
                "position": position,
            },
        )
        stored_measure.standards.all().delete()
        Standard.objects.bulk_create(
            Standard(
                measure=stored_measure,
                position=index,
                type=standard.type,
                definition=standard.model_dump(mode="json", exclude_none=True),
            )
            for index, standard in enumerate(measure.standard)
        )
    organisation.peer_groups.all().delete()
    for position, group in enumerate(model.peer_groups):
        stored_group = PeerGroup.objects.create(
            organisation=organisation,
            name=group.name,
            unit=units[group.unit] if group.unit else None,
            include_self=group.include_self,
            method=group.method,
            position=position,
        )
        stored_group.members.set([units[code] for code in (group.members or group.units)])
    return organisation


def _store_units(organisation: Organisation, framework: Framework) -> dict[str, Unit]:
    stored: dict[str, Unit] = {}
    # Parents first, so that every parent exists when its children are saved.
    for position, unit in _parents_first(framework):
        stored[unit.code], _ = Unit.objects.update_or_create(
            organisation=organisation,
            code=unit.code,
            defaults={
                "name": unit.name,
                "type": unit.type,
                "parent": stored[unit.parent] if unit.parent else None,
                "external": unit.external,
                "position": position,
            },
        )
    return stored


def _parents_first(framework: Framework) -> list[tuple[int, Any]]:
    positions = {unit.code: index for index, unit in enumerate(framework.units)}
    ordered: list[tuple[int, Any]] = []
    done: set[str] = set()

    def visit(code: str) -> None:
        if code in done:
            return
        unit = framework.unit(code)
        if unit.parent:
            visit(unit.parent)
        done.add(code)
        ordered.append((positions[code], unit))

    for unit in framework.units:
        visit(unit.code)
    return ordered


def framework_of(organisation: Organisation) -> Framework:
    """Return the core framework of a stored organisation, rebuilt once per framework load.

    The rebuilt framework is kept under the organisation's ``loaded_at``, read from the
    database on every call: loading a framework stamps it, so every worker process sees the
    new framework at once. It is kept in Django's cache, shared by the workers, and in this
    process (a framework is immutable), which saves unpickling it on every page.
    """
    table = Organisation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT loaded_at FROM {table} WHERE id = %s", [organisation.pk])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return _rebuild(organisation)
    key = f"pmf:framework:{organisation.pk}-{row[0]}".replace(" ", "_")
    found = _FRAMEWORKS.get(organisation.pk)
    if found is not None and found[0] == key:
        return found[1]
    framework = cache.get(key)
    if not isinstance(framework, Framework):
        framework = _rebuild(organisation)
        cache.set(key, framework, FRAMEWORK_CACHE_SECONDS)
    _FRAMEWORKS[organisation.pk] = (key, framework)
    return framework


# Keyed by the load time, so a new load is never hidden; the timeout only frees memory.
FRAMEWORK_CACHE_SECONDS = 24 * 60 * 60
# The latest framework of each organisation this process has used, with its key.
_FRAMEWORKS: dict[int, tuple[str, Framework]] = {}


def _rebuild(organisation: Organisation) -> Framework:
    """Rebuild the core framework of a stored organisation from its tables."""
    units = list(organisation.units.select_related("parent"))
    areas = list(organisation.areas.prefetch_related("former_names"))
    measures = list(organisation.measures.select_related("area").prefetch_related("standards"))
    groups = list(organisation.peer_groups.select_related("unit").prefetch_related("members"))
    data: dict[str, Any] = {
        "organisation": {
            "code": organisation.code,
            "name": organisation.name,
            "kind": organisation.kind,
            "description": organisation.description,
            "source": organisation.source,
            "licence": organisation.licence,
            "national": organisation.national or None,
        },
        "areas": [
            {
                "code": area.code,
                "name": area.name,
                "description": area.description,
                "formerly": [
                    {"name": former.name, "until": former.until or None}
                    for former in area.former_names.all()
                ],
            }
            for area in areas
        ],
        "units": [
            {
                "code": unit.code,
                "name": unit.name,
                "type": unit.type,
                "parent": unit.parent.code if unit.parent else None,
                "external": unit.external,
            }
            for unit in units
        ],
        "measures": [_measure_data(measure) for measure in measures],
        "peer_groups": [_group_data(group) for group in groups],
    }
    return Framework(FrameworkModel.model_validate(data))


def _measure_data(measure: Measure) -> dict[str, Any]:
    return {
        "code": measure.code,
        "name": measure.name,
        "area": measure.area.code,
        "kind": measure.kind,
        "polarity": measure.polarity,
        "unit_of_measure": measure.unit_of_measure,
        "frequency": measure.frequency,
        "window_months": measure.window_months,
        "multiplier": measure.multiplier,
        "numerator": measure.numerator or None,
        "denominator": measure.denominator or None,
        "decimals": measure.decimals,
        "owner": measure.owner,
        "source": measure.source,
        "description": measure.description,
        "rollup": measure.rollup,
        "rollup_partial": measure.rollup_partial,
        "standard": [standard.definition for standard in measure.standards.all()],
    }


def _group_data(group: PeerGroup) -> dict[str, Any]:
    members = [member.code for member in group.members.all()]
    common = {"name": group.name, "include_self": group.include_self, "method": group.method}
    if group.unit is not None:
        return {**common, "unit": group.unit.code, "members": members}
    return {**common, "units": members}
