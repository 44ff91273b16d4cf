"""Most similar groups on the command line: ``pmf peer-group compute|show``.

``compute`` reads a table of context variables (one row per unit, read and checked by
``pmf.sources.context``), computes each unit's nearest units (``pmf.core.msg``) and stores
them as a new version, keeping the last; ``show`` prints the current version.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pmf.cli import base
from pmf.cli.base import EXIT_OK, CommandError, actions, add_organisation, command, register

if TYPE_CHECKING:
    from pmf.web.frameworks.models import Organisation


def _peer_group_arguments(peer_group: argparse.ArgumentParser) -> None:
    group = actions(peer_group)
    compute = command(
        group,
        "compute",
        "Compute each unit's nearest units by weighted Euclidean distance of z-scores and "
        "store them as a new version (the last is kept, superseded).",
        "pmf peer-group compute -o MPS forces.csv --unit-column force --variable density "
        "--variable deprivation --weight deprivation=2 -n 7 --source 'ONS 2021'",
    )
    add_organisation(compute)
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
    show = command(
        group,
        "show",
        "Print the current most similar groups: each unit's peers, nearest first, with distances.",
        "pmf peer-group show -o MPS E23000036",
    )
    add_organisation(show)
    show.add_argument("unit", nargs="?", help="one unit's group (default: every unit)")


@register(
    "peer-group",
    "Compute most similar groups from context variables, or show them.",
    "pmf peer-group compute -o MPS forces.csv --unit-column force --variable density",
    arguments=_peer_group_arguments,
    aliases=["peers"],
    description="Compute most similar groups from context variables, or show the current ones.",
)
def peer_group(args: argparse.Namespace) -> int:
    """Run ``pmf peer-group compute`` or ``pmf peer-group show``."""
    organisation = base.organisation(args.organisation)
    if args.action == "compute":
        return _compute(organisation, args)
    return _show(organisation, args.unit)


def _compute(organisation: Organisation, args: argparse.Namespace) -> int:
    from pmf.sources.context import ContextRefused, read_context
    from pmf.sources.readers import ReadError
    from pmf.web.frameworks.services import PeerGroupsRefused, compute_peer_groups

    weights = _weights(args.weight)
    units = set(organisation.units.values_list("code", flat=True))
    try:
        frame = read_context(args.file, args.unit_column, args.variable, units, organisation.code)
    except ReadError as error:
        raise CommandError(str(error)) from None
    except ContextRefused as refused:
        raise CommandError("\n".join([*refused.problems, "Nothing was stored."])) from None
    name = str(args.file)
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
        f"{frame.height} units, {version.n} peers each ({version.method})."
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


def _show(organisation: Organisation, unit: str | None) -> int:
    from pmf.web.frameworks.services import current_peer_groups

    version = current_peer_groups(organisation)
    if version is None:
        raise CommandError(
            f"{organisation.code} has no computed most similar groups; run pmf peer-group compute"
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
