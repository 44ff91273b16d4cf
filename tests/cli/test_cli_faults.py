"""Faults of the machine on the command line: a clear message, a non-zero exit, nothing stored.

Each fault is made for real: the real `pmf` command runs as a process of its own on a SQLite
file (a copy of one with the test framework loaded), against a second process holding the
database's write lock, a database SQLite reports full (its page limit, ``PRAGMA
max_page_count``: the error a full disk gives), files and folders the user running pmf may not
read or write, Ctrl+C (SIGINT) sent while figures are being written, and a backup whose
compressed members are damaged. The test reads the
database afterwards to see that nothing was stored.

Root reads and writes whatever the permissions say: run as root, the permission faults are
made by running pmf as the unprivileged user ``nobody``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.factories import GOOD

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
FIGURES = (
    "unit,measure,period,value,numerator,denominator\n"
    "N,CR,2018-07,,8,1000\nS,CR,2018-07,,4,1000\n"
    "N,CR,2019-07,,6,1000\nS,CR,2019-07,,4,1000\n"
    "N,ER,2019-07,75,,\nS,ER,2019-07,85,,\n"
)
NOBODY = 65534

# Runs the command line with one fault arranged on the database connection when it opens:
# "full:N" lets the database grow by N pages only (SQLite then answers "database or disk is
# full", as on a full disk); "interrupt:TABLE" sends this process SIGINT, as Ctrl+C does, just
# after the first row is written to TABLE; "none" arranges nothing.
HARNESS = """
import os, signal, sys
from pmf.web.setup import setup_django
setup_django()
from django.db.backends.signals import connection_created
fault, argv = sys.argv[1], sys.argv[2:]
def arrange(sender, connection, **kwargs):
    if fault.startswith("full:"):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0] + int(fault[5:])
            cursor.execute(f"PRAGMA max_page_count = {pages}")
    elif fault.startswith("interrupt:"):
        table = fault[len("interrupt:"):]
        sent = []
        def interrupt(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if not sent and sql.lstrip().upper().startswith("INSERT") and table in sql:
                sent.append(True)
                os.kill(os.getpid(), signal.SIGINT)
            return result
        connection.execute_wrappers.append(interrupt)
connection_created.connect(arrange)
from pmf.cli import main
sys.exit(main(argv))
"""


@dataclass
class Place:
    """A folder everyone may enter, holding a database with the test framework loaded."""

    folder: Path
    database: Path

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "DJANGO_SETTINGS_MODULE": "pmf.web.config.settings",
            "PMF_UPLOAD_DIR": str(self.folder / "uploads"),
            "PMF_CACHE_DIR": str(self.folder / "cache"),
            "HOME": str(self.folder),
            **extra,
        }

    def pmf(
        self, *args: str, fault: str = "none", as_nobody: bool = False, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run ``pmf ARGS`` here, with a fault arranged, as ``nobody`` if asked and root."""
        drop: list[str] = []
        if as_nobody and os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("run as root, and setpriv (util-linux) is missing to run as nobody")
            drop = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        return subprocess.run(
            [*drop, sys.executable, "-c", HARNESS, fault, *args],
            env=self.env(**env),
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )

    def count(self, table: str) -> int:
        with sqlite3.connect(self.database) as connection:
            return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Make, once, a migrated database with the test framework loaded."""
    folder = tmp_path_factory.mktemp("template")
    (folder / "framework.yaml").write_text(GOOD, encoding="utf-8")
    place = Place(folder, folder / "pmf.sqlite3")
    loaded = place.pmf("framework", "load", str(folder / "framework.yaml"))
    assert loaded.returncode == 0, loaded.stderr
    return place.database


@pytest.fixture
def place(template: Path) -> Iterator[Place]:
    """Give a folder anyone may enter and write (for ``nobody``), with its own database copy."""
    folder = Path(tempfile.mkdtemp(prefix="pmf-faults-"))
    try:
        folder.chmod(0o777)
        database = folder / "pmf.sqlite3"
        shutil.copyfile(template, database)
        if os.geteuid() == 0:
            os.chown(database, NOBODY, NOBODY)
        yield Place(folder, database)
    finally:
        for path in (folder, *folder.rglob("*")):
            if path.is_dir():
                path.chmod(0o777)
        shutil.rmtree(folder)


def figures(place: Place, text: str = FIGURES, name: str = "figures.csv") -> Path:
    path = place.folder / name
    path.write_text(text, encoding="utf-8")
    return path


def no_traceback(run: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in run.stderr, run.stderr
    return run.stderr


# Files the user gives


def test_importing_a_folder_names_it_and_stores_nothing(place: Place) -> None:
    run = place.pmf("import", str(place.folder))
    assert run.returncode == 2
    err = no_traceback(run)
    assert f"{place.folder}: is a folder, not a file. Give the path of a CSV or XLSX file" in err
    assert "Nothing was stored." in err
    assert place.count("observations_observation") == 0


def test_importing_a_file_pmf_may_not_read_names_it_and_the_user(place: Place) -> None:
    path = figures(place)
    path.chmod(0)
    run = place.pmf("import", str(path), as_nobody=True)
    assert run.returncode == 1
    err = no_traceback(run)
    assert f"{path}: permission denied: the user running pmf (" in err
    assert "may not read it. Change its permissions" in err
    assert place.count("observations_observation") == 0


def test_errors_into_a_missing_folder_or_onto_a_folder_is_refused_before_anything(
    place: Place,
) -> None:
    path = figures(place, FIGURES + "N,ER,2019-08,lots,,\n")
    missing = place.folder / "none" / "problems.csv"
    run = place.pmf("import", str(path), "--errors", str(missing))
    assert run.returncode == 2
    assert (
        f"--errors {missing}: the folder {missing.parent} does not exist. Create it first"
        in no_traceback(run)
    )
    run = place.pmf("import", str(path), "--errors", str(place.folder))
    assert run.returncode == 2
    assert f"--errors {place.folder}: is a folder, not a file." in no_traceback(run)
    assert place.count("observations_observation") == 0


def test_errors_that_cannot_be_written_still_lists_the_problems(place: Place) -> None:
    path = figures(place, FIGURES + "N,ER,2019-08,lots,,\n")
    locked = place.folder / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    run = place.pmf("import", str(path), "--errors", str(locked / "e.csv"), as_nobody=True)
    assert run.returncode == 1
    err = no_traceback(run)
    assert "row 8, column 'value', value 'lots': is not a number" in err
    assert f"--errors {locked / 'e.csv'}: permission denied" in err
    assert place.count("observations_observation") == 0


# The database


def test_a_database_another_program_holds_says_busy_who_holds_it_and_what_to_do(
    place: Place,
) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "connection = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "connection.execute('BEGIN IMMEDIATE')\n"
            "print('holding', flush=True)\n"
            "time.sleep(60)\n",
            str(place.database),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        started = time.monotonic()
        run = place.pmf("import", str(figures(place)), PMF_DATABASE_TIMEOUT="1")
        assert time.monotonic() - started < TIMEOUT
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 1
    err = no_traceback(run)
    assert f"The database {place.database} is busy" in err
    assert "longer than pmf waits (1 second)" in err
    if sys.platform == "linux":
        assert f"process {holder.pid} (" in err
    assert "Nothing was stored. Wait for it to finish" in err
    assert "PMF_DATABASE_TIMEOUT sets how long pmf waits" in err
    assert place.count("observations_observation") == 0


def test_a_full_disk_during_import_says_so_and_stores_nothing(place: Place) -> None:
    wide = "unit,measure,period,value\n" + "".join(
        f"{unit},ER,{year}-{month:02},{70 + month}\n"
        for unit in "NS"
        for year in range(1990, 2020)
        for month in range(1, 13)
    )
    run = place.pmf("import", str(figures(place, wide)), fault="full:3")
    assert run.returncode == 1
    err = no_traceback(run)
    assert f"The database {place.database} is full: the disk holding it has no space" in err
    assert "Nothing was stored. Free some space on that disk" in err
    assert place.count("observations_observation") == 0
    assert place.count("observations_importbatch") == 0


def test_a_full_disk_during_migrate_says_the_updates_before_it_stay(place: Place) -> None:
    place.database.unlink()
    run = place.pmf("migrate", fault="full:30")
    assert run.returncode == 1
    err = no_traceback(run)
    assert "is full: the disk holding it has no space left" in err
    assert "the updates finished before this stay, and pmf migrate carries on" in err
    # Room again: migrate carries on and finishes.
    assert place.pmf("migrate").returncode == 0


def test_a_full_disk_during_example_load_leaves_no_half_loaded_organisation(
    place: Place,
) -> None:
    place.database.unlink()
    assert place.pmf("migrate").returncode == 0
    # Room for the framework, not for its figures: before, the organisation stayed half made.
    run = place.pmf("example", "load", "police", fault="full:200")
    assert run.returncode == 1
    assert "is full: the disk holding it has no space left" in no_traceback(run)
    assert "Metropolitan Police Service:" not in run.stdout
    for table in ("frameworks_organisation", "frameworks_unit", "observations_observation"):
        assert place.count(table) == 0, table


def test_a_read_only_database_says_who_may_not_write_it_and_what_to_do(place: Place) -> None:
    place.database.chmod(0o444)
    place.folder.chmod(0o555)
    run = place.pmf("import", str(figures(place)), as_nobody=True)
    place.folder.chmod(0o777)
    assert run.returncode == 1
    err = no_traceback(run)
    assert f"The database {place.database} may not be written" in err
    assert "its folder must be writable too. Nothing was stored." in err
    assert "or set DATABASE_URL to a database it may write" in err
    assert place.count("observations_observation") == 0


def test_a_database_in_a_missing_folder_says_it_cannot_be_opened_and_why(place: Place) -> None:
    database = place.folder / "none" / "pmf.sqlite3"
    run = place.pmf("migrate", DATABASE_URL=f"sqlite:///{database}")
    assert run.returncode == 1
    err = no_traceback(run)
    assert f"The database {database} cannot be opened: its folder does not exist" in err
    assert "or set DATABASE_URL to another database" in err
    assert not database.parent.exists()


# Ctrl+C


def test_ctrl_c_during_import_says_nothing_was_stored_and_undoes_the_rows_written(
    place: Place,
) -> None:
    run = place.pmf("import", str(figures(place)), fault="interrupt:observations_observation")
    assert run.returncode == 130
    err = no_traceback(run)
    assert (
        "Interrupted (Ctrl+C): pmf stopped, and what it was writing to the database was undone."
        in err
    )
    assert "Nothing was stored." in err
    assert place.count("observations_observation") == 0
    assert place.count("observations_importbatch") == 0


def test_ctrl_c_during_example_load_leaves_no_organisation(place: Place) -> None:
    place.database.unlink()
    assert place.pmf("migrate").returncode == 0
    run = place.pmf("example", "load", "police", fault="interrupt:observations_observation")
    assert run.returncode == 130
    assert "Nothing was stored." in no_traceback(run)
    assert place.count("frameworks_organisation") == 0
    assert place.count("observations_observation") == 0


# A damaged backup


def damage(archive: Path, member: str) -> None:
    """Overwrite the start of a member's compressed data, as a bad disk sector would."""
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(member)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    with archive.open("r+b") as raw:
        raw.seek(info.header_offset + 26)
        name_length, extra_length = struct.unpack("<HH", raw.read(4))
        raw.seek(info.header_offset + 30 + name_length + extra_length)
        raw.write(b"\xff" * min(16, info.compress_size))


@pytest.mark.parametrize("member", ["manifest.json", "tables/frameworks_unit.jsonl"])
def test_restore_of_an_archive_with_a_damaged_compressed_member_names_it_and_restores_nothing(
    place: Place, member: str
) -> None:
    archive = place.folder / "nightly.zip"
    assert place.pmf("backup", str(archive)).returncode == 0
    damage(archive, member)
    run = place.pmf("restore", "--replace", str(archive))
    assert run.returncode == 1
    err = no_traceback(run)
    assert f"nightly.zip: {member} cannot be read (" in err
    assert "the archive is damaged. Nothing was restored" in err
    # --replace deleted nothing: the framework loaded before is still there.
    assert place.count("frameworks_organisation") == 1
    assert place.count("frameworks_unit") == 4


def test_backup_into_a_missing_folder_names_the_archive_given(place: Place) -> None:
    archive = place.folder / "none" / "nightly.zip"
    run = place.pmf("backup", str(archive))
    assert run.returncode == 1
    err = no_traceback(run)
    assert f"{archive}: no such file or folder." in err
    assert ".partial" not in err
    assert "No backup was written." in err


def test_a_statistics_output_in_a_missing_folder_or_onto_a_folder_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    series = tmp_path / "series.csv"
    series.write_text("month,value\n2020-01,1\n2020-02,2\n2020-03,3\n", encoding="utf-8")
    spc = ["stats", "spc", str(series), "--value", "value", "--date", "month", "--output"]
    missing = tmp_path / "none" / "points.csv"
    assert main([*spc, str(missing)]) == 1
    assert f"{missing}: no such file or folder. Check the path" in capsys.readouterr().err
    assert main([*spc, str(tmp_path)]) == 1
    assert f"{tmp_path}: is a folder, not a file." in capsys.readouterr().err
