"""The board paper's map of a redline: every mapped unit's figure at the paper's latest period.

Drawn where the organisation's framework names boundaries (``maps``): the choropleth of the
figures held at the lock (``pmf.reports.charts.choropleth``), its text alternative, and its
table (unit, ONS code, value and, where the measure has a standard, how each unit compares
with it). The internal units' figures and their comparison with the standard are the cycle's
own assessment (``pmf.core.assessment``, as the scorecard and the rationale judged them), so
the map is coloured against the standard as the measure page's map can be; a measure without
a standard is coloured by value. A board paper is the organisation's own, read by its board:
every mapped unit is drawn.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from pmf.core.framework import Framework, map_units
from pmf.reports.charts import drawn
from pmf.reports.charts.choropleth import choropleth_chart, map_summary
from pmf.reports.document import Chart, Table
from pmf.web.frameworks.models import Organisation
from pmf.web.maps.presenters import boundaries_of, map_data


def map_blocks(
    organisation: Organisation,
    framework: Framework,
    rolled: pl.DataFrame,
    measure: Any,
    assessment: pl.DataFrame,
) -> list[Chart | Table]:
    """Return the map of ``measure``'s latest figures by unit and its table; [] for none.

    ``assessment`` is the cycle's (``cycle_assessment``): the internal units' values and
    their comparison with the standard; the values of the units it does not judge
    (comparators, units not yet members at the cut-off) come from ``rolled`` (the figures
    held at the lock, rolled up, to the cut-off), shown as not judged.
    """
    boundaries = boundaries_of(organisation)
    units = map_units(framework.model)
    if boundaries is None or not units:
        return []
    held = rolled.filter(
        pl.col("measure") == measure.code, pl.col("unit").is_in([unit.code for unit in units])
    )
    data = map_data(
        framework,
        units,
        measure.code,
        assessment,
        held,
        dict(boundaries.shapes),
    )
    if data["period_code"] is None:
        return []
    period = data["period"]
    settings = framework.model.maps
    attribution = f" {settings.attribution}" if settings and settings.attribution else ""
    against = bool(data["has_comparison"])
    svg, png = drawn(
        choropleth_chart(data, "standard" if against else "value"), width=480, height=400
    )
    caption = (
        _(
            "{measure}, {period}: a map of each unit's figure against the standard (purple with "
            "+ meets it, light orange with ~ is close, orange with x does not; near white: not "
            "judged; grey: no figure). The figures are in the table below."
        )
        if against
        else _(
            "{measure}, {period}: a map of each unit's figure (darker is lower, lighter is "
            "higher; grey: no figure). The figures are in the table below."
        )
    ).format(measure=measure.name, period=period)
    header = (_("Unit"), _("ONS code"), _("Value"))
    return [
        Chart(svg=svg, png=png, alt=map_summary(data), caption=caption + attribution),
        Table(
            caption=_("{measure} by unit, {period}").format(measure=measure.name, period=period),
            header=(*header, _("Against the standard")) if against else header,
            rows=tuple(
                (
                    str(row["name"]),
                    str(row["ons_code"] or ""),
                    str(row["value_text"]) if row["value"] is not None else _("no figure"),
                    *((str(row["comparison_text"]),) if against else ()),
                )
                for row in data["rows"]
            ),
        ),
    ]
