"""Frameworks and figures on the command line: ``pmf framework``, ``import``, ``assess``.

And ``pmf example``, which loads the examples through the same import.

Each command is a thin wrapper over the sources (reading and checking files) and the web
application's services (storing them).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pmf.cli import base
from pmf.cli.base import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    Needs,
    actions,
    add_organisation,
    command,
    open_database,
    register,
)
from pmf.cli.faults import file_fault

if TYPE_CHECKING:
    from pmf.core.periods import Period
    from pmf.sources.examples import Example
    from pmf.sources.importer import Problem
    from pmf.web.frameworks.models import Organisation


def _framework_arguments(parser: argparse.ArgumentParser) -> None:
    group = actions(parser)
    check = command(
        group,
        "check",
        "Validate a framework file and list every problem with its line.",
        "pmf framework check examples/police/framework.yaml",
    )
    check.add_argument("file", type=Path)
    load = command(
        group,
        "load",
        "Validate a framework file and store it (create or update by code).",
        "pmf framework load examples/police/framework.yaml",
    )
    load.add_argument("file", type=Path)


@register(
    "framework",
    "Check or load a framework file.",
    "pmf framework check framework.yaml",
    arguments=_framework_arguments,
    needs=Needs.NOTHING,
)
def framework(args: argparse.Namespace) -> int:
    """Run ``pmf framework check`` (no database) or ``pmf framework load``."""
    if args.action == "check":
        return check_framework(args.file)
    open_database()
    return load_framework_file(args.file)


def _import_arguments(imp: argparse.ArgumentParser) -> None:
    imp.add_argument("file", type=Path)
    add_organisation(imp, required=False)
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="ROLE=COLUMN",
        help="which column holds unit, measure, period, value, numerator, denominator, status, "
        "note or source",
    )
    imp.add_argument(
        "--ignore", action="append", default=[], metavar="COLUMN", help="a column to leave out"
    )
    imp.add_argument(
        "--layout",
        choices=["auto", "long", "wide"],
        default="auto",
        help="long: a row per figure; wide: a column per period (default: detect)",
    )
    imp.add_argument("--encoding", help="text encoding of a CSV file (default UTF-8)")
    imp.add_argument("--sheet", help="worksheet of an XLSX file (default: the first)")
    imp.add_argument("--source", default="", help="where the figures come from, kept as lineage")
    imp.add_argument(
        "--errors", type=Path, metavar="FILE", help="write every problem to this CSV file"
    )
    imp.add_argument("--dry-run", action="store_true", help="check only; store nothing")
    imp.add_argument(
        "--accept-warnings",
        metavar="REASON",
        help="store figures with plausibility warnings (an unlikely change, a value far outside "
        "its series' limits or its target's scale), recording REASON in the audit trail",
    )


def _assess_arguments(assess: argparse.ArgumentParser) -> None:
    add_organisation(assess, required=False)
    assess.add_argument("--unit", "-u", help="unit code (default: the organisation's top unit)")
    assess.add_argument(
        "--period", "-p", help="period to assess as at, e.g. 2019-07 (default: the latest)"
    )
    assess.add_argument(
        "--previous",
        metavar="PERIOD",
        help="the previous cycle's cut-off, e.g. 2019-04: adds the direction since then",
    )
    assess.add_argument("--area", action="append", help="only this area (repeatable)")
    assess.add_argument(
        "--kind",
        action="append",
        choices=["redline", "kpi", "context"],
        help="only this kind of measure (repeatable)",
    )
    assess.add_argument(
        "--exceptions",
        action="store_true",
        help="only measures not met, or deteriorating against both the previous period and "
        "the same period last year",
    )
    assess.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the scorecard to FILE (.csv or .json) instead of printing",
    )


def _example_arguments(example: argparse.ArgumentParser) -> None:
    example.add_argument("action", choices=["list", "load"])
    example.add_argument("name", nargs="?", help="example name (for load); default: all")


def check_framework(path: Path) -> int:
    """Validate a framework file and print every problem, or a summary when it is sound."""
    from pmf.core.framework import FrameworkError
    from pmf.core.text import plural
    from pmf.sources.frameworks import read_framework_file

    try:
        framework = read_framework_file(path)
    except FrameworkError as error:
        raise CommandError(f"{error}\n{plural(len(error.problems), 'problem')} found.") from None
    internal = sum(1 for unit in framework.units if not unit.external)
    print(
        f"{path}: sound. {framework.organisation.name}: {len(framework.areas)} areas, "
        f"{internal} units (+{len(framework.units) - internal} external), "
        f"{plural(len(framework.measures), 'measure')}, "
        f"{plural(len(framework.model.peer_groups), 'peer group')}."
    )
    return EXIT_OK


def load_framework_file(path: Path) -> int:
    """Validate and store a framework file."""
    from pmf.core.framework import FrameworkError
    from pmf.sources.frameworks import read_framework_file
    from pmf.web.frameworks.services import FrameworkRefused, store_framework

    try:
        framework = read_framework_file(path)
    except FrameworkError as error:
        raise CommandError(f"{error}\nNothing was stored.") from None
    try:
        organisation = store_framework(framework, str(path))
    except FrameworkRefused as refused:
        lines = "\n".join(f"{path}: {problem}" for problem in refused.problems)
        raise CommandError(f"{lines}\nNothing was stored.") from None
    print(f"Loaded {organisation.name} ({organisation.code}) from {path}.")
    calculated = framework.formulas()
    if calculated:
        # A changed formula changes no stored figure until they are calculated again.
        print(
            f"{len(calculated)} calculated measure{'s' if len(calculated) != 1 else ''} "
            f"({', '.join(calculated)}): if a formula is new or changed, run "
            f"pmf calculate -o {organisation.code} to calculate their figures again."
        )
    return EXIT_OK


@register(
    "import",
    "Import figures from a CSV or XLSX file: all rows or none.",
    "pmf import figures.csv --organisation MPS --map unit=BoroughName --map measure=MinorText",
    arguments=_import_arguments,
)
def import_file(args: argparse.Namespace) -> int:
    """Check a file of figures and store them all, or report every problem and store nothing."""
    from pmf.core.text import plural
    from pmf.sources.importer import MappingError, check_table, describe
    from pmf.sources.readers import ReadError, read_table
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import (
        WarningsHeld,
        describe_warnings,
        find_warnings,
        store_observations,
    )

    organisation = base.organisation(args.organisation)
    mapping = _mapping(args.map)
    if args.file.is_dir():
        raise CommandError(
            f"{args.file}: is a folder, not a file. Give the path of a CSV or XLSX file "
            "(import the files in a folder one at a time). Nothing was stored.",
            EXIT_USAGE,
        )
    if args.errors:
        _check_writable(args.errors, "--errors")
    try:
        table = read_table(args.file, encoding=args.encoding, sheet=args.sheet)
        result = check_table(
            table,
            framework_of(organisation),
            mapping=mapping,
            layout=args.layout,
            source=args.source or args.file.name,
            ignore=tuple(args.ignore),
        )
    except (ReadError, MappingError) as error:
        raise CommandError(f"{error}\nNothing was stored.") from None
    except OSError as error:
        raise CommandError(file_fault(error, args.file, doing="read")) from None
    if not result.ok:
        problems = describe(result.problems, str(args.file))
        if args.errors:
            try:
                _write_problems(args.errors, result.problems)
            except OSError as error:
                problems += "\n--errors " + file_fault(error, args.errors, doing="write")
        raise CommandError(problems)
    reason = (args.accept_warnings or "").strip()
    if args.accept_warnings is not None and not reason:
        raise CommandError("--accept-warnings: give the reason the figures are right", EXIT_USAGE)
    if args.dry_run:
        warned = find_warnings(organisation, result.observations)
        print(
            f"{args.file}: {plural(result.observations.height, 'figure')} checked; nothing "
            "stored (dry run)."
        )
        if warned.height and not reason:
            raise CommandError(describe_warnings(warned, str(args.file)))
        if warned.height:
            print(
                f"{plural(warned.height, 'figure')} with plausibility warnings would be accepted."
            )
        return EXIT_OK
    try:
        summary = store_observations(
            organisation,
            result.observations,
            file_name=args.file.name,
            sha256=_sha256(args.file),
            layout=result.layout,
            source=args.source or args.file.name,
            accept_warnings=reason or None,
        )
    except WarningsHeld as held:
        raise CommandError(describe_warnings(held.warned, str(args.file))) from None
    print(f"{args.file}: {summary}")
    return EXIT_OK


@register(
    "assess",
    "Print a unit's scorecard for a period, or write it as CSV or JSON.",
    "pmf assess --unit MPS --period 2025-11 --output scorecard.csv",
    arguments=_assess_arguments,
)
def assess(args: argparse.Namespace) -> int:
    """Print or write a unit's scorecard."""
    from pmf.core.periods import ParseError, PeriodKind, read_period
    from pmf.core.text import plural
    from pmf.reports.console import render_scorecard
    from pmf.sources.exporters import write_scorecard
    from pmf.web.observations.services import scorecard_for

    organisation = base.organisation(args.organisation)
    period = previous = None
    try:
        # As at a period: a first-of-month date is its month (another date is that day).
        period = read_period(args.period, PeriodKind.MONTH) if args.period else None
    except ParseError as error:
        raise CommandError(f"--period: {error}", EXIT_USAGE) from None
    try:
        previous = read_period(args.previous, PeriodKind.MONTH) if args.previous else None
    except ParseError as error:
        raise CommandError(f"--previous: {error}", EXIT_USAGE) from None
    try:
        scorecard = scorecard_for(
            organisation,
            unit=args.unit,
            period=period,
            previous=previous,
            areas=args.area,
            kinds=args.kind,
            exceptions_only=args.exceptions,
        )
    except LookupError as error:
        raise CommandError(str(error.args[0]), EXIT_USAGE) from None
    if args.output:
        try:
            write_scorecard(scorecard, args.output)
        except ValueError as error:
            raise CommandError(str(error), EXIT_USAGE) from None
        print(f"Wrote {plural(len(scorecard.rows()), 'measure')} to {args.output}.")
        return EXIT_OK
    print(render_scorecard(scorecard))
    _print_membership(organisation, scorecard.unit, period)
    return EXIT_OK


def _print_membership(organisation: Organisation, unit: str, period: Period | None) -> None:
    """Say when the unit joined or left the framework, if it did (``pmf.core.membership``)."""
    from pmf.web.frameworks.services import framework_of
    from pmf.web.scorecards.presenters import unit_membership_words

    words = unit_membership_words(
        framework_of(organisation), unit, {"period": period.code} if period else None
    )
    if words:
        print(f"\n{words}")


@register(
    "example",
    "List or load the example organisations.",
    "pmf example load police",
    arguments=_example_arguments,
)
def example(args: argparse.Namespace) -> int:
    """List the example organisations, or load one (or all) through the import path."""
    from pmf.sources.examples import registry

    action, name = args.action, args.name

    examples = registry()
    if action == "list":
        for key, item in examples.items():
            print(f"{key:10} {item.title}")
        return EXIT_OK
    if name is not None and name not in examples:
        raise CommandError(f"no example {name!r}; choose from {', '.join(examples)}", EXIT_USAGE)
    print(load_examples([examples[key] for key in ([name] if name else examples)]))
    return EXIT_OK


def load_examples(chosen: list[Example]) -> str:
    """Load the examples in one transaction, so a failure part way leaves none of them."""
    from django.db import transaction

    from pmf.web.observations.services import load_example

    with transaction.atomic():
        return "\n".join(f"{example.title}: {load_example(example)}" for example in chosen)


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        role, sep, column = pair.partition("=")
        if not sep or not role.strip() or not column.strip():
            raise CommandError(
                f"--map {pair!r}: write it as ROLE=COLUMN, e.g. unit=BoroughName", EXIT_USAGE
            )
        mapping[role.strip()] = column.strip()
    return mapping


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise CommandError(file_fault(error, path, doing="read")) from None


def _check_writable(path: Path, option: str) -> None:
    """Refuse, before any work, a file to write that is a folder or in no folder that exists."""
    if path.is_dir():
        raise CommandError(
            f"{option} {path}: is a folder, not a file. Give the path of a file to write, "
            f"e.g. {path / 'problems.csv'}. Nothing was stored.",
            EXIT_USAGE,
        )
    folder = path.parent
    if not folder.is_dir():
        raise CommandError(
            f"{option} {path}: the folder {folder} does not exist. Create it first, or give a "
            "file in a folder that exists. Nothing was stored.",
            EXIT_USAGE,
        )


def _write_problems(path: Path, problems: list[Problem]) -> None:
    import csv

    from pmf.sources.exporters import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "value", "reason"])
    for problem in problems:
        writer.writerow(
            [
                problem.row,
                neutralise(problem.column),
                neutralise(problem.value),
                neutralise(problem.reason),
            ]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")
    print(f"Every problem is listed in {path}.", file=sys.stderr)
