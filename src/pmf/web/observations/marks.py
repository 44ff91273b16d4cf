"""Read which figures held are provisional or were stored with accepted warnings.

The scorecards, measure pages and papers mark them (``pmf.core.scorecard.MARKS``); the cycle
page lists them for the analyst before the data are locked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db.models import Q

from pmf.core.framework import Framework
from pmf.core.scorecard import ObservationMarks, observation_marks
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation

PROVISIONAL = Observation.Status.PROVISIONAL


def flagged_observations(
    organisation: Organisation,
    *,
    as_at: dt.datetime | None = None,
    units: Collection[str] | None = None,
    measures: Collection[str] | None = None,
    periods: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Return the figures held (now or at ``as_at``) that are provisional or carry warnings.

    ``units``, ``measures`` and ``periods`` (codes) limit what is read. Each figure has its
    unit, measure and period codes, value, status, warnings (a list), the reason they were
    accepted, and whether it is ``provisional`` and ``warned``; in unit, measure, period order.
    """
    found = Observation.objects.filter(measure__organisation=organisation).filter(
        Q(status=PROVISIONAL) | ~Q(warnings="")
    )
    if as_at is None:
        found = found.filter(superseded_at__isnull=True)
    else:
        found = found.filter(recorded_at__lte=as_at).filter(
            Q(superseded_at__isnull=True) | Q(superseded_at__gt=as_at)
        )
    if units is not None:
        found = found.filter(unit__code__in=list(units))
    if measures is not None:
        found = found.filter(measure__code__in=list(measures))
    if periods is not None:
        found = found.filter(period__in=list(periods))
    rows = found.values_list(
        "id",
        "unit__code",
        "measure__code",
        "period",
        "value",
        "status",
        "warnings",
        "warnings_reason",
    ).order_by("unit__code", "measure__code", "period")
    return [
        {
            "id": pk,
            "unit": unit,
            "measure": measure,
            "period": period,
            "value": value,
            "status": status,
            "warnings": [line for line in (warnings or "").splitlines() if line.strip()],
            "warnings_reason": reason or "",
            "provisional": status == PROVISIONAL,
            "warned": bool((warnings or "").strip()),
        }
        for pk, unit, measure, period, value, status, warnings, reason in rows
    ]


def marks_for(
    organisation: Organisation,
    framework: Framework,
    *,
    as_at: dt.datetime | None = None,
    units: Collection[str] | None = None,
    measures: Collection[str] | None = None,
    periods: Collection[str] | None = None,
) -> ObservationMarks:
    """Return the marks of the figures held, for ``observation_marks``' readers (pages, papers).

    ``units`` are those whose own figures count: a unit and every unit below it, for a
    rolled-up figure takes its marks from theirs.
    """
    return observation_marks(
        framework,
        (
            (row["unit"], row["measure"], row["period"], row["provisional"], row["warned"])
            for row in flagged_observations(
                organisation, as_at=as_at, units=units, measures=measures, periods=periods
            )
        ),
    )
