"""Several app servers behind a load balancer: two real `pmf serve`, one database, one Redis.

Redis is started on loopback on a free port for this module, with no persistence, and
stopped afterwards (scripts/redis.sh installs it; `make pytest` runs that). The database is a
SQLite file, or a fresh PostgreSQL database under ``scripts/postgres.sh`` (``make
pytest-postgres``). The example council is loaded once with ``pmf example load``, a person
is added with ``pmf user add``, and both servers are started with ``PMF_CACHE_URL`` naming
the Redis server, as an operator would do it (docs/guide/operate.md, ADR 0032).

Signed in through one server, a person reads pages through the other; a figure entered, or
a file previewed, through one is on the other's next page, or imported through it (uploads
wait in the PMF_UPLOAD_DIR both share). What one server computed, the other serves without
computing: the signal is Redis's own count of the writes it has received (``INFO
commandstats``), as every computed result is written to the shared cache and nothing else is.
No time is asserted.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
import redis

from tests.test_demo import Browser, free_port

ORGANISATION = "E08000009"  # the Trafford example
UNIT = "E08000009"
MEASURE = "OBESE_Y6"
PERIOD = "2024/25"
SCORECARD = f"/{ORGANISATION}/units/{UNIT}/"
START_TIMEOUT = 120
SETUP_TIMEOUT = 600
# Redis commands that store a value: the shared cache's set(), add() (SET NX) and set_many().
WRITES = ("set", "setex", "psetex", "setnx", "mset", "msetnx")


@dataclass
class Deployment:
    """Two app servers on one database and one Redis, and a person who signs in."""

    servers: list[str]
    logs: list[Path]
    redis: redis.Redis
    username: str
    password: str


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run a Redis server on loopback for this module: no snapshot, no append-only file."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):  # make test installs it: in CI a missing one is a failure
            pytest.fail("redis-server is missing: scripts/redis.sh installs it (make test runs it)")
        pytest.skip("needs redis-server: scripts/redis.sh installs it (make pytest runs it)")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", "--dir", str(folder)]
    with (folder / "redis.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None:
                    raise AssertionError((folder / "redis.log").read_text()) from None
                time.sleep(0.1)
        else:
            raise AssertionError("redis-server did not answer within 10 s")
        client.close()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return a new, empty database: a fresh one on the PostgreSQL server if one is given."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path_factory.mktemp('database') / 'pmf.sqlite3'}"
        return
    import psycopg

    name = f"pmf_servers_{os.getpid()}"
    with psycopg.connect(given, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{given.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(given, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, database_url: str
) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("servers")
    # What every app server of a deployment shares: the database, the secret key, the Redis
    # cache and the uploads folder. Their static files and file caches are their own.
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PMF_SECRET_KEY": "a-key-both-servers-share-for-this-test-4f1e9c",
        "PMF_CACHE_URL": redis_url,
        "PMF_UPLOAD_DIR": str(folder / "uploads"),
    }
    env.pop("PMF_DEBUG", None)
    pmf = [sys.executable, "-m", "pmf.cli"]
    run = {"cwd": folder, "env": env, "capture_output": True, "text": True}
    loaded = subprocess.run([*pmf, "example", "load", "trafford"], **run, timeout=SETUP_TIMEOUT)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    added = subprocess.run(
        [*pmf, "user", "add", "analyst", "--organisation", ORGANISATION, "--role", "analyst"],
        **run,
        timeout=120,
    )
    assert added.returncode == 0, added.stdout + added.stderr
    password = re.search(r"First password .*: (\S+)", added.stdout)
    assert password, added.stdout

    processes: list[subprocess.Popen[bytes]] = []
    bases, logs = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            own = {
                **env,
                "PMF_STATIC_ROOT": str(folder / name / "static"),
                "PMF_CACHE_DIR": str(folder / name / "cache"),
            }
            log = folder / f"{name}.log"
            serve = [*pmf, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
            with log.open("wb") as output:
                processes.append(
                    subprocess.Popen(
                        serve,
                        cwd=folder,
                        env=own,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                )
            bases.append(f"http://127.0.0.1:{port}")
            logs.append(log)
        for process, base, log in zip(processes, bases, logs, strict=True):
            wait_until_serving(process, base, log)
        client = redis.Redis.from_url(redis_url)
        yield Deployment(bases, logs, client, "analyst", password[1])
        client.close()
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_serving(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"pmf serve stopped ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"pmf serve did not answer within {START_TIMEOUT} s:\n{log.read_text()}")


def writes(client: redis.Redis) -> int:
    """Return how many values the Redis server has been asked to store since it started."""
    stats = client.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in WRITES)


def on(server: str, signed_in: Browser) -> Browser:
    """Return a visitor of ``server`` with ``signed_in``'s cookies, as a load balancer sends it."""
    visitor = Browser(server)
    visitor.opener = signed_in.opener  # one cookie jar: cookies are not kept per port
    return visitor


class Forms(HTMLParser):
    """Collect each form's fields (name, value) as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append([])
        elif tag == "option" and self._select is not None:
            self._options.append((found.get("value", ""), "selected" in found))
        elif not self.forms or "name" not in found:
            return
        elif tag == "input" and found.get("type") in ("checkbox", "radio"):
            if "checked" in found:
                self.forms[-1].append((found["name"], found.get("value", "on")))
        elif tag == "input" and found.get("type") != "submit":
            self.forms[-1].append((found["name"], found.get("value", "")))
        elif tag == "select":
            self._select, self._options = found["name"], []
        elif tag == "textarea":
            self._textarea = [found["name"]]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            first = [value for value, _ in self._options[:1]]
            self.forms[-1] += [(self._select, value) for value in chosen or first]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea[0], "".join(self._textarea[1:])))
            self._textarea = None


def forms_of(page: str) -> list[list[tuple[str, str]]]:
    """Return the fields of each form of a page."""
    parser = Forms()
    parser.feed(page)
    return parser.forms


def entry_form(page: str) -> list[tuple[str, str]]:
    """Return the fields of the page's form that enters figures for MEASURE."""
    form = next((fields for fields in forms_of(page) if ("measure", MEASURE) in fields), None)
    assert form is not None, f"the entry form has no {MEASURE}"
    return form


def value_of(visitor: Browser) -> float:
    """Return the scorecard's figure for MEASURE as the server gives it in the page's JSON twin."""
    scorecard = visitor.get_json(SCORECARD.rstrip("/") + ".json")
    rows = [row for area in scorecard["areas"] for row in area["measures"]]
    return float(next(row["value"] for row in rows if row["measure"] == MEASURE))


def test_a_figure_entered_on_one_server_shows_on_the_other_at_once(
    deployment: Deployment,
) -> None:
    first, second = deployment.servers
    a = Browser(first)
    status, location, _ = a.sign_in(deployment.username, deployment.password)
    assert (status, location) == (302, "/")
    # Signed in on A, the same cookie reads pages on B: the session is in the database and
    # both servers sign cookies with one key.
    b = on(second, a)
    before = value_of(a)
    assert value_of(b) == before
    status, page, _ = b.get(SCORECARD)
    assert status == 200
    assert "Year 6 children with obesity" in page

    # B has read (and so kept in its own memory) the scorecard; A enters a new figure.
    status, page, _ = a.get(f"{SCORECARD}enter/?period={urllib.parse.quote(PERIOD)}")
    assert status == 200
    fields = entry_form(page)
    entered = round(before + 1.3, 1)
    sent = [(name, f"{entered}" if name == f"value-{MEASURE}" else value) for name, value in fields]
    sent = [(name, value) for name, value in sent if name != "period" or value]
    assert (f"value-{MEASURE}", f"{entered}") in sent
    sent += [("accept-warnings", "yes"), ("warnings-reason", "checked against the source")]
    status, location, _ = a.send(
        urllib.request.Request(
            f"{first}{SCORECARD}enter/?period={urllib.parse.quote(PERIOD)}",
            data=urllib.parse.urlencode(sent).encode(),
            headers={"Referer": f"{first}{SCORECARD}enter/"},
        )
    )
    assert (status, location) == (302, SCORECARD), location[:2000]

    # B's very next page has the new figure: no stale page from its memory or from Redis.
    assert value_of(b) == entered
    status, page, _ = b.get(SCORECARD)
    assert status == 200
    assert f"{entered}%" in page
    assert value_of(a) == entered


def test_a_file_previewed_on_one_server_is_imported_through_the_other(
    deployment: Deployment,
) -> None:
    # The upload waits in PMF_UPLOAD_DIR, which both servers share.
    first, second = deployment.servers
    a = Browser(first)
    a.sign_in(deployment.username, deployment.password)
    b = on(second, a)
    figure = round(value_of(a) + 0.8, 1)
    status, page, _ = a.get(f"/{ORGANISATION}/import/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    boundary = "pmf-two-servers"
    rows = f"unit,measure,period,value\r\n{UNIT},{MEASURE},{PERIOD},{figure}\r\n"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token[1]}\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="figures.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{rows}\r\n--{boundary}--\r\n"
    )
    status, preview, _ = a.send(
        urllib.request.Request(
            f"{first}/{ORGANISATION}/import/",
            data=body.encode(),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": f"{first}/{ORGANISATION}/import/",
            },
        )
    )
    assert status == 200, preview[-3000:]
    form = next(fields for fields in forms_of(preview) if any(n == "token" for n, _ in fields))
    sent = [*form, ("accept-warnings", "yes"), ("warnings-reason", "checked against the source")]
    status, location, _ = b.send(
        urllib.request.Request(
            f"{second}/{ORGANISATION}/import/",
            data=urllib.parse.urlencode(sent).encode(),
            headers={"Referer": f"{second}/{ORGANISATION}/import/"},
        )
    )
    assert (status, location) == (302, f"/{ORGANISATION}/"), location[-3000:]
    assert value_of(a) == figure
    assert value_of(b) == figure


def test_what_one_server_computed_the_other_serves_without_computing(
    deployment: Deployment,
) -> None:
    first, second = deployment.servers
    a = Browser(first)
    a.sign_in(deployment.username, deployment.password)
    b = on(second, a)
    # Pages nobody has read since the figure was entered: A computes them first.
    pages = [f"/{ORGANISATION}/", f"/{ORGANISATION}/dashboard/", f"{SCORECARD}?kind=kpi"]
    computed_by_a = 0
    for page in pages:
        stored = deployment.redis.dbsize(), writes(deployment.redis)
        status, on_a, _ = a.get(page)
        assert status == 200, page
        computed = writes(deployment.redis) - stored[1]
        computed_by_a += computed
        assert deployment.redis.dbsize() >= stored[0] + (computed > 0), page
        status, on_b, _ = b.get(page)
        assert status == 200, page
        # B stored nothing: every result it needed was in Redis, computed by A.
        assert writes(deployment.redis) - stored[1] == computed, page
        assert strip_tokens(on_a) == strip_tokens(on_b), page
    assert computed_by_a > 0


def strip_tokens(page: str) -> str:
    """Return a page without its CSRF tokens (masked anew in every response) to compare pages."""
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "(token)", page)


def test_neither_server_logged_an_error(deployment: Deployment) -> None:
    for log in deployment.logs:
        text = log.read_text()
        assert "Traceback" not in text, text[-3000:]
        assert "[ERROR]" not in text, text[-3000:]


def settings_value(expression: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Read a setting in a fresh interpreter, as a server starting up would."""
    clean = {k: v for k, v in os.environ.items() if k != "PMF_CACHE_URL"}
    return subprocess.run(
        [sys.executable, "-c", f"from pmf.web.config import settings as s; print({expression})"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_pages_are_kept_in_redis_only_when_a_cache_url_names_it() -> None:
    pages = "s.CACHES['pages']['BACKEND'], s.CACHES['pages']['LOCATION']"
    files = settings_value(pages).stdout.split()
    assert files[0] == "django.core.cache.backends.filebased.FileBasedCache"
    url = "redis://cache.internal:6379/2"
    redis_pages = settings_value(pages, PMF_CACHE_URL=url).stdout.split()
    assert redis_pages == ["django.core.cache.backends.redis.RedisCache", url]
    # Sign-in lockouts stay in the database, which every server already shares.
    shared = settings_value("s.CACHES['shared']['BACKEND']", PMF_CACHE_URL=url)
    assert shared.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"


def test_a_cache_url_that_is_not_redis_stops_start_up_naming_it() -> None:
    bad = settings_value("s.CACHES", PMF_CACHE_URL="memcached://cache.internal:11211")
    assert bad.returncode != 0
    assert "PMF_CACHE_URL='memcached://cache.internal:11211' is not a Redis address" in bad.stderr


def test_the_servers_of_one_database_share_keys_however_they_reach_it() -> None:
    prefix = "s.CACHES['pages']['KEY_PREFIX']"
    url = "redis://cache.internal:6379/0"
    database = "postgres://pmf@{}:5432/pmf"
    one = settings_value(prefix, PMF_CACHE_URL=url, DATABASE_URL=database.format("db.internal"))
    two = settings_value(prefix, PMF_CACHE_URL=url, DATABASE_URL=database.format("10.0.0.7"))
    other = settings_value(
        prefix, PMF_CACHE_URL=url, DATABASE_URL="postgres://pmf@db.internal:5432/pmf_test"
    )
    assert one.stdout == two.stdout
    assert one.stdout != other.stdout


def test_the_code_stamp_is_the_same_for_the_same_code_installed_at_other_times(
    tmp_path: Path,
) -> None:
    # Two machines with one release: the same files, written at different times and places
    # (copied without their modification times, and one file's set back to 1970).
    source = Path(__file__).resolve().parents[2] / "src" / "pmf"
    ignore = shutil.ignore_patterns("__pycache__", "vendor", "*.pyc")
    copies = [tmp_path / "one" / "pmf", tmp_path / "two" / "pmf"]
    for copy in copies:
        shutil.copytree(source, copy, ignore=ignore, copy_function=shutil.copy)
    edited = copies[1] / "core" / "__init__.py"
    os.utime(edited, ns=(0, 0))

    def stamp(copy: Path) -> str:
        """Return the code stamp that the copy's own pmf.web.cache computes for its files."""
        path = copy / "web" / "cache.py"
        spec = importlib.util.spec_from_file_location(f"copy_{copy.parent.name}_cache", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert module.__file__ == str(path)  # the copy's code, reading the copy's files
        return str(module.code_stamp())

    first = stamp(copies[0])
    assert stamp(copies[1]) == first
    # A change to the code (one more line in one file) is another stamp.
    with edited.open("a") as file:
        file.write("# a change\n")
    assert stamp(copies[1]) != first
