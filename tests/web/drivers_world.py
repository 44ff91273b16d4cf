"""A small force with a calculated measure, the sum of two measures in two areas, for the
key drivers' tests of the measure page, the command line and the board paper."""

from __future__ import annotations

import textwrap
from pathlib import Path

from pmf.core.framework import load_framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from pmf.web.observations.services import store_observations

FRAMEWORK = textwrap.dedent(
    """\
    organisation: {code: DRV, name: Drivers Force}
    areas:
      - {code: HARM, name: HARM}
      - {code: PROPERTY, name: PROPERTY}
    units:
      - {code: F, name: Force, type: force}
    measures:
      - code: HIGH_HARM
        name: High harm offences
        area: HARM
        kind: redline
        polarity: lower_is_better
        unit_of_measure: count
        frequency: month
        decimals: 0
        formula: VWI + ROBBERY
        standard: {type: target, comparison: "<=", value: 150}
      - {code: VWI, name: Violence with injury, area: HARM, kind: kpi,
         polarity: lower_is_better, unit_of_measure: count, frequency: month, decimals: 0,
         standard: {type: target, comparison: "<=", value: 100}}
      - {code: ROBBERY, name: Robbery <b>of</b> personal property, area: PROPERTY, kind: kpi,
         polarity: lower_is_better, unit_of_measure: count, frequency: month, decimals: 0,
         standard: {type: target, comparison: "<=", value: 60}}
    """
)
# Inputs by month: (VWI, ROBBERY); the high harm figure is their sum.
FIGURES = {"2024-06": (90, 50), "2025-05": (100, 60), "2025-06": (110, 40)}


def _stored(tmp_path: Path, text: str, rows: list[str], name: str) -> None:
    path = tmp_path / name
    path.write_text("unit,measure,period,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = check_table(read_table(path), load_framework(text))
    assert result.ok, result.problems
    store_observations(
        Organisation.objects.get(code="DRV"),
        result.observations,
        file_name=name,
        sha256=name,
        layout=result.layout,
        check_warnings=False,
    )


def drivers_organisation(tmp_path: Path) -> Organisation:
    """The organisation with the inputs' figures, and so the calculated measure's."""
    organisation = store_framework(load_framework(FRAMEWORK), "framework.yaml")
    inputs = [
        f"F,{code},{period},{value}"
        for period, values in FIGURES.items()
        for code, value in zip(("VWI", "ROBBERY"), values, strict=True)
    ]
    # Storing the inputs computes the calculated measure's figures (pmf.core.calculation).
    _stored(tmp_path, FRAMEWORK, inputs, "inputs.csv")
    return organisation
