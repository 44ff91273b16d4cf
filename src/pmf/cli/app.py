"""The pmf command line: the parser built from the registry, and ``main``, which runs a command.

Run ``pmf --help`` or ``pmf COMMAND --help``; every command's help has an example. The
commands live one group to a module (``pmf.cli.data``, ``pmf.cli.cycles`` ...), each
registering itself with ``pmf.cli.base.register``; ``GROUPS`` lists them in the order of
``pmf --help``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pmf.cli.base import (
    EXIT_INTERRUPTED,
    EXIT_PROBLEMS,
    REGISTRY,
    Command,
    CommandError,
    Needs,
    command,
    open_database,
)

# The command groups, in the order a performance team meets them; each module is light to
# import (its heavy dependencies are imported inside its commands).
GROUPS = (
    "pmf.cli.data",
    "pmf.cli.calculations",
    "pmf.cli.stats",
    "pmf.cli.drivers",
    "pmf.cli.periods",
    "pmf.cli.accounts",
    "pmf.cli.targets",
    "pmf.cli.scores",
    "pmf.cli.returns",
    "pmf.cli.cycles",
    "pmf.cli.publication",
    "pmf.cli.reminders",
    "pmf.cli.deliveries",
    "pmf.cli.risks",
    "pmf.cli.commentary",
    "pmf.cli.national",
    "pmf.cli.peer_groups",
    "pmf.cli.records",
    "pmf.cli.backups",
    "pmf.cli.server",
)


class OneLineEach(argparse.RawDescriptionHelpFormatter):
    """Format ``pmf --help``: each command on one line, its summary never wrapped."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):
            # Room for a command's old name beside it: "peer-group (peers)".
            self._action_max_length += 2

    def _split_lines(self, text: str, width: int) -> list[str]:
        return [" ".join(text.split())]


def commands() -> dict[str, Command]:
    """Return every registered command by name, in the order of ``pmf --help``."""
    for group in GROUPS:
        importlib.import_module(group)
    return REGISTRY


def parser() -> argparse.ArgumentParser:
    """Build the parser of ``pmf`` and every command and action below it."""
    top = argparse.ArgumentParser(
        prog="pmf",
        description="pmf: performance management for public services.",
        formatter_class=OneLineEach,
        epilog="Example:\n  pmf demo      load the example police force and show its scorecard\n\n"
        "Run pmf COMMAND --help for a command's options and an example. Old names still work:\n"
        "the name in brackets after a command is the one it had before.",
    )
    group = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, found in commands().items():
        sub = command(
            group,
            name,
            found.summary,
            found.example,
            aliases=found.aliases,
            description=found.description,
        )
        if found.arguments is not None:
            found.arguments(sub)
    return top


def resolve(name: str) -> Command:
    """Return the command a name or an old name (an alias) stands for."""
    for found in commands().values():
        if name == found.name or name in found.aliases:
            return found
    raise LookupError(name)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = parser().parse_args(argv)
    chosen = resolve(args.command)
    # An old name runs as the new: the audit trail and messages name the command one way.
    args.command = chosen.name
    try:
        # Changes made by a command are recorded in the audit trail as this person's.
        from pmf.web.audit.actor import acting_as, command_line_actor

        with acting_as(command_line_actor(chosen.name)):
            if chosen.needs is not Needs.NOTHING:
                open_database(
                    migrate=chosen.needs is Needs.TABLES, verbose=chosen.name == "migrate"
                )
            return chosen.run(args)
    except CommandError as error:
        print(error, file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        from pmf.cli import faults

        files = chosen.name == "publish" or getattr(args, "output", None) is not None
        print(f"\n{faults.interrupted(chosen.name, writes_files=files)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        # A fault of the machine (a busy, full or read-only database, a file that may not be
        # read or written) is a message; anything else is a fault of pmf, with its traceback.
        from pmf.cli import faults

        message = faults.explain(error)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return EXIT_PROBLEMS
