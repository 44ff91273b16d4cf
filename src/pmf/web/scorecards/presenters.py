"""Shape data for the scorecard pages; the HTML and the JSON version both come from here."""

from __future__ import annotations

from typing import Any

from pmf.core.periods import Period
from pmf.core.scorecard import ASSURANCE_WORDS, VARIATION_WORDS, direction_text
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.observations.services import scorecard_for


def organisation_page(organisation: Organisation, membership: Membership) -> dict[str, Any]:
    """Return the organisation's units that the member may see, as a tree of rows."""
    units = visible_units(membership)
    codes = {unit.pk for unit in units}
    depth: dict[int, int] = {}
    rows = []
    for unit in units:
        if unit.external:
            continue
        level = depth[unit.parent_id] + 1 if unit.parent_id in depth else 0
        depth[unit.pk] = level
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "type": unit.type,
                "level": level,
                "parent": unit.parent.code if unit.parent_id in codes and unit.parent else None,
            }
        )
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "units": rows,
        "comparators": [{"code": unit.code, "name": unit.name} for unit in units if unit.external],
    }


def scorecard_page(
    organisation: Organisation,
    unit: Unit,
    *,
    period: Period | None = None,
    areas: list[str] | None = None,
    kinds: list[str] | None = None,
    exceptions_only: bool = False,
) -> dict[str, Any]:
    """Return a unit's scorecard for the page and its JSON version."""
    scorecard = scorecard_for(
        organisation,
        unit=unit.code,
        period=period,
        areas=areas or None,
        kinds=kinds or None,
        exceptions_only=exceptions_only,
    )
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "unit": {"code": scorecard.unit, "name": scorecard.unit_name},
        "as_at": scorecard.as_at,
        "filters": {"areas": areas or [], "kinds": kinds or [], "exceptions": exceptions_only},
        "areas": [
            {
                "code": section.code,
                "title": section.title,
                "measures": [
                    {
                        **row.as_dict(),
                        "direction_previous_text": direction_text(row.direction_previous),
                        "direction_last_year_text": direction_text(row.direction_last_year),
                        "rank_text": row.rank_text,
                        "standard_text": row.standard_text,
                        "variation_text": VARIATION_WORDS.get(row.variation or "", ""),
                        "assurance_text": ASSURANCE_WORDS.get(row.assurance or "", ""),
                    }
                    for row in section.rows
                ],
            }
            for section in scorecard.sections
        ],
    }
