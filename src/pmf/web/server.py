"""Run pmf production-style: gunicorn serving the WSGI application, WhiteNoise the static files.

Two processes in turn (ADR 0023). ``serve`` runs in the command's own process, which has set
Django up and may have computed with Polars (``pmf demo`` prints a scorecard): it collects the
static files and then replaces itself, through ``exec``, with a fresh interpreter running this
module's ``main``. That interpreter imports gunicorn and nothing of Django, Polars, NumPy or
PyArrow before gunicorn forks its workers, so no worker is ever forked from a process in which
a thread pool has started: a child forked from such a process inherits the pool's locks but
not its threads, and waits on them for ever. Each worker loads the application after the fork.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from gunicorn.app.base import BaseApplication
from gunicorn.errors import HaltServer

# Seconds a worker has to finish its request when told to stop, before it is killed; Ctrl+C
# stops the server within about this long even if a request is stuck.
GRACEFUL_TIMEOUT = 5
# Seconds the background worker has to stop once told to, before it is killed.
WORKER_STOP_TIMEOUT = 5
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class PmfServer(BaseApplication):
    """Gunicorn, configured in code instead of a file, serving ``pmf.web.config.wsgi``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Called in each worker after the fork (gunicorn's preload_app is off).
        from django.conf import settings

        from pmf.web.env import refuse_published_secret_key

        # Also when this module is run directly, without `pmf serve`'s own check.
        refuse_published_secret_key(debug=settings.DEBUG, secret_key=settings.SECRET_KEY)
        from pmf.web.config.wsgi import application

        return application


def serve(
    host: str, port: int, workers: int, *, worker: bool = True, throwaway_key: bool = False
) -> NoReturn:
    """Collect the static files, then hand over to a fresh interpreter that serves until stopped.

    Never returns: the process becomes the gunicorn master (same process id, so Ctrl+C and
    service managers reach it), with a background worker (``pmf worker``) beside it unless
    ``worker`` is False or background jobs do not use the database. Raise ``SettingError``
    when ``PMF_SECRET_KEY`` is the published default and debug is off, unless
    ``throwaway_key`` (the demo) asks for a random key of this run's own instead.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from pmf.web.env import PUBLISHED_SECRET_KEYS, refuse_published_secret_key

    if throwaway_key and settings.SECRET_KEY in PUBLISHED_SECRET_KEYS:
        # Read by the fresh interpreter's settings: sign-ins last as long as this run.
        os.environ["PMF_SECRET_KEY"] = secrets.token_urlsafe(50)
    else:
        refuse_published_secret_key(debug=settings.DEBUG, secret_key=settings.SECRET_KEY)
    from pmf.web.accounts.sso import refuse_bad_mapping

    refuse_bad_mapping()  # single sign-on's groups naming units pmf does not hold
    call_command("collectstatic", interactive=False, verbosity=0)
    background = worker and uses_database_tasks()
    # Migrating opened a database connection (kept open, CONN_MAX_AGE). Close it cleanly
    # rather than let exec drop it (libpq and SQLite close their files on exec), and so that
    # nothing of it could reach a worker. Each gunicorn worker opens its own after the fork.
    connections.close_all()
    # Exec discards whatever Python has buffered: the demo's sign-ins would never be printed.
    sys.stdout.flush()
    sys.stderr.flush()
    command = server_command(host, port, workers, worker=background)
    os.execv(sys.executable, command)  # noqa: S606 - our own interpreter and module, no shell


def server_command(host: str, port: int, workers: int, *, worker: bool) -> list[str]:
    """Return the command line of the fresh interpreter that ``serve`` becomes."""
    command = [sys.executable, "-m", "pmf.web.server", "--host", host, "--port", str(port)]
    command += ["--workers", str(workers)]
    return command if worker else [*command, "--no-worker"]


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until stopped: the gunicorn master, started by ``serve`` through exec.

    Imports no Django, Polars, NumPy or PyArrow: run it directly only after ``pmf migrate``
    and collectstatic (``pmf serve`` does both).
    """
    parser = argparse.ArgumentParser(prog="python -m pmf.web.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-worker", action="store_true")
    args = parser.parse_args(argv)
    background = None if args.no_worker else start_worker()
    try:
        PmfServer(
            {
                "bind": f"{args.host}:{args.port}",
                "workers": args.workers,
                "accesslog": "-",
                "errorlog": "-",
                "timeout": 60,
                "graceful_timeout": GRACEFUL_TIMEOUT,
                # Checked before every fork, also of a worker started again after a crash.
                "pre_fork": refuse_fork_after_threads,
                "post_fork": worker_started,
                "worker_int": worker_interrupted,
                # Gunicorn's control socket is one path per machine (~/.gunicorn): two servers
                # on one machine would share it. pmf needs none; and its server is a thread,
                # which would be running in the master when a worker is started again.
                "control_socket_disable": True,
            }
        ).run()
    finally:
        if background is not None:
            stop_worker(background)
    return 0


def threads_in_this_process() -> int:
    """Return how many threads this process runs: all of them on Linux, Python's elsewhere."""
    tasks = Path("/proc/self/task")
    if tasks.is_dir():
        return len(list(tasks.iterdir()))
    return threading.active_count()


def refuse_fork_after_threads(server: object, worker: object) -> None:
    """Stop the server rather than fork a worker from a process that runs more than one thread.

    The fork copies only the calling thread: locks held by the others (a thread pool's) stay
    held in the worker for ever, and the worker hangs on its first computation.
    """
    count = threads_in_this_process()
    if count > 1:
        raise HaltServer(
            f"the server process runs {count} threads; a worker forked from it could hang "
            "(see docs/adr/0023). Start it with pmf serve.",
            1,
        )


def worker_started(server: object, worker: object) -> None:
    """Run in each gunicorn worker just after the fork: it stops with the master."""
    stop_with_parent()


def worker_interrupted(worker: object) -> None:
    """End a gunicorn worker at once on Ctrl+C (SIGINT) or SIGQUIT: gunicorn's quick shutdown.

    A normal exit tears down the interpreter, which frees every object of Django, Polars and
    NumPy one by one: a second or more of processor time for each worker, several seconds on a
    busy machine, with nothing to save (a request in hand is abandoned either way; its
    database transaction rolls back). SIGTERM still lets the worker finish its request.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def uses_database_tasks() -> bool:
    """Return True when background jobs are queued in the database (and need a worker)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    # Not ``default_task_backend``: a proxy, never an instance of the backend's class.
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def start_worker() -> subprocess.Popen[bytes]:
    """Start ``pmf worker`` as a child process with the same settings."""
    return subprocess.Popen(
        [sys.executable, "-m", "pmf.cli", "worker"], preexec_fn=stop_with_parent
    )


def stop_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent dies; elsewhere do nothing.

    Called in each child just after the fork: gunicorn's workers (its post_fork hook) and the
    background worker (before exec), so that a server killed outright leaves no process behind.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_worker(process: subprocess.Popen[bytes], timeout: float = WORKER_STOP_TIMEOUT) -> None:
    """Tell the worker to stop; kill it if it has not stopped within ``timeout`` seconds.

    Ctrl+C has reached the worker too (the terminal signals the whole process group): it has
    stopped already if it was idle, or is finishing its job; this second signal tells
    ``db_worker`` to stop at once. An import it was running is stored all or nothing: it
    leaves no figures behind.
    """
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
