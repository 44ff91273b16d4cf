"""``pmf by-period``: a weekly or daily measure's figures by month, quarter or year.

The figures are made as the measure page makes them (:mod:`pmf.core.period_rollup`): a week
that straddles two months belongs to the month of its Thursday, and only months with a
figure for every week or day are given unless ``--partial`` (or the measure's
``rollup_partial``) says otherwise.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from pmf.cli import base
from pmf.cli.base import EXIT_OK, EXIT_USAGE, CommandError, add_organisation, register

TARGETS = ("month", "quarter", "financial_quarter", "financial_year", "year")
COLUMNS = ("unit", "measure", "period", "value", "numerator", "denominator", "parts", "expected")


def _by_period_arguments(parser: argparse.ArgumentParser) -> None:
    add_organisation(parser, required=False)
    parser.add_argument("measure", help="code of a measure reported by week or by day")
    parser.add_argument("--unit", "-u", help="unit code (default: the organisation's top unit)")
    parser.add_argument(
        "--to",
        choices=TARGETS,
        default="month",
        help="the periods to make: month (default), quarter, financial_quarter, "
        "financial_year or year",
    )
    parser.add_argument(
        "--partial",
        action="store_true",
        help="also give periods missing some weeks or days (marked by parts < expected)",
    )
    parser.add_argument(
        "--output", type=Path, metavar="FILE.csv", help="write CSV to FILE instead of printing"
    )


@register(
    "by-period",
    "A weekly or daily measure's figures by month, quarter or year.",
    "pmf by-period -o TRAFFORD UNALLOCATED --unit E08000009 --to financial_quarter",
    arguments=_by_period_arguments,
)
def by_period(args: argparse.Namespace) -> int:
    """Print or write a unit's figures of a weekly or daily measure by longer period."""
    from pmf.core.period_rollup import PeriodObservation, roll_up_periods
    from pmf.core.periods import PeriodKind
    from pmf.core.rollup import roll_up
    from pmf.sources.exporters import neutralise
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import held_observations

    organisation = base.organisation(args.organisation)
    framework = framework_of(organisation)
    try:
        measure = framework.measure(args.measure)
    except KeyError:
        known = ", ".join(m.code for m in framework.measures)
        raise CommandError(
            f"no measure {args.measure!r} in {organisation.code}; the measures are {known}"
        ) from None
    roots = [unit.code for unit in framework.units if not unit.parent and not unit.external]
    unit = args.unit or (roots[0] if roots else "")
    if unit not in {u.code for u in framework.units}:
        raise CommandError(f"no unit {unit!r} in {organisation.code}", EXIT_USAGE)
    held = roll_up(framework, held_observations(organisation, measures=[measure.code]))
    series = held.filter((held["unit"] == unit) & (held["measure"] == measure.code))
    try:
        rolled = roll_up_periods(
            measure,
            [
                PeriodObservation(row["period"], row["value"], row["numerator"], row["denominator"])
                for row in series.iter_rows(named=True)
            ],
            PeriodKind(args.to),
            partial=True if args.partial else None,
        )
    except ValueError as error:
        raise CommandError(str(error)) from None
    rows = [
        (unit, measure.code, item.period, item.value, item.numerator, item.denominator,
         item.parts, item.expected)
        for item in rolled
    ]  # fmt: skip
    if args.output:
        with args.output.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows([neutralise(cell) for cell in row] for row in rows)
        print(f"Wrote {len(rows)} periods to {args.output}.")
        return EXIT_OK
    writer = csv.writer(sys.stdout)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return EXIT_OK
