"""The corporate dashboard: what needs attention, at a glance, each tile drilling down.

Each tile is a count with a short label and the rows behind it; the tile's own page lists
the rows, each linking to where it can be acted on. The tiles of the scorecard (reds,
special-cause concerns, outliers against the peer group) come from the same assessment as
the scorecard pages; the others from the registers that hold them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmf.core.assessment import assessment_roots, units_read
from pmf.core.periods import parse_period
from pmf.core.scorecard import variation_words
from pmf.core.text import format_date, format_value, period_name
from pmf.core.wording import standard_words
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.cache import cached, data_version
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of
from pmf.web.observations.services import (
    assessed_by_measure,
    held_observations,
)


@dataclass(frozen=True)
class Tile:
    """One tile: its address on the dashboard, its title, and how to list its rows."""

    code: str
    title: str | Promise
    describe: str | Promise
    rows: Callable[[Organisation, Membership], list[dict[str, Any]]]
    order: str | Promise = ""
    """How the rows are ordered, in words, where the order matters (the first three show)."""
    counted: str | Promise = ""
    """The tile's page's sentence: how many rows (``{count}``) of what, and in what ``{order}``."""


def _assessment_rows(organisation: Organisation, membership: Membership) -> list[dict[str, Any]]:
    """Return the latest assessment of every unit the member may see, as dicts (cached)."""
    units = _visible(organisation, membership)
    if not units:
        return []

    version = _version(organisation, units)

    def compute() -> list[dict[str, Any]]:
        framework = framework_of(organisation)
        frame = assessed_by_measure(organisation, framework, list(units))
        names = {unit.code: unit.name for unit in framework.units}
        rows = []
        for record in frame.iter_rows(named=True):
            measure = framework.measure(record["measure"])
            rows.append(
                {
                    **record,
                    "unit_name": names[record["unit"]],
                    "measure_name": measure.name,
                    "value_text": format_value(record["value"], measure),
                }
            )
        return rows

    return cached(version, "dashboard-assessment", units, compute)


def _visible(organisation: Organisation, membership: Membership) -> tuple[str, ...]:
    """Return the codes of the internal units the member may see, sorted."""
    return tuple(
        sorted(unit.code for unit in visible_units(membership, organisation) if not unit.external)
    )


def _version(organisation: Organisation, units: tuple[str, ...]) -> str:
    """Return the data version of the units' assessment (their, peers', national subtrees)."""
    return data_version(organisation, lambda found: assessment_roots(found, units))


def _measure_row(organisation: Organisation, record: dict[str, Any], detail: str) -> dict[str, Any]:
    return {
        "unit": record["unit_name"],
        "what": record["measure_name"],
        "detail": detail,
        "link": reverse("measure", args=[organisation.code, record["unit"], record["measure"]]),
    }


def reds(organisation: Organisation, membership: Membership) -> list[dict[str, Any]]:
    """Measures not met (red against their standard), latest figure, every visible unit."""
    return [
        _measure_row(
            organisation,
            r,
            _("{value} against {standard}").format(
                value=r["value_text"], standard=standard_words(r["standard"])
            ),
        )
        for r in _assessment_rows(organisation, membership)
        if r["rag"] == "red"
    ]


# The special-cause tile lists the worst concerns first. The order, key by key:
CONCERN_RULES = (
    ("outside_limits", gettext_lazy("a point beyond the process limits")),
    ("run", gettext_lazy("a shift: a run of points on the worse side of the mean")),
    ("trend", gettext_lazy("a trend: points each worse than the one before")),
    ("two_in_three", gettext_lazy("two of three points near the process limit")),
)
"""The Making Data Count rules, most severe first: an astronomical point before a shift, a
shift before a trend, a trend before two-in-three (the first that the latest point breaks)."""
KIND_ORDER = {"redline": 0, "kpi": 1}
"""Redlines before KPIs, KPIs before the rest."""
CONCERN_ORDER = gettext_lazy(
    "worst first: points beyond the process limits, then shifts, trends and two-in-three "
    "points; redlines before KPIs; then the furthest from the mean in sigma units; then the "
    "most recent"
)
"""The order in words, for the tile and its page."""


def concerns(organisation: Organisation, membership: Membership) -> list[dict[str, Any]]:
    """Measures whose SPC chart shows special-cause variation of concern, worst first.

    The order is :data:`CONCERN_ORDER`: by the rule the latest point breaks
    (:data:`CONCERN_RULES`), the measure's kind (:data:`KIND_ORDER`), the latest point's
    distance from the mean in sigma units (a third of the distance from the mean to the
    process limit), furthest first, and the period, latest first.
    """
    found = [
        r
        for r in _assessment_rows(organisation, membership)
        if r["variation"] == "special_cause_concern"
    ]
    key = tuple(sorted((r["unit"], r["measure"], r["period"]) for r in found))
    severity = cached(
        _version(organisation, _visible(organisation, membership)),
        "dashboard-concerns",
        key,
        lambda: _concern_severity(organisation, found),
    )
    rows = []
    for record in found:
        rule, sigmas = severity.get((record["unit"], record["measure"]), (len(CONCERN_RULES), None))
        why = str(CONCERN_RULES[rule][1]) if rule < len(CONCERN_RULES) else _("special cause")
        rows.append(
            (
                (
                    rule,
                    KIND_ORDER.get(record["kind"], len(KIND_ORDER)),
                    -(sigmas or 0.0),
                    -parse_period(record["period"]).end.toordinal(),
                    record["unit_name"],
                    record["measure_name"],
                ),
                _measure_row(
                    organisation,
                    record,
                    (
                        _("{value} ({period}): {variation}; {why}, {sigmas} sigma from the mean")
                        if sigmas is not None
                        else _("{value} ({period}): {variation}; {why}")
                    ).format(
                        value=record["value_text"],
                        period=period_name(record["period"]),
                        variation=variation_words("special_cause_concern"),
                        why=why,
                        sigmas=f"{sigmas:.1f}" if sigmas is not None else "",
                    ),
                ),
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


def _concern_severity(
    organisation: Organisation, found: list[dict[str, Any]]
) -> dict[tuple[str, str], tuple[int, float | None]]:
    """Return, per (unit, measure), the first rule its latest point breaks and its sigmas.

    The series are charted as the scorecard and the measure page chart them
    (``pmf.core.baseline.framework_chart_points``: the same window, baselines, rebases and
    targets), every figure of the unit and measure up to the assessed period.
    """
    import polars as pl

    from pmf.core.baseline import framework_chart_points
    from pmf.core.calculation import with_rollup_inputs
    from pmf.core.rollup import roll_up
    from pmf.core.spc import sigmas_from_mean

    if not found:
        return {}
    framework = framework_of(organisation)
    units = sorted({record["unit"] for record in found})
    measures = sorted({record["measure"] for record in found})
    rolled = roll_up(
        framework,
        held_observations(
            organisation,
            units=units_read(framework, tuple(units)),
            measures=with_rollup_inputs(framework, measures),
        ),
    )
    wanted = {(record["unit"], record["measure"]): record["period"] for record in found}
    ends = {code: parse_period(code).end for code in rolled["period"].unique().to_list()}
    rolled = rolled.filter(
        pl.struct("unit", "measure").is_in(
            [{"unit": unit, "measure": measure} for unit, measure in wanted]
        )
    ).with_columns(pl.col("period").replace_strict(ends, return_dtype=pl.Date).alias("period_end"))
    cut = pl.DataFrame(
        {
            "unit": [unit for unit, _ in wanted],
            "measure": [code for _, code in wanted],
            "_cut": [parse_period(period).end for period in wanted.values()],
        }
    )
    rolled = (
        rolled.join(cut, on=["unit", "measure"])
        .filter(pl.col("period_end") <= pl.col("_cut"))
        .filter(pl.len().over("unit", "measure") >= 2)
    )
    points, _limits = framework_chart_points(framework, rolled)
    result: dict[tuple[str, str], tuple[int, float | None]] = {}
    for last in points.group_by("series", maintain_order=True).last().iter_rows(named=True):
        unit, code = last["series"].split("\x1f")
        rule = next(
            (index for index, (flag, _) in enumerate(CONCERN_RULES) if last[flag]),
            len(CONCERN_RULES),
        )
        # What the chart plots (the moving range of an mR chart) against its centre and limit.
        result[(unit, code)] = (
            rule,
            sigmas_from_mean(last["plotted"], last["mean"], last["upl"], last["lpl"])
            if last["plotted"] is not None
            else None,
        )
    return result


def outliers(organisation: Organisation, membership: Membership) -> list[dict[str, Any]]:
    """Measures significantly worse than the peer group's average (benchmark outliers)."""
    return [
        _measure_row(organisation, r, f"{r['value_text']}: {r['significance']}")
        for r in _assessment_rows(organisation, membership)
        if (r["significance"] or "").startswith("significantly worse")
    ]


SCORECARD_TILES = (
    Tile(
        "reds",
        gettext_lazy("Redlines and KPIs not met"),
        gettext_lazy("measures red against their standard"),
        reds,
        counted=gettext_lazy("{count} measures red against their standard."),
    ),
    Tile(
        "concerns",
        gettext_lazy("Special-cause concerns"),
        gettext_lazy("measures whose SPC chart shows variation of concern"),
        concerns,
        order=CONCERN_ORDER,
        counted=gettext_lazy(
            "{count} measures whose SPC chart shows variation of concern, {order}."
        ),
    ),
    Tile(
        "outliers",
        gettext_lazy("Worse than peers"),
        gettext_lazy("measures significantly worse than the MSG average"),
        outliers,
        counted=gettext_lazy("{count} measures significantly worse than the MSG average."),
    ),
)


def overdue_interventions(
    organisation: Organisation, membership: Membership
) -> list[dict[str, Any]]:
    """Interventions past their due date and not finished, that the member may see."""
    from django.utils import timezone

    from pmf.web.interventions.services import FINISHED, visible_interventions

    today = timezone.localdate()
    rows = (
        visible_interventions(membership)
        .exclude(status__in=FINISHED)
        .filter(due_on__lt=today)
        .order_by("due_on")
    )
    return [
        {
            "unit": row.unit.name,
            "what": f"{row.action_name}: {row.measure.name if row.measure else row.area.name}",
            "detail": _("due {date}, {days} days overdue; owner {owner}").format(
                date=format_date(row.due_on),
                days=(today - row.due_on).days,
                owner=row.owner.get_username() if row.owner else _("none"),
            ),
            "link": reverse("intervention", args=[organisation.code, row.pk]),
        }
        for row in rows
    ]


def plan_items_at_risk(organisation: Organisation, membership: Membership) -> list[dict[str, Any]]:
    """Items of the current improvement plan that are off track or at risk."""
    from pmf.web.plans.models import Item
    from pmf.web.plans.services import current_plan

    plan = current_plan(organisation)
    if plan is None:
        return []
    items = (
        Item.objects.filter(
            theme__plan=plan, status__in=[Item.Status.OFF_TRACK, Item.Status.AT_RISK]
        )
        .select_related("theme", "owner")
        .order_by("status", "theme__position", "pk")
    )
    return [
        {
            "unit": item.theme.name,
            "what": item.title,
            "detail": _("{status}; accountable: {owner}").format(
                status=item.get_status_display(),
                owner=item.owner.get_username() if item.owner else _("nobody"),
            ),
            "link": reverse("plan-item", args=[organisation.code, plan.pk, item.pk]),
        }
        for item in items
    ]


def strategic_risks(organisation: Organisation, membership: Membership) -> list[dict[str, Any]]:
    """The open risks with the highest current scores, highest first."""
    from pmf.web.risks.services import top_risks

    return [
        {
            "unit": risk["unit"] or _("whole organisation"),
            "what": f"{risk['reference']}: {risk['title']}",
            "detail": _risk_detail(risk),
            "link": reverse("risk", args=[organisation.code, risk["number"]]),
        }
        for risk in top_risks(organisation, 10, membership)
    ]


def _risk_detail(risk: dict[str, Any]) -> str:
    """Return a top risk's score, band and warnings, as one sentence."""
    score = f"{risk['current']['score']:g}"
    band = risk["current"]["band"]
    above = risk["current"]["above_threshold"]
    if above and risk["review_overdue"]:
        text = _("score {score} ({band}); above the threshold; review overdue")
    elif above:
        text = _("score {score} ({band}); above the threshold")
    elif risk["review_overdue"]:
        text = _("score {score} ({band}); review overdue")
    else:
        text = _("score {score} ({band})")
    return text.format(score=score, band=band)


def emerging_risks(organisation: Organisation, membership: Membership) -> list[dict[str, Any]]:
    """Open risks recorded in the last 90 days, by department (category), newest first."""
    import datetime as dt

    from django.utils import timezone

    from pmf.web.risks.models import Risk
    from pmf.web.risks.services import visible_risks

    since = timezone.now() - dt.timedelta(days=90)
    risks = (
        visible_risks(organisation, membership)
        .filter(status=Risk.Status.OPEN, created_at__gte=since)
        .order_by("category", "-created_at")
    )
    return [
        {
            "unit": risk.category or _("no department"),
            "what": risk.title,
            "detail": _("recorded {date}; current score {score}").format(
                date=format_date(timezone.localtime(risk.created_at)),
                score=f"{risk.current_score:g}",
            ),
            "link": reverse("risk", args=[organisation.code, risk.number]),
        }
        for risk in risks
    ]


def recommendations_overdue(
    organisation: Organisation, membership: Membership
) -> list[dict[str, Any]]:
    """Inspection and audit recommendations past their due date and not closed."""
    from django.utils import timezone

    from pmf.web.recommendations.services import (
        is_overdue,
        recommendation_counts,
        visible_recommendations,
    )

    today = timezone.localdate()
    counts = recommendation_counts(organisation, membership, today)
    complete = (
        _("{percent}% of {total} complete").format(
            percent=f"{counts['percent_complete']:g}", total=counts["total"]
        )
        if counts["total"]
        else _("none recorded")
    )
    return [
        {
            "unit": recommendation.get_body_display(),
            "what": f"{recommendation.report_title}: {recommendation.text[:80]}",
            "detail": _("due {date}; {complete}").format(
                date=format_date(recommendation.due_date), complete=complete
            ),
            "link": reverse("recommendation", args=[organisation.code, recommendation.number]),
        }
        for recommendation in visible_recommendations(organisation, membership).order_by("due_date")
        if is_overdue(recommendation, today)
    ]


ACTION_TILES = (
    Tile(
        "interventions",
        gettext_lazy("Interventions overdue"),
        gettext_lazy("interventions past their due date and not finished"),
        overdue_interventions,
        counted=gettext_lazy("{count} interventions past their due date and not finished."),
    ),
    Tile(
        "plan",
        gettext_lazy("Improvement plan at risk"),
        gettext_lazy("items of the improvement plan off track or at risk"),
        plan_items_at_risk,
        counted=gettext_lazy("{count} items of the improvement plan off track or at risk."),
    ),
)


REGISTER_TILES = (
    Tile(
        "risks",
        gettext_lazy("Top strategic risks"),
        gettext_lazy("open risks with the highest current scores"),
        strategic_risks,
        counted=gettext_lazy("{count} open risks with the highest current scores."),
    ),
    Tile(
        "recommendations",
        gettext_lazy("Recommendations overdue"),
        gettext_lazy("inspection and audit recommendations past their due date"),
        recommendations_overdue,
        counted=gettext_lazy("{count} inspection and audit recommendations past their due date."),
    ),
    Tile(
        "emerging",
        gettext_lazy("Emerging risks"),
        gettext_lazy("open risks recorded in the last 90 days, by department"),
        emerging_risks,
        counted=gettext_lazy("{count} open risks recorded in the last 90 days, by department."),
    ),
)


def tiles() -> tuple[Tile, ...]:
    """Return every tile, in the dashboard's order."""
    return SCORECARD_TILES + REGISTER_TILES + ACTION_TILES


def dashboard_page(organisation: Organisation, membership: Membership) -> dict[str, Any]:
    """Return every tile with its count and its first rows."""
    shown = []
    for tile in tiles():
        rows = tile.rows(organisation, membership)
        shown.append(
            {
                "code": tile.code,
                "title": str(tile.title),
                "describe": str(tile.describe),
                "count": len(rows),
                "order": str(tile.order),
                "first": rows[:3],
            }
        )
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "tiles": shown,
        "summaries": summaries(organisation, membership),
        "reporting_delay": delay_panel(organisation),
    }


def delay_panel(organisation: Organisation) -> dict[str, Any]:
    """Return the reporting delay of every cycle, with its rows as the table shows them.

    The cycles' moments are the organisation's as a whole, not any unit's: every member sees
    them.
    """
    from pmf.web.cycles.delay import days_text, reporting_delay_data

    data = reporting_delay_data(organisation)
    data["table"] = [
        {
            "cycle": row["cycle"],
            "name": row["name"],
            "data_to": row["data_to"],
            "locked": days_text(row["days_to_locked"]),
            "board": days_text(row["days_to_board"], row["board_planned_days"]),
            "published": days_text(row["days_to_published"]),
        }
        for row in data["cycles"]
    ]
    return data


def summaries(organisation: Organisation, membership: Membership) -> list[dict[str, Any]]:
    """Return the Making Data Count summary of each top unit the member may see.

    The whole organisation's top unit for those who cover all of it, the unit of their scope
    for the others: the scorecard's own rows, as the unit's summary page shows them.
    """
    from pmf.web.scorecards.presenters import summary_page

    units = [unit for unit in visible_units(membership, organisation) if not unit.external]
    seen = {unit.pk for unit in units}
    found = []
    for unit in units:
        if unit.parent_id in seen:
            continue
        try:
            found.append(summary_page(organisation, unit))
        except LookupError:
            continue  # a unit with no figures has no summary
    return found


def tile_page(organisation: Organisation, membership: Membership, code: str) -> dict[str, Any]:
    """Return one tile's rows; raise ``LookupError`` for an unknown tile."""
    for tile in tiles():
        if tile.code == code:
            rows = tile.rows(organisation, membership)
            return {
                "organisation": {"code": organisation.code, "name": organisation.name},
                "tile": {
                    "code": tile.code,
                    "title": str(tile.title),
                    "describe": str(tile.describe),
                    "order": str(tile.order),
                    "counted": str(tile.counted).format(count=len(rows), order=tile.order),
                },
                "rows": rows,
            }
    raise LookupError(code)
