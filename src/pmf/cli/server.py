"""Running pmf on the command line: ``pmf demo``, ``serve``, ``worker`` and ``migrate``."""

from __future__ import annotations

import argparse
import os
from typing import NoReturn

from pmf.cli.base import EXIT_OK, register


def _demo_arguments(demo: argparse.ArgumentParser) -> None:
    demo.add_argument(
        "--no-serve", action="store_true", help="load and print only; do not start the web server"
    )
    demo.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")


@register(
    "demo",
    "Load the examples, print a scorecard and serve the web application.",
    "pmf demo",
    arguments=_demo_arguments,
    description="Load the example organisations, print the force's scorecard, make demo "
    "sign-ins and serve the web application on http://127.0.0.1:8000.",
)
def demo(args: argparse.Namespace) -> int:
    """Load every example, print the force's scorecard, make demo sign-ins, then serve.

    Serving hands over to a fresh interpreter (``pmf.web.server``): the examples were loaded
    and the scorecard computed with Polars here, and no server worker may be forked from a
    process whose thread pool has started (ADR 0023).
    """
    from pmf.cli.data import load_examples
    from pmf.reports.console import render_scorecard
    from pmf.sources.examples import registry
    from pmf.web.accounts.services import create_demo_users
    from pmf.web.frameworks.models import Organisation
    from pmf.web.observations.services import scorecard_for

    print(load_examples(list(registry().values())))
    organisation = Organisation.objects.get(code="MPS")
    print()
    print(render_scorecard(scorecard_for(organisation)))
    if args.no_serve:
        return EXIT_OK
    print(f"\nDemo sign-ins for http://127.0.0.1:{args.port}/ (new passwords on every run):")
    for role, username, password, scope in create_demo_users(organisation):
        print(f"  {role:13} {username:20} {password}   {scope}")
    print()
    # The example force's accessibility statement, unless the deployment names its own.
    from pmf.sources.examples import EXAMPLES_DIR

    os.environ.setdefault("PMF_ACCESSIBILITY", str(EXAMPLES_DIR / "police" / "accessibility.yaml"))
    # Without PMF_SECRET_KEY, a random key of the demo's own (serve refuses the published one).
    _serve("127.0.0.1", args.port, 2, worker=True, throwaway_key=True)


def _serve_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a background worker alongside (run pmf worker separately)",
    )


@register(
    "serve",
    "Serve the web application production-style (gunicorn, WhiteNoise).",
    "pmf serve --host 0.0.0.0 --port 8000 --workers 4",
    arguments=_serve_arguments,
    description="Serve the web application production-style (gunicorn, static files by "
    "WhiteNoise).",
)
def serve(args: argparse.Namespace) -> int:
    """Serve the web application, with a background worker unless told not to, until stopped."""
    _serve(args.host, args.port, args.workers, worker=not args.no_worker)


def _serve(
    host: str, port: int, workers: int, *, worker: bool, throwaway_key: bool = False
) -> NoReturn:
    """Become the server (see ``pmf.web.server.serve``): this does not return."""
    from pmf.web.server import serve as run

    run(host, port, workers, worker=worker, throwaway_key=throwaway_key)


def _worker_arguments(worker: argparse.ArgumentParser) -> None:
    worker.add_argument("--batch", action="store_true", help="run the jobs waiting now, then stop")


@register(
    "worker",
    "Run the background worker: large imports queued from the web application, and the "
    "papers emailed on a schedule.",
    "pmf worker",
    arguments=_worker_arguments,
)
def worker_command(args: argparse.Namespace) -> int:
    """Run ``pmf worker``."""
    return worker(batch=args.batch)


def worker(*, batch: bool = False) -> int:
    """Run queued background jobs (large imports) until interrupted, or those waiting now.

    First delete the uploads left unimported for longer than ``PMF_UPLOAD_MAX_AGE``. Papers
    on a schedule are sent by a clock thread every minute (``--batch``: once, first).
    """
    import threading

    from pmf.core.text import plural
    from pmf.web.deliveries.worker import report, run_once, start_clock
    from pmf.web.entry.services import sweep_uploads
    from pmf.web.setup import run_worker

    swept = sweep_uploads()
    if swept:
        print(f"Deleted {plural(swept, 'abandoned upload file')}.")
    if batch:
        print(report(run_once()))
        run_worker(batch=True)
        return EXIT_OK
    stop = threading.Event()
    start_clock(stop)
    try:
        run_worker(batch=False)
    finally:
        stop.set()
    return EXIT_OK


@register("migrate", "Create or update the database tables.", "pmf migrate")
def migrate(args: argparse.Namespace) -> int:
    """Report success: ``main`` has updated the tables, as for every command, saying so."""
    return EXIT_OK
