"""Targets on the command line: ``pmf target set|list|withdraw``.

A target stands in for a measure's standard over a span of periods, for one unit or all
(see ``pmf.core.framework.Target``). Changing or withdrawing one keeps the old as history.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pmf.cli import base
from pmf.cli.base import EXIT_OK, CommandError, actions, add_organisation, command, register

if TYPE_CHECKING:
    from pmf.web.frameworks.models import Target


def _target_arguments(target: argparse.ArgumentParser) -> None:
    group = actions(target)
    set_ = command(
        group,
        "set",
        "Set a target; it replaces a running one for the same measure, unit and start.",
        "pmf target set -o MPS --measure ASB --starts 2026/27 --ends 2026/27 --value 120 "
        "--amber-within 10 --note 'Police and Crime Plan 2026'",
    )
    add_organisation(set_)
    set_.add_argument("--measure", required=True, help="measure code")
    set_.add_argument("--unit", help="unit code (default: every unit)")
    set_.add_argument("--starts", required=True, help="first period, e.g. 2026/27 or 2026-04")
    set_.add_argument("--ends", help="last period (default: until replaced)")
    set_.add_argument("--value", required=True, help="the target, in the measure's unit")
    set_.add_argument(
        "--comparison",
        choices=[">=", ">", "<=", "<", "=="],
        help="how a figure meets it (default: >= where higher is better, <= where lower is)",
    )
    set_.add_argument("--amber-within", help="a miss by no more than this is amber, not red")
    set_.add_argument("--note", default="", help="where the target comes from, or why")
    listing = command(
        group, "list", "List running targets (with --all, the history too).", "pmf target list"
    )
    add_organisation(listing)
    listing.add_argument("--all", action="store_true", help="include replaced and withdrawn ones")
    withdraw = command(
        group,
        "withdraw",
        "Withdraw a running target (it is kept, as history).",
        "pmf target withdraw -o MPS 12",
    )
    add_organisation(withdraw)
    withdraw.add_argument("number", type=int, help="the target's number, from pmf target list")


@register(
    "target",
    "Set, list or withdraw targets: a measure's standard over a span of periods.",
    "pmf target set --organisation MPS --measure VWI_RATE --unit CW --starts 2026/27 --value 9",
    arguments=_target_arguments,
)
def target(args: argparse.Namespace) -> int:
    """Run ``pmf target set``, ``list`` or ``withdraw``."""
    from pmf.web.frameworks.services import TargetRefused, set_target, withdraw_target

    organisation = base.organisation(args.organisation)
    if args.action == "set":
        data = {
            "measure": args.measure,
            "unit": args.unit,
            "starts": args.starts,
            "ends": args.ends,
            "comparison": args.comparison,
            "value": args.value,
            "amber_within": args.amber_within,
            "note": args.note,
        }
        try:
            made = set_target(organisation, data)
        except TargetRefused as refused:
            raise CommandError(
                "\n".join(f"target not set: {problem}" for problem in refused.problems)
            ) from None
        print(f"Target {made.pk}: {describe(made)}")
        return EXIT_OK
    if args.action == "withdraw":
        try:
            withdrawn = withdraw_target(organisation, args.number)
        except LookupError as error:
            raise CommandError(f"{error.args[0]} (see pmf target list)") from None
        print(f"Withdrawn target {withdrawn.pk}: {describe(withdrawn)}")
        return EXIT_OK
    rows = organisation.targets.select_related("measure", "unit").order_by("recorded_at", "pk")
    if not args.all:
        rows = rows.filter(superseded_at__isnull=True)
    from django.utils.timezone import localtime

    from pmf.core.text import format_date

    for held in rows:
        state = (
            ""
            if held.superseded_at is None
            else f"\t(until {format_date(localtime(held.superseded_at))})"
        )
        print(f"{held.pk}\t{describe(held)}{state}")
    return EXIT_OK


def describe(target: Target) -> str:
    """Return a target in words: measure, unit, span, comparison, value and origin."""
    where = target.unit.code if target.unit else "all units"
    span = f"{target.starts} to {target.ends}" if target.ends else f"from {target.starts}"
    comparison = target.comparison or "by polarity"
    amber = f", amber within {target.amber_within:g}" if target.amber_within is not None else ""
    note = f": {target.note}" if target.note else ""
    return (
        f"{target.measure.code} for {where}, {span}, {comparison} {target.value:g}{amber} "
        f"({target.get_origin_display().lower()}){note}"
    )
