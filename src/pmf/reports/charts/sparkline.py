"""Draw a sparkline: a unit's last figures of a measure as the points of an SVG polyline.

The scorecard shows one beside each measure's figure, as decoration (the measure page has the
full chart and its table), so the page hides it from assistive technology.
"""

from __future__ import annotations

from collections.abc import Sequence

SPARK_POINTS = 24
"""The most figures a sparkline draws: the last ones."""
SPARK_WIDTH, SPARK_HEIGHT = 60, 24
"""The sparkline's box in pixels, as the scorecard's ``<svg>`` has it."""


def sparkline_points(values: Sequence[float]) -> str:
    """Return the polyline points of the last figures, oldest first, or "" for fewer than two.

    The figures fill the box's height but for two pixels above and below; equal ones
    draw a flat line along the bottom.

    >>> sparkline_points([8.0, 6.0])
    '0.0,2.0 60.0,22.0'
    >>> sparkline_points([5.0])
    ''
    """
    shown = list(values)[-SPARK_POINTS:]
    if len(shown) < 2:
        return ""
    low, high = min(shown), max(shown)
    span = (high - low) or 1.0
    step = SPARK_WIDTH / (len(shown) - 1)
    return " ".join(
        f"{index * step:.1f},{SPARK_HEIGHT - 2 - (value - low) / span * (SPARK_HEIGHT - 4):.1f}"
        for index, value in enumerate(shown)
    )
