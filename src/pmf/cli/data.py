"""What each command-line command does, one function each, over the services."""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pmf.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CommandError
from pmf.core.framework import FrameworkError
from pmf.core.text import plural
from pmf.faults import file_fault

if TYPE_CHECKING:
    from pmf.sources.examples import Example


def check_framework(path: Path) -> int:
    """Validate a framework file and print every problem, or a summary when it is sound."""
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


def migrate(*, quiet: bool) -> None:
    """Create or update the database tables."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0 if quiet else 1, interactive=False)
    # The shared cache (sign-in lockouts, seen by every server process) lives in a table.
    call_command("createcachetable", verbosity=0)


def load_framework_file(path: Path) -> int:
    """Validate and store a framework file."""
    from pmf.sources.frameworks import read_framework_file
    from pmf.web.frameworks.services import store_framework

    try:
        framework = read_framework_file(path)
    except FrameworkError as error:
        raise CommandError(f"{error}\nNothing was stored.") from None
    organisation = store_framework(framework, str(path))
    print(f"Loaded {organisation.name} ({organisation.code}) from {path}.")
    return EXIT_OK


def import_file(args: argparse.Namespace) -> int:
    """Check a file of figures and store them all, or report every problem and store nothing."""
    from pmf.sources.importer import MappingError, check_table, describe
    from pmf.sources.readers import ReadError, read_table
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import (
        WarningsHeld,
        describe_warnings,
        find_warnings,
        store_observations,
    )

    organisation = _organisation(args.organisation)
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
        raise CommandError(describe_warnings(held.figures, str(args.file))) from None
    print(f"{args.file}: {summary}")
    return EXIT_OK


def assess(args: argparse.Namespace) -> int:
    """Print or write a unit's scorecard."""
    from pmf.core.periods import ParseError, parse_period
    from pmf.reports.console import render_scorecard
    from pmf.sources.exporters import write_scorecard
    from pmf.web.observations.services import scorecard_for

    organisation = _organisation(args.organisation)
    period = previous = None
    try:
        period = parse_period(args.period) if args.period else None
    except ParseError as error:
        raise CommandError(f"--period: {error}", EXIT_USAGE) from None
    try:
        previous = parse_period(args.previous) if args.previous else None
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
    return EXIT_OK


def example(action: str, name: str | None) -> int:
    """List the example organisations, or load one (or all) through the import path."""
    from pmf.sources.examples import registry

    examples = registry()
    if action == "list":
        for key, item in examples.items():
            print(f"{key:10} {item.title}")
        return EXIT_OK
    if name is not None and name not in examples:
        raise CommandError(f"no example {name!r}; choose from {', '.join(examples)}", EXIT_USAGE)
    print(_load_examples([examples[key] for key in ([name] if name else examples)]))
    return EXIT_OK


def _load_examples(chosen: list[Example]) -> str:
    """Load the examples in one transaction, so a failure part way leaves none of them."""
    from django.db import transaction

    from pmf.web.observations.services import load_example

    with transaction.atomic():
        return "\n".join(f"{example.title}: {load_example(example)}" for example in chosen)


def demo(*, web: bool = True, port: int = 8000) -> int:
    """Load every example, print the force's scorecard, make demo sign-ins, then serve.

    Serving hands over to a fresh interpreter (``pmf.web.server``): the examples were loaded
    and the scorecard computed with Polars here, and no server worker may be forked from a
    process whose thread pool has started (ADR 0023).
    """
    from pmf.reports.console import render_scorecard
    from pmf.sources.examples import registry
    from pmf.web.accounts.services import create_demo_users
    from pmf.web.frameworks.models import Organisation
    from pmf.web.observations.services import scorecard_for

    print(_load_examples(list(registry().values())))
    organisation = Organisation.objects.get(code="MPS")
    print()
    print(render_scorecard(scorecard_for(organisation)))
    if not web:
        return EXIT_OK
    print(f"\nDemo sign-ins for http://127.0.0.1:{port}/ (new passwords on every run):")
    for role, username, password, scope in create_demo_users(organisation):
        print(f"  {role:13} {username:20} {password}   {scope}")
    print()
    return serve("127.0.0.1", port, 2)


def serve(host: str, port: int, workers: int, *, worker: bool = True) -> int:
    """Serve the web application, with a background worker unless told not to, until stopped.

    Does not return: the process becomes the server (see ``pmf.web.server.serve``).
    """
    from pmf.web.server import serve as run

    run(host, port, workers, worker=worker)


def worker(*, batch: bool = False) -> int:
    """Run queued background jobs (large imports) until interrupted, or those waiting now.

    First delete the uploads left unimported for longer than ``PMF_UPLOAD_MAX_AGE``.
    """
    from django.core.management import call_command

    from pmf.web.entry.services import sweep_uploads

    swept = sweep_uploads()
    if swept:
        print(f"Deleted {plural(swept, 'abandoned upload file')}.")
    call_command(
        "db_worker", batch=batch, reload=False, startup_delay=not batch, interval=1, verbosity=1
    )
    return EXIT_OK


def token(action: str, username: str, name: str | None) -> int:
    """Issue, list or revoke a user's API tokens."""
    from django.contrib.auth import get_user_model

    from pmf.web.api.services import issue_token, revoke_tokens_named, tokens_of

    try:
        user = get_user_model().objects.get_by_natural_key(username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"no user {username!r}", EXIT_USAGE) from None
    if action == "create":
        try:
            issued, key = issue_token(user, name or "")
        except ValueError as error:
            raise CommandError(str(error), EXIT_USAGE) from None
        print(f"Token {issued.name!r} for {username} (copy it now: it is not shown again):")
        print(key)
    elif action == "list":
        for held in tokens_of(user):
            used = f"{held.last_used_at:%Y-%m-%d %H:%M}" if held.last_used_at else "never"
            state = f"revoked {held.revoked_at:%Y-%m-%d %H:%M}" if held.revoked_at else "active"
            print(
                f"{held.name}  {held.prefix}…  issued {held.created_at:%Y-%m-%d %H:%M}  "
                f"last used {used}  {state}"
            )
    else:
        count = revoke_tokens_named(user, name or "")
        if not count:
            raise CommandError(f"{username} has no active token named {name!r}")
        print(f"Revoked {plural(count, 'token')} named {name!r} for {username}.")
    return EXIT_OK


def _organisation(code: str | None):  # type: ignore[no-untyped-def]
    from pmf.web.frameworks.models import Organisation

    if code:
        try:
            return Organisation.objects.get(code=code)
        except Organisation.DoesNotExist:
            known = ", ".join(Organisation.objects.values_list("code", flat=True)) or "none yet"
            raise CommandError(
                f"no organisation {code!r} (loaded: {known}); load its framework first with "
                "pmf framework load FILE",
                EXIT_USAGE,
            ) from None
    organisations = list(Organisation.objects.all()[:2])
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


def _write_problems(path: Path, problems: list) -> None:  # type: ignore[type-arg]
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


__all__ = ["EXIT_PROBLEMS"]
