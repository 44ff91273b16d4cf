"""Shape a measure's latest figures by unit for the choropleth and the table beside it.

Only the units the reader may see are drawn (``visible_units``): a member scoped to a
command sees the boundaries of its own units with their data, and nothing of the others,
neither shape nor figure. A unit the reader may see but with no figure for the map's period is
drawn in grey and listed as having none. The period is the latest any drawn unit has a figure
for (a unit's latest earlier figure is not mixed in under it), named in the title.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from pmf.core.framework import Framework, map_units
from pmf.core.periods import parse_period
from pmf.core.text import format_value, period_name
from pmf.core.wording import standard_words
from pmf.reports.charts.choropleth import View, choropleth_chart, comparison_words, map_summary
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.frameworks.models import Organisation, UnitBoundaries

COMPARISONS = {"green": "met", "amber": "near", "red": "not_met"}
"""The assessment's RAG against the standard, as the map names it."""

VIEWS: tuple[View, ...] = ("value", "standard")


def boundaries_of(organisation: Organisation) -> UnitBoundaries | None:
    """Return the organisation's stored boundaries, or None when its framework has no maps."""
    return UnitBoundaries.objects.filter(organisation=organisation).first()


def drawn_units(
    organisation: Organisation, membership: Membership, framework: Framework
) -> list[Any]:
    """Return the framework units a map draws that the member may see, in framework order."""
    visible = {unit.code for unit in visible_units(membership, organisation)}
    return [unit for unit in map_units(framework.model) if unit.code in visible]


def map_values(
    organisation: Organisation,
    framework: Framework,
    units: list[Any],
    measure_code: str,
    shapes: dict[str, Any],
    attribution: str = "",
) -> dict[str, Any]:
    """Return the latest figures of ``measure_code`` for ``units``, as the map and table show.

    Internal units are read from their assessment (value and RAG against the standard),
    comparators from their figures held; all at the latest period any of them has.
    """
    from pmf.web.observations.services import assessed_by_measure, held_observations

    internal = [unit.code for unit in units if not unit.external]
    external = [unit.code for unit in units if unit.external]
    assessment = assessed_by_measure(organisation, framework, internal) if internal else None
    held = (
        held_observations(organisation, units=external, measures=[measure_code])
        if external
        else None
    )
    return map_data(framework, units, measure_code, assessment, held, shapes, attribution)


def map_data(
    framework: Framework,
    units: list[Any],
    measure_code: str,
    assessment: pl.DataFrame | None,
    held: pl.DataFrame | None,
    shapes: dict[str, Any],
    attribution: str = "",
) -> dict[str, Any]:
    """Return the map's data of ``measure_code`` for ``units`` from figures already read.

    ``assessment`` (``pmf.core.assessment``'s columns) gives the internal units' latest
    value and their RAG against the standard, as the scorecard judged them; ``held`` (unit,
    measure, period, value) the latest figures of the units it does not judge (comparators,
    and units not yet members at the cut-off), shown but not judged. A cycle's papers pass
    the cycle's own assessment and the figures held at the lock, its public site the
    assessment alone, the pages the assessment of today. Every unit is shown at the latest
    period any of them has.
    """
    measure = framework.measure(measure_code)
    internal = {unit.code for unit in units if not unit.external}
    found: dict[str, tuple[str, float | None, str | None, str]] = {}
    if assessment is not None and internal:
        chosen = assessment.filter(
            pl.col("measure") == measure_code, pl.col("unit").is_in(sorted(internal))
        )
        for row in chosen.iter_rows(named=True):
            found[row["unit"]] = (
                row["period"],
                row["value"],
                COMPARISONS.get(row["rag"] or ""),
                row["standard"] or "",
            )
    # Units the assessment does not judge (comparators; a unit not yet a member at the
    # cut-off, whose figures are held but not judged) are shown with their figures held.
    unjudged = {unit.code for unit in units} - set(found)
    if held is not None and unjudged:
        chosen = held.filter(
            pl.col("measure") == measure_code,
            pl.col("unit").is_in(sorted(unjudged)),
        )
        for row in chosen.iter_rows(named=True):
            earlier = found.get(row["unit"])
            if earlier is None or parse_period(row["period"]).end > parse_period(earlier[0]).end:
                found[row["unit"]] = (row["period"], row["value"], None, "")
    periods = {period for period, *_rest in found.values()}
    latest = max(periods, key=lambda code: parse_period(code).end) if periods else None
    standards = {
        standard for period, _v, _c, standard in found.values() if period == latest and standard
    }
    rows = []
    for unit in units:
        period, value, comparison, _standard = found.get(unit.code, (None, None, None, ""))
        if period != latest:
            value, comparison = None, None
        rows.append(
            {
                "unit": unit.code,
                "name": unit.name,
                "ons_code": unit.ons_code,
                "value": value,
                "value_text": format_value(value, measure) if value is not None else "–",
                "comparison": comparison,
                # As the map colours it: a figure not judged is said to be so.
                "comparison_text": comparison_words().get(
                    comparison or ("unjudged" if value is not None else ""), "–"
                ),
            }
        )
    standard_text = standard_words(next(iter(standards))) if len(standards) == 1 else ""
    has_comparison = any(row["comparison"] for row in rows)
    if not has_comparison:
        for row in rows:
            row["comparison_text"] = "–"
    return {
        "measure": measure.name,
        "measure_code": measure.code,
        "period": period_name(latest) if latest else _("no period"),
        "period_code": latest,
        "rows": rows,
        "shapes": shapes,
        "standard_text": standard_text,
        "has_comparison": has_comparison,
        "attribution": attribution,
    }


def map_section(
    organisation: Organisation,
    membership: Membership,
    framework: Framework,
    measure_code: str | None,
    view: str = "value",
    *,
    choose: bool = False,
    boundaries: UnitBoundaries | None = None,
) -> dict[str, Any] | None:
    """Return the map section of a page: the chart, its text and its table; None for none.

    ``choose``: the page offers every measure (the dashboard); otherwise the measure given.
    ``boundaries``: the organisation's, when already read.
    """
    boundaries = boundaries or boundaries_of(organisation)
    if boundaries is None:
        return None
    units = drawn_units(organisation, membership, framework)
    if not units:
        return None
    measures = [{"code": m.code, "name": m.name} for m in framework.measures]
    codes = [m["code"] for m in measures]
    if measure_code not in codes:
        if not choose or not codes:
            return None
        measure_code = codes[0]
    assert measure_code is not None
    settings = framework.model.maps
    data = map_values(
        organisation,
        framework,
        units,
        measure_code,
        dict(boundaries.shapes),
        settings.attribution if settings else "",
    )
    chosen: View = "standard" if view == "standard" and data["has_comparison"] else "value"
    return {
        **{key: value for key, value in data.items() if key != "shapes"},
        "view": chosen,
        "chart": choropleth_chart(data, chosen),
        "summary": map_summary(data),
        "measures": measures if choose else [],
        "choose": choose,
        "simplified": boundaries.points < boundaries.points_read,
    }
