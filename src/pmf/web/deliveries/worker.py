"""The background worker's clock: every minute, send the papers that have fallen due.

``pmf worker`` runs Django's task worker (``db_worker``) for queued jobs; beside it, a thread
of this module runs ``services.run_due`` every ``INTERVAL`` seconds. Any number of workers
may run it: each send is claimed in the database first.
"""

from __future__ import annotations

import sys
import threading
import traceback

from django.db import close_old_connections, connection

from pmf.web.deliveries import services

INTERVAL = 60.0  # seconds between two runs: a schedule's moment is a minute of the clock


def run_once() -> services.Run:
    """Send what is due now, then release this thread's database connection."""
    try:
        return services.run_due()
    finally:
        close_old_connections()


def report(run: services.Run) -> str:
    """Say what a run did, for the worker's log and ``pmf schedule run-due``."""
    printed = sum(row.outcome == "printed" for row in run.sent)
    sent = len(run.sent) - len(run.failed) - printed
    said = (
        f"Papers by email: {len(run.dispatches)} send(s) due, {sent} email(s) sent, "
        f"{len(run.failed)} failed."
    )
    if printed:
        said += f" {printed} printed here, not sent: no mail server is set (PMF_EMAIL_HOST)."
    return said


def start_clock(stop: threading.Event, interval: float = INTERVAL) -> threading.Thread:
    """Start the clock thread (a daemon: it ends with the worker); ``stop`` ends it sooner.

    ``interval``: the seconds between two runs (a minute; the tests tick faster).
    """

    def tick() -> None:
        while not stop.is_set():
            try:
                run = run_once()
                if run.dispatches:
                    print(report(run), flush=True)
            except Exception:  # a database busy for a moment: try again at the next tick
                traceback.print_exc(file=sys.stderr)
            stop.wait(interval)
        connection.close()

    thread = threading.Thread(target=tick, name="pmf-schedules", daemon=True)
    thread.start()
    return thread
