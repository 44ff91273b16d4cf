"""Draw the tube map: a line per area, a station per cycle coloured by its grade, as SVG.

``pmf.core.history.tube_map_rows`` gives the grades as rows (the table beside the chart);
this module only draws them. The cycles page, the published site and the board paper's
appendix show the same picture. Every text is escaped and only presentation attributes are
used, no ``style`` or script, so a strict Content Security Policy allows it inline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from pmf.core.framework import NO_GRADE
from pmf.core.grading import DEFAULT_SCALE, GradeScale
from pmf.core.history import tube_map_rows
from pmf.core.i18n import gettext as _

# GOV.UK colours by the grade's role on its scale, blue above green as in BRAG ratings: Good
# is the expected standard; Adequate (PEEL) yellow between Good and Requires improvement.
GRADE_COLOURS = {
    "outstanding": "#1d70b8",
    "good": "#00703c",
    "adequate": "#ffdd00",
    "requires_improvement": "#f47738",
    "inadequate": "#d4351c",
    NO_GRADE: "#b1b4b6",
}
TEXT_COLOUR = "#0b0c0c"
WHITE = "#ffffff"
# One line colour per area, none of them a grade colour, each at least 3:1 on white.
LINE_COLOURS = (
    "#4c2c92",
    "#28a197",
    "#d53880",
    "#b58840",
    "#003078",
    "#912b88",
    "#85994b",
    "#6f72af",
    "#505a5f",
)


def _luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG 2 contrast ratio of two ``#rrggbb`` colours.

    >>> round(contrast_ratio("#ffffff", "#1d70b8"), 2)
    5.17
    """
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def letter_colour(fill: str) -> str:
    """Return white or near-black, whichever reads better on ``fill``.

    >>> letter_colour("#00703c"), letter_colour("#f47738")
    ('#ffffff', '#0b0c0c')
    """
    return max((WHITE, TEXT_COLOUR), key=lambda text: contrast_ratio(text, fill))


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    # No font metrics in the core: an average Arial capital is about two thirds of the size
    # (0.6 covers mixed case); a generous guess leaves a gap rather than an overlap.
    return len(text) * font_size * (0.7 if bold else 0.6)


# Layout in pixels; the SVG's viewBox lets the page scale it down.
_PAD = 12
_COLUMN = 48
_ROW = 44
_RADIUS = 14
_LABEL_SIZE = 14
_LETTER_SIZE = 11
_CYCLE_SIZE = 12
_LINE_WIDTH = 8
_FONT = "arial, sans-serif"


def tube_map_svg(
    cycles: Sequence[tuple[int, str]],
    areas: Sequence[tuple[str, str]],
    grades: Mapping[tuple[int, str], str | None],
    *,
    title: str,
    scale: GradeScale = DEFAULT_SCALE,
) -> str:
    """Draw an accessible SVG 'tube map': a line per area, a station per cycle coloured by grade.

    Each station carries the grade's letter on ``scale`` (O, G, RI, I, or – for none) as
    well as its colour (by the grade's role), and a tooltip with the area, cycle and
    grade. Cycle labels go along the top, turned 45° when they would not fit side by
    side. Only presentation attributes are used, no ``style``, so a strict Content
    Security Policy allows it.

    >>> svg = tube_map_svg([(1, "Cycle 1"), (2, "Cycle 2")], [("PROCESS", "PROCESS")],
    ...     {(1, "PROCESS"): "good", (2, "PROCESS"): "requires_improvement"},
    ...     title="Force-level grades")
    >>> svg.startswith("<svg") and 'role="img"' in svg and ">RI</text>" in svg
    True
    """
    rows = tube_map_rows(cycles, areas, grades, scale)
    key = hashlib.sha256(title.encode()).hexdigest()[:8]
    title_id, desc_id = f"tube-map-{key}-title", f"tube-map-{key}-desc"

    label_width = max(
        (_text_width(name, _LABEL_SIZE, bold=True) for _code, name in areas), default=0
    )
    first_x = _PAD + label_width + _PAD + _RADIUS
    cycle_widths = [_text_width(label, _CYCLE_SIZE) for _cycle, label in cycles]
    turned = any(width > _COLUMN - 6 for width in cycle_widths)
    # A label turned 45° rises and runs by its length ÷ √2.
    reach = max(cycle_widths, default=0) * (0.7071 if turned else 0)
    header = _PAD + (reach + _CYCLE_SIZE if turned else _CYCLE_SIZE) + _PAD
    first_y = header + _RADIUS
    last_x = first_x + _COLUMN * max(len(cycles) - 1, 0)
    chart_right = last_x + _RADIUS + _PAD + (reach if turned else 0)

    legend_y = first_y + _ROW * max(len(areas) - 1, 0) + _RADIUS + 2 * _PAD + _RADIUS
    legend_items = []
    legend_x: float = _PAD + _RADIUS
    for grade in scale.values:
        legend_items.append((legend_x, grade))
        legend_x += 2 * _RADIUS + 6 + _text_width(scale.label(grade), _LABEL_SIZE) + 2 * _PAD
    width = max(chart_right, legend_x)
    height = legend_y + _RADIUS + _PAD

    latest = rows[-1] if rows else None
    desc = (
        _("Grades for {areas} areas over {cycles} cycles, from {first} to {last}.")
        if cycles
        else _("Grades for {areas} areas over {cycles} cycles.")
    ).format(
        areas=len(areas),
        cycles=len(cycles),
        first=cycles[0][1] if cycles else "",
        last=cycles[-1][1] if cycles else "",
    )
    if latest is not None and latest.cells:
        desc += " " + _("In {cycle}: {grades}.").format(
            cycle=latest.cycle_label,
            grades="; ".join(f"{cell.area_title} {cell.label}" for cell in latest.cells),
        )
    desc += " " + _("Each area is a line and each cycle a station marked with the grade's letter.")

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pmf-tube-map" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" width="{_number(width)}" '
        f'height="{_number(height)}" viewBox="0 0 {_number(width)} {_number(height)}" '
        f'font-family="{_FONT}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
    ]
    for index, (_cycle, cycle_label) in enumerate(cycles):
        x, y = first_x + _COLUMN * index, header - _PAD
        turn = f' transform="rotate(-45 {_number(x)} {_number(y)})"' if turned else ""
        anchor = "start" if turned else "middle"
        out.append(
            f'<text x="{_number(x)}" y="{_number(y)}" font-size="{_CYCLE_SIZE}" '
            f'fill="{TEXT_COLOUR}" text-anchor="{anchor}"{turn}>{escape(cycle_label)}</text>'
        )
    for row_index, (_code, area_title) in enumerate(areas):
        y = first_y + _ROW * row_index
        line = LINE_COLOURS[row_index % len(LINE_COLOURS)]
        out.append("<g>")
        out.append(
            f'<text x="{_PAD}" y="{_number(y)}" dy="0.35em" font-size="{_LABEL_SIZE}" '
            f'font-weight="bold" fill="{TEXT_COLOUR}">{escape(area_title)}</text>'
        )
        if cycles:
            out.append(
                f'<line x1="{_number(first_x)}" y1="{_number(y)}" x2="{_number(last_x)}" '
                f'y2="{_number(y)}" stroke="{line}" stroke-width="{_LINE_WIDTH}" '
                f'stroke-linecap="round"/>'
            )
        for column, row in enumerate(rows):
            cell = row.cells[row_index]
            tooltip = f"{area_title}, {row.cycle_label}: {cell.label}"
            out.append(_station(first_x + _COLUMN * column, y, cell.grade, tooltip, scale))
        out.append("</g>")
    for x, grade in legend_items:
        out.append(_station(x, legend_y, grade, scale.label(grade), scale))
        out.append(
            f'<text x="{_number(x + _RADIUS + 6)}" y="{_number(legend_y)}" dy="0.35em" '
            f'font-size="{_LABEL_SIZE}" fill="{TEXT_COLOUR}">{escape(scale.label(grade))}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _station(x: float, y: float, grade: str | None, tooltip: str, scale: GradeScale) -> str:
    fill = GRADE_COLOURS[scale.role(grade or NO_GRADE)]
    return (
        f'<g class="pmf-tube-map__station"><title>{escape(tooltip)}</title>'
        f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{_RADIUS}" fill="{fill}" '
        f'stroke="{TEXT_COLOUR}" stroke-width="2"/>'
        f'<text x="{_number(x)}" y="{_number(y)}" dy="0.35em" text-anchor="middle" '
        f'font-size="{_LETTER_SIZE}" font-weight="bold" fill="{letter_colour(fill)}">'
        f"{escape(scale.letter(grade or NO_GRADE))}</text></g>"
    )
