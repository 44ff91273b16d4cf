"""Store calculated measures' figures, with lineage to every input figure, and keep them current.

A calculated figure is stored as an observation like any other (``ADR 0043``): pages,
papers, exports and the API read it without knowing how it was made. It is written only
here, as a revision when its value, numerator, denominator or status would change or when
any input it was computed from has been revised since: a new revision, never an overwrite,
each naming the revisions of its inputs (``ObservationInput``).

``store_observations`` calls :func:`recalculate` in its own transaction whenever it stores
figures of a measure some formula uses, so an import, the entry form and the API all keep
calculated figures current; ``pmf calculate`` calls it for a whole organisation after a
framework change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection

from pmf.core.calculation import calculate_one
from pmf.core.formula import calculation_order, dependents
from pmf.core.framework import Framework
from pmf.web.frameworks.models import Measure, Organisation, Unit
from pmf.web.observations.models import Observation, ObservationInput

_MANY_UNITS = 500
LAYOUT = "formula"
"""The layout of the import batch that holds calculated figures."""


@dataclass(frozen=True)
class Recalculated:
    """What a recalculation did, per calculated measure: figures added and revised."""

    added: dict[str, int]
    revised: dict[str, int]

    @property
    def total(self) -> int:
        """Return the number of calculated figures stored."""
        return sum(self.added.values()) + sum(self.revised.values())

    def __str__(self) -> str:
        if not self.total:
            return "Every calculated figure was already current."
        parts = [
            f"{code}: {self.added.get(code, 0):,} added, {self.revised.get(code, 0):,} revised"
            for code in sorted(set(self.added) | set(self.revised))
        ]
        return "Calculated figures stored. " + "; ".join(parts) + "."


def recalculate(
    organisation: Organisation,
    *,
    changed: Collection[str] | None = None,
    keys: pl.DataFrame | None = None,
    measures: Collection[str] | None = None,
    user: User | AnonymousUser | None = None,
    now: dt.datetime | None = None,
    framework: Framework | None = None,
) -> Recalculated:
    """Compute and store the calculated figures that depend on ``changed`` measures.

    ``changed`` (measure codes): the measures whose figures were stored; every calculated
    measure that uses them, directly or through another, is computed again. None: every
    calculated measure (or those in ``measures``). ``keys`` (unit and period codes) limits
    the work to those units and periods. Run inside the caller's transaction when called
    from a write, so the inputs and the figures calculated from them commit together.
    """
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import store_observations

    framework = framework or framework_of(organisation)
    formulas = framework.formulas()
    if not formulas:
        return Recalculated({}, {})
    if changed is None:
        order = tuple(c for c in calculation_order(formulas) if measures is None or c in measures)
    else:
        order = dependents(formulas, changed)
    if not order:
        return Recalculated({}, {})
    needed = {code for target in order for code in formulas[target].inputs} | set(order)
    units = None if keys is None else sorted(set(keys["unit"].to_list()))
    if units is not None and len(units) > _MANY_UNITS:
        units = None  # read every unit's (the keys still limit the work) within SQL's limits
    current = current_observations(organisation, needed, units=units)
    if keys is not None:
        current = current.join(keys.select("unit", "period").unique(), on=["unit", "period"])
    added: dict[str, int] = {}
    revised: dict[str, int] = {}
    for code in order:
        formula = formulas[code]
        made = calculate_one(formula, code, current)
        held = current.filter(pl.col("measure") == code)
        inputs = current.filter(pl.col("measure").is_in(list(formula.inputs)))
        lineage = _lineage(made, inputs, list(formula.inputs))
        storing = _to_store(made, held, lineage)
        if storing.height:
            summary = store_observations(
                organisation,
                storing.with_columns(
                    pl.lit(f"formula: {formula.text}").alias("source"), pl.lit("").alias("note")
                ),
                file_name=f"formula of {code}",
                sha256=hashlib.sha256(storing.write_csv().encode("utf-8")).hexdigest(),
                layout=LAYOUT,
                source=f"{code} = {formula.text}",
                user=user,
                now=now,
                check_warnings=False,
                revise_unchanged=True,
                calculate=False,
            )
            added[code] = summary.added
            revised[code] = summary.revised
            stored = _stored(summary.batch_id)
            _link(stored, lineage)
            current = pl.concat(
                [
                    current.join(
                        stored.select("unit", "measure", "period"),
                        on=["unit", "measure", "period"],
                        how="anti",
                    ),
                    stored,
                ],
                how="vertical_relaxed",
            )
    return Recalculated(added, revised)


HELD_SCHEMA: dict[str, type[pl.DataType]] = {
    "id": pl.Int64,
    "unit": pl.String,
    "measure": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "status": pl.String,
    "revision": pl.Int64,
}


def current_observations(
    organisation: Organisation, measures: Collection[str], *, units: Collection[str] | None = None
) -> pl.DataFrame:
    """Return the current figures of ``measures`` (codes) with their ids and revisions."""
    observation = Observation._meta.db_table
    unit = Unit._meta.db_table
    measure = Measure._meta.db_table
    chosen = sorted(set(measures)) or [""]
    where = f"o.superseded_at IS NULL AND m.organisation_id = %s AND m.code IN ({_marks(chosen)})"
    params: list[Any] = [organisation.pk, *chosen]
    if units is not None:
        picked = sorted(set(units)) or [""]
        where += f" AND u.code IN ({_marks(picked)})"
        params.extend(picked)
    sql = (
        "SELECT o.id, u.code, m.code, o.period, o.value, o.numerator, o.denominator, "  # noqa: S608
        f"o.status, o.revision FROM {observation} o JOIN {unit} u ON u.id = o.unit_id "
        f"JOIN {measure} m ON m.id = o.measure_id WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=HELD_SCHEMA, orient="row")


def _marks(items: Collection[str]) -> str:
    return ", ".join(["%s"] * len(items))


def _lineage(made: pl.DataFrame, inputs: pl.DataFrame, order: list[str]) -> pl.DataFrame:
    """Return unit, period, source (input figure id) and position for each calculated figure."""
    positions = pl.DataFrame(
        {"measure": order, "position": list(range(len(order)))},
        schema={"measure": pl.String, "position": pl.Int64},
    )
    return (
        made.select("unit", "period")
        .join(inputs.select("unit", "period", "measure", "id"), on=["unit", "period"])
        .join(positions, on="measure")
        .select("unit", "period", pl.col("id").alias("source"), "position")
    )


def _to_store(made: pl.DataFrame, held: pl.DataFrame, lineage: pl.DataFrame) -> pl.DataFrame:
    """Return the calculated figures that are new, differ from those held, or have new inputs."""
    columns = ["unit", "measure", "period", "value", "numerator", "denominator", "status"]
    if not made.height:
        return made.select(columns)
    made = made.with_columns(pl.col("status").fill_null("provisional"))
    joined = made.join(
        held.select("id", "unit", "period", "value", "numerator", "denominator", "status"),
        on=["unit", "period"],
        how="left",
        suffix="_held",
    )
    differs = pl.any_horizontal(
        pl.col(c).ne_missing(pl.col(f"{c}_held"))
        for c in ("value", "numerator", "denominator", "status")
    )
    held_ids = joined["id"].drop_nulls().to_list()
    before = _held_lineage(held_ids)
    now = (
        lineage.group_by("unit", "period")
        .agg(pl.col("source").sort().alias("sources"))
        .join(joined.select("unit", "period", "id"), on=["unit", "period"])
    )
    moved = pl.DataFrame(
        [
            (unit, period, True)
            for unit, period, sources, held_id in now.iter_rows()
            if held_id is not None and sorted(before.get(held_id, [])) != list(sources)
        ],
        schema={"unit": pl.String, "period": pl.String, "moved": pl.Boolean},
        orient="row",
    )
    joined = joined.join(moved, on=["unit", "period"], how="left")
    return joined.filter(
        pl.col("id").is_null() | differs | pl.col("moved").fill_null(False)
    ).select(columns)


def _held_lineage(ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for observation_id, source_id in ObservationInput.objects.filter(
            observation_id__in=chunk
        ).values_list("observation_id", "source_id"):
            found.setdefault(observation_id, []).append(source_id)
    return found


def _stored(batch_id: int | None) -> pl.DataFrame:
    if batch_id is None:
        return pl.DataFrame(schema=HELD_SCHEMA)
    rows = Observation.objects.filter(batch_id=batch_id).values_list(
        "id",
        "unit__code",
        "measure__code",
        "period",
        "value",
        "numerator",
        "denominator",
        "status",
        "revision",
    )
    return pl.DataFrame(list(rows), schema=HELD_SCHEMA, orient="row")


def _link(stored: pl.DataFrame, lineage: pl.DataFrame) -> None:
    links = stored.select(pl.col("id").alias("observation"), "unit", "period").join(
        lineage, on=["unit", "period"]
    )
    ObservationInput.objects.bulk_create(
        ObservationInput(observation_id=observation, source_id=source, position=position)
        for observation, source, position in links.select(
            "observation", "source", "position"
        ).iter_rows()
    )


@dataclass(frozen=True)
class LineageInput:
    """One input figure of a calculated figure: which revision of which figure it was."""

    measure: str
    name: str
    observation_id: int
    revision: int
    value: float
    numerator: float | None
    denominator: float | None
    status: str
    recorded_at: dt.datetime
    current: bool  # still the figure held, or revised since


@dataclass(frozen=True)
class Lineage:
    """A calculated figure, its formula and the input figures it was computed from."""

    measure: str
    unit: str
    period: str
    formula: str
    named: str  # the formula with the measures' names
    observation_id: int
    revision: int
    value: float
    status: str
    recorded_at: dt.datetime
    inputs: tuple[LineageInput, ...]

    def as_json(self) -> dict[str, Any]:
        """Return the lineage as JSON-ready values (times as ISO 8601 text)."""
        return {
            "measure": self.measure,
            "unit": self.unit,
            "period": self.period,
            "formula": self.formula,
            "formula_named": self.named,
            "observation_id": self.observation_id,
            "revision": self.revision,
            "value": self.value,
            "status": self.status,
            "recorded_at": self.recorded_at.isoformat(),
            "inputs": [
                {
                    "measure": item.measure,
                    "name": item.name,
                    "observation_id": item.observation_id,
                    "revision": item.revision,
                    "value": item.value,
                    "numerator": item.numerator,
                    "denominator": item.denominator,
                    "status": item.status,
                    "recorded_at": item.recorded_at.isoformat(),
                    "current": item.current,
                }
                for item in self.inputs
            ],
        }


def lineage_of(
    organisation: Organisation,
    measure: str,
    unit: str,
    period: str,
    *,
    revision: int | None = None,
    framework: Framework | None = None,
) -> Lineage | None:
    """Return the lineage of a stored calculated figure (the current one, or ``revision``).

    None when the measure has no formula or no such figure is stored (a parent's figure
    rolled up when the page is drawn is not stored, and has no lineage of its own).
    """
    from pmf.web.frameworks.services import framework_of

    framework = framework or framework_of(organisation)
    formula = framework.formulas().get(measure)
    if formula is None:
        return None
    held = Observation.objects.filter(
        measure__organisation=organisation,
        measure__code=measure,
        unit__code=unit,
        period=period,
    )
    held = (
        held.filter(revision=revision)
        if revision is not None
        else held.filter(superseded_at__isnull=True)
    )
    chosen = held.first()
    if chosen is None:
        return None
    names = {m.code: m.name for m in framework.measures}
    links = (
        ObservationInput.objects.filter(observation=chosen)
        .select_related("source__measure")
        .order_by("position")
    )
    inputs = tuple(
        LineageInput(
            measure=link.source.measure.code,
            name=link.source.measure.name,
            observation_id=link.source.pk,
            revision=link.source.revision,
            value=link.source.value,
            numerator=link.source.numerator,
            denominator=link.source.denominator,
            status=link.source.status,
            recorded_at=link.source.recorded_at,
            current=link.source.superseded_at is None,
        )
        for link in links
    )
    return Lineage(
        measure=measure,
        unit=unit,
        period=period,
        formula=formula.text,
        named=formula.render(names),
        observation_id=chosen.pk,
        revision=chosen.revision,
        value=chosen.value,
        status=chosen.status,
        recorded_at=chosen.recorded_at,
        inputs=inputs,
    )
