"""The risk register on the command line: ``pmf risk record-measure``.

Risks and recommendations are kept in the web application; the command line writes the
register's redline figures, for a schedule (a nightly job) or after loading a framework.
"""

from __future__ import annotations

import argparse

from pmf.cli import base
from pmf.cli.base import EXIT_OK, CommandError, actions, add_organisation, command, register


def _risk_arguments(risk: argparse.ArgumentParser) -> None:
    group = actions(risk)
    record = command(
        group,
        "record-measure",
        "Write the number of open risks scoring above the threshold at each month end as the "
        "figures of the framework's risk measure (risks.measure), from the register's first "
        "change to --as-of: all months or none, changed months as new revisions.",
        "pmf risk record-measure -o TST --as-of 2019-07",
    )
    add_organisation(record)
    record.add_argument(
        "--as-of", metavar="YYYY-MM", help="the last month to record (default: this month)"
    )


@register(
    "risk",
    "Work with the risk register.",
    "pmf risk record-measure -o TST --as-of 2019-07",
    arguments=_risk_arguments,
    aliases=["risks"],
)
def risk(args: argparse.Namespace) -> int:
    """Run ``pmf risk record-measure``."""
    from pmf.web.risks import services

    organisation = base.organisation(args.organisation)
    try:
        summary = services.record_risk_measure(organisation, args.as_of)
    except (LookupError, ValueError) as error:
        raise CommandError(str(error)) from None
    print(summary)
    return EXIT_OK
