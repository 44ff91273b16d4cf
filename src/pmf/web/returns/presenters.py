"""The statutory returns pages' data: the list of returns, and one return checked for a period.

Plain data only (text, numbers, lists, dicts), the same for the page and its JSON twin.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.utils.translation import gettext_lazy

from pmf.core.returns import ReturnCheck
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of
from pmf.web.returns import services

PART_NAMES = {
    "value": gettext_lazy("value"),
    "numerator": gettext_lazy("numerator"),
    "denominator": gettext_lazy("denominator"),
}
PERIOD_NAMES = {
    "current": gettext_lazy("the return's period"),
    "previous": gettext_lazy("the previous period"),
    "same_period_last_year": gettext_lazy("the same period last year"),
}


def returns_page(organisation: Organisation) -> dict[str, Any]:
    """Return the organisation's returns: code, name, frequency, recipient, due and template."""
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "returns": [
            {
                "code": found.code,
                "name": found.name,
                "frequency": found.frequency.value.replace("_", " "),
                "format": found.format.upper(),
                "template": found.template,
                "recipient": found.recipient,
                "due": found.due,
                "status": found.status.replace("_", " "),
            }
            for found in services.definitions(organisation)
        ],
    }


def return_page(
    organisation: Organisation,
    code: str,
    checked: ReturnCheck | None,
    scope: Collection[str] | None,
) -> dict[str, Any]:
    """Return one return's definition and, for a period, each cell and every problem."""
    found = services.definition(organisation, code)
    framework = framework_of(organisation)
    measures = {measure.code: measure.name for measure in framework.measures}
    units = {unit.code: unit.name for unit in framework.units}
    data: dict[str, Any] = {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "return": {
            "code": found.code,
            "name": found.name,
            "description": found.description,
            "frequency": found.frequency.value.replace("_", " "),
            "format": found.format.upper(),
            "template": found.template,
            "recipient": found.recipient,
            "due": found.due,
            "status": found.status.replace("_", " "),
        },
        "scoped": scope is not None,
        "period": None,
        "ready": None,
        "problems": [],
        "cells": [],
        "exports": [
            {**item, "at": item["at"].isoformat(timespec="seconds")}
            for item in services.exports(organisation, code)
        ],
    }
    if checked is None:
        return data
    data["period"] = checked.period
    data["ready"] = checked.ready
    data["problems"] = list(checked.problems)
    data["cells"] = [
        {
            "cell": filled.cell.address,
            "measure": filled.cell.measure,
            "measure_name": measures.get(filled.cell.measure, filled.cell.measure),
            "unit": filled.cell.unit,
            "unit_name": units.get(filled.cell.unit, filled.cell.unit),
            "period": filled.cell.period,
            "part": str(PART_NAMES[filled.cell.part]),
            "text": filled.text,
            "status": filled.status.replace("_", " "),
            "problems": list(filled.problems),
        }
        for filled in checked.cells
    ]
    return data
