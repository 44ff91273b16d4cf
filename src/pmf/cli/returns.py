"""Statutory returns on the command line: ``pmf return list|check|export``.

A return is described in the framework file (``returns:``, with its CSV or XLSX template);
``check`` lists every cell with its figure and every problem, ``export`` writes the return
only when there is none, and records the export in the audit trail.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pmf.cli import base
from pmf.cli.base import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    actions,
    add_organisation,
    command,
    register,
)


def _return_arguments(parser: argparse.ArgumentParser) -> None:
    group = actions(parser)
    listing = command(
        group, "list", "List the framework's statutory returns.", "pmf return list -o E08000009"
    )
    add_organisation(listing, required=False)
    checking = command(
        group,
        "check",
        "Check a return for a period: every cell, its figure and every problem (exit 1 if any).",
        "pmf return check -o E08000009 PS2 --period '2023/24 Q4'",
    )
    add_organisation(checking, required=False)
    checking.add_argument("code", help="the return's code, from pmf return list")
    checking.add_argument("--period", required=True, help="the return's period, e.g. 2023/24 Q4")
    exporting = command(
        group,
        "export",
        "Export a return for a period in its template's layout, if its check finds no problem.",
        "pmf return export -o E08000009 PS2 --period '2023/24 Q4' --output ps2.csv",
    )
    add_organisation(exporting, required=False)
    exporting.add_argument("code", help="the return's code, from pmf return list")
    exporting.add_argument("--period", required=True, help="the return's period, e.g. 2023/24 Q4")
    exporting.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="where to write it (default: ORG-CODE-PERIOD.csv or .xlsx here)",
    )


@register(
    "return",
    "List, check and export statutory returns in their templates' layout.",
    "pmf return export -o MPS HO_CRIME --period 2025-03",
    arguments=_return_arguments,
)
def statutory_return(args: argparse.Namespace) -> int:
    """Run ``pmf return list``, ``check`` or ``export``."""
    from pmf.core.text import plural
    from pmf.web.returns.services import (
        ReturnRefused,
        check_return,
        definitions,
        export_return,
    )

    organisation = base.organisation(args.organisation)
    if args.action == "list":
        found = definitions(organisation)
        if not found:
            print(f"{organisation.code} has no statutory returns in its framework file.")
        for each in found:
            print(f"{each.code}\t{each.name}\tby {each.frequency.value}\t{each.template}")
        return EXIT_OK
    try:
        if args.action == "check":
            checked = check_return(organisation, args.code, args.period)
            print("cell\tmeasure\tunit\tperiod\tnumber\tstatus\tproblems")
            for filled in checked.cells:
                cell = filled.cell
                print(
                    f"{cell.address}\t{cell.measure}\t{cell.unit}\t{cell.period}\t"
                    f"{filled.text or '-'}\t{filled.status or '-'}\t{'; '.join(filled.problems)}"
                )
            if checked.ready:
                print(f"Return {args.code} for {checked.period}: ready to export.")
                return EXIT_OK
            print(
                f"Return {args.code} for {checked.period}: "
                f"{plural(len(checked.problems), 'problem')}."
            )
            return EXIT_PROBLEMS
        made = export_return(organisation, args.code, args.period)
    except LookupError as error:
        raise CommandError(f"{error.args[0]}; see pmf return list") from None
    except ReturnRefused as refused:
        raise CommandError(
            "\n".join(refused.problems)
            + f"\n{plural(len(refused.problems), 'problem')}: nothing was exported."
        ) from None
    target = args.output or Path(made.file_name)
    try:
        target.write_bytes(made.content)
    except OSError as error:
        raise CommandError(f"{target}: cannot be written: {error.strerror}") from None
    print(
        f"Wrote return {args.code} for {made.check.period} to {target} "
        f"({plural(len(made.check.cells), 'cell')}; sha256 {made.sha256})."
    )
    return EXIT_OK
