"""The manifest's body for a published cycle: every value published with the rows it came from.

Each value of the public site (a row of ``data/assessments.csv``, shown on its unit's page
and on ``maps.html``, each with the text it shows there) is traced to the observations held
when the cycle's data were locked: the unit's own figure for that measure and period (origin
``reported``) or, for a figure rolled up from the units below (``rolled_up``), theirs. Each
source row names the observation's id and revision, its value, status and when it was
recorded, the import file it came in (name and SHA-256) and, for a calculated figure, the
observations it was computed from, nested the same way (ADR 0058). Each grade is listed with
the pages that show it (the index, the unit's page). ``pmf.reports.manifest`` hashes and
signs what this module gathers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from pmf.core.framework import Framework
from pmf.reports.manifest import sources_sha256
from pmf.web.cycles.models import Cycle
from pmf.web.observations.models import Observation, ObservationInput

Key = tuple[str, str, str]


def manifest_body(
    cycle: Cycle,
    framework: Framework,
    records: list[dict[str, Any]],
    shown: dict[Key, dict[str, str]],
    grade_records: list[dict[str, Any]],
    grades_shown: dict[tuple[str, str], dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Return the manifest's body: the cycle, every published value and its sources, the grades.

    ``records`` are the rows of ``data/assessments.csv``; ``shown`` holds, for each value a
    page shows (its unit's page, ``maps.html``), the text shown by page; ``grades_shown``
    the same for each grade (``index.html``, the unit's page). A figure shown that is not in
    the open data is refused: every figure on the site is an item traced to its rows.
    """
    grades_shown = grades_shown or {}
    published = {
        (str(record["unit"]), str(record["measure"]), str(record["period"])) for record in records
    }
    graded = {(str(grade["unit"]), str(grade["area"])) for grade in grade_records}
    for key, pages in sorted(shown.items()):
        if key not in published:
            raise ValueError(
                f"{', '.join(sorted(pages))} would show unit {key[0]}, measure {key[1]}, "
                f"period {key[2]}, which the open data do not publish"
            )
    for (unit, area), pages in sorted(grades_shown.items()):
        if (unit, area) not in graded:
            raise ValueError(
                f"{', '.join(sorted(pages))} would show a grade of unit {unit}, area {area}, "
                "which the open data do not publish"
            )
    organisation = cycle.organisation
    held = _held_rows(cycle, {str(record["period"]) for record in records})
    below = {
        unit.code: {child.code for child in framework.descendants(unit.code) if not child.external}
        for unit in framework.units
    }
    values = []
    for record in records:
        key = (str(record["unit"]), str(record["measure"]), str(record["period"]))
        unit, measure, period = key
        # A rolled-up value comes from the units below; any other from the unit's own.
        units = below.get(unit, set()) if record.get("origin") == "rolled_up" else {unit}
        sources = sorted(
            (row for row in held.get((measure, period), []) if row["unit"] in units),
            key=lambda row: (row["unit"], row["observation"]),
        )
        values.append(
            {
                "unit": unit,
                "measure": measure,
                "period": period,
                "value": record.get("value"),
                "origin": record.get("origin"),
                "sources": sources,
                "source_rows_sha256": sources_sha256(sources),
                "shown": _shown(shown.get(key, {})),
            }
        )
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "cycle": {
            "number": cycle.number,
            "name": cycle.name,
            "data_to": cycle.cut_off,
            "figures_locked_at": cycle.locked_at.isoformat() if cycle.locked_at else None,
        },
        "values": values,
        "grades": [
            {
                "unit": grade["unit"],
                "area": grade["area"],
                "grade": grade["grade"],
                "recommended": grade["recommended"],
                "shown": _shown(grades_shown.get((str(grade["unit"]), str(grade["area"])), {})),
            }
            for grade in grade_records
        ],
    }


def _shown(pages: dict[str, str]) -> list[dict[str, str]]:
    """Return where an item is shown, by page: each page's path and the text it shows."""
    return [{"page": page, "text": text} for page, text in sorted(pages.items())]


def _held(cycle: Cycle) -> Q:
    """Return the filter of the observations held when the cycle's data were locked."""
    if cycle.locked_at is None:
        return Q(superseded_at__isnull=True)
    return Q(recorded_at__lte=cycle.locked_at) & (
        Q(superseded_at__isnull=True) | Q(superseded_at__gt=cycle.locked_at)
    )


def _held_rows(cycle: Cycle, periods: set[str]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Return the source rows of the observations held at the lock in ``periods``, by
    measure and period."""
    found = list(
        Observation.objects.filter(_held(cycle), measure__organisation=cycle.organisation)
        .filter(period__in=sorted(periods))
        .select_related("unit", "measure", "batch")
        .order_by("pk")
    )
    inputs = _inputs_of(found)
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for held in found:
        rows.setdefault((held.measure.code, held.period), []).append(_row(held, inputs))
    return rows


def _inputs_of(found: Iterable[Observation]) -> dict[int, list[Observation]]:
    """Return the inputs of each calculated observation, and of theirs, by observation id."""
    inputs: dict[int, list[Observation]] = {}
    frontier = {held.pk for held in found}
    asked: set[int] = set()
    while frontier:
        asked |= frontier
        links = (
            ObservationInput.objects.filter(observation_id__in=sorted(frontier))
            .select_related("source__unit", "source__measure", "source__batch")
            .order_by("observation_id", "position", "pk")
        )
        frontier = set()
        for link in links:
            inputs.setdefault(link.observation_id, []).append(link.source)
            frontier.add(link.source_id)
        frontier -= asked
    return inputs


def _row(held: Observation, inputs: dict[int, list[Observation]]) -> dict[str, Any]:
    batch = held.batch
    row: dict[str, Any] = {
        "observation": held.pk,
        "revision": held.revision,
        "unit": held.unit.code,
        "measure": held.measure.code,
        "period": held.period,
        "value": held.value,
        "numerator": held.numerator,
        "denominator": held.denominator,
        "status": held.status,
        "recorded_at": _instant(held.recorded_at),
        "import": (
            {"batch": batch.pk, "file": batch.file_name, "sha256": batch.sha256}
            if batch is not None
            else None
        ),
    }
    if held.pk in inputs:
        row["inputs"] = [_row(source, inputs) for source in inputs[held.pk]]
    return row


def _instant(moment: dt.datetime) -> str:
    """Return an instant in UTC, ISO 8601, the same on SQLite and PostgreSQL."""
    return moment.astimezone(dt.UTC).isoformat()
