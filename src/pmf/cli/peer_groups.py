"""Most similar groups on the command line: ``pmf peers compute|show``.

``compute`` reads a table of context variables (one row per unit), computes each unit's
nearest units (``pmf.core.msg``) and stores them as a new version, keeping the last;
``show`` prints the current version.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import polars as pl

from pmf.account_commands import _organisation, _parser
from pmf.cli import EXIT_OK, CommandError


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``pmf peers`` and its actions to the command line."""
    peers = _parser(
        commands,
        "peers",
        "Compute most similar groups from context variables, or show the current ones.",
        "pmf peers compute -o MPS forces.csv --unit-column force --variable density",
    )
    actions = peers.add_subparsers(dest="action", metavar="ACTION", required=True)
    compute = _parser(
        actions,
        "compute",
        "Compute each unit's nearest units by weighted Euclidean distance of z-scores and "
        "store them as a new version (the last is kept, superseded).",
        "pmf peers compute -o MPS forces.csv --unit-column force --variable density "
        "--variable deprivation --weight deprivation=2 -n 7 --source 'ONS 2021'",
    )
    compute.add_argument("--organisation", "-o", required=True, help="organisation code")
    compute.add_argument("file", type=Path, help="a CSV or XLSX file with a row per unit")
    compute.add_argument("--unit-column", required=True, help="the column holding unit codes")
    compute.add_argument(
        "--variable",
        action="append",
        required=True,
        metavar="COLUMN",
        help="a context variable (a numeric column); repeat for each",
    )
    compute.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="VARIABLE=WEIGHT",
        help="a variable's weight (default 1); repeat for each",
    )
    compute.add_argument(
        "-n", type=int, default=7, help="peers per unit (default 7, as the police MSGs)"
    )
    compute.add_argument("--source", default="", help="where the context figures come from")
    show = _parser(
        actions,
        "show",
        "Print the current most similar groups: each unit's peers, nearest first, with distances.",
        "pmf peers show -o MPS E23000036",
    )
    show.add_argument("--organisation", "-o", required=True, help="organisation code")
    show.add_argument("unit", nargs="?", help="one unit's group (default: every unit)")


def run(args: argparse.Namespace) -> int:
    """Run ``pmf peers``."""
    organisation = _organisation(args.organisation)
    if args.action == "compute":
        return _compute(organisation, args)
    return _show(organisation, args.unit)


def _compute(organisation, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from pmf.sources.readers import ROW_NUMBER, ReadError, read_table
    from pmf.web.frameworks.services import PeerGroupsRefused, compute_peer_groups

    weights = _weights(args.weight)
    try:
        table = read_table(args.file)
    except ReadError as error:
        raise CommandError(str(error)) from None
    name = table.file
    missing = [
        column for column in [args.unit_column, *args.variable] if column not in table.columns
    ]
    if missing:
        raise CommandError(
            "\n".join(f"{name}: no column {column!r}" for column in missing)
            + f"\n{name}: the columns are {', '.join(table.columns)}"
        )
    units = set(organisation.units.values_list("code", flat=True))
    problems: list[str] = []
    rows: list[dict[str, object]] = []
    first_row: dict[str, object] = {}
    for row in table.frame.iter_rows(named=True):
        where = f"{name}, row {row[ROW_NUMBER]}"
        code = (row[args.unit_column] or "").strip()
        if code not in units:
            problems.append(
                f"{where}, {args.unit_column}: {code!r} is not a unit of {organisation.code}"
            )
        elif code in first_row:
            problems.append(
                f"{where}, {args.unit_column}: {code!r} is also in row {first_row[code]}"
            )
        first_row.setdefault(code, row[ROW_NUMBER])
        values: dict[str, object] = {"unit": code}
        for variable in args.variable:
            text = (row[variable] or "").strip().replace(",", "")
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                problems.append(f"{where}, {variable}: {row[variable]!r} is not a number")
            values[variable] = value
        rows.append(values)
    if problems:
        raise CommandError("\n".join([*problems, "Nothing was stored."]))
    frame = pl.DataFrame(
        rows, schema={"unit": pl.String, **dict.fromkeys(args.variable, pl.Float64)}
    )
    try:
        version = compute_peer_groups(
            organisation,
            frame,
            args.variable,
            weights,
            args.n,
            args.source or name,
        )
    except PeerGroupsRefused as refused:
        raise CommandError(
            "\n".join(
                [*(f"{name}: {problem}" for problem in refused.problems), "Nothing was stored."]
            )
        ) from None
    print(
        f"Stored most similar groups version {version.number} for {organisation.code}: "
        f"{len(rows)} units, {version.n} peers each ({version.method})."
    )
    return EXIT_OK


def _weights(given: list[str]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in given:
        variable, sep, text = item.partition("=")
        try:
            weights[variable.strip()] = float(text)
        except ValueError:
            sep = ""
        if not sep or not variable.strip():
            raise CommandError(f"--weight {item!r}: give VARIABLE=WEIGHT, e.g. density=2")
    return weights


def _show(organisation, unit: str | None) -> int:  # type: ignore[no-untyped-def]
    from pmf.web.frameworks.services import current_peer_groups

    version = current_peer_groups(organisation)
    if version is None:
        raise CommandError(
            f"{organisation.code} has no computed most similar groups; run pmf peers compute"
        )
    rows = version.peers.select_related("unit", "peer").order_by("unit__position", "rank")
    if unit is not None:
        rows = rows.filter(unit__code=unit)
        if not rows.exists():
            raise CommandError(f"{organisation.code}: no unit {unit!r} in version {version.number}")
    from django.utils.timezone import localtime

    from pmf.core.text import format_moment

    print(
        f"Version {version.number}, {format_moment(localtime(version.created_at))}: "
        f"{version.method}." + (f" Source: {version.source}." if version.source else "")
    )
    for row in rows:
        print(f"{row.unit.code}\t{row.rank}\t{row.peer.code}\t{row.distance:.3f}")
    return EXIT_OK
