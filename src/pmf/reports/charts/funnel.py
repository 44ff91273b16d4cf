"""Build the funnel plot: each unit's figure against its denominator, with control limits.

The units' significance, the limit lines and the average come from
``pmf.core.overdispersion.overdispersed_plot`` (exact limits, or widened for overdispersion as
the framework chooses); the measure page draws the chart with Vega in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pmf.core.i18n import gettext as _
from pmf.reports.charts import CHART_CONFIG, axis_title

FUNNEL_TITLE_CHARACTERS = 60
"""Characters of an axis title on one line of a 480-pixel chart; longer titles wrap."""

LIMIT_LEVELS = {
    "lower_95": "95%",
    "upper_95": "95%",
    "lower_998": "99.8%",
    "upper_998": "99.8%",
}
"""The level of each limit line of ``pmf.core.funnel.FUNNEL_LINES``, as the legend names it."""


def limit_label(level: str) -> str:
    """Return the legend's words for the limits at ``level``: "95% limits".

    >>> limit_label("99.8%")
    '99.8% limits'
    """
    return _("{level} limits").format(level=level)


def funnel_chart(
    name: str,
    period: str,
    lines: Sequence[tuple[str, float, float]],
    points: list[dict[str, Any]],
    average: float,
    x_title: str,
    adjustment: str = "",
) -> dict[str, Any]:
    """Return a Vega-Lite funnel plot of ``points`` with the limit ``lines`` and the average.

    ``name`` is the measure's, ``period`` the label of the period plotted and ``x_title`` the
    denominator's name; ``adjustment`` (``pmf.core.overdispersion.describe``'s sentence)
    ends the chart's description, saying which limits are drawn. ``lines`` are (line,
    denominator, limit) as ``FunnelPlot.lines``; ``points`` are the units' rows as the page's
    table lists them (``name``, ``denominator``, ``denominator_text``, ``value``,
    ``value_text``, ``limits_998_text``, ``significance``, ``is_unit``); the tooltips name
    their fields and a point's significance in the reader's language.

    >>> chart = funnel_chart("Solved", "March 2025", [("lower_95", 100.0, 20.0)],
    ...     [{"name": "A", "denominator": 100.0, "value": 30.0}], 36.7, "Crimes")
    >>> chart["layer"][0]["data"]["values"]
    [{'line': 'lower_95', 'limit': '95% limits', 'x': 100.0, 'y': 20.0}]
    """
    values = [
        {"line": line, "limit": limit_label(LIMIT_LEVELS[line]), "x": x, "y": y}
        for line, x, y in lines
    ]
    # The tooltips' words in the reader's language, as the SPC chart's are: a point's place on
    # the funnel is kept in English (pmf.core.funnel's labels, as the page's JSON gives it).
    points = [
        {**point, "significance": _(point["significance"])} if point.get("significance") else point
        for point in points
    ]
    description = _(
        "Funnel plot of {measure}, {period}: each unit's figure against its denominator, with "
        "95% and 99.8% control limits."
    ).format(measure=name, period=period)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": description + (f" {adjustment}" if adjustment else ""),
        "width": "container",
        "height": 320,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": CHART_CONFIG,
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "line", "color": "#505a5f"},
                "encoding": {
                    "x": {
                        "field": "x",
                        "type": "quantitative",
                        "title": axis_title(x_title, FUNNEL_TITLE_CHARACTERS),
                        "scale": {"zero": False},
                        # Seven-digit denominators: fewer ticks, none drawn over another.
                        "axis": {"tickCount": 6, "labelOverlap": True},
                    },
                    "y": {
                        "field": "y",
                        "type": "quantitative",
                        "title": axis_title(name, FUNNEL_TITLE_CHARACTERS * 5 // 6),
                        "scale": {"zero": False},
                    },
                    "detail": {"field": "line"},
                    "strokeDash": {
                        "field": "limit",
                        "type": "nominal",
                        "title": _("Limits"),
                        "legend": {"orient": "bottom", "direction": "horizontal"},
                        "scale": {
                            "domain": [limit_label("95%"), limit_label("99.8%")],
                            "range": [[6, 3], [1, 0]],
                        },
                    },
                },
            },
            {
                "data": {"values": [{"y": average}]},
                "mark": {"type": "rule", "color": "#d4351c"},
                "encoding": {"y": {"field": "y", "type": "quantitative"}},
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {
                    "x": {"field": "denominator", "type": "quantitative"},
                    "y": {"field": "value", "type": "quantitative"},
                    "color": {
                        "field": "is_unit",
                        "type": "nominal",
                        "legend": None,
                        "scale": {"domain": [True, False], "range": ["#1d70b8", "#505a5f"]},
                    },
                    "tooltip": [
                        {"field": "name", "title": _("Unit")},
                        {"field": "denominator_text", "title": x_title},
                        {"field": "value_text", "title": _("Value")},
                        {"field": "limits_998_text", "title": limit_label("99.8%")},
                        {"field": "significance", "title": _("Significance")},
                    ],
                },
            },
        ],
    }
