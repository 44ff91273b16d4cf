"""Build the SPC chart of a unit's figures of one measure, as a Vega-Lite specification.

The points, means, limits and variation come from ``pmf.core.baseline.chart_series``; the
measure page draws the chart with Vega in the browser and the board paper with vl_convert.
The chart is the measure's chart type (``spc: {chart:}``), the XmR chart by default; a p,
p′, u or u′ chart's limits vary with each figure's denominator and are drawn as steps.
"""

from __future__ import annotations

import textwrap
from typing import Any

from pmf.core.i18n import gettext as _
from pmf.core.scorecard import VARIATION_WORDS
from pmf.core.text import period_name

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
    """Return a Vega-Lite specification of the SPC chart of the charted rows.

    Each segment's mean and limits are separate lines (none joins one segment to the
    next), the target in force is a step line, events are vertical rules with their text,
    and the legend sits below the chart so that no renderer clips it. The page's table has
    the data; ``summary["limits"]`` says where the limits come from. Unless ``summary`` is
    ``plain`` (the XmR chart with Making Data Count's rules, drawn as ever), the chart plots
    each row's ``plotted`` value, draws limits that vary (``limits_vary``) as steps and its
    description names the chart and rules (``chart_title``) and any ``fallback``.
    """
    plain = summary.get("plain", True)
    chart = summary.get("chart", "i")
    # Beyond the XmR chart: what is plotted (the moving range, the proportion or rate in the
    # measure's units) and each point's 2-sigma lines.
    more = () if plain else ("plotted", "lpl_2sigma", "upl_2sigma")
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
                *more,
            )
        }
        for row in rows
        if row.get("charted", True)
    ]
    # The legend's words and the points' are the same, in the reader's language, and so are
    # the periods' names (the label, in English).
    values = [
        {
            **value,
            "label": period_name(value["period"]),
            "point_text": _(value["point_text"]) if value["point_text"] else value["point_text"],
        }
        for value in values
    ]
    if not plain and chart == "mr":
        # A moving range is not in the figures' terms: no target line is drawn with it.
        values = [{**value, "target": None} for value in values]
    plotted = "value" if plain else "plotted"
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
                "field": plotted,
                "type": "quantitative",
                "title": y_title,
                "axis": {"titleLimit": 1000, "titlePadding": 8},
                "scale": {"zero": False},
            },
        },
    }
    # Limits that vary with each figure's denominator are steps, one level per figure.
    steps = {"interpolate": "step"} if summary.get("limits_vary") else {}
    rules = [
        {
            "mark": {
                "type": "line",
                "color": "#0b0c0c",
                "strokeDash": dash,
                **(steps if field != "mean" else {}),
            },
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
    words = [_(VARIATION_WORDS[key]) for key in domain]
    legend = {"orient": "bottom", "direction": "horizontal", "labelLimit": 400, "columns": 3}
    dots = {
        "mark": {"type": "point", "filled": True, "size": 70},
        "encoding": {
            "x": x,
            "y": {"field": plotted, "type": "quantitative"},
            "color": {
                "field": "point_text",
                "type": "nominal",
                "title": _("Variation"),
                "legend": legend,
                "scale": {"domain": words, "range": [POINT_STYLES[key][0] for key in domain]},
            },
            "shape": {
                "field": "point_text",
                "type": "nominal",
                "title": _("Variation"),
                "legend": legend,
                "scale": {"domain": words, "range": [POINT_STYLES[key][1] for key in domain]},
            },
            "tooltip": [
                {"field": "label", "title": _("Period")},
                {"field": plotted, "title": _("Value")},
                *(
                    []
                    if plain
                    else [
                        {"field": "lpl", "title": _("Lower limit")},
                        {"field": "upl", "title": _("Upper limit")},
                    ]
                ),
                {"field": "point_text", "title": _("Variation")},
                {"field": "event", "title": _("Event")},
            ],
        },
    }
    layers.append(dots)
    limits = summary.get("limits") or ""
    description = _(
        "SPC chart of {measure} for {unit}: values, mean and process limits. {limits}"
    ).format(measure=name, unit=unit, limits=limits)
    if not plain:
        fallback = summary.get("fallback")
        said = _described(chart, bool(summary.get("limits_vary"))).format(
            chart=_(summary.get("chart_title", "")) if summary.get("chart_title") else "",
            measure=name,
            unit=unit,
        )
        if fallback:
            said = _("{description}; {fallback}").format(description=said, fallback=fallback)
        description = f"{said}. {limits}"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": description,
        "width": "container",
        "height": 300,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "padding": {"left": 8, "right": 16, "top": 8, "bottom": 8},
        "data": {"values": values},
        "layer": layers,
    }


def _described(chart: str, vary: bool) -> str:
    """Return what a chart other than the XmR chart shows, to be filled with its names."""
    if chart == "run":
        return _("{chart} of {measure} for {unit}: values, median")
    if chart == "mr" and vary:
        return _(
            "{chart} of {measure} for {unit}: moving ranges, centre line and process limits "
            "(they vary with each figure's denominator)"
        )
    if chart == "mr":
        return _("{chart} of {measure} for {unit}: moving ranges, centre line and process limits")
    if vary:
        return _(
            "{chart} of {measure} for {unit}: values, centre line and process limits (they vary "
            "with each figure's denominator)"
        )
    return _("{chart} of {measure} for {unit}: values, centre line and process limits")


def _wrapped(text: str, width: int) -> list[str] | str:
    """Split a long axis title into lines of at most ``width`` characters (words kept whole)."""
    lines = textwrap.wrap(text, width) or [text]
    return lines if len(lines) > 1 else lines[0]
