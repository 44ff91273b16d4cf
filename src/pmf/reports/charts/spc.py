"""Build the XmR (SPC) chart of a unit's figures of one measure, as a Vega-Lite specification.

The points, means, limits and variation come from ``pmf.core.baseline.chart_series``; the
measure page draws the chart with Vega in the browser and the board paper with vl_convert.
"""

from __future__ import annotations

import textwrap
from typing import Any

from pmf.core.scorecard import VARIATION_WORDS

# Making Data Count colours: grey for common cause, blue for improvement, orange for concern,
# purple where neither direction is better. Shapes repeat the meaning for people who cannot
# tell the colours apart, and the table beside the chart says it in words.
POINT_STYLES = {
    "common_cause": ("#7b7d7d", "circle"),
    "special_cause_improvement": ("#1d70b8", "diamond"),
    "special_cause_concern": ("#b94e00", "triangle-down"),
    "special_cause_neutral_high": ("#4c2c92", "triangle-up"),
    "special_cause_neutral_low": ("#4c2c92", "triangle-down"),
}

SPC_TITLE_CHARACTERS = 24
"""Characters of each line of the SPC chart's vertical axis title: it fits 200 pixels."""


def spc_chart(
    name: str, unit: str, rows: list[dict[str, Any]], summary: dict[str, Any]
) -> dict[str, Any]:
    """Return a Vega-Lite specification of the XmR chart of the charted rows.

    Each segment's mean and limits are separate lines (none joins one segment to the
    next), the target in force is a step line, events are vertical rules with their text,
    and the legend sits below the chart so that no renderer clips it. The page's table has
    the data; ``summary["limits"]`` says where the limits come from.
    """
    values = [
        {
            key: row[key]
            for key in (
                "label",
                "period",
                "value",
                "segment",
                "mean",
                "lpl",
                "upl",
                "target",
                "event",
                "point_text",
                "point_type",
            )
        }
        for row in rows
        if row.get("charted", True)
    ]
    x = {
        "field": "period",
        "type": "ordinal",
        "title": None,
        "sort": None,
        "axis": {"labelAngle": -45, "labelOverlap": True},
    }
    # The papers draw the chart 200 pixels high: a vertical title of more than about 28
    # characters (11-pixel bold) would run past the plot and be cut by the figure's edge.
    y_title = _wrapped(name, SPC_TITLE_CHARACTERS)
    line = {
        "mark": {"type": "line", "color": "#b1b4b6"},
        "encoding": {
            "x": x,
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": y_title,
                "axis": {"titleLimit": 1000, "titlePadding": 8},
                "scale": {"zero": False},
            },
        },
    }
    rules = [
        {
            "mark": {"type": "line", "color": "#0b0c0c", "strokeDash": dash},
            "encoding": {
                "x": x,
                "y": {"field": field, "type": "quantitative"},
                # One line per segment: limits are never joined across a rebase.
                "detail": {"field": "segment", "type": "nominal"},
            },
        }
        for field, dash in (("mean", [1, 0]), ("lpl", [6, 4]), ("upl", [6, 4]))
    ]
    layers: list[dict[str, Any]] = [line, *rules]
    if any(value["target"] is not None for value in values):
        layers.append(
            {
                "mark": {
                    "type": "line",
                    "color": "#d4351c",
                    "interpolate": "step",
                    "strokeWidth": 2,
                },
                "encoding": {"x": x, "y": {"field": "target", "type": "quantitative"}},
            }
        )
    if any(value["event"] for value in values):
        events = {"filter": "datum.event != null"}
        layers.append(
            {
                "transform": [events],
                "mark": {"type": "rule", "color": "#505a5f", "strokeDash": [2, 2]},
                "encoding": {"x": x},
            }
        )
        layers.append(
            {
                "transform": [events],
                # Written up the rule, inside the plot: a label near either edge is not cut off.
                "mark": {
                    "type": "text",
                    "angle": 270,
                    "align": "right",
                    "baseline": "bottom",
                    "dy": -3,
                    "y": 4,
                    "fontSize": 10,
                    "limit": 150,
                    "color": "#0b0c0c",
                },
                "encoding": {"x": x, "text": {"field": "event"}},
            }
        )
    domain = list(POINT_STYLES)
    words = [VARIATION_WORDS[key] for key in domain]
    legend = {"orient": "bottom", "direction": "horizontal", "labelLimit": 400, "columns": 3}
    dots = {
        "mark": {"type": "point", "filled": True, "size": 70},
        "encoding": {
            "x": x,
            "y": {"field": "value", "type": "quantitative"},
            "color": {
                "field": "point_text",
                "type": "nominal",
                "title": "Variation",
                "legend": legend,
                "scale": {"domain": words, "range": [POINT_STYLES[key][0] for key in domain]},
            },
            "shape": {
                "field": "point_text",
                "type": "nominal",
                "title": "Variation",
                "legend": legend,
                "scale": {"domain": words, "range": [POINT_STYLES[key][1] for key in domain]},
            },
            "tooltip": [
                {"field": "label", "title": "Period"},
                {"field": "value", "title": "Value"},
                {"field": "point_text", "title": "Variation"},
                {"field": "event", "title": "Event"},
            ],
        },
    }
    layers.append(dots)
    limits = summary.get("limits") or ""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": f"SPC chart of {name} for {unit}: values, mean and process limits. {limits}",
        "width": "container",
        "height": 300,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "padding": {"left": 8, "right": 16, "top": 8, "bottom": 8},
        "data": {"values": values},
        "layer": layers,
    }


def _wrapped(text: str, width: int) -> list[str] | str:
    """Split a long axis title into lines of at most ``width`` characters (words kept whole)."""
    lines = textwrap.wrap(text, width) or [text]
    return lines if len(lines) > 1 else lines[0]
