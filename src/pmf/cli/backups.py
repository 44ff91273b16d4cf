"""Backups on the command line: ``pmf backup`` and ``pmf restore`` (ADR 0021)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pmf.cli import EXIT_OK, CommandError
from pmf.core.text import plural
from pmf.faults import file_fault


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``pmf backup`` and ``pmf restore`` to the command line."""
    backup = commands.add_parser(
        "backup",
        help="Write the whole database to one archive file.",
        description="Write the whole database to one archive file (readable by you only: it "
        "holds password and token hashes). Uploads waiting for their import are left out.",
        epilog="Example:\n  pmf backup pmf-2026-11-30.zip",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument("file", type=Path, help="the archive to write (replaced if it exists)")
    restore = commands.add_parser(
        "restore",
        help="Restore a backup into the configured database, all or nothing.",
        description="Restore a backup into the configured database, all or nothing: checked "
        "first, written in one transaction.",
        epilog="Example:\n  DATABASE_URL=postgres://pmf@db/pmf pmf restore pmf-2026-11-30.zip",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument("file", type=Path, help="an archive written by pmf backup")
    restore.add_argument(
        "--replace",
        action="store_true",
        help="delete everything in the database first (default: refuse unless it is empty)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``pmf backup`` or ``pmf restore``."""
    from pmf.web import backup

    try:
        if args.command == "backup":
            summary = backup.backup(args.file)
            print(
                f"Backed up {summary.total:,} rows from {len(summary.rows)} tables to "
                f"{args.file} (readable by you only)."
            )
        else:
            summary = backup.restore(args.file, replace=args.replace)
            print(
                f"Restored {summary.total:,} rows into {len(summary.rows)} tables from {args.file}."
            )
            if summary.uploads_left_out:
                print(
                    f"Left out {plural(summary.uploads_left_out, 'upload')} that waited for "
                    "import when the backup was made: upload those files again."
                )
    except (backup.BackupRefused, backup.RestoreRefused) as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        # Name the archive the user gave, not the partial file written beside it.
        if args.command == "backup":
            raise CommandError(
                file_fault(error, args.file, doing="write", outcome="No backup was written.")
            ) from None
        raise CommandError(
            file_fault(error, args.file, doing="read", outcome="Nothing was restored.")
        ) from None
    return EXIT_OK
