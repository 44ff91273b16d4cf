"""Build the choropleth: a measure's latest figures by unit on a map of the units' boundaries.

Two views of the same data, each safe for readers who do not tell red from green:

- ``value``: each unit coloured by its figure on the sequential viridis scale (dark purple to
  yellow, ordered in lightness, so it reads in greyscale and with any colour vision);
- ``standard``: each unit coloured by how its figure compares with the measure's standard on a
  purple-orange diverging scheme (ColorBrewer PuOr, safe for deuteranopia and protanopia), and
  marked with a symbol as well (+ meets it, ~ close, x does not), so that colour is never the
  only cue.

A unit without a figure for the period is drawn in neutral grey with its own legend entry. The
title names the period; ``map_summary`` gives the text alternative (highest, lowest, the
standard); pages and papers print the figures' table beside the map.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from html import escape
from typing import Any, Literal

from pmf.core.i18n import gettext as _
from pmf.reports.charts import CHART_CONFIG

View = Literal["value", "standard"]

SCHEME = "viridis"
"""The sequential scheme of the figures: perceptually even and ordered in lightness."""

NO_VALUE_COLOUR = "#b1b4b6"
"""Neutral grey (GOV.UK mid-grey) for a unit with no figure for the period."""

COMPARISON_COLOURS = {"met": "#5e3c99", "near": "#fdb863", "not_met": "#e66101"}
"""ColorBrewer PuOr's ends and a light orange: distinct with deuteranopia and protanopia."""

UNJUDGED_COLOUR = "#f3f2f1"
"""A unit with a figure but not judged against the standard (a comparator): near white."""

COMPARISON_SYMBOLS = {"met": "+", "near": "~", "not_met": "x"}
"""The symbol drawn on each unit as well as its colour, so that colour is not the only cue."""

OUTLINE = "#505a5f"


def comparison_words() -> dict[str, str]:
    """Return the legend's words for each comparison, each with its symbol."""
    return {
        "met": _("+ meets the standard"),
        "near": _("~ close to the standard"),
        "not_met": _("x does not meet the standard"),
        "unjudged": _("not judged against the standard"),
    }


def choropleth_chart(data: dict[str, Any], view: View = "value") -> dict[str, Any]:
    """Return a Vega-Lite map of ``data`` (see ``pmf.web.maps``) in the given view.

    ``data`` holds ``measure`` (name), ``period`` (label), ``rows`` (unit, name,
    ons_code, value, value_text, comparison: met, near, not_met or None) and ``shapes``
    (ONS code to GeoJSON geometry); rows without a shape are not drawn.
    """
    shapes = data["shapes"]
    period = data["period"]
    no_value = _("No figure for {period}").format(period=period)
    words = comparison_words()
    features = []
    labels = []
    for row in data["rows"]:
        geometry = shapes.get(row["ons_code"])
        if geometry is None:
            continue
        comparison = row.get("comparison") or ("unjudged" if row["value"] is not None else None)
        properties = {
            "name": row["name"],
            "ons_code": row["ons_code"],
            "value": row["value"],
            "value_text": row["value_text"] if row["value"] is not None else no_value,
            "status": no_value if row["value"] is None else None,
            "comparison": words.get(comparison or "", ""),
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
        if view == "standard" and comparison in COMPARISON_SYMBOLS and row["value"] is not None:
            longitude, latitude = label_point(geometry)
            labels.append(
                {
                    "longitude": longitude,
                    "latitude": latitude,
                    "symbol": COMPARISON_SYMBOLS[comparison],
                    "name": row["name"],
                }
            )
    tooltip = [
        {"field": "properties.name", "title": _("Unit")},
        {"field": "properties.ons_code", "title": _("ONS code")},
        {"field": "properties.value_text", "title": _("Value")},
    ]
    outline = {"stroke": OUTLINE, "strokeWidth": 0.6}
    missing_layer = {
        "transform": [{"filter": "datum.properties.value == null"}],
        "mark": {"type": "geoshape", **outline},
        "encoding": {
            "color": {
                "field": "properties.status",
                "type": "nominal",
                "scale": {"domain": [no_value], "range": [NO_VALUE_COLOUR]},
                "legend": {"title": None, "orient": "bottom", "direction": "vertical"},
            },
            "tooltip": tooltip,
        },
    }
    if view == "standard":
        domain = [words[key] for key in (*COMPARISON_COLOURS, "unjudged")]
        colour = {
            "field": "properties.comparison",
            "type": "nominal",
            "scale": {
                "domain": domain,
                "range": [*COMPARISON_COLOURS.values(), UNJUDGED_COLOUR],
            },
            "legend": {
                "title": _("Standard {standard}").format(standard=data["standard_text"])
                if data.get("standard_text")
                else _("Against the standard"),
                "direction": "vertical",
            },
        }
        shown_filter = "datum.properties.value != null"
        tooltip = [*tooltip, {"field": "properties.comparison", "title": _("Standard")}]
    else:
        colour = {
            "field": "properties.value",
            "type": "quantitative",
            "scale": {"scheme": SCHEME},
            "legend": {"title": data["measure"], "format": data.get("format", "~r")},
        }
        shown_filter = "datum.properties.value != null"
    layers: list[dict[str, Any]] = [
        {
            "transform": [{"filter": shown_filter}],
            "mark": {"type": "geoshape", **outline},
            "encoding": {"color": colour, "tooltip": tooltip},
        },
    ]
    # The grey and its legend entry only where some unit has no figure.
    if any(feature["properties"]["value"] is None for feature in features):
        layers.append(missing_layer)
    if labels:
        layers.append(
            {
                "data": {"values": labels},
                "mark": {"type": "text", "fontSize": 13, "fontWeight": "bold"},
                "encoding": {
                    "longitude": {"field": "longitude", "type": "quantitative"},
                    "latitude": {"field": "latitude", "type": "quantitative"},
                    "text": {"field": "symbol"},
                    # White on the dark purple of "meets", near-black on the oranges.
                    "color": {
                        "condition": {"test": "datum.symbol == '+'", "value": "#ffffff"},
                        "value": "#0b0c0c",
                    },
                    "tooltip": [{"field": "name", "title": _("Unit")}],
                },
            }
        )
    title = _("{measure}, {period}").format(measure=data["measure"], period=period)
    subtitle = (
        _("Against the standard: colour and symbol")
        if view == "standard"
        else _("Darker is lower, lighter is higher")
    )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": map_summary(data),
        "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
        "width": "container",
        "height": 380,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": {**CHART_CONFIG, "view": {"stroke": None}},
        "projection": {"type": "mercator"},
        "data": {"values": features},
        "layer": layers,
        "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}},
    }


def map_summary(data: dict[str, Any], *, marked: bool = False) -> str:
    """Return the map in words: the period, the highest and lowest units, the standard.

    Against the standard, the units are named by their class (meet it, close, do not), as the
    map's colours and symbols show them. ``marked``: return HTML for a page, every word
    escaped and each figure marked up as ``<data value data-unit data-measure data-period>``,
    as the public site marks the figures its manifest lists (``pmf verify`` checks them).

    >>> rows = [
    ...     {"name": "Camden", "value": 2.0, "value_text": "2.0", "comparison": "met"},
    ...     {"name": "Brent", "value": 3.5, "value_text": "3.5", "comparison": "not_met"},
    ...     {"name": "Ealing", "value": None, "value_text": "–", "comparison": None},
    ... ]
    >>> text = map_summary({"measure": "Robbery rate", "period": "September 2025",
    ...     "rows": rows, "standard_text": "at most 3.0"})
    >>> for sentence in text.split(". "):
    ...     print(sentence)
    Map of Robbery rate by unit, September 2025: 2 units with a figure
    Highest: Brent (3.5)
    Lowest: Camden (2.0)
    Standard at most 3.0: 1 of 2 meet it
    Meet the standard: Camden
    Do not meet the standard: Brent
    No figure: Ealing.
    >>> marked = map_summary({"measure": "A<B", "measure_code": "AB", "period": "2025",
    ...     "period_code": "2025", "rows": [dict(rows[0], unit="C&1")]}, marked=True)
    >>> highest = marked.split(". ")[1]
    >>> highest.startswith('Highest: Camden (<data value="2.0" data-unit="C&amp;1" ')
    True
    >>> highest.endswith(' data-measure="AB" data-period="2025">2.0</data>)')
    True
    >>> marked.split(":")[0]
    'Map of A&lt;B by unit, 2025'
    """
    say: Callable[[str], str] = escape if marked else str

    def value_of(row: dict[str, Any]) -> str:
        if not marked:
            return str(row["value_text"])
        return (
            f'<data value="{escape(str(row["value"]))}" data-unit="{escape(str(row["unit"]))}" '
            f'data-measure="{escape(str(data["measure_code"]))}" '
            f'data-period="{escape(str(data["period_code"]))}">{escape(row["value_text"])}</data>'
        )

    rows = data["rows"]
    valued = [row for row in rows if row["value"] is not None]
    parts = [
        say(_("Map of {measure} by unit, {period}: {count} units with a figure.")).format(
            measure=say(data["measure"]), period=say(data["period"]), count=len(valued)
        )
    ]
    if valued:
        high = max(valued, key=lambda row: row["value"])
        low = min(valued, key=lambda row: row["value"])
        parts.append(
            say(_("Highest: {name} ({value}). Lowest: {low} ({low_value}).")).format(
                name=say(high["name"]),
                value=value_of(high),
                low=say(low["name"]),
                low_value=value_of(low),
            )
        )
    standard = data.get("standard_text")
    compared = [row for row in valued if row.get("comparison")]
    if compared:
        met = sum(1 for row in compared if row["comparison"] == "met")
        parts.append(
            say(_("Standard {standard}: {met} of {count} meet it.")).format(
                standard=say(standard), met=met, count=len(compared)
            )
            if standard
            else say(_("{met} of {count} meet their standard.")).format(
                met=met, count=len(compared)
            )
        )
        # Each unit by its class, as the colours and symbols of the map against the standard.
        sentences = {
            "met": _("Meet the standard: {names}."),
            "near": _("Close to the standard: {names}."),
            "not_met": _("Do not meet the standard: {names}."),
        }
        for comparison, sentence in sentences.items():
            names = [say(row["name"]) for row in compared if row["comparison"] == comparison]
            if names:
                parts.append(say(sentence).format(names=", ".join(names)))
    missing = [say(row["name"]) for row in rows if row["value"] is None]
    if missing:
        parts.append(say(_("No figure: {names}.")).format(names=", ".join(missing)))
    return " ".join(parts)


def label_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """Return where a unit's symbol goes: the centroid of its largest polygon's outer ring.

    >>> label_point({"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]})
    (1.0, 1.0)
    """
    polygons = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else list(geometry["coordinates"])
    )
    best: tuple[float, float, float] = (0.0, 0.0, 0.0)
    for polygon in polygons:
        ring = polygon[0]
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if area and abs(area) > abs(best[0]):
            best = (area, cx / (3 * area), cy / (3 * area))
    if not best[0]:
        x, y = polygons[0][0][0]
        return float(x), float(y)
    return round(best[1], 5), round(best[2], 5)


def choropleth_svg(data: dict[str, Any], view: View, *, width: int = 560, height: int = 420) -> str:
    """Return the map drawn as SVG, for a page without script (the public site).

    The page prints the map's text alternative (``map_summary``) and its table beside it.
    """
    import vl_convert

    chart = choropleth_chart(data, view)
    # No ARIA of Vega's own (English, by field name): the page's summary and table say it all.
    spec = {**chart, "width": width, "height": height, "config": {**chart["config"], "aria": False}}
    svg: str = vl_convert.vegalite_to_svg(spec)
    # The drawing itself is hidden from assistive technology: the page names it as a picture
    # by its text alternative, and the table beside it gives every figure.
    return svg[svg.find("<svg") :].replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
