"""The annual report's section on reporting delay: a chart and a table of each cycle's days."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pmf.core.delay import STAGES
from pmf.core.text import period_name
from pmf.reports.charts import drawn
from pmf.reports.charts.delay import delay_chart
from pmf.reports.document import Chart, Paragraph, Section, Table
from pmf.web.cycles.delay import days_text, organisation_delays
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.papers.builders.common import in_language


def delay_section(organisation: Organisation, cycles: list[Cycle], number: str) -> Section:
    """Return the section: the sentence, the chart of days to each stage, and its table."""
    from pmf.core.delay import delay_words

    delays = organisation_delays(organisation, cycles)
    counted = [item for item in delays if item.to_locked is not None]
    blocks: list[Paragraph | Chart | Table] = [
        Paragraph(
            _(
                "How old the figures are when they are used: the days from the end of each "
                "cycle's data period to its figures being locked, to its board and to its "
                "publication. {summary}"
            ).format(summary=delay_words(delays))
        )
    ]
    if counted:
        svg, png = drawn(delay_chart(counted), width=560, height=220)
        blocks.append(
            Chart(
                svg=svg,
                png=png,
                alt=_(
                    "Line chart of the days from each cycle's period end to each stage: {cycles}."
                ).format(
                    cycles="; ".join(
                        _("cycle {number}, {days}").format(
                            number=item.number,
                            days=", ".join(
                                _stage_days(stage, days)
                                for stage, _title in STAGES
                                if (days := item.days(stage)) is not None
                            ),
                        )
                        for item in counted
                    )
                ),
                caption=_(
                    "Reporting delay: days from the end of each cycle's data period to each "
                    "stage. The days are in the table below."
                ),
            )
        )
    blocks.append(
        Table(
            caption=_("Days from the end of each cycle's data period to each stage"),
            header=(
                _("Cycle"),
                _("Data to"),
                *(_("{stage} (days)").format(stage=in_language(title)) for _stage, title in STAGES),
            ),
            rows=tuple(
                (
                    f"{item.number}: {item.name}",
                    period_name(item.cut_off),
                    days_text(item.to_locked),
                    days_text(item.to_board, item.board_planned),
                    days_text(item.to_published),
                )
                for item in delays
            ),
        )
    )
    return Section(number, _("Reporting delay"), tuple(blocks))


def _stage_days(stage: str, days: int) -> str:
    """Return one stage's delay in days for the chart's text, "figures locked 12", whole."""
    words = {
        "locked": _("figures locked {days}"),
        "board": _("to the board {days}"),
        "published": _("published {days}"),
    }
    return words[stage].format(days=days)
