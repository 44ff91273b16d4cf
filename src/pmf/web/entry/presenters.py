"""Shape the data-entry form: the member's measures that fit the period, with current figures."""

from __future__ import annotations

from typing import Any

import polars as pl

from pmf.core.periods import Period
from pmf.web.accounts.models import Membership
from pmf.web.entry.services import enterable_measures
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.observations.services import held_observations

STATUSES = (
    ("provisional", "Provisional"),
    ("validated", "Validated"),
    ("signed_off", "Signed off"),
)


def entry_page(
    organisation: Organisation,
    unit: Unit,
    membership: Membership,
    period: Period | None,
    typed: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Return the form's rows: one per measure reported by the period's kind.

    ``typed`` holds what the person entered, by measure, to show again after a problem
    instead of the figures held.
    """
    rows = []
    if period is not None:
        held = held_observations(organisation).filter(
            (pl.col("unit") == unit.code) & (pl.col("period") == period.code)
        )
        current = {row["measure"]: row for row in held.iter_rows(named=True)}
        for measure in enterable_measures(membership):
            if measure.frequency != period.kind.value:
                continue
            figure = {**current.get(measure.code, {}), **(typed or {}).get(measure.code, {})}
            rows.append(
                {
                    "code": measure.code,
                    "name": measure.name,
                    "ratio": bool(measure.denominator),
                    "value": figure.get("value"),
                    "numerator": figure.get("numerator"),
                    "denominator": figure.get("denominator"),
                    "status": figure.get("status", "provisional"),
                    "note": figure.get("note", ""),
                    "revision": current.get(measure.code, {}).get("revision"),
                }
            )
    statuses = [
        (code, label) for code, label in STATUSES if code != "signed_off" or membership.may_sign_off
    ]
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "unit": {"code": unit.code, "name": unit.name},
        "period": {"code": period.code, "label": period.label} if period else None,
        "rows": rows,
        "statuses": statuses,
    }
