"""Shape the framework for the API: the units a member may see, and the measures."""

from __future__ import annotations

from typing import Any

from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import shared_areas, visible_units
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of


def units(membership: Membership, organisation: Organisation) -> list[dict[str, Any]]:
    """Return the units the member may see, in tree order, each with its parent's code."""
    every = list(organisation.units.all())
    codes = {unit.pk: unit.code for unit in every}
    return [
        {
            "code": unit.code,
            "name": unit.name,
            "type": unit.type,
            "parent": codes.get(unit.parent_id) if unit.parent_id else None,
            "external": unit.external,
            "member_from": unit.member_from or None,
            "member_until": unit.member_until or None,
            "ons_code": unit.ons_code or None,
        }
        for unit in visible_units(membership, organisation)
    ]


def measures(membership: Membership, organisation: Organisation) -> list[dict[str, Any]]:
    """Return the measures the member may read, in scorecard order, with area and standards."""
    framework = framework_of(organisation)
    allowed = shared_areas(membership, organisation)
    return [
        {
            **measure.model_dump(exclude={"standard", "rollup", "rollup_partial"}),
            "area_name": framework.area(measure.area).name,
            "standards": list(measure.standard),
        }
        for measure in framework.measures
        if allowed is None or measure.area in allowed
    ]
