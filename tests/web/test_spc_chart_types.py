"""The SPC chart's specification for each chart type: steps where limits vary, named in words."""

from __future__ import annotations

import warnings
from typing import Any

import vl_convert

from pmf.core.baseline import ChartSettings, chart_series
from pmf.reports.charts.spc import spc_chart

MONTHS = [f"2019-{month:02d}" for month in range(1, 13)]
DENOMINATORS = [100.0, 400.0] * 6
NUMERATORS = [20.0, 80.0, 18.0, 84.0, 22.0, 76.0, 20.0, 80.0, 20.0, 80.0, 20.0, 80.0]


def rows_and_summary(settings: ChartSettings) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return the rows and summary a page gives spc_chart, from a real chart of the months."""
    values = [n / d * 100 for n, d in zip(NUMERATORS, DENOMINATORS, strict=True)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chart = chart_series(
            MONTHS, values, settings, numerators=NUMERATORS, denominators=DENOMINATORS
        )
    rows = [
        {
            **point,
            "label": point["period"],
            "point_text": point["point_type"].replace("_", " "),
        }
        for point in chart.points
    ]
    plain = chart.chart == "i" and settings.rules == "mdc"
    summary = {
        "limits": "Trial limits from the 12 months.",
        "plain": plain,
        "chart": chart.chart,
        "chart_title": chart.title,
        "fallback": chart.fallback,
        "limits_vary": any(segment["limits_vary"] for segment in chart.segments),
    }
    return rows, summary


def limit_layers(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        layer["encoding"]["y"]["field"]: layer
        for layer in spec["layer"]
        if "detail" in layer.get("encoding", {})
    }


def test_the_xmr_chart_is_specified_as_ever() -> None:
    rows, summary = rows_and_summary(ChartSettings(window=12))
    spec = spc_chart("Crimes solved", "North", rows, summary)
    assert set(spec["data"]["values"][0]) == {
        "label", "period", "value", "segment", "mean", "lpl", "upl", "target", "event",
        "point_text", "point_type",
    }  # fmt: skip
    assert all("interpolate" not in layer["mark"] for layer in limit_layers(spec).values())
    assert spec["layer"][0]["encoding"]["y"]["field"] == "value"
    assert spec["description"].startswith("SPC chart of Crimes solved for North: values, mean")


def test_a_p_charts_limits_are_steps_and_its_description_names_it() -> None:
    rows, summary = rows_and_summary(ChartSettings(window=12, chart="p", multiplier=100))
    spec = spc_chart("Crimes solved", "North", rows, summary)
    layers = limit_layers(spec)
    assert layers["lpl"]["mark"]["interpolate"] == layers["upl"]["mark"]["interpolate"] == "step"
    assert "interpolate" not in layers["mean"]["mark"]
    values = spec["data"]["values"]
    # Each point carries its own limits: 8 % to 32 % at 100, 14 % to 26 % at 400.
    assert [round(value["lpl"], 6) for value in values[:2]] == [8.0, 14.0]
    assert [round(value["upl"], 6) for value in values[:2]] == [32.0, 26.0]
    assert spec["layer"][0]["encoding"]["y"]["field"] == "plotted"
    assert spec["description"] == (
        "p chart (proportion), Making Data Count rules of Crimes solved for North: values, "
        "centre line and process limits (they vary with each figure's denominator). "
        "Trial limits from the 12 months."
    )


def test_a_c_chart_has_level_limits_and_renders_whole() -> None:
    rows, summary = rows_and_summary(ChartSettings(window=12, chart="c", rules="anhoej"))
    spec = spc_chart("Deaths in custody", "North", rows, summary)
    assert all("interpolate" not in layer["mark"] for layer in limit_layers(spec).values())
    assert spec["description"].startswith(
        "c chart (count), Anhøj rules (runs analysis) of Deaths in custody for North"
    )
    svg = vl_convert.vegalite_to_svg({**spec, "width": 520, "height": 220})
    assert "Deaths in custody" in svg and "…" not in svg


def test_a_fallback_to_xmr_is_said_in_the_description() -> None:
    rows, summary = rows_and_summary(ChartSettings(window=12, chart="p", multiplier=100))
    summary = {**summary, "fallback": "drawn as an XmR chart: 1 of the 12 figures charted has"}
    spec = spc_chart("Crimes solved", "North", rows, summary)
    assert "; drawn as an XmR chart: 1 of the 12 figures charted has." in spec["description"]


def test_an_mr_chart_draws_no_target() -> None:
    rows, summary = rows_and_summary(ChartSettings(window=12, chart="mr"))
    rows = [{**row, "target": 95.0} for row in rows]
    spec = spc_chart("Crimes solved", "North", rows, summary)
    assert all(value["target"] is None for value in spec["data"]["values"])
    assert not any(layer["mark"].get("color") == "#d4351c" for layer in spec["layer"])
