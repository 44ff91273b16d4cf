"""A small force whose measures fall in different cells of the Making Data Count matrix,
for the tests of the summary page, the dashboard and the board paper."""

from __future__ import annotations

from pathlib import Path

from pmf.web.frameworks.models import Organisation

MDC = """\
organisation: {code: MDC, name: Matrix Force}
areas:
  - {code: FOCUS, name: FOCUS}
units:
  - {code: F, name: Force, type: force}
  - {code: N, name: North, type: command, parent: F}
  - {code: S, name: South, type: command, parent: F}
measures:
  - {code: R, name: Calls answered late, area: FOCUS, kind: redline, polarity: lower_is_better,
     unit_of_measure: count, frequency: month,
     standard: {type: target, comparison: "<=", value: 30}}
  - {code: K, name: Arrests, area: FOCUS, kind: kpi, polarity: higher_is_better,
     unit_of_measure: count, frequency: month,
     standard: {type: target, comparison: ">=", value: 11}}
  - {code: C, name: Complaints, area: FOCUS, kind: kpi, polarity: lower_is_better,
     unit_of_measure: count, frequency: month}
"""
MONTHS = [f"{2024 + (m // 12)}-{m % 12 + 1:02d}" for m in range(20)]
STEADY = [10.0, 12.0] * 10
SERIES = {
    # Late calls: steady far below the target of 30 (passes), the last point beyond the upper
    # limit (a concern, high, as lower is better). Arrests: steady about the target of 11
    # (hit and miss). Complaints: steady, no target. The force's own figures are North's;
    # South has complaints alone.
    **{(unit, "R"): [*STEADY[:19], 22.0] for unit in ("F", "N")},
    **{(unit, "K"): STEADY for unit in ("F", "N")},
    **{(unit, "C"): STEADY for unit in ("F", "N", "S")},
}


def store_matrix_force(tmp_path: Path) -> Organisation:
    """Store the force's framework and figures; return the organisation."""
    from pmf.core.framework import load_framework
    from pmf.sources.importer import check_table
    from pmf.sources.readers import read_table
    from pmf.web.frameworks.services import framework_of, store_framework
    from pmf.web.observations.services import store_observations

    lines = ["unit,measure,period,value"]
    for (unit, code), values in SERIES.items():
        lines += [f"{unit},{code},{m},{v}" for m, v in zip(MONTHS, values, strict=True)]
    organisation = store_framework(load_framework(MDC), "framework.yaml")
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    assert result.ok, result.problems
    store_observations(
        organisation, result.observations, file_name="figures.csv", sha256="m", layout=result.layout
    )
    return organisation
