"""What every Vega-Lite chart of pmf shares, so that no renderer clips a title or a legend.

Pages draw the charts with Vega in the browser; papers draw them with vl_convert as SVG (HTML
and PDF) and PNG (Word). Vega cuts an axis title longer than its axis, and a label or legend
entry longer than a fixed width, with an ellipsis ("…populati"): the configuration here lifts
those limits, long titles wrap onto lines instead, and legends sit below the plot where they
have the chart's whole width.
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
