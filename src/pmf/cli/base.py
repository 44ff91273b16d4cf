"""What every command shares: the error, the exit codes, the registry and the shared options.

A command group's module registers each of its commands with ``@register``, naming the
command, a one-line summary for ``pmf --help``, an example and a function adding its options;
``pmf.cli.app`` builds the parser from the registry and runs the chosen command's function.
This module imports no command module, and nothing heavy: ``pmf --help`` stays quick, so a
command imports its libraries (Django, Polars) inside its function. For example::

    def _arguments(parser: argparse.ArgumentParser) -> None:
        add_organisation(parser)

    @register("target", "Set, list or withdraw targets.", "pmf target list -o MPS",
              arguments=_arguments)
    def target(args: argparse.Namespace) -> int:
        from pmf.web.frameworks.services import set_target
        ...
        return EXIT_OK

A command group is named by the glossary's noun in the singular (``pmf cycle``, ``pmf risk``,
``pmf peer-group``), an action by a verb (``pmf cycle advance``); a renamed command keeps its
old name as an alias (``pmf risks``), shown beside it in ``pmf --help``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from pmf.web.frameworks.models import Organisation

    SubParsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl+C (128 + SIGINT)

Run = Callable[[argparse.Namespace], int]
Arguments = Callable[[argparse.ArgumentParser], None]


class CommandError(Exception):
    """Raise to stop a command with a message for the user and a non-zero exit."""

    def __init__(self, message: str, code: int = EXIT_PROBLEMS) -> None:
        super().__init__(message)
        self.code = code


class Needs(enum.Enum):
    """What a command needs before it runs: set up by ``pmf.cli.app`` for every command."""

    NOTHING = "nothing"  # no database (a command may still open it itself for one action)
    DJANGO = "django"  # the database as it is, tables not updated (a backup changes nothing)
    TABLES = "tables"  # the database with its tables created or updated first


@dataclass(frozen=True)
class Command:
    """A command of ``pmf``: its name, words for the help, options and what runs it."""

    name: str
    summary: str
    example: str | tuple[str, ...]
    run: Run
    arguments: Arguments | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    needs: Needs = Needs.TABLES


REGISTRY: dict[str, Command] = {}


def register(
    name: str,
    summary: str,
    example: str | tuple[str, ...],
    *,
    arguments: Arguments | None = None,
    aliases: Sequence[str] = (),
    description: str = "",
    needs: Needs = Needs.TABLES,
) -> Callable[[Run], Run]:
    """Register the decorated function as the command ``name`` (and its old names, aliases).

    ``summary`` is one line of ``pmf --help``; ``description``, when given, is the longer
    text of ``pmf NAME --help``. The function receives the parsed arguments and returns the
    exit status, or raises ``CommandError``.
    """

    def decorate(run: Run) -> Run:
        taken = {*REGISTRY, *(alias for known in REGISTRY.values() for alias in known.aliases)}
        clash = taken & {name, *aliases}
        if clash:
            raise ValueError(f"the command name {sorted(clash)[0]!r} is registered twice")
        REGISTRY[name] = Command(
            name, summary, example, run, arguments, tuple(aliases), description, needs
        )
        return run

    return decorate


def command(
    group: SubParsers,
    name: str,
    summary: str,
    example: str | tuple[str, ...],
    *,
    aliases: Sequence[str] = (),
    description: str = "",
) -> argparse.ArgumentParser:
    """Add a command or an action to ``group``, with its summary and example in its help.

    >>> parser = argparse.ArgumentParser(prog="pmf")
    >>> group = parser.add_subparsers()
    >>> command(group, "list", "List them.", "pmf thing list").epilog
    'Example:\\n  pmf thing list'
    """
    examples = (example,) if isinstance(example, str) else example
    heading = "Example:" if len(examples) == 1 else "Examples:"
    return group.add_parser(
        name,
        aliases=list(aliases),
        help=summary,
        description=description or summary,
        epilog="\n  ".join([heading, *examples]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def actions(parser: argparse.ArgumentParser, dest: str = "action") -> SubParsers:
    """Add the actions of a command (``pmf cycle create``, ``pmf cycle list``), one required."""
    return parser.add_subparsers(dest=dest, metavar=dest.upper(), required=True)


def add_organisation(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add ``--organisation CODE`` (``-o``); optional, it defaults to the only one loaded."""
    parser.add_argument(
        "--organisation",
        "-o",
        required=required,
        help="organisation code" if required else "organisation code (needed if several)",
    )


def organisation(code: str | None) -> Organisation:
    """Return the organisation with this code, or the only one loaded when no code is given.

    A code that names no organisation is a problem with what was asked (exit 1, naming the
    codes loaded, as an unknown unit or measure is); no code when none or several are loaded
    is a missing option (exit 2, as a missing required option is). Needs the database.
    """
    from pmf.web.frameworks.models import Organisation

    if code:
        try:
            found: Organisation = Organisation.objects.get(code=code)
            return found
        except Organisation.DoesNotExist:
            known = ", ".join(Organisation.objects.values_list("code", flat=True)) or "none loaded"
            raise CommandError(
                f"no organisation {code!r} (known: {known}); load its framework first with "
                "pmf framework load FILE"
            ) from None
    organisations: list[Organisation] = list(Organisation.objects.all()[:2])
    if not organisations:
        raise CommandError(
            "no organisation is loaded yet; run pmf framework load FILE or pmf example load",
            EXIT_USAGE,
        )
    if len(organisations) > 1:
        known = ", ".join(Organisation.objects.values_list("code", flat=True))
        raise CommandError(
            f"several organisations are loaded ({known}); choose one with --organisation CODE",
            EXIT_USAGE,
        )
    return organisations[0]


def open_database(*, migrate: bool = True, verbose: bool = False) -> None:
    """Set Django up and, unless told not to, create or update the tables first.

    A fault of the database while the tables are updated is a ``CommandError`` saying which
    updates stay (each migration is a transaction of its own).
    """
    from pmf.web.setup import setup_django

    setup_django()
    if not migrate:
        return
    from django.db import OperationalError

    from pmf.web.setup import migrate as update_tables

    try:
        update_tables(quiet=not verbose)
    except OperationalError as error:
        from pmf.cli.faults import explain
        from pmf.web.setup import migrations_pending

        # After "Applying app.0001_initial..." on the line above, when it is shown.
        start = "\n" if verbose else ""
        note = (
            " (The database tables were being updated: the updates finished before this "
            "stay, and pmf migrate carries on from there.)"
            if migrations_pending()
            else ""
        )
        raise CommandError(f"{start}{explain(error)}{note}") from None


def date_option(text: str | None, option: str) -> dt.date | None:
    """Return an option's ``YYYY-MM-DD`` date, None when not given, or stop naming it."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r}: give a date as YYYY-MM-DD") from None
