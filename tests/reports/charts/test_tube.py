"""The tube map: a line per area, a station per cycle with its grade's letter, as SVG."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pmf.core.history import GRADE_LABELS
from pmf.reports.charts.tube import (
    GRADE_COLOURS,
    LINE_COLOURS,
    contrast_ratio,
    letter_colour,
    tube_map_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
OUT, G, RI, INAD, NG = "outstanding", "good", "requires_improvement", "inadequate", "no_grade"
AREAS = {
    "FOCUS": "FOCUS",
    "SERVICE": "SERVICE USER",
    "PROCESS": "PROCESS",
    "INNOVATION": "INNOVATION",
}

CYCLES = [
    (number, f"Cycle {number} (Q{number % 4 + 1} {2016 + number // 4})") for number in range(1, 23)
]
MAP_AREAS = list(AREAS.items())
HISTORY = {
    (number, area): [OUT, G, RI, INAD, NG][(number + index) % 5]
    for number, _ in CYCLES
    for index, area in enumerate(AREAS)
}
HISTORY[(22, "INNOVATION")] = None  # not graded


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_tube_map_is_well_formed_and_labelled_by_its_title_and_description() -> None:
    root = parse(tube_map_svg(CYCLES, MAP_AREAS, HISTORY, title="Force-level grades"))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Force-level grades"
    assert desc is not None and "22 cycles" in (desc.text or "")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_every_cycle_and_area_has_a_station_with_the_grade_letter() -> None:
    root = parse(tube_map_svg(CYCLES, MAP_AREAS, HISTORY, title="Force-level grades"))

    stations = [
        group
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "pmf-tube-map__station"
        and (group.findtext(f"{SVG}title") or "").count(",")  # the legend has no cycle
    ]
    assert len(stations) == len(CYCLES) * len(MAP_AREAS)
    letters = {"Outstanding": "O", "Good": "G", "Requires Improvement": "RI"}
    letters |= {"Inadequate": "I", "No grade": "–", "Not graded": "–"}
    for station in stations:
        tooltip = station.findtext(f"{SVG}title") or ""
        label = tooltip.rsplit(": ", 1)[1]
        assert station.findtext(f"{SVG}text") == letters[label]
    assert "PROCESS, Cycle 1 (Q2 2016): Inadequate" in {
        station.findtext(f"{SVG}title") for station in stations
    }


def test_tube_map_has_a_line_per_area_in_distinct_colours() -> None:
    root = parse(tube_map_svg(CYCLES, MAP_AREAS, HISTORY, title="Force-level grades"))

    lines = list(root.iter(f"{SVG}line"))
    assert len(lines) == len(MAP_AREAS)
    assert len({line.get("stroke") for line in lines}) == len(MAP_AREAS)
    assert not {line.get("stroke") for line in lines} & set(GRADE_COLOURS.values())


def test_many_long_cycle_labels_are_turned() -> None:
    svg = tube_map_svg(CYCLES, MAP_AREAS, HISTORY, title="Force-level grades")
    assert svg.count('transform="rotate(-45') == len(CYCLES)

    short = tube_map_svg([(1, "1"), (2, "2")], MAP_AREAS, {}, title="Two cycles")
    assert "rotate" not in short


def test_tube_map_has_no_inline_style_or_script() -> None:
    svg = tube_map_svg(CYCLES, MAP_AREAS, HISTORY, title="Force-level grades")
    root = parse(svg)

    assert all("style" not in element.attrib for element in root.iter())
    assert not [e for e in root.iter() if e.tag in (f"{SVG}style", f"{SVG}script")]
    assert not re.search(r"\bon\w+=", svg)


def test_tube_map_escapes_every_text() -> None:
    hostile = '<script>alert("x")</script> & co'
    svg = tube_map_svg([(1, hostile)], [("X", hostile)], {(1, "X"): G}, title=f"{hostile} grades")
    root = parse(svg)

    assert "<script" not in svg
    assert not list(root.iter(f"{SVG}script"))
    assert root.findtext(f"{SVG}title") == f"{hostile} grades"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert texts.count(hostile) == 2  # the area's name and the cycle's label


def test_letters_meet_wcag_aa_contrast_on_every_grade_colour() -> None:
    for fill in GRADE_COLOURS.values():
        assert contrast_ratio(letter_colour(fill), fill) >= 4.5
    # The lines are graphics: 3:1 against the white page.
    for line in LINE_COLOURS:
        assert contrast_ratio(line, "#ffffff") >= 3


def test_tube_map_draws_with_no_cycles_or_areas() -> None:
    root = parse(tube_map_svg([], [], {}, title="Nothing yet"))

    assert root.findtext(f"{SVG}title") == "Nothing yet"


def _drawn_width(text: str, size: float, *, bold: bool) -> float:
    """Return the width DejaVu Sans draws ``text`` at ``size``: the PDF's font, wider than Arial."""
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path("/usr/share/fonts/truetype/dejavu") / name
    if not path.exists():
        if os.environ.get("CI"):  # make test installs it with WeasyPrint's libraries
            pytest.fail(f"{path} is not installed (WeasyPrint's PDFs use it)")
        pytest.skip(f"{path} is not installed (WeasyPrint's PDFs use it)")
    return float(ImageFont.truetype(str(path), 100).getlength(text)) * size / 100


def test_tube_map_texts_fit_beside_the_stations_and_inside_the_picture() -> None:
    # Long capitalised area names (as the example force's), drawn in the PDF's font: no label
    # runs into the first station or off the picture, and no legend entry into the next one.
    areas = [
        ("FOCUS", "FOCUS (formerly KEEPING PEOPLE SAFE)"),
        ("SERVICE", "SERVICE USER (formerly COMMUNITY FOCUS)"),
        ("SAFEGUARDING", "SAFEGUARDING VULNERABLE PEOPLE AND COMMUNITIES (WHOLE SYSTEM)"),
    ]
    cycles = [(number, f"{number}: November 2025") for number in range(1, 9)]
    root = parse(tube_map_svg(cycles, areas, {}, title="Grades by cycle"))
    width = float(root.get("width") or 0)
    circles = [element for element in root.iter(f"{SVG}circle")]
    first_station = min(float(c.get("cx") or 0) for c in circles[: len(cycles)])
    radius = float(circles[0].get("r") or 0)
    texts = [t for t in root.iter(f"{SVG}text") if t.text and len(t.text) > 2]
    labels = {name for _, name in areas}
    legend = [t for t in texts if t.text in set(GRADE_LABELS.values())]
    for text in texts:
        x, size = float(text.get("x") or 0), float(text.get("font-size") or 0)
        drawn = _drawn_width(text.text or "", size, bold=text.get("font-weight") == "bold")
        if text.text in labels:
            assert x + drawn < first_station - radius, text.text
        elif text.get("transform"):  # a cycle label turned 45°
            assert x + drawn * 0.7072 <= width, text.text
        else:
            assert x + drawn <= width, text.text
    legend_x = sorted(float(t.get("x") or 0) for t in legend)
    for text in legend:
        x = float(text.get("x") or 0)
        end = x + _drawn_width(text.text or "", float(text.get("font-size") or 0), bold=False)
        later = [other for other in legend_x if other > x]
        if later:
            assert end < min(later) - 2 * radius, text.text
