"""The quarterly cycle on the command line: ``pmf cycle create|list|advance|grades|paper|...``.

Grading steps that people take (self-assessment, moderation, the board) are in the web
application, where each role signs in; the command line starts cycles, moves them on as an
analyst would, and prints the grades.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmf.cli import base
from pmf.cli.base import (
    EXIT_OK,
    CommandError,
    actions,
    add_organisation,
    command,
    date_option,
    register,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pmf.reports.document import Document
    from pmf.web.cycles.models import Cycle
    from pmf.web.frameworks.models import Organisation


def _cycle_arguments(cycle: argparse.ArgumentParser) -> None:
    group = actions(cycle)
    create = command(
        group,
        "create",
        "Start a cycle as a draft.",
        "pmf cycle create -o MPS --number 9 --name 'Winter 2025' --cut-off 2025-11 "
        "--board-date 2026-01-19",
    )
    add_organisation(create)
    create.add_argument("--number", type=int, required=True, help="the cycle's number")
    create.add_argument("--name", required=True, help="the cycle's name")
    create.add_argument("--cut-off", required=True, help="the last period that counts: 2025-11")
    create.add_argument("--board-date", help="the board's date, YYYY-MM-DD")
    listing = command(group, "list", "List the cycles and their states.", "pmf cycle list -o MPS")
    add_organisation(listing)
    advance = command(
        group,
        "advance",
        "Move a cycle on: a draft is locked (figures frozen, grades recommended), then "
        "self-assessment, moderation, board and published.",
        "pmf cycle advance -o MPS 9",
    )
    add_organisation(advance)
    advance.add_argument("number", type=int, help="the cycle's number")
    paper = command(
        group,
        "paper",
        "Write a cycle's board paper as PDF, Word, PowerPoint or HTML (by the file's extension).",
        "pmf cycle paper -o MPS 8 --output cycle-8.pdf",
    )
    add_organisation(paper)
    paper.add_argument("number", type=int, help="the cycle's number")
    paper.add_argument(
        "--output",
        required=True,
        type=Path,
        metavar="FILE",
        help="a .pdf, .docx, .pptx or .html file",
    )
    paper.add_argument(
        "--kind",
        choices=["board", "exceptions", "outcomes"],
        default="board",
        help="the board paper (default), the exception report or the quarterly outcomes report",
    )
    _add_language(paper)
    annual = command(
        group,
        "annual",
        "Write a year's annual report as PDF, Word, PowerPoint or HTML (by the file's extension).",
        "pmf cycle annual -o MPS --year 2024/25 --output annual-2024-25.pdf",
    )
    add_organisation(annual)
    annual.add_argument("--year", required=True, help="the year: 2024/25 (financial) or 2024")
    annual.add_argument(
        "--output",
        required=True,
        type=Path,
        metavar="FILE",
        help="a .pdf, .docx, .pptx or .html file",
    )
    _add_language(annual)
    grades = command(
        group, "grades", "Print a cycle's grades by unit and area.", "pmf cycle grades -o MPS 9"
    )
    add_organisation(grades)
    grades.add_argument("number", type=int, help="the cycle's number")
    delay = command(
        group,
        "delay",
        "Print each cycle's reporting delay: days from the end of its data period to its "
        "figures locked, to its board and to publication.",
        "pmf cycle delay -o MPS --json",
    )
    add_organisation(delay)
    delay.add_argument("--json", action="store_true", help="print JSON instead of a table")
    members = command(
        group,
        "members",
        "Print the units that joined or left the framework in a cycle's period.",
        "pmf cycle members -o MPS 9",
    )
    add_organisation(members)
    members.add_argument("number", type=int, help="the cycle's number")


@register(
    "cycle",
    "Start quarterly cycles, move them on, and print their grades.",
    "pmf cycle create -o MPS --number 9 --name 'Winter 2025' --cut-off 2025-11",
    arguments=_cycle_arguments,
)
def cycle(args: argparse.Namespace) -> int:
    """Run ``pmf cycle create``, ``list``, ``advance``, ``paper``, ``annual``, ``grades``,
    ``delay`` or ``members``."""
    from pmf.web.cycles import services

    organisation = base.organisation(args.organisation)
    try:
        if args.action == "create":
            started = services.create_cycle(
                organisation,
                number=args.number,
                name=args.name,
                cut_off=args.cut_off,
                board_date=date_option(args.board_date, "--board-date"),
            )
            print(
                f"Cycle {started.number} ({started.name}, data to {started.cut_off}) started as "
                "a draft."
            )
            return EXIT_OK
        if args.action == "list":
            from pmf.core.text import format_date

            for held in organisation.cycles.order_by("number"):
                board = format_date(held.board_date) if held.board_date else "-"
                print(
                    f"{held.number}\t{held.name}\tdata to {held.cut_off}\tboard {board}\t"
                    f"{held.get_state_display()}"
                )
            return EXIT_OK
        if args.action == "annual":
            from pmf.web.papers.builders.annual import annual_report

            _format_of(args.output)
            try:
                with _in_language(args.language):
                    document = annual_report(organisation, args.year)
            except ValueError as error:
                raise CommandError(str(error)) from None
            return _write_document(document, args.output, f"annual report for {args.year}")
        if args.action == "delay":
            return _print_delay(organisation, as_json=args.json)
        chosen = organisation.cycles.filter(number=args.number).first()
        if chosen is None:
            raise CommandError(f"{organisation.code} has no cycle {args.number}")
        if args.action == "members":
            return _print_members(chosen)
        if args.action == "paper":
            return _write_paper(chosen, args.output, args.kind, args.language)
        if args.action == "advance":
            locking = chosen.state == chosen.State.DRAFT
            state = services.advance(chosen, None)
            print(f"Cycle {chosen.number} is now at {state.label.lower()}.")
            if locking:
                _tell_observations_to_check(chosen)
            return EXIT_OK
        return _print_grades(chosen)
    except services.WorkflowRefused as refused:
        raise CommandError("\n".join(refused.problems)) from None


def _publish_arguments(publish: argparse.ArgumentParser) -> None:
    add_organisation(publish)
    publish.add_argument(
        "--cycle", type=int, help="the cycle's number (default: the latest published)"
    )
    publish.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write")
    signing = publish.add_mutually_exclusive_group()
    signing.add_argument(
        "--signing-key",
        type=Path,
        metavar="FILE",
        help="the organisation's private key (pmf keys new) that signs the site's manifest "
        "(default: the file named by PMF_SIGNING_KEY)",
    )
    signing.add_argument(
        "--unsigned",
        action="store_true",
        help="publish without a signature: the manifest says so and pmf verify refuses it",
    )
    publish.add_argument(
        "--language",
        choices=["en", "cy"],  # pmf.web.papers.builders.common.PAPER_LANGUAGES
        default="en",
        help="the language of the site's pages: English (en, default) or Welsh (cy); the open "
        "data stay in English",
    )


@register(
    "publish",
    "Write a published cycle as a static public site with its open data.",
    "pmf publish -o MPS --out public/",
    arguments=_publish_arguments,
    description="Write a published cycle as a static public scorecard site with its open data "
    "(CSV and JSON with metadata): no sign-in, no server.",
)
def publish(args: argparse.Namespace) -> int:
    """Run ``pmf publish``: a published cycle as open data and a static public site."""

    from pmf.reports.manifest import ManifestError, fingerprint
    from pmf.web.cycles.models import Cycle
    from pmf.web.publishing import NotPublished, publish_cycle

    organisation = base.organisation(args.organisation)
    cycles = organisation.cycles.all()
    if args.cycle is None:
        cycle = cycles.filter(state=Cycle.State.PUBLISHED).order_by("-number").first()
        if cycle is None:
            raise CommandError(f"{organisation.code} has no published cycle yet")
    else:
        cycle = cycles.filter(number=args.cycle).first()
        if cycle is None:
            raise CommandError(f"{organisation.code} has no cycle {args.cycle}")
    key = _signing_key(args)
    try:
        with _in_language(args.language):
            written = publish_cycle(cycle, args.out, signing_key=key)
    except NotPublished as error:
        raise CommandError(str(error)) from None
    except ManifestError as error:
        raise CommandError(str(error)) from None
    print(
        f"Published cycle {cycle.number} of {organisation.name} to {args.out}: "
        f"{len(written)} files; open {args.out / 'index.html'}."
    )
    if key is None:
        print("The manifest is unsigned (--unsigned): pmf verify refuses the site.")
    else:
        print(
            "Signed manifest.json with the key of SHA-256 fingerprint "
            f"{fingerprint(key.public_key())}; check it with pmf verify {args.out}."
        )
    return EXIT_OK


def _signing_key(args: argparse.Namespace) -> Ed25519PrivateKey | None:
    """Return the key that signs the site: --signing-key, or PMF_SIGNING_KEY; refuse neither."""
    import os

    from pmf.reports.manifest import ManifestError, load_private_key

    if args.unsigned:
        return None
    path = args.signing_key or (
        Path(os.environ["PMF_SIGNING_KEY"]) if os.environ.get("PMF_SIGNING_KEY") else None
    )
    if path is None:
        raise CommandError(
            "give the organisation's signing key (--signing-key FILE or PMF_SIGNING_KEY; make "
            "one with pmf keys new), or publish with --unsigned"
        )
    if path.resolve().is_relative_to(args.out.resolve()):
        raise CommandError(f"{path}: the signing key is inside the site's folder {args.out}")
    try:
        return load_private_key(path)
    except ManifestError as error:
        raise CommandError(str(error)) from None


def _tell_observations_to_check(cycle: Cycle) -> None:
    """Say how many of the figures locked were provisional or stored with accepted warnings."""
    from pmf.web.cycles.services import observations_to_check

    found = observations_to_check(cycle, [unit.code for unit in cycle.organisation.units.all()])
    provisional = sum(1 for row in found if row["provisional"])
    warned = sum(1 for row in found if row["warned"])
    if provisional or warned:
        print(
            f"Note: locked with {provisional} provisional figure{'s' if provisional != 1 else ''}"
            f" and {warned} stored with accepted warnings; the cycle's page lists them.",
            file=sys.stderr,
        )


def _format_of(output: Path) -> str:
    """Return the format an output file's extension asks for; checked before any work."""
    from pmf.reports.formats import FORMATS

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise CommandError(f"{output}: give a .pdf, .docx, .pptx or .html file")
    return fmt


def _add_language(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--language",
        choices=["en", "cy"],  # pmf.web.papers.builders.common.PAPER_LANGUAGES
        default="en",
        help="write the paper in English (en, default) or Welsh (cy)",
    )


def _in_language(language: str) -> Any:
    """Return a context in which the papers are written in ``language`` ("en" or "cy")."""
    from pmf.web.papers.builders.common import written_in

    return written_in(language)


def _write_paper(cycle: Cycle, output: Path, kind: str = "board", language: str = "en") -> int:
    from pmf.web.papers.views import KINDS

    _format_of(output)
    build, title = KINDS[kind]
    with _in_language(language):
        try:
            document = build(cycle)
        except ValueError as error:
            raise CommandError(str(error)) from None
        return _write_document(document, output, f"{title} of cycle {cycle.number}")


def _write_document(document: Document, output: Path, what: str) -> int:
    from pmf.reports.formats import render_as

    output.write_bytes(render_as(document, _format_of(output)))
    print(f"Wrote {output}: the {what}.")
    return EXIT_OK


def _print_grades(cycle: Cycle) -> int:
    from pmf.web.frameworks.services import grade_scale

    scale = grade_scale(cycle.organisation)
    grades = list(cycle.grades.select_related("unit", "area"))
    if not grades:
        print(f"Cycle {cycle.number} has no grades yet: lock its data (pmf cycle advance).")
        return EXIT_OK
    areas = list(dict.fromkeys(grade.area.code for grade in grades))
    print("unit\t" + "\t".join(areas))
    rows: dict[str, dict[str, str]] = {}
    for grade in grades:
        rows.setdefault(grade.unit.code, {})[grade.area.code] = scale.label(grade.grade)
    for unit, cells in rows.items():
        print(unit + "\t" + "\t".join(cells.get(area, "-") for area in areas))
    return EXIT_OK


def _print_delay(organisation: Organisation, *, as_json: bool) -> int:
    """Print the reporting delay of every cycle: a sentence and a table, or JSON."""
    import json

    from pmf.web.cycles.delay import days_text, reporting_delay_data

    data = reporting_delay_data(organisation)
    if as_json:
        print(json.dumps({key: value for key, value in data.items() if key != "chart"}, indent=2))
        return EXIT_OK
    print(data["text"])
    print("cycle\tdata to\tlocked\tboard\tpublished")
    for row in data["cycles"]:
        print(
            f"{row['cycle']}\t{row['data_to']}\t{days_text(row['days_to_locked'])}\t"
            f"{days_text(row['days_to_board'], row['board_planned_days'])}\t"
            f"{days_text(row['days_to_published'])}"
        )
    return EXIT_OK


def _print_members(cycle: Cycle) -> int:
    """Print the units that joined or left the framework in the cycle's period."""
    from pmf.web.cycles.members import membership_changes
    from pmf.web.cycles.services import span_words

    changes = membership_changes(cycle)
    if not changes:
        print(
            f"No unit joined or left the framework in cycle {cycle.number} ({span_words(cycle)})."
        )
        return EXIT_OK
    for change in changes:
        print(f"{change['unit']}\t{change['change']}\t{change['text']}")
    return EXIT_OK
