"""Owners' commentary on the command line: ``pmf commentary list``, ``export`` and ``import``.

Commentary is written on the measure's page, through the API or from a CSV file here: one
row per measure, unit and period, with the owner asked for it and its words. An import is
all rows or none, every problem named by row and column.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from pmf.web.frameworks.models import Organisation

COLUMNS = ("measure", "unit", "period", "owner", "due_date", "what_happened", "why", "action")
EXPORTED = (*COLUMNS, "written_at", "overdue", "contradicts")


def _commentary_arguments(commentary: argparse.ArgumentParser) -> None:
    group = actions(commentary)
    listed = command(
        group,
        "list",
        "List commentary: by default what the statistics contradict and what is overdue.",
        ("pmf commentary list -o TST", "pmf commentary list -o TST --all --period 2019-07"),
    )
    add_organisation(listed)
    listed.add_argument("--period", help="only this period (e.g. 2019-07)")
    listed.add_argument(
        "--all", action="store_true", help="every commentary, not only flagged or overdue"
    )
    exported = command(
        group,
        "export",
        "Write every commentary (its latest version) to a CSV file, formulas neutralised.",
        "pmf commentary export -o TST commentary.csv",
    )
    add_organisation(exported)
    exported.add_argument("file", type=Path, help="the CSV file to write")
    exported.add_argument("--period", help="only this period (e.g. 2019-07)")
    imported = command(
        group,
        "import",
        "Write or ask for commentary from a CSV file: all rows or none. Columns: "
        + ", ".join(COLUMNS)
        + " (a row with an owner asks for it; one with words writes a new version).",
        "pmf commentary import -o TST commentary.csv",
    )
    add_organisation(imported)
    imported.add_argument("file", type=Path, help="the CSV file to read")


@register(
    "commentary",
    "Work with owners' commentary on their figures.",
    ("pmf commentary list -o TST", "pmf commentary import -o TST commentary.csv"),
    arguments=_commentary_arguments,
)
def commentary(args: argparse.Namespace) -> int:
    """Run ``pmf commentary list``, ``export`` or ``import``."""
    organisation = base.organisation(args.organisation)
    if args.action == "import":
        return _import(organisation, args.file)
    from pmf.web.commentary.presenters import commentary_list_page

    show = "all" if args.action == "export" or getattr(args, "all", False) else ""
    page = commentary_list_page(organisation, None, {"show": show, "period": args.period or ""})
    if args.action == "export":
        return _export(page["commentary"], args.file)
    counts = page["counts"]
    print(
        f"{organisation.code}: {counts['total']} commentary asked for or written, "
        f"{counts['written']} written, {counts['flagged']} flagged, {counts['overdue']} overdue."
    )
    for row in page["commentary"]:
        state = "written" if row["written"] else "not written"
        if row["overdue"]:
            state += ", overdue"
        owner = row["owner"] or "no owner"
        print(
            f"{row['period']} {row['unit']} {row['measure']}: {state} ({owner}, due "
            f"{row['due_date']})"
        )
        for flag in row["flags"]:
            print(f"  says \u201c{flag['words']}\u201d, but {flag['reason']}")
    return EXIT_OK


def _export(rows: list[dict[str, object]], path: Path) -> int:
    import csv

    from pmf.sources.exporters import neutralise

    if not path.parent.exists():
        raise CommandError(f"{path}: the folder {path.parent} does not exist.")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORTED)
        for row in rows:
            flags = row["flags"]
            assert isinstance(flags, list)
            said = "; ".join(f"{flag['words']}: {flag['reason']}" for flag in flags)
            values = [row.get(name) for name in COLUMNS[:3]]
            values += [row["owner"] or "", row["due_date"]]
            values += [row[name] for name in COLUMNS[5:]]
            values += [row["written_at"] or "", "yes" if row["overdue"] else "no", said]
            writer.writerow([neutralise(value) for value in values])
    print(f"{len(rows)} commentary written to {path}.")
    return EXIT_OK


def _import(organisation: Organisation, path: Path) -> int:
    import csv

    from pmf.web.commentary.services import RowsRefused, write_rows

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = list(reader)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file.") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise CommandError(f"{path}: not a CSV file in UTF-8 ({error}).") from None
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in ("measure", "unit", "period") if name not in header]
    if unknown or missing:
        said = []
        if missing:
            said.append("missing column(s): " + ", ".join(missing))
        if unknown:
            said.append("unknown column(s): " + ", ".join(unknown))
        raise CommandError(
            f"{path}: {'; '.join(said)}. The columns are {', '.join(COLUMNS)}. Nothing was stored."
        )
    try:
        count = write_rows(organisation, None, rows)
    except RowsRefused as refused:
        # Row 1 of the data is line 2 of the file, under its header.
        for row, field, reason in refused.problems:
            print(f"{path}, row {row + 1}, {field}: {reason}", file=sys.stderr)
        print(f"{path}: nothing was stored.", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"{path}: {count} commentary row(s) stored; earlier versions are kept.")
    return EXIT_OK
