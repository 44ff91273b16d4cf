"""Run pmf production-style: gunicorn serving the WSGI application, WhiteNoise the static files."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication


class PmfServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn, configured in code instead of a file, serving ``pmf.web.wsgi``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from pmf.web.wsgi import application

        return application


def serve(host: str, port: int, workers: int, *, worker: bool = True) -> None:
    """Collect the static files and serve until interrupted, with a background worker beside.

    The worker (``pmf worker``) is a separate process, so that a long import never holds up a
    web request; it stops with the server.
    """
    from django.core.management import call_command
    from django.db import connections

    call_command("collectstatic", interactive=False, verbosity=0)
    # Migrating opened a database connection in this process, kept open (CONN_MAX_AGE).
    # Gunicorn forks its workers from here: each would inherit the same socket, and two
    # workers talking over one connection read each other's answers. Each opens its own.
    connections.close_all()
    background = start_worker() if worker and uses_database_tasks() else None
    try:
        PmfServer(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "accesslog": "-",
                "errorlog": "-",
                "timeout": 60,
                # Gunicorn's control socket is one path per machine (~/.gunicorn): two servers
                # on one machine would share it. pmf needs none.
                "control_socket_disable": True,
            }
        ).run()
    finally:
        if background is not None:
            stop_worker(background)


def uses_database_tasks() -> bool:
    """Return True when background jobs are queued in the database (and need a worker)."""
    from django_tasks import default_task_backend
    from django_tasks_db import DatabaseBackend

    return isinstance(default_task_backend, DatabaseBackend)


def start_worker() -> subprocess.Popen[bytes]:
    """Start ``pmf worker`` as a child process with the same settings."""
    return subprocess.Popen([sys.executable, "-m", "pmf.cli", "worker"])


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Ask the worker to finish its job and stop; kill it if it takes longer than ``timeout``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
