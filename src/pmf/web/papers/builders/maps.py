"""The board paper's map of a redline: every mapped unit's figure at the paper's latest period.

Drawn where the organisation's framework names boundaries (``maps``): the choropleth of the
figures held at the lock (``pmf.reports.charts.choropleth``, coloured by value), its text
alternative, and its table (unit, ONS code, value). A board paper is the organisation's own,
read by its board: every mapped unit is drawn.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from pmf.core.framework import Framework, map_units
from pmf.core.periods import parse_period
from pmf.core.text import format_value, period_name
from pmf.reports.charts import drawn
from pmf.reports.charts.choropleth import choropleth_chart, map_summary
from pmf.reports.document import Chart, Table
from pmf.web.frameworks.models import Organisation
from pmf.web.maps.presenters import boundaries_of


def map_blocks(
    organisation: Organisation, framework: Framework, rolled: pl.DataFrame, measure: Any
) -> list[Chart | Table]:
    """Return the map of ``measure``'s latest figures by unit and its table; [] for none."""
    boundaries = boundaries_of(organisation)
    units = map_units(framework.model)
    if boundaries is None or not units:
        return []
    codes = [unit.code for unit in units]
    held = rolled.filter(pl.col("measure") == measure.code, pl.col("unit").is_in(codes))
    if not held.height:
        return []
    latest = max(held["period"].unique().to_list(), key=lambda code: parse_period(code).end)
    values = {
        row["unit"]: row["value"]
        for row in held.filter(pl.col("period") == latest).iter_rows(named=True)
        if row["value"] is not None
    }
    rows = [
        {
            "unit": unit.code,
            "name": unit.name,
            "ons_code": unit.ons_code,
            "value": values.get(unit.code),
            "value_text": format_value(values[unit.code], measure) if unit.code in values else "–",
            "comparison": None,
        }
        for unit in units
    ]
    period = period_name(latest)
    data = {
        "measure": measure.name,
        "period": period,
        "rows": rows,
        "shapes": dict(boundaries.shapes),
        "standard_text": "",
    }
    settings = framework.model.maps
    attribution = f" {settings.attribution}" if settings and settings.attribution else ""
    svg, png = drawn(choropleth_chart(data, "value"), width=480, height=400)
    return [
        Chart(
            svg=svg,
            png=png,
            alt=map_summary(data),
            caption=_(
                "{measure}, {period}: a map of each unit's figure (darker is lower, lighter is "
                "higher; grey: no figure). The figures are in the table below."
            ).format(measure=measure.name, period=period)
            + attribution,
        ),
        Table(
            caption=_("{measure} by unit, {period}").format(measure=measure.name, period=period),
            header=(_("Unit"), _("ONS code"), _("Value")),
            rows=tuple(
                (
                    str(row["name"]),
                    str(row["ons_code"] or ""),
                    str(row["value_text"]) if row["value"] is not None else _("no figure"),
                )
                for row in rows
            ),
        ),
    ]
