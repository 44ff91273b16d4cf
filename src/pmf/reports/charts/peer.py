"""Build the peer chart: the unit among its peer group, each figure with its 95% interval.

The measure page draws it with Vega in the browser and the board paper with vl_convert; the
figures, intervals and average come from ``pmf.core.peers.peer_snapshot``.
"""

from __future__ import annotations

from typing import Any

from pmf.core.i18n import gettext as _
from pmf.reports.charts import CHART_CONFIG, axis_title

# Characters of the peer chart's axis title on one line; the papers draw it 480 pixels wide.
PEER_TITLE_CHARACTERS = 60


def peer_chart(name: str, peers: dict[str, Any]) -> dict[str, Any]:
    """Return a Vega-Lite chart of the unit among its peers, with intervals and the average.

    Unit names and the measure's name are never cut short: the names get the room they need
    and a long axis title wraps (``pmf.reports.charts``).
    """
    y = {"field": "name", "type": "nominal", "sort": None, "title": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": _(
            # xgettext: no-python-format (95% is a percentage)
            "{measure} for the unit and its peer group, {period}, with 95% confidence intervals "
            "and the group average."
        ).format(measure=name, period=peers["period"]),
        "width": "container",
        "height": {"step": 24},
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": CHART_CONFIG,
        "data": {"values": peers["rows"]},
        "layer": [
            {
                "mark": {"type": "rule", "color": "#505a5f"},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "lower",
                        "type": "quantitative",
                        "title": axis_title(name, PEER_TITLE_CHARACTERS),
                    },
                    "x2": {"field": "upper"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 80},
                "encoding": {
                    "y": y,
                    "x": {"field": "value", "type": "quantitative"},
                    "color": {
                        "field": "is_unit",
                        "type": "nominal",
                        "title": _("Unit"),
                        "scale": {"domain": [True, False], "range": ["#1d70b8", "#505a5f"]},
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "name", "title": _("Unit")},
                        {"field": "value_text", "title": _("Value")},
                    ],
                },
            },
            {
                "mark": {"type": "rule", "color": "#d4351c", "strokeDash": [4, 4]},
                "encoding": {"x": {"datum": peers["average"]}},
            },
        ],
    }
