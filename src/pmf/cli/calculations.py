"""Calculated measures on the command line: ``pmf calculate`` and ``pmf lineage``.

Calculated figures are computed whenever an input is stored; ``pmf calculate`` computes
them all again, after a framework change gives a measure a formula or changes one.
"""

from __future__ import annotations

import argparse
import json

from pmf.cli import base
from pmf.cli.base import EXIT_OK, CommandError, add_organisation, register


def _calculate_arguments(parser: argparse.ArgumentParser) -> None:
    add_organisation(parser, required=False)
    parser.add_argument(
        "--measure",
        "-m",
        action="append",
        metavar="CODE",
        help="only this calculated measure (repeatable; default: every one)",
    )


@register(
    "calculate",
    "Compute calculated measures' figures again from their inputs (after a framework change).",
    ("pmf calculate --organisation MPS", "pmf calculate -o MPS --measure HIGH_HARM_RATE"),
    arguments=_calculate_arguments,
    description=(
        "Compute every calculated measure's figures (a measure with a formula in the framework "
        "file) from the figures of its inputs, and store those that are new or changed as new "
        "revisions, each with its lineage. Storing an input computes its calculated measures "
        "already; run this after loading a framework that adds or changes a formula."
    ),
)
def calculate(args: argparse.Namespace) -> int:
    """Compute and store the organisation's calculated figures; say how many changed."""
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.calculations import recalculate

    organisation = base.organisation(args.organisation)
    framework = framework_of(organisation)
    formulas = framework.formulas()
    if not formulas:
        print(f"{organisation.code} has no calculated measures (no measure has a formula).")
        return EXIT_OK
    for code in args.measure or []:
        if code not in formulas:
            known = ", ".join(formulas)
            raise CommandError(f"--measure {code}: not a calculated measure (they are: {known})")
    done = recalculate(organisation, measures=args.measure, framework=framework)
    print(done)
    return EXIT_OK


def _lineage_arguments(parser: argparse.ArgumentParser) -> None:
    add_organisation(parser, required=False)
    parser.add_argument("measure", help="the calculated measure's code")
    parser.add_argument("--unit", "-u", required=True, help="unit code")
    parser.add_argument("--period", "-p", required=True, help="period, e.g. 2024-01")
    parser.add_argument("--revision", type=int, help="an earlier revision (default: current)")
    parser.add_argument("--json", action="store_true", help="print the lineage as JSON")


@register(
    "lineage",
    "Show a calculated figure's formula and the input figures (and revisions) it came from.",
    "pmf lineage -o MPS HIGH_HARM_RATE --unit E09000013 --period 2024-01",
    arguments=_lineage_arguments,
)
def lineage(args: argparse.Namespace) -> int:
    """Print the formula, value and each input figure of one calculated figure."""
    from pmf.core.periods import ParseError, parse_period
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.calculations import lineage_of

    organisation = base.organisation(args.organisation)
    framework = framework_of(organisation)
    try:
        measure = framework.measure(args.measure)
    except KeyError:
        raise CommandError(f"no measure {args.measure!r} in {organisation.code}") from None
    if measure.formula is None:
        raise CommandError(f"{measure.code} is not a calculated measure: it has no formula")
    try:
        period = parse_period(args.period).code
    except ParseError as error:
        raise CommandError(f"--period: {error}") from None
    found = lineage_of(
        organisation, measure.code, args.unit, period, revision=args.revision, framework=framework
    )
    if found is None:
        raise CommandError(
            f"no calculated figure of {measure.code} is stored for {args.unit} in {period}"
            + (f" (revision {args.revision})" if args.revision else "")
            + "; a parent's figure made by roll-up is not stored"
        )
    if args.json:
        print(json.dumps(found.as_json(), indent=2))
        return EXIT_OK
    print(f"{measure.code} {measure.name}, {found.unit}, {found.period}")
    print(f"  = {found.formula}")
    print(f"  = {found.named}")
    print(f"  value {found.value:.{measure.decimals}f} (revision {found.revision}, {found.status})")
    print("  from:")
    for item in found.inputs:
        revised = "" if item.current else " (revised since)"
        print(
            f"    {item.measure:<24} {item.value:>14g}  revision {item.revision}, "
            f"{item.status}, recorded {item.recorded_at:%Y-%m-%d %H:%M}{revised}"
        )
    return EXIT_OK
