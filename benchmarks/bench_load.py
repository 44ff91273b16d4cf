"""Load test: 200 readers and 20 writers against ``pmf serve`` and PostgreSQL, on loopback.

What it does, in order:

1. creates a fresh database on the PostgreSQL server that ``DATABASE_URL`` names (the
   throwaway one of ``scripts/postgres.sh``), migrates it and loads the police example (the
   Metropolitan Police Service: 12 commands over 32 boroughs, 11 measures, monthly figures
   since 2010);
2. creates the people: readers of every role and scope (analysts, board members and
   moderators for the whole force, command leads of a command, viewers of a command or a
   borough) and writers, each a measure owner of the monthly measures of a borough of their
   own; writers who use the JSON API get a token;
3. starts the production-style server, ``pmf serve`` (gunicorn with its real settings and the
   background worker beside it, 2 x cores + 1 workers) on 127.0.0.1 on a free port;
4. runs Locust in a separate process (it patches the standard library for gevent): each
   reader signs in once, then reads the organisation overview, scorecards and measure pages
   of the units it may see, and their ``.json``, with a pause between pages; each writer
   signs in once (or uses its token), then again and again re-reads the entry form (or the
   API's figure) of one of its own borough's figures and stores a new one, remembering what
   it wrote;
5. stops the server and checks, through the Django ORM, that every write is in the database
   and that the figure held now for each measure, unit and period is the last one written.

Any HTTP error, redirect where a page was expected, refused entry or exception is a failure;
so is an error in the server's log (a worker timeout or traceback). It prints and writes
(``--results``, JSON) each request type's count, failures, median and 95th percentile, and
exits with status 1 when anything failed or any write is missing.

Run it with ``make bench-load`` (200 readers and 20 writers for five minutes) or::

    scripts/postgres.sh .venv/bin/python benchmarks/bench_load.py --readers 20 --writers 4 \\
        --duration 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ORGANISATION = "MPS"
RECENT_MONTHS = 12  # writers correct the figures of the latest twelve months of their borough
NOTE = "load test"  # every written figure's note starts with this, then the writer and a count
# One in this many writers sends figures through the JSON API; the others use the entry form.
API_EVERY = 4
# Readers by role and scope, in shares of the total: whole force, a command or a borough.
READER_MIX = (
    ("analyst", "force", 1),
    ("board_member", "force", 1),
    ("moderator", "force", 1),
    ("command_lead", "command", 3),
    ("viewer", "command", 2),
    ("viewer", "borough", 2),
)
SERVER_PROBLEMS = re.compile(r"Traceback|\[ERROR\]|\[CRITICAL\]|WORKER TIMEOUT")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=200, help="reading users (default 200)")
    parser.add_argument("--writers", type=int, default=20, help="entering users (default 20)")
    parser.add_argument(
        "--duration", type=float, default=300, help="seconds of load after every user has started"
    )
    parser.add_argument(
        "--spawn-rate", type=float, default=4, help="users started a second (each signs in)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * cores + 1,
        help=f"gunicorn workers (default 2 x cores + 1 = {2 * cores + 1})",
    )
    parser.add_argument(
        "--reader-pause",
        type=float,
        nargs=2,
        default=(5.0, 15.0),
        metavar=("MIN", "MAX"),
        help="seconds a reader waits between pages (default 5 15)",
    )
    parser.add_argument(
        "--writer-pause",
        type=float,
        nargs=2,
        default=(20.0, 40.0),
        metavar=("MIN", "MAX"),
        help="seconds a writer waits between figures (default 20 40)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=ROOT / "benchmarks" / "out" / "load.json",
        help="where to write the results as JSON (default benchmarks/out/load.json)",
    )
    parser.add_argument(
        "--server-log",
        type=Path,
        default=ROOT / "benchmarks" / "out" / "load-server.log",
        help="where to keep the server's log (default benchmarks/out/load-server.log)",
    )
    parser.add_argument("--seed", type=int, default=9, help="random seed of the users' choices")
    # Internal: run the Locust phase (a separate process, because Locust patches for gevent).
    parser.add_argument("--locust-plan", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the database and the people ------------------------------------------------------------


@contextmanager
def fresh_database() -> Iterator[str]:
    """Point DATABASE_URL at a new, empty PostgreSQL database; drop it afterwards."""
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "bench_load.py needs a PostgreSQL server in DATABASE_URL: run it as\n"
            "  scripts/postgres.sh .venv/bin/python benchmarks/bench_load.py"
        )
    name = f"pmf_load_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
        version = admin.execute("SHOW server_version").fetchone()
        limit = admin.execute("SHOW max_connections").fetchone()
    base, _, _ = url.rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    try:
        server = version[0].split()[0] if version else "?"
        yield f"PostgreSQL {server} (max_connections {limit[0] if limit else '?'})"
    finally:
        os.environ["DATABASE_URL"] = url
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_django() -> None:
    """Set Django up on the fresh database and create the tables, as ``pmf migrate`` does."""
    from pmf.web.setup import migrate, setup_django

    os.environ.pop("PMF_DEBUG", None)  # DEBUG keeps every query in memory: not production
    setup_django()
    migrate(quiet=True)


def build_plan(readers: int, writers: int, seed: int) -> dict[str, Any]:
    """Load the police example and create the readers and writers; return who they are."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from pmf.sources.examples import registry
    from pmf.web.accounts.models import Membership
    from pmf.web.accounts.services import visible_units
    from pmf.web.api.services import issue_token
    from pmf.web.frameworks.models import Organisation
    from pmf.web.observations.models import Observation
    from pmf.web.observations.services import load_example

    started = time.perf_counter()
    print(f"police example: {load_example(registry()['police'])}", file=sys.stderr)
    organisation = Organisation.objects.get(code=ORGANISATION)
    units = [unit for unit in organisation.units.all() if not unit.external]
    commands = [unit for unit in units if unit.type == "command"]
    boroughs = [unit for unit in units if unit.type == "borough"]
    measures = list(organisation.measures.order_by("code"))
    # A calculated measure (HIGH_HARM_RATE) is not entered: pmf computes it from its inputs.
    monthly = [m for m in measures if m.frequency == "month" and not m.formula]
    if writers > len(boroughs):
        sys.exit(f"at most {len(boroughs)} writers: each has a borough of its own")
    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # once: hashing costs a third of a second
    rng = random.Random(seed)

    scopes = {"force": [None], "command": commands, "borough": boroughs}
    mix = [(role, scope) for role, scope, share in READER_MIX for _ in range(share)]
    people: list[tuple[str, str, Any]] = [
        (f"reader-{index:03d}", *mix[index % len(mix)]) for index in range(readers)
    ]
    User.objects.bulk_create(
        [User(username=name, password=hashed) for name, _, _ in people]
        + [User(username=f"writer-{index:02d}", password=hashed) for index in range(writers)]
    )
    users = {user.username: user for user in User.objects.filter(username__contains="-")}
    plan_readers = []
    for index, (name, role, scope) in enumerate(people):
        choices = scopes[scope]
        unit = choices[index % len(choices)] if choices[0] is not None else None
        membership = Membership.objects.create(
            user=users[name], organisation=organisation, role=role, unit=unit
        )
        seen = [unit.code for unit in visible_units(membership, organisation) if not unit.external]
        plan_readers.append(
            {"username": name, "role": role, "units": seen, "measures": [m.code for m in measures]}
        )

    plan_writers = []
    for index in range(writers):
        name = f"writer-{index:02d}"
        borough = boroughs[index]
        membership = Membership.objects.create(
            user=users[name], organisation=organisation, role="owner", unit=borough
        )
        membership.measures.set(monthly)
        periods = sorted(
            set(
                Observation.objects.filter(
                    unit=borough, measure__in=monthly, superseded_at__isnull=True
                ).values_list("period", flat=True)
            )
        )[-RECENT_MONTHS:]
        channel = "api" if index % API_EVERY == API_EVERY - 1 else "form"
        token = issue_token(users[name], "load test")[1] if channel == "api" else None
        plan_writers.append(
            {
                "username": name,
                "unit": borough.code,
                # Writers change a numerator and keep the denominator: rates only, not counts
                # (the police example's homicides are a count, with no denominator to keep).
                "measures": [measure.code for measure in monthly if measure.denominator],
                "periods": periods,
                "channel": channel,
                "token": token,
            }
        )
    rng.shuffle(plan_readers)
    print(f"set up in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return {
        "organisation": ORGANISATION,
        "password": password,
        "readers": plan_readers,
        "writers": plan_writers,
    }


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(workers: int, folder: Path) -> Iterator[str]:
    """Run ``pmf serve`` on the fresh database until the block ends; yield its address."""
    import urllib.error  # here: the Locust process must not import ssl before gevent patches it
    import urllib.request

    port = free_port()
    env = {
        **os.environ,
        "PMF_STATIC_ROOT": str(folder / "static"),
        "PMF_UPLOAD_DIR": str(folder / "uploads"),
    }
    command = [sys.executable, "-m", "pmf.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with (folder / "server.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                if server.poll() is not None:
                    sys.exit(f"pmf serve stopped: see {folder / 'server.log'}")
                try:
                    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5):
                        break
                except (OSError, urllib.error.URLError):
                    time.sleep(0.2)
            else:
                sys.exit("pmf serve did not answer within a minute")
            yield base
        finally:
            server.terminate()
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def server_problems(log: Path) -> list[str]:
    """Return the lines of the server's log that report an error (not the access log)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if SERVER_PROBLEMS.search(line)]


# --- checking the writes ----------------------------------------------------------------------


def check_writes(writes: list[dict[str, Any]]) -> dict[str, Any]:
    """Check every confirmed write is stored, and the last one of each figure is held now."""
    from pmf.web.observations.models import Observation

    stored = {
        row["note"]: row
        for row in Observation.objects.filter(
            unit__organisation__code=ORGANISATION, note__startswith=NOTE
        ).values(
            "note",
            "numerator",
            "denominator",
            "superseded_at",
            "unit__code",
            "measure__code",
            "period",
        )
    }
    missing = []
    last: dict[tuple[str, str, str], dict[str, Any]] = {}
    for write in writes:
        found = stored.get(write["note"])
        key = (write["unit"], write["measure"], write["period"])
        if found is None or (
            (found["unit__code"], found["measure__code"], found["period"]) != key
            or found["numerator"] != write["numerator"]
            or found["denominator"] != write["denominator"]
        ):
            missing.append(write)
        last[key] = write  # the writes are in the order each writer made them
    current = {
        (row["unit__code"], row["measure__code"], row["period"]): row
        for row in Observation.objects.filter(
            unit__organisation__code=ORGANISATION, superseded_at__isnull=True
        ).values("unit__code", "measure__code", "period", "note", "numerator", "denominator")
    }
    not_latest = [
        {**write, "held_note": current.get(key, {}).get("note")}
        for key, write in last.items()
        if current.get(key, {}).get("note") != write["note"]
    ]
    confirmed = {write["note"] for write in writes}
    return {
        "confirmed": len(writes),
        "figures": len(last),
        # Stored although the writer saw its request fail (already counted as a failure).
        "unconfirmed": sorted(set(stored) - confirmed),
        "missing": missing,
        "not_latest": not_latest,
        "written": writes,
    }


# --- the Locust phase (its own process) ------------------------------------------------------


class PostForm(HTMLParser):
    """Collect the fields of each POST form of a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._open = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._open = found.get("method", "").lower() == "post"
            if self._open:
                self.forms.append([])
        elif not self._open:
            return
        elif tag == "input" and found.get("name"):
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            self.forms[-1].append((found["name"], found.get("value", "")))
        elif tag == "select":
            self._select, self._options = found.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((found.get("value", ""), "selected" in found))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False
        elif tag == "select" and self._select and self._open:
            chosen = [value for value, selected in self._options if selected] or [
                value for value, _ in self._options[:1]
            ]
            self.forms[-1].extend((self._select, value) for value in chosen)
            self._select = None


def entry_fields(page: str, measure: str) -> list[tuple[str, str]]:
    """Return the entry form's fields for one measure, plus the form-wide ones (CSRF, period).

    Everything the form holds for the measure is kept, hidden fields included, so that a
    field added later (a revision, say) travels back as a browser would send it.
    """
    parser = PostForm()
    parser.feed(page)
    form = next((fields for fields in parser.forms if ("measure", measure) in fields), None)
    if form is None:
        raise AssertionError(f"the entry form has no {measure}")
    codes = {value for name, value in form if name == "measure"}
    kept = []
    for name, value in form:
        owner = next((code for code in codes if name.endswith(f"-{code}")), None)
        if name == "measure":
            if value == measure:
                kept.append((name, value))
        elif owner is None or owner == measure:
            kept.append((name, value))
    return kept


ACCEPTED = "load test: checked against the source"


def number_text(value: float) -> str:
    """Return a figure as a person would type it: 159000, not 159000.0 or 1.59e+05."""
    return str(int(value)) if value.is_integer() else repr(value)


def run_locust(plan_path: Path, results_path: Path, args: argparse.Namespace) -> None:
    """Run the readers and writers against the server in ``plan``; write what happened."""
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    org = plan["organisation"]
    rng = random.Random(args.seed)
    readers = iter(plan["readers"])
    writers = iter(plan["writers"])
    writes: list[dict[str, Any]] = []
    state = {"started": 0, "stopping": False}

    def sign_in(user: Any, username: str) -> None:
        """Sign in through the sign-in page, with its CSRF token, as a browser does."""
        try:
            sign_in_once(user, username)
        finally:
            state["started"] += 1

    def sign_in_once(user: Any, username: str) -> None:
        with user.client.get(
            "/accounts/login/", name="sign in (form)", catch_response=True
        ) as page:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
            if page.status_code != 200 or token is None:
                page.failure(f"sign-in page: status {page.status_code}")
                raise RuntimeError("no sign-in page")
        with user.client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": plan["password"],
                "csrfmiddlewaretoken": token.group(1),
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in refused: status {answer.status_code}")
                raise RuntimeError("sign-in refused")

    def read(user: Any, url: str, name: str) -> None:
        """Request a page or its JSON; anything but a 200 with the right content fails."""
        with user.client.get(url, name=name, allow_redirects=False, catch_response=True) as got:
            if got.status_code != 200:
                got.failure(f"status {got.status_code} for {url}")
            elif url.endswith(".json"):
                try:
                    got.json()
                except ValueError:
                    got.failure(f"not JSON: {url}")
            elif "</html>" not in (got.text or ""):
                got.failure(f"not a whole page: {url}")

    class Reader(HttpUser):  # type: ignore[misc]
        """A signed-in person reading the scorecards of the units they may see."""

        fixed_count = args.readers
        wait_time = between(*args.reader_pause)

        def on_start(self) -> None:
            self.account = next(readers)
            sign_in(self, self.account["username"])

        def unit(self) -> str:
            return str(rng.choice(self.account["units"]))

        @task(2)
        def overview(self) -> None:
            read(self, f"/{org}/", "overview")

        @task(1)
        def overview_json(self) -> None:
            read(self, f"/{org}.json", "overview .json")

        @task(6)
        def scorecard(self) -> None:
            read(self, f"/{org}/units/{self.unit()}/", "scorecard")

        @task(2)
        def scorecard_json(self) -> None:
            read(self, f"/{org}/units/{self.unit()}.json", "scorecard .json")

        @task(4)
        def measure(self) -> None:
            code = rng.choice(self.account["measures"])
            read(self, f"/{org}/units/{self.unit()}/measures/{code}/", "measure page")

        @task(2)
        def measure_json(self) -> None:
            code = rng.choice(self.account["measures"])
            read(self, f"/{org}/units/{self.unit()}/measures/{code}.json", "measure page .json")

    class Writer(HttpUser):  # type: ignore[misc]
        """A measure owner correcting their borough's recent figures, one at a time."""

        fixed_count = args.writers
        wait_time = between(*args.writer_pause)

        def on_start(self) -> None:
            self.account = next(writers)
            self.count = 0
            if self.account["channel"] == "form":
                sign_in(self, self.account["username"])
            else:
                state["started"] += 1

        @task
        def write(self) -> None:
            if state["stopping"]:
                return
            self.count += 1
            figure = {
                "unit": self.account["unit"],
                "measure": rng.choice(self.account["measures"]),
                "period": rng.choice(self.account["periods"]),
                "note": f"{NOTE}: {self.account['username']} figure {self.count}",
            }
            if self.account["channel"] == "form":
                stored = write_through_form(self, figure)
            else:
                stored = write_through_api(self, figure)
            if stored is not None:
                writes.append({**figure, **stored, "writer": self.account["username"]})

    def write_through_form(user: Any, figure: dict[str, Any]) -> dict[str, float] | None:
        """Re-read the entry form, change one figure and save it; return what was stored."""
        url = f"/{org}/units/{figure['unit']}/enter/?period={figure['period']}"
        with user.client.get(url, name="entry form", catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"status {page.status_code} for {url}")
                return None
            fields = entry_fields(page.text, figure["measure"])
        held = dict(fields)
        code = figure["measure"]
        denominator = float(held.get(f"denominator-{code}") or 250_000)
        numerator = float(round(float(held.get(f"numerator-{code}") or 500) + rng.randint(1, 50)))
        changed = {
            f"numerator-{code}": number_text(numerator),
            f"denominator-{code}": number_text(denominator),
            f"note-{code}": figure["note"],
        }
        data = [(name, changed.get(name, value)) for name, value in fields]
        # A writer's correction may be a large one for a small count: they have checked it, as
        # a person would say when pmf holds it back with a plausibility warning.
        data += [("accept-warnings", "yes"), ("warnings-reason", ACCEPTED)]
        with user.client.post(
            url,
            data=data,
            name="entry form (save)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            expected = f"/{org}/units/{figure['unit']}/"
            if answer.status_code != 302 or answer.headers.get("Location") != expected:
                problems = re.findall(r"<li>(.*?)</li>", answer.text or "")[:3]
                answer.failure(f"not saved: status {answer.status_code} {problems}")
                return None
        return {"numerator": numerator, "denominator": denominator}

    def write_through_api(user: Any, figure: dict[str, Any]) -> dict[str, float] | None:
        """Re-read the figure through the API, send a corrected one; return what was stored."""
        headers = {"Authorization": f"Bearer {user.account['token']}"}
        url = f"/api/organisations/{org}/observations"
        query = {
            "unit": figure["unit"],
            "measure": figure["measure"],
            "period_from": figure["period"],
            "period_to": figure["period"],
        }
        with user.client.get(
            url, params=query, headers=headers, name="API figure", catch_response=True
        ) as got:
            if got.status_code != 200:
                got.failure(f"status {got.status_code} for {url}")
                return None
            items = got.json().get("items", [])
        held = items[0] if items else {}
        denominator = float(held.get("denominator") or 250_000)
        numerator = float(round(float(held.get("numerator") or 500) + rng.randint(1, 50)))
        row = {**figure, "numerator": numerator, "denominator": denominator}
        with user.client.post(
            url,
            json=[row],
            params={"accept_warnings": ACCEPTED},
            headers=headers,
            name="API figure (save)",
            catch_response=True,
        ) as answer:
            summary = answer.json() if answer.status_code == 200 else {}
            if summary.get("added", 0) + summary.get("revised", 0) != 1:
                answer.failure(f"not saved: status {answer.status_code} {answer.text[:300]}")
                return None
        return {"numerator": numerator, "denominator": denominator}

    env = Environment(user_classes=[Reader, Writer], host=plan["base"], stop_timeout=120)
    runner = env.create_local_runner()
    total = args.readers + args.writers
    started = time.monotonic()
    runner.start(total, spawn_rate=args.spawn_rate)
    while state["started"] < total and time.monotonic() - started < 900:
        gevent.sleep(0.5)
    ramp = {"seconds": round(time.monotonic() - started, 1), **snapshot(env, runner)}
    print(f"all {total} users started in {ramp['seconds']} s; measuring", file=sys.stderr)
    env.stats.reset_all()
    began = dt.datetime.now(dt.UTC)
    gevent.sleep(args.duration)
    state["stopping"] = True
    runner.stop()  # waits for each user's current request and task to finish (stop_timeout)
    steady = {"seconds": round((dt.datetime.now(dt.UTC) - began).total_seconds(), 1)}
    steady |= snapshot(env, runner)
    runner.quit()
    results_path.write_text(
        json.dumps({"ramp": ramp, "steady": steady, "writes": writes}, indent=1), encoding="utf-8"
    )


def snapshot(env: Any, runner: Any) -> dict[str, Any]:
    """Return each request type's count, failures and percentiles, the errors and exceptions."""

    def figures(entry: Any) -> dict[str, Any]:
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
            "p95_ms": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
            "max_ms": round(entry.max_response_time) if entry.num_requests else None,
        }

    return {
        "types": {name: figures(entry) for (name, _), entry in sorted(env.stats.entries.items())},
        "overall": figures(env.stats.total),
        "errors": [
            {"request": error.name, "error": str(error.error), "times": error.occurrences}
            for error in env.stats.errors.values()
        ],
        "exceptions": [
            {"error": found["msg"], "times": found["count"], "where": found["traceback"][-500:]}
            for found in runner.exceptions.values()
        ],
    }


# --- the whole run ---------------------------------------------------------------------------


def report(results: dict[str, Any]) -> str:
    """Return the results as the table printed and kept in benchmarks/README.md."""
    lines = [
        f"{results['readers']} readers and {results['writers']} writers, "
        f"{results['steady']['seconds']:.0f} s after all had signed in "
        f"({results['ramp']['seconds']:.0f} s ramp-up), {results['server_workers']} gunicorn "
        f"workers, {results['database']}",
        f"{'request':24} {'count':>7} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}",
    ]

    def row(name: str, found: dict[str, Any]) -> str:
        def number(value: Any) -> str:
            return "-" if value is None else f"{value:,.0f}"

        return (
            f"{name:24} {found['requests']:>7,} {found['failures']:>6,} "
            f"{number(found['p50_ms']):>7} {number(found['p95_ms']):>7} "
            f"{number(found['max_ms']):>7}"
        )

    steady = results["steady"]
    lines += [row(name, found) for name, found in steady["types"].items() if found["requests"]]
    lines.append(row("overall", steady["overall"]))
    lines.append(f"throughput: {steady['overall']['requests'] / steady['seconds']:.1f} requests/s")
    for name in ("sign in", "sign in (form)"):
        if name in results["ramp"]["types"]:
            lines.append(row(f"{name} (ramp-up)", results["ramp"]["types"][name]))
    lines.append(row("all of ramp-up", results["ramp"]["overall"]))
    writes = results["check"]
    lines.append(
        f"writes: {writes['confirmed']:,} confirmed ({writes['figures']:,} figures), "
        f"{len(writes['missing'])} missing, {len(writes['not_latest'])} not held as the latest"
    )
    lines.append(f"server log problems: {len(results['server_problems'])}")
    lines.append(f"failures: {results['failures']}")
    return "\n".join(lines)


def failures(results: dict[str, Any]) -> int:
    """Count everything that went wrong: failed requests, exceptions, lost writes, log errors."""
    count = 0
    for phase in ("ramp", "steady"):
        count += results[phase]["overall"]["failures"]
        count += sum(found["times"] for found in results[phase]["exceptions"])
    count += len(results["check"]["missing"]) + len(results["check"]["not_latest"])
    return count + len(results["server_problems"])


def main() -> None:
    """Set up, serve, load, check and report."""
    args = arguments()
    if args.locust_plan is not None:
        run_locust(args.locust_plan, args.results, args)
        return
    os.environ["PMF_SECRET_KEY"] = secrets.token_urlsafe(50)  # the server's, for this run
    command = " ".join(sys.argv)
    with fresh_database() as database, tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        start_django()
        plan = build_plan(args.readers, args.writers, args.seed)
        from django.db import connections

        connections.close_all()
        with running_server(args.workers, folder) as base:
            plan_path = folder / "plan.json"
            plan_path.write_text(json.dumps({**plan, "base": base}), encoding="utf-8")
            locust_results = folder / "locust.json"
            locust = [sys.executable, __file__, *sys.argv[1:], "--locust-plan", str(plan_path)]
            locust += ["--results", str(locust_results)]
            subprocess.run(locust, check=True)
        results: dict[str, Any] = json.loads(locust_results.read_text(encoding="utf-8"))
        problems = server_problems(folder / "server.log")
        args.server_log.parent.mkdir(parents=True, exist_ok=True)
        args.server_log.write_bytes((folder / "server.log").read_bytes())
        check = check_writes(results.pop("writes"))
    results = {
        "date": dt.date.today().isoformat(),
        "command": command,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "load_average": os.getloadavg()[0],
        "python": platform.python_version(),
        "database": database,
        "server_workers": args.workers,
        "readers": args.readers,
        "writers": args.writers,
        "reader_pause": args.reader_pause,
        "writer_pause": args.writer_pause,
        **results,
        "check": check,
        "server_problems": problems[:50],
    }
    results["failures"] = failures(results)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report(results))
    print(f"results: {args.results}")
    sys.exit(1 if results["failures"] else 0)


if __name__ == "__main__":
    main()
