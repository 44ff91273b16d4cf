"""The SPC chart specification: segments apart, the target as a step, events, nothing clipped."""

from __future__ import annotations

import re

import vl_convert

from pmf.reports.charts.spc import spc_chart

NAME = "High harm violence with injury offences per 1,000 population"


def rows() -> list[dict[str, object]]:
    return [
        {
            "label": f"Month {index}",
            "period": f"2025-{index:02d}",
            "value": float(index % 3),
            "segment": 0 if index < 7 else 1,
            "mean": 1.0 if index < 7 else 1.2,
            "lpl": 0.0,
            "upl": 2.0,
            "target": 1.5 if index < 6 else 1.2,
            "event": "New system" if index == 5 else None,
            "point_text": ["common cause", "improvement", "concern"][index % 3],
            "point_type": "common_cause",
            "charted": index > 0,
        }
        for index in range(13)
    ]


def svg_text(spec: dict[str, object]) -> str:
    svg = vl_convert.vegalite_to_svg({**spec, "width": 520, "height": 220})
    return " ".join(re.findall(r">([^<>]+)</text>", svg)) + " " + svg


def test_each_segment_is_its_own_line_and_only_charted_rows_are_drawn() -> None:
    spec = spc_chart(NAME, "Force", rows(), {"limits": "Limits from the 6 months."})
    assert len(spec["data"]["values"]) == 12  # the uncharted row is left out
    limits = [layer for layer in spec["layer"] if "detail" in layer.get("encoding", {})]
    assert len(limits) == 3 and {layer["encoding"]["detail"]["field"] for layer in limits} == {
        "segment"
    }
    target = next(layer for layer in spec["layer"] if layer["mark"].get("interpolate"))
    assert target["mark"]["interpolate"] == "step"
    assert "Limits from the 6 months." in spec["description"]


def test_the_rendered_svg_keeps_the_whole_axis_title_and_legend() -> None:
    text = svg_text(spc_chart(NAME, "Force", rows(), {"limits": ""}))
    # The long title is wrapped onto lines, never cut short with an ellipsis.
    assert "High harm violence with injury offences" in text
    assert "per 1,000 population" in text
    for label in ("common cause", "improvement", "concern", "higher", "lower", "New system"):
        assert f">{label}<" in text
    assert "…" not in text


def test_each_line_of_the_axis_title_fits_the_height_of_the_papers_chart() -> None:
    from pmf.reports.charts.spc import SPC_TITLE_CHARACTERS

    spec = spc_chart(NAME, "Force", rows(), {"limits": ""})
    title = spec["layer"][0]["encoding"]["y"]["title"]
    lines = [title] if isinstance(title, str) else title
    assert " ".join(lines) == NAME
    # About 7 pixels a character in 11-pixel bold: each line fits the paper's 200 pixels.
    assert all(len(line) <= SPC_TITLE_CHARACTERS for line in lines)
    assert SPC_TITLE_CHARACTERS * 7 < 200
