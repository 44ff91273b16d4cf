"""The Making Data Count icons: named for assistive technology, lettered, escaped, and
their colours at least 3:1 against white (WCAG 1.4.11)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from pmf.core.mdc import ICON_WORDS
from pmf.reports.charts.mdc_icons import COLOURS, ICON_COLOURS, icon_svg, spc_icons

SVG = "{http://www.w3.org/2000/svg}"
LETTERS = {
    "common_cause": None,
    "improvement_high": "H",
    "improvement_low": "L",
    "concern_high": "H",
    "concern_low": "L",
    "neutral_high": "H",
    "neutral_low": "L",
    "pass": "P",
    "fail": "F",
    "inconsistent": "?",
}


def contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("name", sorted(ICON_WORDS))
def test_each_icon_is_an_image_named_in_words_with_its_letter(name: str) -> None:
    tree = ET.fromstring(icon_svg(name))
    assert tree.get("role") == "img"
    assert tree.get("aria-label") == ICON_WORDS[name]
    assert tree.find(f"{SVG}title").text == ICON_WORDS[name]
    letters = [text.text for text in tree.iter(f"{SVG}text")]
    assert letters == ([LETTERS[name]] if LETTERS[name] else [])
    assert "style=" not in icon_svg(name)  # the Content Security Policy forbids inline styles


def test_high_and_low_differ_in_shape_not_only_in_letter() -> None:
    def points(name: str) -> str:
        tree = ET.fromstring(icon_svg(name))
        return tree.find(f"{SVG}polyline").get("points")

    assert points("improvement_high") != points("improvement_low")
    assert points("improvement_high") == points("concern_high")  # the colour says which
    assert points("common_cause") not in {points("improvement_high"), points("improvement_low")}
    assert points("pass") != points("fail")


def test_every_colour_has_at_least_3_to_1_contrast_with_white() -> None:
    for colour in COLOURS.values():
        assert contrast_with_white(colour) >= 3.0, colour
    for name in ICON_WORDS:
        used = set(re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', icon_svg(name)))
        assert COLOURS[ICON_COLOURS[name]] in used
        assert all(c.lower() == "#ffffff" or contrast_with_white(c) >= 3.0 for c in used)


def test_a_given_label_is_escaped() -> None:
    markup = icon_svg("pass", label='<script>"x" & y</script>')
    assert "<script>" not in markup
    tree = ET.fromstring(markup)
    assert tree.get("aria-label") == '<script>"x" & y</script>'
    assert "&lt;script&gt;&quot;x&quot; &amp; y&lt;/script&gt;" in markup


def test_a_decorative_icon_is_hidden_from_assistive_technology() -> None:
    tree = ET.fromstring(icon_svg("fail", decorative=True))
    assert tree.get("aria-hidden") == "true"
    assert tree.get("role") is None
    assert tree.find(f"{SVG}title") is None


def test_an_unknown_icon_is_an_error() -> None:
    with pytest.raises(KeyError):
        icon_svg("sideways")


def test_a_measure_gets_its_variation_icon_and_its_assurance_icon_only_with_a_target() -> None:
    both = spc_icons("special_cause_concern", "consistent_fail", "higher_is_better")
    assert both.count("<svg") == 2
    assert 'aria-label="Special cause variation: concern, low"' in both
    assert 'aria-label="Assurance: consistently fails the target"' in both
    alone = spc_icons("common_cause", None, "higher_is_better")
    assert alone.count("<svg") == 1
    assert spc_icons(None, None, "higher_is_better") == ""


def test_an_icons_name_is_in_the_readers_language() -> None:
    from django.utils import translation

    with translation.override("cy"):
        drawn = icon_svg("common_cause")
    assert 'aria-label="Amrywiad achos cyffredin"' in drawn
    assert "Common cause" not in drawn
