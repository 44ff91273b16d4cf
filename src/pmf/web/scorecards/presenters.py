"""Shape data for the scorecard pages; the HTML and the JSON version both come from here."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pmf.core.assessment import assessment_roots
from pmf.core.framework import Framework, Measure
from pmf.core.mdc import ASSURANCE_COLUMNS, VARIATION_ROWS, MatrixMeasure, summary_matrix
from pmf.core.membership import keep_members
from pmf.core.overdispersion import describe, overdispersed_plot
from pmf.core.peers import peer_snapshot
from pmf.core.periods import Period, parse_period
from pmf.core.scorecard import (
    NO_MARKS,
    ObservationMarks,
    assurance_words,
    direction_legend,
    mark_letters,
    mark_words_translated,
    marks_legend,
    met_words,
    spc_legend,
    variation_words,
)
from pmf.core.text import period_name
from pmf.reports.charts.funnel import funnel_chart
from pmf.reports.charts.peer import peer_chart
from pmf.reports.charts.sparkline import sparkline_points
from pmf.reports.charts.spc import spc_chart
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.cache import cached, data_version
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.frameworks.services import framework_of
from pmf.web.observations.marks import marks_for
from pmf.web.observations.services import (
    assessed_by_measure,
    held_observations,
    scorecard_for,
)
from pmf.web.scorecards.period_tables import period_rollup_tables


def kind_words(kind: str) -> str:
    """Return a kind of measure (redline, kpi, context) as the page names it to its reader."""
    words = {
        "redline": pgettext("kind of measure", "redline"),
        "kpi": pgettext("kind of measure", "kpi"),
        "context": pgettext("kind of measure", "context"),
    }
    return words.get(kind, kind)


def organisation_page(organisation: Organisation, membership: Membership) -> dict[str, Any]:
    """Return the units the member may see, each with RAG counts per area, as a tree."""
    units = visible_units(membership, organisation)
    internal = [unit for unit in units if not unit.external]
    codes = tuple(unit.code for unit in internal)
    # Only writes to the units shown, their peers and the national comparator make it new.
    version = data_version(organisation, lambda found: assessment_roots(found, codes))
    framework = framework_of(organisation)
    # Named apart from the counts cached before they carried their period: a cache on disk
    # may outlive an upgrade, and the key holds no version of pmf.
    counts, observations_at = cached(
        version, "overview-counts", codes, lambda: _rag_counts(organisation, codes)
    )
    depth: dict[int, int] = {}
    rows = []
    for unit in internal:
        level = depth[unit.parent_id] + 1 if unit.parent_id in depth else 0
        depth[unit.pk] = level
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "type": unit.type,
                "ons_code": unit.ons_code or None,
                "level": level,
                "areas": [
                    _rag_cell(counts.get((unit.code, area.code), {})) for area in framework.areas
                ],
            }
        )
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "areas": [{"code": area.code, "title": area.title} for area in framework.areas],
        "units": rows,
        # The RAG counts are of each measure's latest figure: say when most of them are from.
        "figures_at": observations_at,
        "comparators": [{"code": unit.code, "name": unit.name} for unit in units if unit.external],
    }


def _rag_counts(
    organisation: Organisation, units: tuple[str, ...]
) -> tuple[dict[tuple[str, str], dict[str, int]], str | None]:
    """Return the number of measures of each RAG by unit and area, from their assessment,
    and the label of the period most of those figures are for."""
    from collections import Counter

    counts: dict[tuple[str, str], dict[str, int]] = {}
    if not units:
        return counts, None
    framework = framework_of(organisation)
    assessment = assessed_by_measure(organisation, framework, list(units))
    if not assessment.height:
        return counts, None
    grouped = assessment.group_by("unit", "area", "rag").len()
    for unit_code, area, rag, number in grouped.iter_rows():
        counts.setdefault((unit_code, area), {})[rag or "none"] = number
    periods = Counter(assessment["period"].to_list())
    common = max(periods, key=lambda code: (periods[code], parse_period(code).end))
    return counts, parse_period(common).label


def _rag_cell(counts: dict[str, int]) -> dict[str, Any]:
    """Return the RAG counts of one unit and area, with the words a cell shows."""
    words = {"red": _("{count} red"), "amber": _("{count} amber"), "green": _("{count} green")}
    parts = [words[rag].format(count=counts[rag]) for rag in words if counts.get(rag)]
    return {
        "red": counts.get("red", 0),
        "amber": counts.get("amber", 0),
        "green": counts.get("green", 0),
        "no_standard": counts.get("none", 0),
        "text": ", ".join(parts) if parts else (_("no standard") if counts else _("no figures")),
    }


def scorecard_page(
    organisation: Organisation,
    unit: Unit,
    *,
    period: Period | None = None,
    areas: list[str] | None = None,
    kinds: list[str] | None = None,
    exceptions_only: bool = False,
) -> dict[str, Any]:
    """Return a unit's scorecard for the page and its JSON version.

    Kept in the cache until the next write to the organisation's framework or to the figures
    the unit's assessment reads (``scorecard_version``).
    """
    filters = (tuple(areas or ()), tuple(kinds or ()), exceptions_only)
    return cached(
        scorecard_version(organisation, unit.code),
        "scorecard-page",
        (unit.code, unit.name, period.code if period is not None else None, filters),
        lambda: _scorecard_page(
            organisation,
            unit,
            period=period,
            areas=areas,
            kinds=kinds,
            exceptions_only=exceptions_only,
        ),
    )


def scorecard_version(organisation: Organisation, unit: str) -> str:
    """Return the data version of a unit's scorecard: of its, its peers' and the national
    comparator's subtrees (what its assessment reads; the sparklines read fewer)."""
    return data_version(organisation, lambda found: assessment_roots(found, [unit]))


def summary_page(
    organisation: Organisation, unit: Unit, *, areas: list[str] | None = None
) -> dict[str, Any]:
    """Return a unit's Making Data Count summary: its measures by variation and assurance.

    The rows are the scorecard's (``scorecard_page``, latest period, the same ``areas``), so
    the summary says what the scorecard says; ``pmf.core.mdc.summary_matrix`` places them.
    """
    scorecard = scorecard_page(organisation, unit, areas=areas)
    return {
        "organisation": scorecard["organisation"],
        "unit": scorecard["unit"],
        "as_at": scorecard["as_at"],
        "heading": scorecard["heading"],
        "spc_legend": spc_legend(),
        "matrix": matrix_data(
            [measure for area in scorecard["areas"] for measure in area["measures"]]
        ),
    }


def matrix_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the Making Data Count matrix of scorecard rows as plain data for pages and JSON:
    its columns, its rows each with a cell per column, and the measures it cannot place."""
    matrix = summary_matrix(rows)

    def listed(found: tuple[MatrixMeasure, ...]) -> list[dict[str, Any]]:
        return [
            {
                "measure": item.measure,
                "name": item.name,
                "variation_icon": item.variation_icon,
                "assurance_icon": item.assurance_icon,
            }
            for item in found
        ]

    return {
        "columns": [
            {"code": code, "title": title, "icons": list(icons)}
            for code, title, icons in ASSURANCE_COLUMNS
        ],
        "rows": [
            {
                "code": code,
                "title": title,
                "icons": list(icons),
                "cells": [
                    {"column": column, "measures": listed(matrix.cell(code, column))}
                    for column, _title, _kind in ASSURANCE_COLUMNS
                ],
            }
            for code, title, icons in VARIATION_ROWS
        ],
        "placed": matrix.placed,
        "unassessed": listed(matrix.unassessed),
    }


def _scorecard_page(
    organisation: Organisation,
    unit: Unit,
    *,
    period: Period | None,
    areas: list[str] | None,
    kinds: list[str] | None,
    exceptions_only: bool,
) -> dict[str, Any]:
    # The sparklines read the unit and the units below it only.
    version = data_version(organisation, [unit.code])
    scorecard = scorecard_for(
        organisation,
        unit=unit.code,
        period=period,
        areas=areas or None,
        kinds=kinds or None,
        exceptions_only=exceptions_only,
    )
    trends = cached(
        version,
        "sparklines",
        (unit.code, period.code if period is not None else None),
        lambda: _unit_sparklines(organisation, unit.code, period),
    )
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "unit": {
            "code": scorecard.unit,
            "name": scorecard.unit_name,
            "ons_code": unit.ons_code or None,
        },
        "membership": unit_membership_words(
            framework_of(organisation),
            unit.code,
            {"period": period.code} if period is not None else None,
        ),
        "as_at": scorecard.as_at,
        "heading": scorecard.heading,
        "other_periods": scorecard.other_periods,
        "future_text": scorecard.future_text,
        "direction_legend": direction_legend(),
        "spc_legend": spc_legend(),
        "marks_legend": marks_legend(),
        "has_marks": scorecard.has_marks,
        "filters": {"areas": areas or [], "kinds": kinds or [], "exceptions": exceptions_only},
        "areas": [
            {
                "code": section.code,
                "title": section.title,
                "measures": [
                    {
                        **row.as_dict(),
                        "period_label": period_name(row.period),
                        "met_text": met_words(row.met_text),
                        "direction_previous_text": row.direction_previous_text,
                        "direction_last_year_text": row.direction_last_year_text,
                        "note": row.note,
                        "rank_text": row.rank_text,
                        "standard_text": row.standard_text,
                        "mark": row.mark,
                        "mark_words": mark_words_translated(row.provisional, row.warned),
                        "variation_text": variation_words(row.variation),
                        "assurance_text": assurance_words(row.assurance),
                        "sparkline": trends.get(row.measure, ""),
                    }
                    for row in section.rows
                ],
            }
            for section in scorecard.sections
        ],
    }


def _unit_sparklines(
    organisation: Organisation, unit: str, period: Period | None
) -> dict[str, str]:
    """Return the unit's sparklines, reading only its own figures and those below it."""
    framework = framework_of(organisation)
    below = [item.code for item in framework.descendants(unit)]
    return _sparklines(
        framework, held_observations(organisation, units=[unit, *below]), unit, period
    )


def _sparklines(
    framework: Any, observations: Any, unit: str, period: Period | None
) -> dict[str, str]:
    """Return, by measure, the SVG points of the unit's last figures up to the cut-off.

    Drawn (``pmf.reports.charts.sparkline``) as decoration beside the figures (the measure
    page has the full chart and table), so the page marks them as hidden from assistive
    technology.
    """
    import datetime as dt

    import polars as pl

    from pmf.core.rollup import roll_up

    rolled = roll_up(framework, observations).filter(pl.col("unit") == unit)
    lines: dict[str, str] = {}
    by_measure: dict[str, list[tuple[dt.date, float]]] = {}
    # A figure for a period not yet begun is flagged, not drawn, as the assessment leaves it.
    today = dt.date.today()
    for measure, code, value in rolled.select("measure", "period", "value").iter_rows():
        found = parse_period(code)
        end = found.end
        if found.start <= today and (period is None or end <= period.end):
            by_measure.setdefault(measure, []).append((end, value))
    for measure, points in by_measure.items():
        drawn = sparkline_points(
            [value for _period, value in sorted(points, key=lambda item: item[0])]
        )
        if drawn:
            lines[measure] = drawn
    return lines


def _standard_of(framework: Framework, measure: Measure, unit_code: str) -> str:
    """Return the measure's standard for the unit in the reader's words, or "" without one."""
    from pmf.core.assessment import describe_standard
    from pmf.core.wording import standard_words

    try:
        standard = measure.standard_for(framework.unit(unit_code))
    except KeyError:
        return ""
    return standard_words(describe_standard(measure, standard)) if standard else ""


def measure_page(
    organisation: Organisation,
    unit: Unit,
    measure_code: str,
    framework: Framework | None = None,
) -> dict[str, Any]:
    """Return one measure of one unit: its SPC chart and data, peers, and the lineage.

    ``framework`` is the organisation's, when the caller has read it already.
    """
    from pmf.web.observations.services import revisions

    framework = framework or framework_of(organisation)
    try:
        measure = framework.measure(measure_code)
    except KeyError:
        raise LookupError(f"no measure {measure_code!r} in {organisation.code}") from None
    # Every unit's figures of this one measure: a write to another measure leaves it as it is.
    version = data_version(organisation, None, measure.code)
    # The charts come from the figures, kept until the next write; the lineage is read afresh
    # because it names people, whose names may change without a write to the figures.
    page = cached(
        version,
        "measure",
        (unit.code, unit.name, measure.code),
        lambda: _measure_observations(organisation, unit, measure.code),
    )
    latest = page["rows"][-1] if page["rows"] else None
    history = (
        [
            {
                "revision": item.revision,
                "value": item.value,
                "status": item.get_status_display(),
                "recorded_at": item.recorded_at.isoformat(timespec="seconds"),
                "superseded_at": item.superseded_at.isoformat(timespec="seconds")
                if item.superseded_at
                else None,
                "source": item.source,
                "note": item.note,
                "warnings": [line for line in item.warnings.splitlines() if line.strip()],
                "warnings_reason": item.warnings_reason,
                "file": item.batch.file_name if item.batch else "",
                # A figure computed from records keeps how: files, digests, backend, SQL.
                "computed_from": item.batch.source
                if item.batch and item.batch.layout == "records"
                else "",
                "recorded_by": item.recorded_by.get_username() if item.recorded_by else "",
            }
            for item in revisions(organisation, unit.code, measure.code, latest["period"])
        ]
        if latest
        else []
    )
    # The same keys in the same order as ever: the lineage comes before the chart.
    shown = {key: value for key, value in page.items() if key != "chart"}
    shown["period_rollups"] = period_rollup_tables(framework.measure(measure_code), page["rows"])
    return {**shown, "revisions": history, "chart": page["chart"]}


def spc_series(
    framework: Any,
    rolled: Any,
    unit_code: str,
    measure: Any,
    marks: ObservationMarks | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return a unit's figures of one measure with their SPC points, and the chart's summary.

    ``figures`` are rolled-up figures (``pmf.core.rollup.roll_up``). Each row has the period,
    its label, the value and its text; the rows the chart shows (``charted``) also have their
    segment, mean, limits and variation, whether they are in their segment's baseline, the
    target in force and any event. The summary (empty with fewer than two figures) has the
    last segment's variation and assurance, every segment, the events and ``limits``: which
    periods the limits come from, in words (``pmf.core.baseline``, as the scorecard).
    ``marks`` (``observation_marks``) gives each row its marks: provisional, stored with accepted
    warnings.
    """
    import polars as pl

    from pmf.core.baseline import chart_series, chart_settings, describe_limits, targets_in_force
    from pmf.core.text import format_value

    series = rolled.filter(
        (rolled["unit"] == unit_code) & (rolled["measure"] == measure.code)
    ).to_dicts()
    for row in series:
        period = parse_period(row["period"])
        row["period_end"], row["label"] = period.end, period.label
    series.sort(key=lambda row: row["period_end"])
    # A figure for a period that has not begun (a typo such as 2099) is listed, never charted:
    # the scorecard does not assess it either (pmf.core.assessment, future_period).
    today = dt.date.today()
    ahead = [row for row in series if parse_period(row["period"]).start > today]
    series = [row for row in series if parse_period(row["period"]).start <= today]
    # Figures from before the unit joined the framework, or after it left, are listed but not
    # charted: the SPC baseline starts when it joined (pmf.core.membership).
    outside, series = _outside_membership(framework, unit_code, series)
    targets: list[float | None] = []
    if series:
        targets = targets_in_force(
            framework,
            pl.DataFrame(
                {
                    "unit": [unit_code] * len(series),
                    "measure": [measure.code] * len(series),
                    "period_end": [row["period_end"] for row in series],
                }
            ),
        ).to_list()
    summary: dict[str, Any] = {}
    points: dict[str, dict[str, Any]] = {}
    if len(series) >= 2:
        settings = chart_settings(framework, measure, unit_code)
        chart = chart_series(
            [row["period"] for row in series],
            [row["value"] for row in series],
            settings,
            targets=targets,
            numerators=[row.get("numerator") for row in series],
            denominators=[row.get("denominator") for row in series],
        )
        points = {point["period"]: point for point in chart.points}
        # Another chart's centre and limits are shown a decimal finer than the figures, so
        # that a count of 3 can be seen to lie above a limit of 2.9 (``_finer``).
        plain_chart = chart.chart == "i" and settings.rules == "mdc"
        shown = measure if plain_chart else _finer(measure)
        # A window that starts after the last figure charts nothing: no summary, no chart.
        last = chart.summary or {}
        if last:
            summary = {
                "variation_type": last.get("variation"),
                "assurance_type": last.get("assurance"),
                "variation": variation_words(last.get("variation")),
                "assurance": assurance_words(last.get("assurance")),
                "trial_limits": bool(last.get("trial")),
                "target": last.get("target"),
                # Which chart is drawn, with which rules (the XmR chart unless configured).
                "chart": chart.chart,
                "rules": settings.rules,
                "chart_title": chart.title,
                "plain": chart.chart == "i" and settings.rules == "mdc",
                "fallback": chart.fallback,
                "limits_vary": any(segment["limits_vary"] for segment in chart.segments),
                "limits": describe_limits(chart, measure.frequency),
                "window": settings.window,
                "baseline_points": settings.baseline_points,
                "charted": len(chart.points),
                "hidden": chart.hidden,
                "segments": [
                    {
                        **segment,
                        "first_label": parse_period(segment["first_period"]).label,
                        "last_label": parse_period(segment["last_period"]).label,
                        "baseline_first_label": parse_period(segment["baseline_first"]).label,
                        "baseline_last_label": parse_period(segment["baseline_last"]).label,
                        "variation_text": variation_words(segment["variation"]),
                        "mean_text": format_value(segment["mean"], shown),
                        "lpl_text": _segment_limit(segment, "lpl", shown),
                        "upl_text": _segment_limit(segment, "upl", shown),
                    }
                    for segment in chart.segments
                ],
                "events": [
                    {**event, "label": parse_period(event["period"]).label}
                    for event in chart.events
                ],
            }
    plain = summary.get("plain", True)
    rows = [
        _series_row(row, points.get(row["period"], {}), target, measure, plain=plain)
        for row, target in zip(series, targets, strict=True)
    ]
    # Listed after the charted figures, never charted or judged.
    rows.extend(_series_row(row, {}, None, measure, future=True) for row in ahead)
    if outside:
        rows.extend(_series_row(row, {}, None, measure) for row in outside)
        rows.sort(key=lambda row: parse_period(row["period"]).end)
    for row in rows:
        provisional, warned = (marks or NO_MARKS).of(
            unit_code, measure.code, row["period"], row["origin"]
        )
        row.update(
            provisional=provisional,
            warned=warned,
            mark=mark_letters(provisional, warned),
            mark_words=mark_words_translated(provisional, warned),
        )
    return rows, summary


def unit_membership_words(
    framework: Any, unit_code: str, latest: dict[str, Any] | None
) -> str | None:
    """Return when the unit joined or left the framework, as of its latest figure, or None."""
    import datetime as dt

    from pmf.core.membership import membership_words

    if unit_code not in {unit.code for unit in framework.units}:
        return None
    cut = parse_period(latest["period"]).end if latest else dt.date.today()
    return membership_words(framework, unit_code, cut)


def _outside_membership(
    framework: Any, unit_code: str, series: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split a unit's figures (each with ``period_end``) into those outside its membership of
    the framework and those inside (``pmf.core.membership``)."""
    from pmf.core.membership import member_span

    if unit_code not in {unit.code for unit in framework.units}:
        return [], series
    span = member_span(framework, unit_code)
    if span.always:
        return [], series
    inside = [row for row in series if span.holds(row["period_end"])]
    return [row for row in series if not span.holds(row["period_end"])], inside


def _series_row(
    row: dict[str, Any],
    point: dict[str, Any],
    target: float | None,
    measure: Any,
    *,
    future: bool = False,
    plain: bool = True,
) -> dict[str, Any]:
    """Return one figure of the measure page's table: its value and, if charted, its point.

    A chart other than the XmR chart with Making Data Count's rules (not ``plain``) adds
    what it plots (the proportion or rate in the measure's units, the moving range), its
    2-sigma lines and its chart type.
    """
    from pmf.core.text import format_count, format_value

    found = {
        "period": row["period"],
        "label": row["label"],
        "value": row["value"],
        "value_text": format_value(row["value"], measure),
        "numerator": row["numerator"],
        "denominator": row["denominator"],
        "origin": row["origin"],
        "charted": bool(point),
        "segment": point.get("segment"),
        "in_baseline": point.get("in_baseline"),
        "trial": point.get("trial"),
        "mean": point.get("mean"),
        "lpl": point.get("lpl"),
        "upl": point.get("upl"),
        "mean_text": _value_text(point.get("mean"), measure),
        "lpl_text": _value_text(point.get("lpl"), measure),
        "upl_text": _value_text(point.get("upl"), measure),
        "target": target,
        "target_text": _value_text(target, measure),
        "event": point.get("event"),
        "rebase": point.get("rebase"),
        "point_type": point.get("point_type"),
        "point_text": variation_words(point.get("point_type")),
        "future": future,
    }
    if plain:
        return found
    finer = _finer(measure)
    return {
        **found,
        "mean_text": _value_text(point.get("mean"), finer),
        "lpl_text": _value_text(point.get("lpl"), finer),
        "upl_text": _value_text(point.get("upl"), finer),
        "numerator_text": format_count(row["numerator"]),
        "denominator_text": format_count(row["denominator"]),
        "plotted": point.get("plotted"),
        "plotted_text": _value_text(point.get("plotted"), measure),
        "lpl_2sigma": point.get("lpl_2sigma"),
        "upl_2sigma": point.get("upl_2sigma"),
        "chart": point.get("chart"),
    }


def _finer(measure: Any) -> Any:
    """Return the measure shown one decimal finer, for the centre and limits of a chart.

    The XmR chart's are shown as the figures are, as ever; another chart's centre and
    limits (a c chart's 0.6 and 2.9 homicides) are not whole when its figures are.
    """
    return measure.model_copy(update={"decimals": min(measure.decimals + 1, 6)})


def _segment_limit(segment: dict[str, Any], name: str, measure: Any) -> str:
    """Return a segment's limit as text; where limits vary with the denominator, its last."""
    from pmf.core.text import format_value

    text = format_value(segment[name], measure)
    return _("{limit} (latest; varies)").format(limit=text) if segment.get("limits_vary") else text


def _value_text(value: float | None, measure: Any) -> str:
    """Return a mean, limit or target as the measure shows its figures, or a dash."""
    from pmf.core.text import format_value

    return "–" if value is None else format_value(value, measure)


def _measure_observations(
    organisation: Organisation, unit: Unit, measure_code: str
) -> dict[str, Any]:
    """Return the measure page but its lineage, reading only the figures of that measure."""
    from pmf.core.calculation import with_rollup_inputs
    from pmf.core.rollup import roll_up

    framework = framework_of(organisation)
    measure = framework.measure(measure_code)
    # Every unit's figures of this one measure: the peer chart and the funnel need them.
    read = with_rollup_inputs(framework, [measure.code])  # a rollup: formula reads its inputs
    rolled = roll_up(framework, held_observations(organisation, measures=read))
    # Every unit's marks of this measure: the peer and funnel tables show other units' figures.
    marks = marks_for(organisation, framework, measures=[measure.code])
    rows, summary = spc_series(framework, rolled, unit.code, measure, marks)
    # The latest figure assessed: one for a period not yet begun is listed, not judged.
    latest = next((row for row in reversed(rows) if not row["future"]), None)
    # Peers are compared only at the periods each was in the framework (pmf.core.membership).
    peers = peer_comparison(
        framework,
        keep_members(framework, rolled),
        unit.code,
        measure,
        latest["period"] if latest else None,
    )
    # The funnel follows the peer comparison's period: the latest the group has figures for.
    funnel_period = peers["period_code"] or (latest["period"] if latest else None)
    funnel = _funnel(framework, rolled, unit.code, measure, funnel_period)
    for period, items in (
        (peers["period_code"], peers["rows"]),
        (funnel_period, funnel["points"] if funnel else []),
    ):
        mark_items(items, rolled, marks, measure.code, period)
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "unit": {"code": unit.code, "name": unit.name, "ons_code": unit.ons_code or None},
        "membership": unit_membership_words(framework, unit.code, latest),
        "peers": peers,
        "peer_chart": peer_chart(measure.name, peers) if peers["rows"] else None,
        "funnel": funnel,
        "measure": {
            "code": measure.code,
            "name": measure.name,
            "kind": measure.kind.value,
            "polarity": measure.polarity.value,
            "decimals": measure.decimals,
            "source": measure.source,
            "owner": measure.owner,
            "description": measure.description,
            "standard": _standard_of(framework, measure, unit.code),
        },
        "spc": {
            "variation": summary.get("variation", ""),
            "assurance": summary.get("assurance", ""),
            "trial_limits": bool(summary.get("trial_limits")),
            "target": summary.get("target"),
            "limits": summary.get("limits", ""),
            "window": summary.get("window"),
            "baseline_points": summary.get("baseline_points"),
            "charted": summary.get("charted", 0),
            "hidden": summary.get("hidden", 0),
            "segments": summary.get("segments", []),
            "events": summary.get("events", []),
            "chart": summary.get("chart", "i"),
            "rules": summary.get("rules", "mdc"),
            "chart_title": summary.get("chart_title", ""),
            "plain": summary.get("plain", True),
            "fallback": summary.get("fallback"),
            "limits_vary": bool(summary.get("limits_vary")),
        },
        "rows": rows,
        "has_marks": any(
            item.get("mark")
            for item in (*rows, *peers["rows"], *(funnel["points"] if funnel else []))
        ),
        "marks_legend": marks_legend(),
        "chart": spc_chart(measure.name, unit.name, rows, summary) if summary else None,
    }


def mark_items(
    items: list[dict[str, Any]],
    rolled: Any,
    marks: ObservationMarks,
    measure: str,
    period: str | None,
) -> None:
    """Give each unit's figure of a peer or funnel table its marks (``observation_marks``)."""
    import polars as pl

    if period is None or not items:
        return
    origins = dict(
        rolled.filter((pl.col("measure") == measure) & (pl.col("period") == period))
        .select("unit", "origin")
        .iter_rows()
    )
    for item in items:
        provisional, warned = marks.of(
            item["unit"], measure, period, origins.get(item["unit"], "reported")
        )
        item.update(
            provisional=provisional,
            warned=warned,
            mark=mark_letters(provisional, warned),
            mark_words=mark_words_translated(provisional, warned),
        )


def peer_comparison(
    framework: Any, rolled: Any, unit: str, measure: Any, period: str | None
) -> dict[str, Any]:
    """Return the unit and its peer group's figures, with 95 % intervals, for page and paper.

    The period, the average and the intervals are ``pmf.core.peers.peer_snapshot``'s: the
    latest period at or before ``period`` (the unit's own latest) at which the unit and at
    least half of the members in the group average have figures. ``period`` in the result is
    its label and ``period_code`` its code.
    """
    from pmf.core.text import format_value

    found = peer_snapshot(framework, rolled, unit, measure, period)
    group = found.group
    empty: dict[str, Any] = {"period": None, "period_code": None, "average": None, "rows": []}
    if group is None or period is None:
        return {**empty, "group": None, "computed": None}
    # The version number of a computed group, for the link to how it was chosen.
    computed = _computed_version(group.method)
    if found.period is None or found.average is None:
        return {**empty, "group": group.name, "computed": computed}
    names = {item.code: item.name for item in framework.units}
    rows = [
        {
            "unit": row.unit,
            "name": names.get(row.unit, row.unit),
            "value": row.value,
            "value_text": format_value(row.value, measure),
            "lower": row.lower,
            "upper": row.upper,
            "lower_text": format_value(row.lower, measure),
            "upper_text": format_value(row.upper, measure),
            "is_unit": row.is_unit,
        }
        for row in found.observations
    ]
    return {
        "group": group.name,
        "method": group.method,
        "computed": computed,
        "period": period_name(found.period),
        "period_code": found.period,
        "average": found.average,
        "average_text": format_value(found.average, measure),
        "rows": rows,
    }


def _computed_version(method: str) -> int | None:
    """Return the version number in a computed group's method, or None for a given group."""
    match = re.match(r"computed: version (\d+);", method)
    return int(match.group(1)) if match else None


def _funnel(
    framework: Any, rolled: Any, unit: str, measure: Any, period: str | None
) -> dict[str, Any] | None:
    """Return a funnel plot of every unit of the same type, with limits the framework chooses.

    Only for percentages and rates with numerators and denominators, and three units or more.
    The significance, limits and average are ``pmf.core.overdispersion.overdispersed_plot``'s:
    PHEindicatormethods' exact limits, or limits widened for overdispersion as the framework's
    ``funnel: {overdispersion: ...}`` asks; ``adjustment`` says which in a sentence.
    """
    import polars as pl

    from pmf.core.framework import UnitOfMeasure
    from pmf.core.text import format_count, format_value

    kinds: dict[UnitOfMeasure, Literal["proportion", "rate"]] = {
        UnitOfMeasure.PERCENT: "proportion",
        UnitOfMeasure.RATE: "rate",
    }
    statistic = kinds.get(measure.unit_of_measure)
    if statistic is None or period is None:
        return None
    kind = framework.unit(unit).type
    same = [item.code for item in framework.units if item.type == kind]
    found = rolled.filter(
        pl.col("unit").is_in(same)
        & (pl.col("measure") == measure.code)
        & (pl.col("period") == period)
        & pl.col("numerator").is_not_null()
        & (pl.col("denominator") > 0)
    ).select("unit", "value", "numerator", "denominator")
    if found.height < MIN_FUNNEL_UNITS:
        return None
    plot = overdispersed_plot(
        found,
        statistic=statistic,
        multiplier=measure.multiplier,
        overdispersion=framework.funnel_overdispersion(measure),
    )
    names = {item.code: item.name for item in framework.units}
    points = [
        {
            "unit": row["unit"],
            "name": names.get(row["unit"], row["unit"]),
            "denominator": row["denominator"],
            "denominator_text": format_count(row["denominator"]),
            "value": row["value"],
            "value_text": format_value(row["value"], measure),
            "limits_95_text": _limits_text(row["lower_95"], row["upper_95"], measure),
            "limits_998_text": _limits_text(row["lower_998"], row["upper_998"], measure),
            "significance": row["significance"],
            "is_unit": row["unit"] == unit,
        }
        for row in plot.points.iter_rows(named=True)
    ]
    label = period_name(period)
    adjustment = describe(plot.dispersion) if plot.dispersion else ""
    return {
        "period": label,
        "average_text": format_value(plot.average, measure),
        "adjustment": adjustment,
        "adjusted": bool(plot.dispersion and plot.dispersion.adjusted),
        "points": points,
        "chart": funnel_chart(
            measure.name,
            label,
            plot.lines,
            points,
            plot.average,
            measure.denominator or _("Denominator"),
            adjustment,
        ),
    }


def _limits_text(lower: float, upper: float, measure: Any) -> str:
    """Return a unit's limits as the page prints them: "12.3 to 45.6"."""
    from pmf.core.text import format_value

    return _("{lower} to {upper}").format(
        lower=format_value(lower, measure), upper=format_value(upper, measure)
    )


# A funnel of fewer units says nothing a table would not.
MIN_FUNNEL_UNITS = 3


def peer_groups_page(
    organisation: Organisation, membership: Membership, number: int | None = None
) -> dict[str, Any]:
    """Return one version of the computed most similar groups: how it was made, the groups.

    ``number`` None is the current version. Each unit the member may see has its group,
    nearest first with distances; the context values shown are those of these units and
    their peers. ``changes`` compares the version with the one before it. Raise
    ``LookupError`` when the organisation has no version ``number``.
    """
    from pmf.web.frameworks.models import ComputedPeerGroups

    versions = list(
        ComputedPeerGroups.objects.filter(organisation=organisation)
        .select_related("created_by")
        .order_by("-number")
    )
    page: dict[str, Any] = {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "versions": [_version_data(version) for version in versions],
        "version": None,
        "units": 0,
        "groups": [],
        "inputs": {"variables": [], "rows": []},
        "changes": None,
    }
    if number is None:
        chosen = next((version for version in versions if version.superseded_at is None), None)
        if chosen is None:
            return page
    else:
        chosen = next((version for version in versions if version.number == number), None)
        if chosen is None:
            raise LookupError(f"{organisation.name} has no version {number} of its groups.")
    # Newest first, so the first older one is the version this one replaced.
    previous = next((version for version in versions if version.number < chosen.number), None)
    all_units = {unit.code: unit for unit in organisation.units.all()}
    visible = {unit.code for unit in visible_units(membership, organisation)}
    groups = _computed_groups(chosen)
    shown = [code for code in groups if code in visible]
    listed = set(shown) | {peer["code"] for code in shown for peer in groups[code]}
    with_inputs = [code for code in all_units if code in listed]
    return {
        **page,
        "version": _version_data(chosen),
        "units": len(chosen.inputs),
        "groups": [
            {
                "unit": code,
                "name": all_units[code].name,
                "peers": [{**peer, "name": all_units[peer["code"]].name} for peer in groups[code]],
            }
            for code in shown
        ],
        "inputs": {
            "variables": list(chosen.variables),
            "rows": [
                {
                    "unit": code,
                    "name": all_units[code].name,
                    "values": [chosen.inputs.get(code, {}).get(name) for name in chosen.variables],
                }
                for code in with_inputs
                if code in chosen.inputs
            ],
        },
        "changes": (
            _version_changes(previous, chosen, all_units, visible) if previous is not None else None
        ),
    }


def _version_data(version: Any) -> dict[str, Any]:
    """Return how one version was made, for the page, its list of versions and the JSON."""
    user = version.created_by
    return {
        "number": version.number,
        "current": version.superseded_at is None,
        "method": version.method,
        "variables": [
            {"name": name, "weight": float(version.weights.get(name, 1.0))}
            for name in version.variables
        ],
        "n": version.n,
        "source": version.source,
        "created_at": version.created_at,
        "created_by": (user.get_full_name() or user.username) if user is not None else "",
        "superseded_at": version.superseded_at,
    }


def _computed_groups(version: Any) -> dict[str, list[dict[str, Any]]]:
    """Return each unit's peers in a version, units in tree order and peers nearest first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    rows = version.peers.select_related("unit", "peer").order_by("unit__position", "rank")
    for row in rows:
        groups.setdefault(row.unit.code, []).append(
            {
                "rank": row.rank,
                "code": row.peer.code,
                "distance": row.distance,
                "distance_text": f"{row.distance:.3f}",
            }
        )
    return groups


def _version_changes(
    before: Any, after: Any, units: dict[str, Unit], visible: set[str]
) -> dict[str, Any]:
    """Return what changed from one version to the next: method, context values and groups."""
    method: list[str] = []
    if list(before.variables) != list(after.variables):
        method.append(
            _("Variables: {before} became {after}.").format(
                before=", ".join(before.variables), after=", ".join(after.variables)
            )
        )
    for name in after.variables:
        if name in before.variables and before.weights.get(name) != after.weights.get(name):
            method.append(
                _("Weight of {variable}: {before} became {after}.").format(
                    variable=name,
                    before=f"{before.weights.get(name, 1.0):g}",
                    after=f"{after.weights.get(name, 1.0):g}",
                )
            )
    if before.n != after.n:
        method.append(
            _("Peers per unit: {before} became {after}.").format(before=before.n, after=after.n)
        )
    if before.source != after.source:
        method.append(
            _("Source: {before} became {after}.").format(
                before=before.source or _("none"), after=after.source or _("none")
            )
        )
    values = [
        {
            "unit": code,
            "name": units[code].name,
            "variable": name,
            "before": before.inputs[code][name],
            "after": after.inputs[code][name],
        }
        for code in units
        if code in visible and code in before.inputs and code in after.inputs
        for name in after.variables
        if name in before.inputs[code] and before.inputs[code][name] != after.inputs[code][name]
    ]
    old, new = _computed_groups(before), _computed_groups(after)
    groups = []
    for code in units:
        if code not in visible or (code not in old and code not in new):
            continue
        was = [peer["code"] for peer in old.get(code, [])]
        now = [peer["code"] for peer in new.get(code, [])]
        if was == now:
            continue
        groups.append(
            {
                "unit": code,
                "name": units[code].name,
                "added": [{"code": p, "name": units[p].name} for p in now if p not in was],
                "removed": [{"code": p, "name": units[p].name} for p in was if p not in now],
                "reordered": set(was) == set(now),
                "new": not was,
                "left_out": not now,
            }
        )
    return {"from": before.number, "method": method, "values": values, "groups": groups}
