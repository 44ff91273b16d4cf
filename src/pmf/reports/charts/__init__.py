"""Build every chart of pmf, and what they share, so that no renderer clips a title or a legend.

Every chart is built here, one module each (``spc``, ``peer``, ``funnel``, ``tube``,
``sparkline``), from what ``pmf.core`` computed; pages and papers alike read them. Pages draw
the Vega-Lite charts with Vega in the browser; papers draw them with vl_convert as SVG (HTML
and PDF) and PNG (Word), through :func:`drawn`. Vega cuts an axis title longer than its axis,
and a label or legend entry longer than a fixed width, with an ellipsis ("…populati"): the
configuration here lifts those limits, long titles wrap onto lines instead, and legends sit
below the plot where they have the chart's whole width.
"""

from __future__ import annotations

import textwrap
from typing import Any

CHART_CONFIG: dict[str, Any] = {
    "axis": {"labelLimit": 360, "titleLimit": 2000, "titlePadding": 8},
    "legend": {"labelLimit": 2000, "titleLimit": 2000, "orient": "bottom"},
    "title": {"limit": 2000},
}
"""The ``config`` of every chart: no clipped axis titles, axis labels or legend entries."""


def axis_title(text: str, characters: int) -> str | list[str]:
    """Return ``text`` as one line, or as lines of at most ``characters`` to wrap it.

    Vega-Lite draws a list of strings as a title of several lines.

    >>> axis_title("Violence with injury", 40)
    'Violence with injury'
    >>> axis_title("Violence with injury per 1,000 population", 30)
    ['Violence with injury per 1,000', 'population']
    """
    lines = textwrap.wrap(text, max(characters, 10), break_long_words=False)
    return lines[0] if len(lines) == 1 else lines or text


def drawn(spec: dict[str, Any], *, width: int, height: int | None = None) -> tuple[str, bytes]:
    """Return a Vega-Lite chart drawn ``width`` pixels wide as SVG, and as PNG at twice the size.

    Papers print a chart at a fixed size where pages fit it to their container; ``height``
    None keeps the chart's own.
    """
    import vl_convert

    sized = {**spec, "width": width, **({"height": height} if height is not None else {})}
    return vl_convert.vegalite_to_svg(sized), vl_convert.vegalite_to_png(sized, scale=2)


def svg_as_png(svg: str) -> bytes:
    """Return an SVG drawing (the tube map) as PNG at twice its size, for Word."""
    import vl_convert

    return vl_convert.svg_to_png(svg, scale=2)
