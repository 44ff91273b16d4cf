"""The pmf command line: each command is a thin wrapper over one function.

Run ``pmf --help`` or ``pmf COMMAND --help``; every command's help has an example.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl+C (128 + SIGINT)


class CommandError(Exception):
    """Raise to stop a command with a message for the user and a non-zero exit."""

    def __init__(self, message: str, code: int = EXIT_PROBLEMS) -> None:
        super().__init__(message)
        self.code = code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pmf",
        description="pmf: performance management for public services.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  pmf demo      load the example police force and show its scorecard",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, summary: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=f"Example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    framework = command(
        "framework", "Check or load a framework file.", "pmf framework check framework.yaml"
    )
    actions = framework.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="Validate a framework file and list every problem with its line.",
        epilog="Example:\n  pmf framework check examples/police/framework.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("file", type=Path)
    load = actions.add_parser(
        "load",
        help="Validate a framework file and store it (create or update by code).",
        epilog="Example:\n  pmf framework load examples/police/framework.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument("file", type=Path)

    imp = command(
        "import",
        "Import figures from a CSV or XLSX file: all rows or none.",
        "pmf import figures.csv --organisation MPS --map unit=BoroughName --map measure=MinorText",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--organisation", "-o", help="organisation code (needed if several)")
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

    assess = command(
        "assess",
        "Print a unit's scorecard for a period, or write it as CSV or JSON.",
        "pmf assess --unit MPS --period 2025-11 --output scorecard.csv",
    )
    assess.add_argument("--organisation", "-o", help="organisation code (needed if several)")
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

    example = command(
        "example", "List or load the example organisations.", "pmf example load police"
    )
    example.add_argument("action", choices=["list", "load"])
    example.add_argument("name", nargs="?", help="example name (for load); default: all")

    from pmf import (
        account_commands,
        backup_commands,
        cycle_commands,
        intervention_commands,
        national_commands,
        peer_commands,
        records_commands,
        risk_commands,
        stats_commands,
        target_commands,
    )

    stats_commands.add_parsers(commands)
    account_commands.add_parsers(commands)
    target_commands.add_parsers(commands)
    cycle_commands.add_parsers(commands)
    cycle_commands.add_publish_parser(commands)
    intervention_commands.add_parsers(commands)
    risk_commands.add_parsers(commands)
    national_commands.add_parsers(commands)
    peer_commands.add_parsers(commands)
    records_commands.add_parsers(commands)
    backup_commands.add_parsers(commands)

    demo = command(
        "demo",
        "Load the example organisations, print the force's scorecard, make demo sign-ins and "
        "serve the web application on http://127.0.0.1:8000.",
        "pmf demo",
    )
    demo.add_argument(
        "--no-serve", action="store_true", help="load and print only; do not start the web server"
    )
    demo.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    serve = command(
        "serve",
        "Serve the web application production-style (gunicorn, static files by WhiteNoise).",
        "pmf serve --host 0.0.0.0 --port 8000 --workers 4",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a background worker alongside (run pmf worker separately)",
    )
    worker = command(
        "worker",
        "Run the background worker: large imports queued from the web application.",
        "pmf worker",
    )
    worker.add_argument("--batch", action="store_true", help="run the jobs waiting now, then stop")
    command("migrate", "Create or update the database tables.", "pmf migrate")

    token = command(
        "token",
        "Issue, list or revoke a user's tokens for the JSON API.",
        "pmf token create --user analyst --name nightly-load",
    )
    token_actions = token.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = token_actions.add_parser(
        "create",
        help="Issue a token and print its key (shown only this once).",
        epilog="Example:\n  pmf token create --user analyst --name nightly-load",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listed = token_actions.add_parser(
        "list",
        help="List a user's tokens: name, first characters, when issued, last used and revoked.",
        epilog="Example:\n  pmf token list --user analyst",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    revoke = token_actions.add_parser(
        "revoke",
        help="Revoke a user's active tokens of that name; they stop working at once.",
        epilog="Example:\n  pmf token revoke --user analyst --name nightly-load",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for action in (create, listed, revoke):
        action.add_argument("--user", required=True, help="the username whose tokens these are")
    for action in (create, revoke):
        action.add_argument("--name", required=True, help="what the token is for, as a label")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = _parser().parse_args(argv)
    try:
        # Changes made by a command are recorded in the audit trail as this person's.
        from pmf.web.audit.actor import acting_as, command_line_actor

        with acting_as(command_line_actor(args.command)):
            return _run(args)
    except CommandError as error:
        print(error, file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        from pmf import faults

        files = args.command == "publish" or getattr(args, "output", None) is not None
        print(f"\n{faults.interrupted(args.command, writes_files=files)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        # A fault of the machine (a busy, full or read-only database, a file that may not be
        # read or written) is a message; anything else is a fault of pmf, with its traceback.
        from pmf import faults

        message = faults.explain(error)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return EXIT_PROBLEMS


def _run(args: argparse.Namespace) -> int:
    from pmf import commands

    if args.command == "framework" and args.action == "check":
        return commands.check_framework(args.file)
    if args.command == "stats":
        from pmf import stats_commands

        return stats_commands.run(args)
    if args.command == "national":
        # Fetching needs no database; importing sets it up itself.
        from pmf import national_commands

        return national_commands.run(args)
    if args.command == "records":
        # Counting needs no database; --import sets it up itself.
        from pmf import records_commands

        return records_commands.run(args)
    # Every other command uses the database.
    from pmf.web.setup import setup_django

    setup_django()
    from django.db import OperationalError

    if args.command == "backup":
        # A backup changes nothing, not even the tables: it refuses an unmigrated database.
        from pmf import backup_commands

        return backup_commands.run(args)
    try:
        commands.migrate(quiet=args.command != "migrate")
    except OperationalError as error:
        # Each migration is a transaction of its own: those done before the fault stay done.
        from pmf import faults

        # After "Applying app.0001_initial..." on the line above, when it is shown.
        start = "\n" if args.command == "migrate" else ""
        note = (
            " (The database tables were being updated: the updates finished before this "
            "stay, and pmf migrate carries on from there.)"
            if _migrations_pending()
            else ""
        )
        raise CommandError(f"{start}{faults.explain(error)}{note}") from None
    if args.command == "migrate":
        return EXIT_OK
    if args.command == "framework":
        return commands.load_framework_file(args.file)
    if args.command == "import":
        return commands.import_file(args)
    if args.command == "assess":
        return commands.assess(args)
    if args.command == "example":
        return commands.example(args.action, args.name)
    if args.command == "demo":
        return commands.demo(web=not args.no_serve, port=args.port)
    if args.command == "serve":
        return commands.serve(args.host, args.port, args.workers, worker=not args.no_worker)
    if args.command == "worker":
        return commands.worker(batch=args.batch)
    if args.command == "cycle":
        from pmf import cycle_commands

        return cycle_commands.run(args)
    if args.command == "publish":
        from pmf import cycle_commands

        return cycle_commands.run_publish(args)
    if args.command == "remind":
        from pmf import intervention_commands

        return intervention_commands.run(args)
    if args.command == "risks":
        from pmf import risk_commands

        return risk_commands.run(args)
    if args.command == "peers":
        from pmf import peer_commands

        return peer_commands.run(args)
    if args.command == "target":
        from pmf import target_commands

        return target_commands.run(args)
    if args.command in ("user", "share"):
        from pmf import account_commands

        return account_commands.run(args)
    if args.command == "restore":
        from pmf import backup_commands

        return backup_commands.run(args)
    if args.command == "token":
        return commands.token(args.action, args.user, getattr(args, "name", None))
    raise CommandError(f"unknown command {args.command}", EXIT_USAGE)


def _migrations_pending() -> bool:
    """Say whether migrations are waiting to be applied (False if the database cannot say)."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return False


if __name__ == "__main__":
    sys.exit(main())
