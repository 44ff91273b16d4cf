"""The board paper's appendix of weekly and daily measures, by month.

Each weekly or daily measure of the top unit, as its figures were held when the cycle was
locked: the twelve months to the cut-off, each made from its weeks or days as the measure
page makes them (:mod:`pmf.core.period_rollup`; a week straddling two months belongs to the
month of its Thursday).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from pmf.core.framework import Framework, Unit
from pmf.core.period_rollup import PeriodObservation, method_of, roll_up_periods
from pmf.core.periods import SUB_MONTH_KINDS, PeriodKind
from pmf.core.rollup import roll_up
from pmf.core.text import format_value, period_name
from pmf.reports.document import Paragraph, Section, Table
from pmf.web.cycles.models import Cycle
from pmf.web.cycles.services import cut_off_date
from pmf.web.observations.services import held_observations
from pmf.web.papers.builders.common import in_language
from pmf.web.scorecards.period_tables import METHOD_WORDS

MONTHS_SHOWN = 12


def period_sections(
    cycle: Cycle, framework: Framework, top: Unit, number: str = ""
) -> list[Section]:
    """Return the appendix (``number``, the fourth's by default) of the top unit's weekly and
    daily measures by month."""
    from pmf.core.framework import PeriodRollup
    from pmf.reports.document import appendix_number

    number = number or appendix_number(4)

    measures = [
        measure
        for measure in framework.measures
        if measure.frequency in SUB_MONTH_KINDS and method_of(measure) is not PeriodRollup.NONE
    ]
    if not measures:
        return []
    assert cycle.locked_at is not None
    held = roll_up(
        framework,
        held_observations(
            cycle.organisation, as_at=cycle.locked_at, measures=[m.code for m in measures]
        ),
        units=[top.code],
    )
    end = cut_off_date(cycle)
    blocks: list[Paragraph | Table] = [
        Paragraph(
            _(
                "Measures reported by week or by day, by month: each month's figure is made from "
                "its weeks or days as each measure says; a week that straddles two months "
                "counts, whole, in the month of its Thursday. Only months with a figure for every "
                "week or day are shown, unless the measure says otherwise."
            )
        )
    ]
    for measure in measures:
        series = held.filter((held["unit"] == top.code) & (held["measure"] == measure.code))
        observations = [
            PeriodObservation(row["period"], row["value"], row["numerator"], row["denominator"])
            for row in series.iter_rows(named=True)
        ]
        rolled = [
            item
            for item in roll_up_periods(measure, observations, PeriodKind.MONTH)
            if item.period <= f"{end.year:04d}-{end.month:02d}"
        ][-MONTHS_SHOWN:]
        weekly = measure.frequency is PeriodKind.WEEK
        part, parts = (_("week"), _("weeks")) if weekly else (_("day"), _("days"))
        how = in_language(METHOD_WORDS[method_of(measure)]).format(part=part, parts=parts)
        if not rolled:
            blocks.append(
                Paragraph(
                    _("{measure}: no complete month to the cut-off.").format(measure=measure.name)
                )
            )
            continue
        blocks.append(
            Table(
                caption=_("{measure}, {unit}, by month ({method} in it)").format(
                    measure=measure.name, unit=top.name, method=how
                ),
                header=(_("Month"), _("Value"), _("Weeks") if weekly else _("Days")),
                rows=tuple(
                    (
                        period_name(item.period),
                        format_value(item.value, measure),
                        _("{count} of {expected}").format(count=item.parts, expected=item.expected),
                    )
                    for item in reversed(rolled)
                ),
            )
        )
    return [Section(number, _("Weekly and daily measures by month"), tuple(blocks), appendix=True)]
