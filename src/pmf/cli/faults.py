"""Turn faults of the machine into messages: a busy, full or read-only database, files, Ctrl+C.

The command line runs every command through ``explain`` (in ``pmf.cli.app``): a fault that is not
the user's input (the disk is full, another program holds the database, a file may not be
read) ends in a message naming the file, the cause and what to do, never in a traceback. Every
write is one transaction, undone when it fails, so the message can say that nothing was stored.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

NOTHING_STORED = "Nothing was stored."


def interrupted(command: str, *, writes_files: bool = False) -> str:
    """Say what Ctrl+C left behind: a write to the database under way is undone.

    A server or worker stopped by Ctrl+C is simply stopped: what it finished is stored.

    >>> interrupted("serve")
    'Stopped (Ctrl+C).'
    """
    if command in ("serve", "worker"):
        return "Stopped (Ctrl+C)."
    files = " Files it was writing may be incomplete." if writes_files else ""
    return (
        "Interrupted (Ctrl+C): pmf stopped, and what it was writing to the database was "
        f"undone. {NOTHING_STORED}{files} Run the command again to do it."
    )


def explain(error: BaseException) -> str | None:
    """Return the message for a fault of the system, or None if it is not one we know."""
    from django.db import DatabaseError, OperationalError

    # The database's own faults (busy, full, read-only, unreachable, damaged: OperationalError,
    # or plain DatabaseError for a damaged file); an IntegrityError or ProgrammingError is
    # pmf's fault, and keeps its traceback.
    if isinstance(error, OperationalError | sqlite3.OperationalError) or type(error) in (
        DatabaseError,
        sqlite3.DatabaseError,
    ):
        return _database(error)
    if isinstance(error, OSError):
        return file_fault(error)
    from pmf.web.env import SettingError

    # A setting pmf cannot use (PMF_SECRET_KEY, a bad number): its message names the variable.
    if isinstance(error, SettingError):
        return str(error)
    return None


def file_fault(
    error: OSError,
    path: Path | str | None = None,
    *,
    doing: str = "",
    outcome: str = NOTHING_STORED,
) -> str:
    """Describe a failed file operation: the path, the cause, what to do and what came of it.

    ``doing`` is what pmf was doing with it ("read", "write"), when the caller knows.

    >>> file_fault(IsADirectoryError(errno.EISDIR, "Is a directory", "data"), doing="read")
    'data: is a folder, not a file. Give the path of a file. Nothing was stored.'
    """
    name = str(path if path is not None else (error.filename or "a file"))
    verb = doing or "open"
    code = error.errno
    if code is None:
        # Polars (Rust) raises OSError with the number in its message only: "... (os error 2)".
        found = re.search(r"os error (\d+)", str(error))
        code = int(found.group(1)) if found else None
        if code is None and os.path.isdir(name):
            code = errno.EISDIR
    if code == errno.EISDIR:
        cause = "is a folder, not a file. Give the path of a file."
    elif code in (errno.EACCES, errno.EPERM):
        cause = (
            f"permission denied: the user running pmf ({_user()}) may not {verb} it. Change its "
            "permissions (or its folder's), or run pmf as a user who may."
        )
    elif code == errno.ENOENT:
        cause = (
            "no such file or folder. Check the path; a file pmf writes must be in a folder "
            "that exists."
        )
    elif code == errno.ENOTDIR:
        cause = "part of the path is a file, not a folder. Check the path."
    elif code in (errno.ENOSPC, errno.EDQUOT):
        cause = "the disk is full (or your quota is used up). Free some space, then try again."
    elif code == errno.EROFS:
        cause = "the disk holding it is read-only. Choose a file on a disk pmf may write to."
    elif code == errno.EFBIG:
        cause = "the file is too large for this system. Free some space or raise the limit."
    else:
        cause = f"cannot {verb} it: {error.strerror or error}."
    return f"{name}: {cause} {outcome}".rstrip()


def _database(error: BaseException) -> str:
    """Describe a database fault: busy, full, read-only, unreachable, or as the database says."""
    text = str(error).strip()
    lowered = text.lower()
    where = _database_name()
    if "database is locked" in lowered or "database table is locked" in lowered:
        holders = list(_holders())
        who = (
            "the programs that have it open: " + "; ".join(holders[:5])
            if holders
            else "another pmf command (an import, a restore), the web application or its "
            "background worker"
        )
        seconds = _timeout()
        return (
            f"The database {where} is busy: another program has been writing to it for longer "
            f"than pmf waits ({seconds} second{'' if seconds == 1 else 's'}); {who}. "
            f"{NOTHING_STORED} Wait for it to "
            "finish (a large import can take minutes), then run the command again. If nothing "
            "should be writing, stop the program named. PMF_DATABASE_TIMEOUT sets how long pmf "
            "waits."
        )
    if (
        "database or disk is full" in lowered
        or "no space left" in lowered
        or "disk full" in (lowered)
    ):
        return (
            f"The database {where} is full: the disk holding it has no space left, or the "
            f"database has reached the size it may grow to. {NOTHING_STORED} Free some space on "
            "that disk (or raise the limit), then run the command again."
        )
    if "readonly database" in lowered or "read-only" in lowered:
        return (
            f"The database {where} may not be written: the file or its folder is read-only to "
            f"the user running pmf ({_user()}). SQLite writes two files beside it (-wal and "
            f"-shm), so its folder must be writable too. {NOTHING_STORED} Give this user "
            "permission to write the file and its folder, or set DATABASE_URL to a database it "
            "may write."
        )
    if "unable to open database file" in lowered:
        return (
            f"The database {where} cannot be opened: its folder does not exist, or the user "
            f"running pmf ({_user()}) may not read and write there. {NOTHING_STORED} Create "
            "the folder or give this user permission, or set DATABASE_URL to another database."
        )
    if "disk i/o error" in lowered:
        return (
            f"The database {where} could not be written to disk (disk I/O error): the disk "
            f"may be full, failing or removed. {NOTHING_STORED} Check the disk and free some "
            "space, then run the command again."
        )
    if "file is not a database" in lowered or "malformed" in lowered:
        return (
            f"The database {where} is damaged or is not a pmf database ({text}). "
            f"{NOTHING_STORED} Restore it from a backup (pmf restore), or set DATABASE_URL to "
            "the right file."
        )
    return (
        f"The database {where} refused: {text}. {NOTHING_STORED} Check that it is running and "
        "reachable, and that DATABASE_URL names it, then run the command again."
    )


def _database_name() -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return str(database["NAME"])
    host = database.get("HOST") or "localhost"
    return f"{database.get('NAME')} on {host}"


def _timeout() -> int:
    from django.conf import settings

    return int(settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 5))


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, AttributeError):
        return "this user"


def _holders() -> Iterator[str]:
    """Yield the other processes that have the SQLite database open, with their commands.

    Reads /proc (Linux): elsewhere, or where other users' processes may not be read, it
    yields nothing and the message says who may be writing instead.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        return
    try:
        target = os.path.realpath(database["NAME"])
        files = {target, f"{target}-wal", f"{target}-shm", f"{target}-journal"}
        processes = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
    except OSError:
        return
    for pid in processes:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if not any(os.readlink(f"/proc/{pid}/fd/{fd}") in files for fd in fds):
                continue
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        words = [word.decode(errors="replace") for word in raw.split(b"\0") if word]
        yield f"process {pid} ({_command(words)})"


def _command(words: list[str]) -> str:
    """Name a process's command briefly: ``pmf import figures.csv``, ``python -c ...``."""
    if not words:
        return "unknown"
    shown = [Path(words[0]).name, *words[1:]]
    if len(shown) > 2 and shown[1] == "-m" and shown[2] == "pmf.cli":
        shown = ["pmf", *shown[3:]]
    elif len(shown) > 1 and Path(shown[1]).name == "pmf":
        shown = ["pmf", *shown[2:]]
    text = " ".join(" ".join(shown).split())
    return text if len(text) <= 80 else text[:79] + "…"
