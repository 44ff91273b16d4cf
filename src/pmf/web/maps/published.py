"""The public site's maps: each redline's published figures by unit, against the standard.

``pmf publish`` writes ``maps.html`` when the organisation's framework has boundaries
(``maps``): for each redline, the choropleth of the cycle's assessment (the figures as locked,
the same as the unit pages and the open data publish), drawn as SVG in the page (the site has
no script), with its text alternative and its table. Only the units the site publishes are
drawn, the organisation's own units that have a unit page; comparators are not published,
and neither are they drawn. The site has no reader scope: it shows what was approved for
publication.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.utils.text import slugify

from pmf.core.framework import Framework, Kind, map_units
from pmf.reports.charts.choropleth import View, choropleth_svg, map_summary
from pmf.web.frameworks.models import Organisation
from pmf.web.maps.presenters import boundaries_of, map_data


def published_maps(
    organisation: Organisation, framework: Framework, assessment: pl.DataFrame
) -> list[dict[str, Any]]:
    """Return each redline's map of the published units, from the cycle's ``assessment``.

    Each: the measure, period, rows (unit, name, ons_code, value_text, comparison_text and
    the href of the unit's page), the section's anchor, the view drawn (against the standard
    where any unit is judged, else by value), the SVG and the summary (HTML, its figures
    marked up); [] when the framework has no boundaries or draws no published unit.
    """
    boundaries = boundaries_of(organisation)
    units = [unit for unit in map_units(framework.model) if not unit.external]
    if boundaries is None or not units:
        return []
    shapes = dict(boundaries.shapes)
    settings = framework.model.maps
    attribution = settings.attribution if settings else ""
    maps = []
    for measure in framework.measures:
        if measure.kind is not Kind.REDLINE:
            continue
        data = map_data(framework, units, measure.code, assessment, None, shapes, attribution)
        if data["period_code"] is None:
            continue
        view: View = "standard" if data["has_comparison"] else "value"
        for row in data["rows"]:
            row["href"] = f"units/{row['unit']}.html"
        maps.append(
            {
                **{key: value for key, value in data.items() if key != "shapes"},
                "anchor": f"map-{slugify(measure.code)}",
                "view": view,
                "svg": choropleth_svg(data, view),
                # HTML: escaped, each figure marked up as the manifest lists it.
                "summary": map_summary(data, marked=True),
                "simplified": boundaries.points < boundaries.points_read,
            }
        )
    return maps
