"""Build the reporting delay chart: days from each cycle's period end to each stage.

The dashboard draws it with Vega in the browser and the annual report with vl_convert; the
days come from ``pmf.core.delay.reporting_delays``, and a table of them goes with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pmf.core.delay import STAGES, ReportingDelay
from pmf.core.i18n import gettext as _
from pmf.core.text import period_name
from pmf.reports.charts import CHART_CONFIG

# The stages' colours: GOV.UK blue, purple and green, told apart by their point shapes too.
STAGE_COLOURS = ("#1d70b8", "#4c2c92", "#00703c")
STAGE_SHAPES = ("circle", "square", "triangle-up")


def delay_points(delays: Sequence[ReportingDelay]) -> list[dict[str, Any]]:
    """Return one point per cycle and stage reached: the cycle, the stage and the days."""
    return [
        {
            "cycle": f"{item.number}: {period_name(item.cut_off)}",
            "stage": _(title),
            "days": days,
        }
        for item in delays
        for stage, title in STAGES
        if (days := item.days(stage)) is not None
    ]


def delay_chart(delays: Sequence[ReportingDelay]) -> dict[str, Any]:
    """Return a Vega-Lite line chart of the days to each stage, cycle by cycle."""
    titles = [_(title) for _stage, title in STAGES]
    order = [f"{item.number}: {period_name(item.cut_off)}" for item in delays]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": _(
            "Days from the end of each cycle's data period to its figures being locked, to its "
            "board and to its publication."
        ),
        "width": "container",
        "height": 240,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": CHART_CONFIG,
        "data": {"values": delay_points(delays)},
        "mark": {"type": "line", "point": {"filled": True, "size": 60}},
        "encoding": {
            "x": {
                "field": "cycle",
                "type": "ordinal",
                "sort": order,
                "title": _("Cycle: data to"),
                "axis": {"labelAngle": -40},
            },
            "y": {
                "field": "days",
                "type": "quantitative",
                "title": _("Days after the period ended"),
            },
            "color": {
                "field": "stage",
                "type": "nominal",
                "title": _("Stage"),
                "scale": {"domain": titles, "range": list(STAGE_COLOURS)},
            },
            "shape": {
                "field": "stage",
                "type": "nominal",
                "scale": {"domain": titles, "range": list(STAGE_SHAPES)},
            },
            "tooltip": [
                {"field": "cycle", "title": _("Cycle")},
                {"field": "stage", "title": _("Stage")},
                {"field": "days", "title": _("Days")},
            ],
        },
    }
