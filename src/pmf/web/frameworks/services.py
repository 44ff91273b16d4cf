"""Load a framework into storage, and rebuild the core framework from storage."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pmf.core.framework import Framework, FrameworkModel
from pmf.core.grading import GradeScale
from pmf.core.msg import most_similar
from pmf.web.audit import services as audit
from pmf.web.frameworks.models import (
    Area,
    AreaName,
    ComputedPeer,
    ComputedPeerGroups,
    Measure,
    Organisation,
    PeerGroup,
    SpcMark,
    Standard,
    StatutoryReturn,
    Unit,
)
from pmf.web.frameworks.models import Target as TargetRow


class FrameworkRefused(ValueError):
    """Raise when a framework file is valid but does not fit what is stored; nothing changes."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def grade_scale(organisation: Organisation) -> GradeScale:
    """Return the organisation's grade scale, from its framework file's grading section."""
    return GradeScale.of(organisation.grading or {})


def grades_off_scale(organisation: Organisation, scale: GradeScale) -> list[str]:
    """Return a problem for each stored grade value that ``scale`` does not hold.

    Every step of every cycle counts (recommended, self-assessed, moderated, agreed and
    the steps' history), so a new scale can never leave a stored grade without a name.
    """
    from pmf.web.cycles.models import AreaGrade, GradeEvent

    fields = ("recommended", "self_grade", "moderated_grade", "agreed_grade")
    held: dict[str, tuple[int, str, str]] = {}
    rows = AreaGrade.objects.filter(cycle__organisation=organisation).values_list(
        "cycle__number", "unit__code", "area__code", *fields
    )
    for number, unit, area, *values in rows:
        for value in values:
            if value and value not in scale.values:
                held.setdefault(value, (number, unit, area))
    events = GradeEvent.objects.filter(grade__cycle__organisation=organisation).exclude(value="")
    for number, unit, area, value in events.values_list(
        "grade__cycle__number", "grade__unit__code", "grade__area__code", "value"
    ):
        if value not in scale.values:
            held.setdefault(value, (number, unit, area))
    return [
        f"grading.scale: {value!r} (cycle {number}, unit {unit}, area {area}) is a stored "
        f"grade that the {scale.name} scale does not have; keep it on the scale"
        for value, (number, unit, area) in sorted(held.items())
    ]


@transaction.atomic
def store_framework(framework: Framework, file_name: str = "", user: Any = None) -> Organisation:
    """Create or update the organisation and everything in its framework, by code.

    Units, areas and measures that are no longer in the file are kept, because
    observations may refer to them. The framework as stored before and after is recorded in
    the audit trail (both rebuilt from storage, so only real changes show).
    """
    model = framework.model
    org = model.organisation
    existing = Organisation.objects.filter(code=org.code).first()
    if existing is not None:
        problems = grades_off_scale(existing, GradeScale.of(model.grading))
        if problems:
            raise FrameworkRefused(problems)
    before = _rebuild(existing).model.model_dump(mode="json") if existing is not None else None
    organisation, _ = Organisation.objects.update_or_create(
        code=org.code,
        defaults={
            "name": org.name,
            "name_cy": org.name_cy or "",
            "kind": org.kind,
            "description": org.description,
            "description_cy": org.description_cy,
            "source": org.source,
            "licence": org.licence,
            "national": org.national or "",
            "framework_file": file_name,
            "grading": model.grading.model_dump(mode="json", exclude_defaults=True),
            "interventions": model.interventions.model_dump(mode="json", exclude_defaults=True),
            "risk_register": model.risks.model_dump(mode="json", exclude_defaults=True),
            "spc": model.spc.model_dump(mode="json", exclude_defaults=True),
            "funnel": model.funnel.model_dump(mode="json", exclude_defaults=True),
            "scoring": model.scoring.model_dump(mode="json") if model.scoring else {},
            "maps": model.maps.model_dump(mode="json", exclude_defaults=True) if model.maps else {},
        },
    )
    units = _store_units(organisation, framework)
    _store_boundaries(organisation, framework)
    areas = {}
    for position, area in enumerate(model.areas):
        stored, _ = Area.objects.update_or_create(
            organisation=organisation,
            code=area.code,
            defaults={
                "name": area.name,
                "name_cy": area.name_cy or "",
                "description": area.description,
                "description_cy": area.description_cy,
                "position": position,
            },
        )
        stored.former_names.all().delete()
        AreaName.objects.bulk_create(
            AreaName(area=stored, name=former.name, until=former.until or "", position=index)
            for index, former in enumerate(area.formerly)
        )
        areas[area.code] = stored
    for position, measure in enumerate(model.measures):
        fields = measure.model_dump(
            mode="json",
            exclude={
                "code",
                "area",
                "standard",
                "window_months",
                "spc",
                "valid",
                "funnel",
                "standardised",
            },
        )
        fields = {key: "" if value is None else value for key, value in fields.items()}
        stored_measure, _ = Measure.objects.update_or_create(
            organisation=organisation,
            code=measure.code,
            defaults={
                **fields,
                "area": areas[measure.area],
                "window_months": measure.window_months,
                "spc": measure.spc.model_dump(mode="json", by_alias=True, exclude_defaults=True),
                "valid": measure.valid.model_dump(mode="json", by_alias=True, exclude_unset=True),
                "funnel": measure.funnel.model_dump(mode="json", exclude_defaults=True),
                "standardised": (
                    measure.standardised.model_dump(mode="json", exclude_unset=True)
                    if measure.standardised
                    else {}
                ),
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
    _store_targets(organisation, framework)
    _store_returns(organisation, framework)
    audit.record(
        organisation,
        kind=audit.Kind.FRAMEWORK,
        action="load" if before is None else "reload",
        label=f"Framework of {organisation.name} loaded from {file_name or 'a file'}",
        object_id=organisation.code,
        before=before,
        after=_rebuild(organisation).model.model_dump(mode="json"),
        user=user,
    )
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
                "name_cy": unit.name_cy or "",
                "type": unit.type,
                "parent": stored[unit.parent] if unit.parent else None,
                "external": unit.external,
                "member_from": unit.member.starts or "" if unit.member else "",
                "member_until": unit.member.ends or "" if unit.member else "",
                "ons_code": unit.ons_code or "",
                "position": position,
            },
        )
    return stored


def _member_data(unit: Unit) -> dict[str, str] | None:
    """Return a stored unit's ``member`` as the framework file writes it (None: always)."""
    if not unit.member_from and not unit.member_until:
        return None
    return {
        key: value
        for key, value in (("from", unit.member_from), ("until", unit.member_until))
        if value
    }


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
    language = translation.get_language() or settings.LANGUAGE_CODE
    found = _FRAMEWORKS.get(organisation.pk)
    if found is not None and found[0] == key:
        framework = found[1]
    else:
        framework = cache.get(key)
        if not isinstance(framework, Framework):
            framework = _rebuild(organisation)
            cache.set(key, framework, FRAMEWORK_CACHE_SECONDS)
        found = (key, framework, {})
        _FRAMEWORKS[organisation.pk] = found
    # The names the reader reads: Welsh ones (``name_cy``) for Cymraeg, where the file gives them.
    shown = found[2].get(language)
    if shown is None:
        shown = found[2][language] = framework.in_language(language)
    return shown


# Keyed by the load time, so a new load is never hidden; the timeout only frees memory.
FRAMEWORK_CACHE_SECONDS = 24 * 60 * 60
# The latest framework of each organisation this process has used, with its key.
# With it, as each language's readers see it (Framework.in_language).
_FRAMEWORKS: dict[int, tuple[str, Framework, dict[str, Framework]]] = {}


def _rebuild(organisation: Organisation) -> Framework:
    """Rebuild the core framework of a stored organisation from its tables."""
    units = list(organisation.units.select_related("parent"))
    areas = list(organisation.areas.prefetch_related("former_names"))
    measures = list(organisation.measures.select_related("area").prefetch_related("standards"))
    marks = _running_marks(organisation)
    groups = list(organisation.peer_groups.select_related("unit").prefetch_related("members"))
    data: dict[str, Any] = {
        "organisation": {
            "code": organisation.code,
            "name": organisation.name,
            **_welsh(organisation),
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
                **_welsh(area),
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
                **_welsh(unit),
                "type": unit.type,
                "parent": unit.parent.code if unit.parent else None,
                "external": unit.external,
                "member": _member_data(unit),
                "ons_code": unit.ons_code or None,
            }
            for unit in units
        ],
        "measures": [_measure_data(measure, marks.get(measure.pk, [])) for measure in measures],
        "peer_groups": _peer_groups_data(organisation, groups),
        "targets": [_target_data(target) for target in current_targets(organisation)],
        "grading": organisation.grading or {},
        "interventions": organisation.interventions or {},
        "risks": organisation.risk_register or {},
        "spc": organisation.spc or {},
        "funnel": organisation.funnel or {},
        "scoring": organisation.scoring or None,
        "returns": [row.definition for row in organisation.statutory_returns.all()],
        "maps": organisation.maps or None,
    }
    return Framework(FrameworkModel.model_validate(data))


def current_targets(organisation: Organisation) -> list[TargetRow]:
    """Return the targets in force, in the order they apply: the file's, then those set since.

    Where two overlap, the later in this order wins (``pmf.core.assessment``).
    """
    rows = organisation.targets.filter(superseded_at__isnull=True).select_related(
        "measure", "unit", "recorded_by"
    )
    return sorted(
        rows,
        key=lambda row: (row.origin != TargetRow.Origin.FRAMEWORK, row.position, row.recorded_at),
    )


def _target_data(target: TargetRow) -> dict[str, Any]:
    return {
        "measure": target.measure.code,
        "unit": target.unit.code if target.unit else None,
        "starts": target.starts,
        "ends": target.ends or None,
        "comparison": target.comparison or None,
        "value": target.value,
        "amber_within": target.amber_within,
        "note": target.note,
    }


def target_history(
    organisation: Organisation, unit: Unit, measure_code: str
) -> list[dict[str, Any]]:
    """Return the measure's targets that apply to the unit, running or not, newest first."""
    rows = (
        organisation.targets.filter(measure__code=measure_code)
        .filter(models.Q(unit=unit) | models.Q(unit__isnull=True))
        .select_related("unit", "recorded_by", "superseded_by")
        .order_by("-recorded_at", "-pk")
    )
    return [
        {
            **_target_data(row),
            "number": row.pk,
            "for": row.unit.name if row.unit else _("every unit"),
            "origin": row.get_origin_display(),
            "running": row.superseded_at is None,
            "recorded_at": row.recorded_at.isoformat(),
            "recorded_by": row.recorded_by.get_username() if row.recorded_by else "",
            "superseded_at": row.superseded_at.isoformat() if row.superseded_at else None,
        }
        for row in rows
    ]


class TargetRefused(ValueError):
    """Raise with every problem of a target that was not set; nothing is stored."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@transaction.atomic
def set_target(organisation: Organisation, data: dict[str, Any], user: Any = None) -> TargetRow:
    """Check and store a target, superseding any running one for the same measure, unit and start.

    ``data`` has the fields of ``pmf.core.framework.Target``. Raise ``TargetRefused``.
    """
    from pmf.core.framework import check_target

    target, problems = check_target(framework_of(organisation), data)
    if target is None:
        raise TargetRefused(problems)
    measure = organisation.measures.get(code=target.measure)
    unit = organisation.units.get(code=target.unit) if target.unit else None
    now = timezone.now()
    running = organisation.targets.select_for_update(of=("self",)).filter(
        measure=measure, unit=unit, starts=target.starts, superseded_at__isnull=True
    )
    replaced = [_target_data(row) for row in running.select_related("measure", "unit")]
    running.update(superseded_at=now, superseded_by=user)
    _framework_changed(organisation, now)
    stored = TargetRow.objects.create(
        organisation=organisation,
        measure=measure,
        unit=unit,
        starts=target.starts,
        ends=target.ends or "",
        comparison=target.comparison or "",
        value=target.value,
        amber_within=target.amber_within,
        note=target.note,
        origin=TargetRow.Origin.SET,
        recorded_at=now,
        recorded_by=user,
    )
    audit.record(
        organisation,
        kind=audit.Kind.TARGET,
        action="set",
        label=f"Target for {measure.code}{f' in {unit.code}' if unit else ''} from {target.starts}",
        object_id=stored.pk,
        unit_code=unit.code if unit else "",
        before=replaced[0] if replaced else None,
        after=_target_data(stored),
        user=user,
        at=now,
    )
    return stored


@transaction.atomic
def withdraw_target(organisation: Organisation, number: int, user: Any = None) -> TargetRow:
    """Withdraw a running target: it is kept, superseded, as history. Raise LookupError."""
    target = organisation.targets.filter(pk=number, superseded_at__isnull=True).first()
    if target is None:
        raise LookupError(f"{organisation.code} has no running target {number}")
    target.superseded_at = timezone.now()
    target.superseded_by = user
    target.save(update_fields=["superseded_at", "superseded_by"])
    _framework_changed(organisation, target.superseded_at)
    audit.record(
        organisation,
        kind=audit.Kind.TARGET,
        action="withdraw",
        label=f"Target for {target.measure.code}"
        f"{f' in {target.unit.code}' if target.unit else ''} from {target.starts} withdrawn",
        object_id=target.pk,
        unit_code=target.unit.code if target.unit else "",
        before=_target_data(target),
        after=None,
        user=user,
        at=target.superseded_at,
    )
    return target


def _framework_changed(organisation: Organisation, now: Any) -> None:
    # A new stamp is a new data version: every cached page of the organisation is recomputed.
    Organisation.objects.filter(pk=organisation.pk).update(loaded_at=now)
    organisation.loaded_at = now


def _store_targets(organisation: Organisation, framework: Framework) -> None:
    """Make the file's targets the running framework targets; keep the old ones as history."""
    running = {
        _target_key(_target_data(row)): row
        for row in organisation.targets.filter(
            origin=TargetRow.Origin.FRAMEWORK, superseded_at__isnull=True
        ).select_related("measure", "unit")
    }
    wanted = [target.model_dump(mode="json") for target in framework.model.targets]
    now = timezone.now()
    keys = {_target_key(data) for data in wanted}
    stale = [row.pk for key, row in running.items() if key not in keys]
    organisation.targets.filter(pk__in=stale).update(superseded_at=now)
    measures = {measure.code: measure for measure in organisation.measures.all()}
    units = {unit.code: unit for unit in organisation.units.all()}
    for position, data in enumerate(wanted):
        row = running.get(_target_key(data))
        if row is not None:
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])
            continue
        TargetRow.objects.create(
            organisation=organisation,
            measure=measures[data["measure"]],
            unit=units[data["unit"]] if data["unit"] else None,
            starts=data["starts"],
            ends=data["ends"] or "",
            comparison=data["comparison"] or "",
            value=data["value"],
            amber_within=data["amber_within"],
            note=data["note"],
            origin=TargetRow.Origin.FRAMEWORK,
            position=position,
            recorded_at=now,
        )


def _target_key(data: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        data.get(name)
        for name in (
            "measure",
            "unit",
            "starts",
            "ends",
            "comparison",
            "value",
            "amber_within",
            "note",
        )
    )


def _running_marks(organisation: Organisation) -> dict[int, list[SpcMark]]:
    """Return the running rebases and events set in the application, by measure."""
    found: dict[int, list[SpcMark]] = {}
    rows = organisation.spc_marks.filter(superseded_at__isnull=True).select_related("unit")
    for row in rows.order_by("period", "recorded_at", "pk"):
        found.setdefault(row.measure_id, []).append(row)
    return found


def _measure_spc(measure: Measure, marks: Sequence[SpcMark]) -> dict[str, Any]:
    """Return the measure's SPC block: the file's, with the marks set in the application after."""
    spc = dict(measure.spc or {})
    for kind, section, field in (
        (SpcMark.Kind.REBASE, "rebases", "reason"),
        (SpcMark.Kind.EVENT, "events", "text"),
    ):
        added = [
            {"period": mark.period, field: mark.text, "unit": mark.unit.code if mark.unit else None}
            for mark in marks
            if mark.kind == kind
        ]
        if added:
            spc[section] = [*spc.get(section, []), *added]
    return spc


def _welsh(stored: Organisation | Area | Unit | Measure) -> dict[str, str]:
    """Return a stored part's Welsh name and description as the framework file writes them."""
    found = {"name_cy": stored.name_cy}
    if not isinstance(stored, Unit):
        found["description_cy"] = stored.description_cy
    return {key: value for key, value in found.items() if value}


def _measure_data(measure: Measure, marks: Sequence[SpcMark] = ()) -> dict[str, Any]:
    return {
        "code": measure.code,
        "name": measure.name,
        **_welsh(measure),
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
        **({"period_rollup": measure.period_rollup} if measure.period_rollup else {}),
        "standard": [standard.definition for standard in measure.standards.all()],
        "spc": _measure_spc(measure, marks),
        "valid": measure.valid or {},
        "funnel": measure.funnel or {},
        **({"standardised": measure.standardised} if measure.standardised else {}),
        **({"formula": measure.formula} if measure.formula else {}),
    }


def _group_data(group: PeerGroup) -> dict[str, Any]:
    members = [member.code for member in group.members.all()]
    common = {"name": group.name, "include_self": group.include_self, "method": group.method}
    if group.unit is not None:
        return {**common, "unit": group.unit.code, "members": members}
    return {**common, "units": members}


def _peer_groups_data(organisation: Organisation, groups: list[PeerGroup]) -> list[dict[str, Any]]:
    """Return the file's peer groups, with the current computed version's in front.

    A unit in the computed version takes its group from there; a file group of one unit
    that has a computed group is left out, and for units in a file group of each other's
    peers the computed group comes first, so ``Framework.peers`` finds it.
    """
    version = current_peer_groups(organisation)
    if version is None:
        return [_group_data(group) for group in groups]
    members: dict[str, list[str]] = {}
    for row in version.peers.select_related("unit", "peer").order_by("unit__position", "rank"):
        members.setdefault(row.unit.code, []).append(row.peer.code)
    method = f"computed: version {version.number}; {version.method}"[:200]
    computed = [
        {
            "name": f"Most similar group (version {version.number})",
            "unit": unit,
            "members": peers,
            "include_self": True,
            "method": method,
        }
        for unit, peers in members.items()
    ]
    kept = [
        _group_data(group)
        for group in groups
        if group.unit is None or group.unit.code not in members
    ]
    return computed + kept


class PeerGroupsRefused(Exception):
    """Raise when computed peer groups cannot be stored; nothing was stored."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def current_peer_groups(organisation: Organisation) -> ComputedPeerGroups | None:
    """Return the organisation's current computed peer groups, or ``None`` when it has none."""
    return organisation.computed_peer_groups.filter(superseded_at__isnull=True).first()


def describe_method(variables: Sequence[str], weights: Mapping[str, float], n: int) -> str:
    """Return how a version was computed, in words, for people and for the framework."""
    weighted = ", ".join(f"{name} x{weights.get(name, 1.0):g}" for name in variables)
    return f"{n} nearest by weighted Euclidean distance of z-scores (population sd) of {weighted}"


@transaction.atomic
def compute_peer_groups(
    organisation: Organisation,
    frame: pl.DataFrame,
    variables: Sequence[str],
    weights: Mapping[str, float] | None = None,
    n: int = 7,
    source: str = "",
    *,
    unit: str = "unit",
    user: Any = None,
) -> ComputedPeerGroups:
    """Compute each unit's most similar units and store them as a new version.

    ``frame`` has a row per unit (codes in column ``unit``) and a column per variable.
    The previous version is kept and marked superseded; the new one is the organisation's
    Most Similar Groups from now on (``framework_of``). Raises ``PeerGroupsRefused``,
    storing nothing, when a unit is not the organisation's or the method refuses the data.
    """
    weights = dict(weights or {})
    units = {stored.code: stored for stored in organisation.units.all()}
    if unit in frame.columns:
        unknown = [str(code) for code in frame[unit].to_list() if str(code) not in units]
        if unknown:
            raise PeerGroupsRefused(
                [f"{code!r} is not a unit of {organisation.code}" for code in unknown]
            )
    try:
        groups = most_similar(frame, unit=unit, variables=variables, weights=weights, n=n)
    except ValueError as error:
        raise PeerGroupsRefused([str(error)]) from None
    now = timezone.now()
    previous = (
        ComputedPeerGroups.objects.select_for_update()
        .filter(organisation=organisation)
        .order_by("-number")
    )
    latest = previous.first()
    previous.filter(superseded_at__isnull=True).update(superseded_at=now)
    inputs = {
        str(row[unit]): {name: float(row[name]) for name in variables}
        for row in frame.select(unit, *variables).iter_rows(named=True)
    }
    version = ComputedPeerGroups.objects.create(
        organisation=organisation,
        number=(latest.number + 1) if latest else 1,
        method=describe_method(variables, weights, n),
        variables=list(variables),
        weights={name: float(weights.get(name, 1.0)) for name in variables},
        n=n,
        inputs=inputs,
        source=source,
        created_at=now,
        created_by=user,
    )
    ComputedPeer.objects.bulk_create(
        ComputedPeer(
            version=version,
            unit=units[row["unit"]],
            peer=units[row["peer"]],
            rank=row["rank"],
            distance=row["distance"],
        )
        for row in groups.iter_rows(named=True)
    )
    _framework_changed(organisation, now)
    return version


# --- rebases and events of SPC charts, set in the application ----------------------------------


class SpcMarkRefused(ValueError):
    """Raise with each problem of a rebase or event that was not stored, by form field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


SPC_TEXT_LIMITS: dict[str, int] = {SpcMark.Kind.REBASE: 500, SpcMark.Kind.EVENT: 200}


def spc_marks(organisation: Organisation, unit: Unit, measure_code: str) -> dict[str, Any]:
    """Return the rebases and events of a measure's chart for a unit: the file's and the set.

    ``file`` lists those of the framework file (changed only in the file); ``set`` those
    set in the application for this unit or every unit, running first, newest first.
    """
    from pmf.core.text import period_name

    measure = organisation.measures.filter(code=measure_code).first()
    if measure is None:
        raise LookupError(f"no measure {measure_code!r} in {organisation.code}")
    spc = measure.spc or {}
    kinds = (("rebases", _("Rebase"), "reason"), ("events", _("Event"), "text"))
    from_file = [
        {
            "kind": label,
            "period": period_name(item["period"]),
            "text": item[field],
            "for": item.get("unit") or _("every unit"),
        }
        for section, label, field in kinds
        for item in spc.get(section, [])
        if item.get("unit") in (None, unit.code)
    ]
    rows = (
        organisation.spc_marks.filter(measure=measure)
        .filter(models.Q(unit=unit) | models.Q(unit__isnull=True))
        .select_related("unit", "recorded_by", "superseded_by")
        .order_by(models.F("superseded_at").desc(nulls_first=True), "-recorded_at", "-pk")
    )
    return {
        "file": from_file,
        "set": [
            {
                **_mark_data(row),
                "number": row.pk,
                "kind_label": row.get_kind_display(),
                "label": period_name(row.period),
                "for": row.unit.name if row.unit else _("every unit"),
                "running": row.superseded_at is None,
                "recorded_at": row.recorded_at.isoformat(timespec="seconds"),
                "recorded_by": row.recorded_by.get_username() if row.recorded_by else "",
                "superseded_at": row.superseded_at.isoformat(timespec="seconds")
                if row.superseded_at
                else None,
                "superseded_because": row.superseded_because,
            }
            for row in rows
        ],
    }


def _mark_data(mark: SpcMark) -> dict[str, Any]:
    return {
        "kind": mark.kind,
        "measure": mark.measure.code,
        "unit": mark.unit.code if mark.unit else None,
        "period": mark.period,
        "text": mark.text,
    }


def _require_analyst(organisation: Organisation, membership: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from pmf.web.accounts.models import Membership

    if membership.organisation_id != organisation.pk or membership.role != Membership.Role.ANALYST:
        raise PermissionDenied("Only the organisation's analysts set rebases and events.")


def _in_scope(membership: Any, unit: Unit | None) -> bool:
    """Say whether a mark of ``unit`` (None: every unit) is within the member's scope.

    A mark for every unit moves every unit's chart: only members covering the whole
    organisation set it.
    """
    from pmf.web.accounts.services import visible_units

    if membership.unit_id is None:
        return True
    return unit is not None and any(
        candidate.pk == unit.pk for candidate in visible_units(membership) if not candidate.external
    )


def _checked_mark(
    organisation: Organisation, measure_code: str, kind: str, period: str, text: str
) -> tuple[Measure, str, str]:
    """Return the stored measure, the period's code and the text, or raise SpcMarkRefused."""
    from pmf.core.framework import parse_frequency_period

    problems: dict[str, str] = {}
    measure = organisation.measures.filter(code=measure_code).first()
    if measure is None:
        raise SpcMarkRefused(
            {"measure": _("There is no measure {code}.").format(code=repr(measure_code))}
        )
    if kind not in SpcMark.Kind.values:
        problems["kind"] = _("Choose a rebase or an event.")
    code = ""
    if not period.strip():
        problems["period"] = _("Enter the period, for example 2025-04.")
    else:
        try:
            code = parse_frequency_period(framework_of(organisation).measure(measure_code), period)
        except ValueError as error:
            problems["period"] = _("Enter a period of the measure: {error}.").format(error=error)
    rebase = kind == SpcMark.Kind.REBASE
    limit = SPC_TEXT_LIMITS.get(kind, 500)
    if not text.strip():
        problems["text"] = (
            _("Enter the reason for the rebase.") if rebase else _("Enter the text of the event.")
        )
    elif len(text.strip()) > limit:
        problems["text"] = (
            _("The reason for the rebase must be {limit} characters or fewer.")
            if rebase
            else _("The text of the event must be {limit} characters or fewer.")
        ).format(limit=limit)
    if problems:
        raise SpcMarkRefused(problems)
    return measure, code, text.strip()


def _reason(reason: str) -> str:
    if not reason.strip():
        raise SpcMarkRefused({"reason": _("Enter why you are making this change.")})
    if len(reason.strip()) > 500:
        raise SpcMarkRefused({"reason": _("The reason must be 500 characters or fewer.")})
    return reason.strip()


def _refuse_second_rebase(
    organisation: Organisation, measure: Measure, unit: Unit | None, code: str, but: int | None
) -> None:
    clash = organisation.spc_marks.filter(
        measure=measure,
        unit=unit,
        kind=SpcMark.Kind.REBASE,
        period=code,
        superseded_at__isnull=True,
    )
    if but is not None:
        clash = clash.exclude(pk=but)
    if clash.exists():
        raise SpcMarkRefused(
            {"period": _("There is already a rebase in this period: change that one instead.")}
        )


@transaction.atomic
def add_spc_mark(
    organisation: Organisation,
    membership: Any,
    *,
    measure_code: str,
    unit: Unit | None,
    kind: str,
    period: str,
    text: str,
    user: Any = None,
) -> SpcMark:
    """Store a rebase (``text`` is its reason) or an event for one unit or (None) every unit.

    Raise ``PermissionDenied`` for anyone but the organisation's analysts, ``SpcMarkRefused``
    naming each field at fault. The change is recorded in the audit trail.
    """
    _require_analyst(organisation, membership)
    if not _in_scope(membership, unit):
        raise SpcMarkRefused(
            {
                "scope": _(
                    "Choose this unit: a mark for every unit is set by analysts covering the "
                    "whole organisation"
                )
            }
        )
    measure, code, cleaned = _checked_mark(organisation, measure_code, kind, period, text)
    if kind == SpcMark.Kind.REBASE:
        _refuse_second_rebase(organisation, measure, unit, code, None)
    now = timezone.now()
    mark = SpcMark.objects.create(
        organisation=organisation,
        measure=measure,
        unit=unit,
        kind=kind,
        period=code,
        text=cleaned,
        recorded_at=now,
        recorded_by=user,
    )
    _framework_changed(organisation, now)
    audit.record(
        organisation,
        kind=audit.Kind.FRAMEWORK,
        action=f"add {kind}",
        label=_mark_label(mark, "added"),
        object_id=mark.pk,
        unit_code=unit.code if unit else "",
        after=_mark_data(mark),
        note=cleaned if kind == SpcMark.Kind.REBASE else "",
        user=user,
        at=now,
    )
    return mark


def _mark_label(mark: SpcMark, done: str) -> str:
    where = f" in {mark.unit.code}" if mark.unit else ""
    # The kind's code ("rebase", "event"), not its display, which is in the writer's language.
    return f"SPC {mark.kind} of {mark.measure.code}{where} at {mark.period} {done}"


def _running_mark(organisation: Organisation, number: int, membership: Any = None) -> SpcMark:
    mark = (
        organisation.spc_marks.select_for_update(of=("self",))
        .filter(pk=number, superseded_at__isnull=True)
        .select_related("measure", "unit")
        .first()
    )
    if mark is None or (membership is not None and not _in_scope(membership, mark.unit)):
        # Outside the member's scope: as if it did not exist.
        raise LookupError(f"{organisation.code} has no running rebase or event {number}")
    return mark


@transaction.atomic
def change_spc_mark(
    organisation: Organisation,
    membership: Any,
    number: int,
    *,
    period: str,
    text: str,
    reason: str,
    user: Any = None,
) -> SpcMark:
    """Replace a running rebase or event with a new period or text, saying why.

    The old row is kept, superseded. Raise ``LookupError``, ``PermissionDenied`` or
    ``SpcMarkRefused``.
    """
    _require_analyst(organisation, membership)
    old = _running_mark(organisation, number, membership)
    why = _reason(reason)
    measure, code, cleaned = _checked_mark(organisation, old.measure.code, old.kind, period, text)
    if old.kind == SpcMark.Kind.REBASE:
        _refuse_second_rebase(organisation, measure, old.unit, code, old.pk)
    now = timezone.now()
    old.superseded_at, old.superseded_by, old.superseded_because = now, user, why
    old.save(update_fields=["superseded_at", "superseded_by", "superseded_because"])
    new = SpcMark.objects.create(
        organisation=organisation,
        measure=measure,
        unit=old.unit,
        kind=old.kind,
        period=code,
        text=cleaned,
        recorded_at=now,
        recorded_by=user,
    )
    _framework_changed(organisation, now)
    audit.record(
        organisation,
        kind=audit.Kind.FRAMEWORK,
        action=f"change {old.kind}",
        label=_mark_label(new, "changed"),
        object_id=new.pk,
        unit_code=old.unit.code if old.unit else "",
        before=_mark_data(old),
        after=_mark_data(new),
        note=why,
        user=user,
        at=now,
    )
    return new


@transaction.atomic
def withdraw_spc_mark(
    organisation: Organisation, membership: Any, number: int, *, reason: str, user: Any = None
) -> SpcMark:
    """Withdraw a running rebase or event, saying why; it is kept, superseded, as history."""
    _require_analyst(organisation, membership)
    mark = _running_mark(organisation, number, membership)
    why = _reason(reason)
    now = timezone.now()
    mark.superseded_at, mark.superseded_by, mark.superseded_because = now, user, why
    mark.save(update_fields=["superseded_at", "superseded_by", "superseded_because"])
    _framework_changed(organisation, now)
    audit.record(
        organisation,
        kind=audit.Kind.FRAMEWORK,
        action=f"withdraw {mark.kind}",
        label=_mark_label(mark, "withdrawn"),
        object_id=mark.pk,
        unit_code=mark.unit.code if mark.unit else "",
        before=_mark_data(mark),
        after=None,
        note=why,
        user=user,
        at=now,
    )
    return mark


def _store_returns(organisation: Organisation, framework: Framework) -> None:
    """Store each statutory return with its template's bytes; drop those no longer in the file.

    Past exports stay in the audit trail, which names the return and the template's digest.
    """
    templates = dict(framework.templates)
    codes = [definition.code for definition in framework.model.returns]
    organisation.statutory_returns.exclude(code__in=codes).delete()
    for position, definition in enumerate(framework.model.returns):
        template = templates.get(definition.code)
        if template is None:
            raise ValueError(
                f"the template of return {definition.code} was not read: read the framework "
                "with pmf.sources.frameworks.read_framework_file (pmf load does)"
            )
        StatutoryReturn.objects.update_or_create(
            organisation=organisation,
            code=definition.code,
            defaults={
                "position": position,
                "definition": definition.model_dump(mode="json", by_alias=True, exclude_unset=True),
                "template": template,
                "template_sha256": hashlib.sha256(template).hexdigest(),
            },
        )


def _store_boundaries(organisation: Organisation, framework: Framework) -> None:
    """Store the units' checked boundaries; drop them when the framework names none."""
    from pmf.web.frameworks.models import UnitBoundaries

    found = framework.boundaries
    if framework.model.maps is None:
        UnitBoundaries.objects.filter(organisation=organisation).delete()
        return
    if found is None:
        raise ValueError(
            "the boundaries of the framework's maps were not read: read the framework with "
            "pmf.sources.frameworks.read_framework_file (pmf load does)"
        )
    UnitBoundaries.objects.update_or_create(
        organisation=organisation,
        defaults={
            "file": found.file,
            "sha256": found.sha256,
            "code_property": found.code_property,
            "shapes": dict(found.shapes),
            "points": found.points,
            "points_read": found.points_read,
        },
    )
