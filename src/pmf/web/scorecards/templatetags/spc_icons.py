"""Small Making Data Count style icons for the scorecard: variation and assurance at a glance.

Each icon is a circle in the Making Data Count colour with a letter or sign, drawn as inline
SVG (no style attribute, so the Content Security Policy allows it). The icons are decorative:
the words beside them say the same for screen readers and for people who cannot tell the
colours apart.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

GREY, BLUE, ORANGE, PURPLE = "#505a5f", "#1d70b8", "#b94e00", "#4c2c92"

VARIATION_ICONS = {
    "common_cause": (GREY, "~"),
    "special_cause_improvement": (BLUE, "+"),
    "special_cause_concern": (ORANGE, "!"),
    "special_cause_neutral_high": (PURPLE, "H"),
    "special_cause_neutral_low": (PURPLE, "L"),
}
ASSURANCE_ICONS = {
    "consistent_pass": (BLUE, "P"),
    "consistent_fail": (ORANGE, "F"),
    "inconsistent": (GREY, "?"),
}


def _icon(colour: str, sign: str) -> str:
    return format_html(
        '<svg class="pmf-spc-icon" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" '
        'focusable="false"><circle cx="10" cy="10" r="9" fill="{}"/>'
        '<text x="10" y="14.5" text-anchor="middle" font-size="13" font-weight="bold" '
        'font-family="Arial, sans-serif" fill="#ffffff">{}</text></svg>',
        colour,
        sign,
    )


@register.simple_tag
def variation_icon(variation: str | None) -> str:
    """Return the icon of an SPC variation type, or nothing."""
    found = VARIATION_ICONS.get(variation or "")
    return _icon(*found) if found else ""


@register.simple_tag
def assurance_icon(assurance: str | None) -> str:
    """Return the icon of an SPC assurance type, or nothing."""
    found = ASSURANCE_ICONS.get(assurance or "")
    return _icon(*found) if found else ""
