"""Draw the Making Data Count icons as inline SVG, for pages and papers alike.

pmf's own drawing of NHS England's designs (as NHSRplotthedots and PowerBI-SPC ship them):
a white disc in a coloured ring. A variation icon shows a short run of points, the last two
in the ring's colour climbing to the top (H, high) or falling to the bottom (L, low), grey
and level for common cause; an assurance icon shows a grey process line with the target
dashed below it (P, passes), above it (F, fails) or through it (?, hit and miss).

Each icon says what it is in three ways besides its colour: its shape, its letter, and an
accessible name (``role="img"`` with ``aria-label`` and a ``<title>``), unless the caller
marks it ``decorative`` because the same words stand beside it. The colours are NHS England's
hues darkened where needed so that each is at least 3:1 against white (WCAG 1.4.11); the
grey and the orange of the published icons are lighter (1.8:1 and 2.9:1). No ``style``
attribute, so the Content Security Policy allows the markup; no ids, so an icon may appear
any number of times on a page.

>>> 'aria-label="Assurance: consistently fails the target"' in icon_svg("fail")
True
"""

from __future__ import annotations

from html import escape
from typing import Final

from pmf.core.i18n import gettext as _
from pmf.core.mdc import ICON_WORDS, assurance_icon, variation_icon

__all__ = ["COLOURS", "ICON_COLOURS", "icon_svg", "spc_icons"]

COLOURS: Final[dict[str, str]] = {
    "grey": "#767676",  # 4.5:1 on white (NHS England: #7F7F7F points, #BFBFBF ring)
    "blue": "#0072C6",  # 5.0:1, NHS England's own
    "orange": "#D95300",  # 4.0:1 (NHS England: #FF6600, 2.9:1)
    "purple": "#8000C0",  # 7.8:1, NHS England's own
}
ICON_COLOURS: Final[dict[str, str]] = {
    "common_cause": "grey",
    "improvement_high": "blue",
    "improvement_low": "blue",
    "concern_high": "orange",
    "concern_low": "orange",
    "neutral_high": "purple",
    "neutral_low": "purple",
    "pass": "blue",
    "fail": "orange",
    "inconsistent": "grey",
}
_POINTS_X: Final = (10.0, 14.0, 18.0, 22.0, 26.0, 30.0)
# The points' heights (the viewBox is 40 by 40, y downwards): level and grey for common
# cause; rising into the top half (the letter above) or falling (the letter below).
_COMMON: Final = (20.0, 23.0, 18.5, 22.5, 17.5, 21.0)
_HIGH: Final = (29.0, 27.5, 28.5, 27.0, 24.0, 21.5)
_LOW: Final = (11.0, 12.5, 11.5, 13.0, 16.0, 18.5)
# The process line of the assurance icons, above the target (passes), below it (fails, moved
# down by ``_FAIL_DROP``) or through it (hit and miss).
_PROCESS: Final = ((8, 25), (11, 22.5), (14, 22), (17, 24.5), (20, 26), (23, 24.5), (26, 22.5),
                   (29, 23.5), (32, 23))  # fmt: skip
_FAIL_DROP: Final = 4.0
_TARGET: Final = {"pass": 30.0, "fail": 18.5, "inconsistent": 24.0}
_LETTER_TOP, _LETTER_BOTTOM = 17.0, 34.0


def icon_svg(name: str, *, size: int = 24, label: str = "", decorative: bool = False) -> str:
    """Return the SVG markup of the icon ``name`` (a key of ``ICON_WORDS``).

    ``label`` replaces the icon's accessible name (escaped); ``decorative`` hides the icon
    from assistive technology, for where the same words are beside it. Raise ``KeyError`` for
    an unknown icon.

    >>> icon_svg("improvement_high").count(">H</text>")
    1
    """
    colour = COLOURS[ICON_COLOURS[name]]
    grey = COLOURS["grey"]
    words = label or _(ICON_WORDS[name])
    parts = [
        f'<circle cx="20" cy="20" r="17.5" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
    ]
    if name in ("pass", "fail", "inconsistent"):
        target = _TARGET[name]
        parts.append(
            f'<line x1="7" y1="{target}" x2="33" y2="{target}" stroke="{colour}" '
            'stroke-width="1.8" stroke-dasharray="3 1.5"/>'
        )
        drop = _FAIL_DROP if name == "fail" else 0.0
        process = " ".join(f"{x:g},{y + drop:g}" for x, y in _PROCESS)
        parts.append(
            f'<polyline points="{process}" fill="none" stroke="{grey}" stroke-width="2" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
        )
        letter = {"pass": "P", "fail": "F", "inconsistent": "?"}[name]
        parts.append(_letter(letter, _LETTER_TOP - 1.5, colour))
    else:
        heights = _COMMON if name == "common_cause" else _HIGH if name.endswith("high") else _LOW
        points = list(zip(_POINTS_X, heights, strict=True))
        line = " ".join(f"{x:g},{y:g}" for x, y in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{grey}" stroke-width="1.2"/>')
        for index, (x, y) in enumerate(points):
            fill = colour if name != "common_cause" and index >= len(points) - 2 else grey
            parts.append(f'<circle cx="{x:g}" cy="{y:g}" r="2.1" fill="{fill}"/>')
        if name != "common_cause":
            high = name.endswith("high")
            baseline = _LETTER_TOP if high else _LETTER_BOTTOM
            parts.append(_letter("H" if high else "L", baseline, colour))
    if decorative:
        opening = 'aria-hidden="true" focusable="false"'
        title = ""
    else:
        opening = f'role="img" aria-label="{escape(words)}" focusable="false"'
        title = f"<title>{escape(words)}</title>"
    return (
        f'<svg class="pmf-mdc-icon" xmlns="http://www.w3.org/2000/svg" width="{size}" '
        f'height="{size}" viewBox="0 0 40 40" {opening}>{title}{"".join(parts)}</svg>'
    )


def _letter(letter: str, baseline: float, colour: str) -> str:
    return (
        f'<text x="20" y="{baseline:g}" text-anchor="middle" font-family="Arial, sans-serif" '
        f'font-size="14" font-weight="bold" fill="{colour}">{escape(letter)}</text>'
    )


def spc_icons(
    variation: str | None,
    assurance: str | None,
    polarity: str | None,
    *,
    size: int = 24,
    decorative: bool = False,
) -> str:
    """Return the variation icon and, with a target, the assurance icon of a measure, or "".

    ``variation`` and ``assurance`` are ``pmf.core.spc``'s labels (``POINT_TYPES``,
    ``ASSURANCE_TYPES``); ``polarity`` says whether an improvement is high or low.
    """
    names = [variation_icon(variation, polarity), assurance_icon(assurance)]
    return "".join(
        icon_svg(name, size=size, decorative=decorative) for name in names if name is not None
    )
