"""The risk register on the command line: ``pmf risks record-measure``.

Risks and recommendations are kept in the web application; the command line writes the
register's redline figures, for a schedule (a nightly job) or after loading a framework.
"""

from __future__ import annotations

import argparse

from pmf.account_commands import _organisation, _parser
from pmf.cli import EXIT_OK, CommandError


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``pmf risks`` and its actions to the command line."""
    risks = _parser(
        commands,
        "risks",
        "Work with the risk register.",
        "pmf risks record-measure -o TST --as-of 2019-07",
    )
    actions = risks.add_subparsers(dest="action", metavar="ACTION", required=True)
    record = _parser(
        actions,
        "record-measure",
        "Write the number of open risks scoring above the threshold at each month end as the "
        "figures of the framework's risk measure (risks.measure), from the register's first "
        "change to --as-of: all months or none, changed months as new revisions.",
        "pmf risks record-measure -o TST --as-of 2019-07",
    )
    record.add_argument("--organisation", "-o", required=True, help="organisation code")
    record.add_argument(
        "--as-of", metavar="YYYY-MM", help="the last month to record (default: this month)"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``pmf risks``."""
    from pmf.web.risks import services

    organisation = _organisation(args.organisation)
    try:
        summary = services.record_risk_measure(organisation, args.as_of)
    except (LookupError, ValueError) as error:
        raise CommandError(str(error)) from None
    print(summary)
    return EXIT_OK
