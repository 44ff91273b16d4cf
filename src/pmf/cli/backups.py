"""Backups on the command line: ``pmf backup`` and ``pmf restore`` (ADR 0021)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pmf.cli.base import EXIT_OK, CommandError, Needs, register
from pmf.cli.faults import file_fault


def _backup_arguments(backup: argparse.ArgumentParser) -> None:
    backup.add_argument("file", type=Path, help="the archive to write (replaced if it exists)")


def _restore_arguments(restore: argparse.ArgumentParser) -> None:
    restore.add_argument("file", type=Path, help="an archive written by pmf backup")
    restore.add_argument(
        "--replace",
        action="store_true",
        help="delete everything in the database first (default: refuse unless it is empty)",
    )


# A backup changes nothing, not even the tables: it refuses an unmigrated database.
@register(
    "backup",
    "Write the whole database to one archive file.",
    "pmf backup pmf-2026-11-30.zip",
    arguments=_backup_arguments,
    description="Write the whole database to one archive file (readable by you only: it "
    "holds password and token hashes). Uploads waiting for their import are left out.",
    needs=Needs.DJANGO,
)
def backup(args: argparse.Namespace) -> int:
    """Run ``pmf backup``."""
    return _run(args)


@register(
    "restore",
    "Restore a backup into the configured database, all or nothing.",
    "DATABASE_URL=postgres://pmf@db/pmf pmf restore pmf-2026-11-30.zip",
    arguments=_restore_arguments,
    description="Restore a backup into the configured database, all or nothing: checked "
    "first, written in one transaction.",
)
def restore(args: argparse.Namespace) -> int:
    """Run ``pmf restore``."""
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run ``pmf backup`` or ``pmf restore``, naming the archive in every fault."""
    from pmf.core.text import plural
    from pmf.web import backup as archive

    try:
        if args.command == "backup":
            summary = archive.backup(args.file)
            print(
                f"Backed up {summary.total:,} rows from {len(summary.rows)} tables to "
                f"{args.file} (readable by you only)."
            )
        else:
            summary = archive.restore(args.file, replace=args.replace)
            print(
                f"Restored {summary.total:,} rows into {len(summary.rows)} tables from {args.file}."
            )
            if summary.uploads_left_out:
                print(
                    f"Left out {plural(summary.uploads_left_out, 'upload')} that waited for "
                    "import when the backup was made: upload those files again."
                )
    except (archive.BackupRefused, archive.RestoreRefused) as error:
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
