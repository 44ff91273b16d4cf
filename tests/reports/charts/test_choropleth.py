"""The choropleth's specification: its period, its colour-blind-safe scales, grey for none."""

from __future__ import annotations

from typing import Any

from pmf.reports.charts import drawn
from pmf.reports.charts.choropleth import (
    COMPARISON_COLOURS,
    NO_VALUE_COLOUR,
    choropleth_chart,
    label_point,
    map_summary,
)
from tests.maps_world import borough_features

SHAPES = {str(f["properties"]["LAD16CD"]): f["geometry"] for f in borough_features()}  # type: ignore[index]


def _map_data() -> dict[str, Any]:
    rows = [
        ("E09000007", "Camden", 2.5, "met"),
        ("E09000019", "Islington", 3.5, "not_met"),
        ("E09000012", "Hackney", 3.1, "near"),
        ("E09000033", "Westminster", None, None),
    ]
    return {
        "measure": "Robbery per 1,000",
        "period": "September 2025",
        "rows": [
            {
                "unit": code,
                "name": name,
                "ons_code": code,
                "value": value,
                "value_text": "–" if value is None else f"{value:.1f}",
                "comparison": comparison,
            }
            for code, name, value, comparison in rows
        ],
        "shapes": SHAPES,
        "standard_text": "≤ 3.0",
    }


def _layer_colour(spec: dict[str, Any], index: int) -> dict[str, Any]:
    return spec["layer"][index]["encoding"]["color"]


def test_the_title_names_the_latest_period() -> None:
    spec = choropleth_chart(_map_data())
    assert spec["title"]["text"] == "Robbery per 1,000, September 2025"


def test_values_are_coloured_on_the_sequential_viridis_scale() -> None:
    spec = choropleth_chart(_map_data(), "value")
    colour = _layer_colour(spec, 0)
    assert colour["type"] == "quantitative"
    assert colour["scale"] == {"scheme": "viridis"}
    assert spec["layer"][0]["mark"]["type"] == "geoshape"
    assert spec["projection"] == {"type": "mercator"}
    # Four features, each a GeoJSON Feature with its code and value for the tooltip.
    names = [f["properties"]["name"] for f in spec["data"]["values"]]
    assert names == ["Camden", "Islington", "Hackney", "Westminster"]


def test_a_unit_without_a_figure_is_grey_with_its_own_legend_entry() -> None:
    spec = choropleth_chart(_map_data(), "value")
    missing = spec["layer"][1]
    assert missing["transform"] == [{"filter": "datum.properties.value == null"}]
    assert missing["encoding"]["color"]["scale"] == {
        "domain": ["No figure for September 2025"],
        "range": [NO_VALUE_COLOUR],
    }
    assert missing["encoding"]["color"]["legend"] is not None
    (westminster,) = [f for f in spec["data"]["values"] if f["properties"]["name"] == "Westminster"]
    assert westminster["properties"]["status"] == "No figure for September 2025"


def test_the_standard_view_is_diverging_and_marks_each_unit_with_a_symbol() -> None:
    spec = choropleth_chart(_map_data(), "standard")
    colour = _layer_colour(spec, 0)
    assert colour["scale"]["range"] == ["#5e3c99", "#fdb863", "#e66101", "#f3f2f1"]
    assert list(COMPARISON_COLOURS.values()) == colour["scale"]["range"][:3]
    assert colour["scale"]["domain"] == [
        "+ meets the standard",
        "~ close to the standard",
        "x does not meet the standard",
        "not judged against the standard",
    ]
    assert colour["legend"]["title"] == "Standard ≤ 3.0"
    symbols = {row["name"]: row["symbol"] for row in spec["layer"][2]["data"]["values"]}
    # Every unit with a figure is drawn: one not judged (a comparator) in near white.
    assert spec["layer"][0]["transform"] == [{"filter": "datum.properties.value != null"}]
    # Colour is never the only cue: a symbol on each unit compared, none on one without.
    assert symbols == {"Camden": "+", "Islington": "x", "Hackney": "~"}


def test_the_text_alternative_names_highest_lowest_the_standard_and_each_units_class() -> None:
    text = map_summary(_map_data())
    assert text == (
        "Map of Robbery per 1,000 by unit, September 2025: 3 units with a figure. Highest: "
        "Islington (3.5). Lowest: Camden (2.5). Standard ≤ 3.0: 1 of 3 meet it. Meet the "
        "standard: Camden. Close to the standard: Hackney. Do not meet the standard: Islington. "
        "No figure: Westminster."
    )
    assert choropleth_chart(_map_data())["description"] == text


def test_the_map_draws_as_svg_and_png_for_papers() -> None:
    svg, png = drawn(choropleth_chart(_map_data(), "standard"), width=480, height=400)
    assert "Robbery per 1,000, September 2025" in svg
    assert "No figure for September 2025" in svg and "x does not meet the standard" in svg
    assert png.startswith(b"\x89PNG")


def test_a_symbol_sits_inside_its_unit() -> None:
    longitude, latitude = label_point(SHAPES["E09000007"])
    ring = SHAPES["E09000007"]["coordinates"][0]
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    assert min(xs) < longitude < max(xs) and min(ys) < latitude < max(ys)


def test_no_grey_legend_entry_when_every_unit_has_a_figure() -> None:
    data = _map_data()
    data["rows"] = [row for row in data["rows"] if row["value"] is not None]
    spec = choropleth_chart(data, "value")
    assert len(spec["layer"]) == 1
    assert "No figure" not in str(spec)
