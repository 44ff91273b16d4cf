"""Key drivers on the command line: ``pmf drivers``.

Each component's part in a calculated measure's change, against the previous period, the
same period last year and the standard (``pmf.core.drivers``; ``docs/methods.md``, "Key
drivers"): the measure page's table, as text or as the page's JSON.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pmf.cli import base
from pmf.cli.base import EXIT_OK, EXIT_USAGE, CommandError, add_organisation, register


def _drivers_arguments(parser: argparse.ArgumentParser) -> None:
    add_organisation(parser, required=False)
    parser.add_argument("measure", help="the calculated measure's code")
    parser.add_argument("--unit", required=True, help="unit code")
    parser.add_argument(
        "--period", help="the period, e.g. 2025-11 (default: the unit's latest figure)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the split as JSON (the measure page's twin)"
    )


@register(
    "drivers",
    "Key drivers: each component's part in a calculated measure's change.",
    "pmf drivers -o MPS HIGH_HARM_RATE --unit MPS --period 2025-11",
    arguments=_drivers_arguments,
)
def drivers(args: argparse.Namespace) -> int:
    """Print the key drivers of a unit's calculated measure."""
    from pmf.web.scorecards.drivers import key_drivers_for

    organisation = base.organisation(args.organisation)
    try:
        found = key_drivers_for(organisation, args.unit, args.measure, args.period)
    except LookupError as error:
        raise CommandError(str(error.args[0]), EXIT_USAGE) from None
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(render(found))
    return EXIT_OK


HEADER = (
    "Component",
    "In the formula",
    "Then",
    "Now",
    "Change",
    "Contribution",
    "Share",
    "% change",
)


def render(found: dict[str, Any]) -> str:
    """Return the key drivers as text: a heading, then per comparison a sentence and a table."""
    lines = [
        f"{found['measure']['name']}, {found['unit']['name']}, {found['period_label']}",
        f"{found['measure']['code']} = {found['formula']} ({found['method']})",
    ]
    for comparison in found["comparisons"]:
        title = comparison["heading"]
        if comparison["label"]:
            title += f": {comparison['label']}"
        lines += ["", title]
        if not comparison["drivers"]:
            lines.append(f"  Not split: {comparison['reason']}.")
            continue
        lines.append(
            f"  {comparison['now_text']} against {comparison['then_text']}: "
            f"{comparison['change_text']} ({comparison['percent_text']})"
        )
        if comparison["sentence"]:
            lines.append(f"  {comparison['sentence']}")
        table = [HEADER] + [
            (
                item["name"],
                item["role_text"] or "–",
                item["then_text"] or "–",
                item["now_text"] or "–",
                item["change_text"] or "–",
                item["contribution_text"],
                item["share_text"],
                item["percent_text"],
            )
            for item in comparison["drivers"]
        ]
        widths = [max(len(row[index]) for row in table) for index in range(len(HEADER))]
        for row in table:
            cells = [
                cell.ljust(width) if index < 2 else cell.rjust(width)
                for index, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            lines.append("  " + "  ".join(cells).rstrip())
    return "\n".join(lines)
