"""Each cycle's reporting delay, from its moments: for the dashboard, the annual report, the
command line and the JSON API alike (``pmf.core.delay``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from pmf.core.delay import (
    STAGES,
    CycleMoments,
    ReportingDelay,
    delay_medians,
    delay_words,
    reporting_delays,
)
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation

# The states from which a cycle's board has met: its board date is then a moment, not a plan.
BOARD_MET = (Cycle.State.BOARD, Cycle.State.PUBLISHED)


def cycle_moments(cycle: Cycle) -> CycleMoments:
    """Return a cycle's moments as days: locked, its board (planned until it meets), published."""
    met = cycle.state in BOARD_MET
    return CycleMoments(
        number=cycle.number,
        name=cycle.name,
        cut_off=cycle.cut_off,
        locked=timezone.localdate(cycle.locked_at) if cycle.locked_at else None,
        board=cycle.board_date if met else None,
        published=timezone.localdate(cycle.published_at) if cycle.published_at else None,
        board_planned=None if met else cycle.board_date,
    )


def organisation_delays(
    organisation: Organisation, cycles: list[Cycle] | None = None
) -> list[ReportingDelay]:
    """Return the delays of the organisation's cycles (or of ``cycles``), in number order."""
    chosen = cycles if cycles is not None else list(organisation.cycles.order_by("number"))
    return reporting_delays(cycle_moments(cycle) for cycle in chosen)


def delay_rows(delays: list[ReportingDelay]) -> list[dict[str, Any]]:
    """Return the delays as plain rows: each cycle's days to each stage (None: not reached)."""
    return [
        {
            "cycle": item.number,
            "name": item.name,
            "cut_off": item.cut_off,
            "data_to": item.period_label,
            "period_end": item.period_end.isoformat(),
            **{f"days_to_{stage}": item.days(stage) for stage, _title in STAGES},
            "board_planned_days": item.board_planned,
        }
        for item in delays
    ]


def reporting_delay_data(
    organisation: Organisation, cycles: list[Cycle] | None = None
) -> dict[str, Any]:
    """Return the reporting delay as the dashboard, the API and ``pmf cycle delay`` show it:
    the sentence, each cycle's days, the medians, the stages and the chart."""
    from pmf.reports.charts.delay import delay_chart

    delays = organisation_delays(organisation, cycles)
    counted = [item for item in delays if item.to_locked is not None]
    return {
        "organisation": organisation.code,
        "text": delay_words(delays),
        "stages": [{"code": stage, "title": _(title)} for stage, title in STAGES],
        "cycles": delay_rows(delays),
        "medians": delay_medians(delays),
        "chart": delay_chart(counted) if counted else None,
    }


def days_text(days: int | None, planned: int | None = None) -> str:
    """Return days as a table shows them: "52", "(61 planned)" or a dash."""
    if days is not None:
        return str(days)
    if planned is not None:
        return _("({days} planned)").format(days=planned)
    return "–"
