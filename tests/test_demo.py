"""The quickstart's `make demo` as a new user meets it: the real `pmf demo` command, end to end.

One demo per module (loading the examples takes a while): started as a subprocess in its own
session on a free port with a throwaway database, signed in to over HTTP as each printed demo
role with the CSRF token as a browser sends it, and stopped with Ctrl+C (SIGINT to its process
group, as a terminal sends it). Every request has a timeout, so a hung page fails the test
instead of hanging the run.
"""

from __future__ import annotations

import html
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Long enough for a shared CI machine's slowest page; far below gunicorn's 60 s worker
# timeout, which is what a hung page reached before (issue 14).
REQUEST_TIMEOUT = 30
# Loading every example and starting the server, on a busy machine.
START_TIMEOUT = 600
STOP_TIMEOUT = 20
SIGN_IN = re.compile(
    r"^  (?P<role>\S.*?)\s+(?P<username>demo-\S+)\s+(?P<password>\S+)   (?P<scope>\S.*)$"
)
# The roles that cover the whole organisation (docs/security.md); the others cover one unit.
WHOLE_ORGANISATION = {"Analyst", "Moderator", "Board member"}


@dataclass
class Demo:
    """A running `pmf demo`: its process, address, printed output and sign-ins."""

    process: subprocess.Popen[bytes]
    base: str
    output: Path
    sign_ins: list[dict[str, str]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'pmf.sqlite3'}",
        "PMF_STATIC_ROOT": str(folder / "static"),
        "PMF_CACHE_DIR": str(folder / "cache"),
        "PMF_UPLOAD_DIR": str(folder / "uploads"),
    }
    output = folder / "demo.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pmf.cli", "demo", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group, as a terminal gives a command: Ctrl+C reaches all of it.
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, base, output)
        yield Demo(process, base, output, sign_ins(output.read_text()))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_serving(process: subprocess.Popen[bytes], base: str, output: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"pmf demo stopped ({process.returncode}):\n{output.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"pmf demo did not serve within {START_TIMEOUT} s:\n{output.read_text()}")


def sign_ins(printed: str) -> list[dict[str, str]]:
    """Return the demo sign-ins that `pmf demo` printed, as a new user reads them."""
    lines = printed.split("Demo sign-ins for", 1)[1].splitlines()[1:]
    found = []
    for line in lines:
        match = SIGN_IN.match(line)
        if not match:
            break
        found.append(match.groupdict())
    return found


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """A signed-in visitor: cookies kept, the CSRF token sent, redirects reported, not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def get(self, path: str) -> tuple[int, str, float]:
        """Return the status, the text and the seconds the answer took."""
        return self.send(urllib.request.Request(self.base + path))

    def send(self, request: urllib.request.Request) -> tuple[int, str, float]:
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
            if status in (301, 302):
                body = (error.headers.get("Location") or "").encode()
        return status, body.decode(), time.monotonic() - started

    def sign_in(self, username: str, password: str) -> tuple[int, str, float]:
        status, page, _ = self.get("/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "the sign-in form carries no CSRF token"
        form = {"csrfmiddlewaretoken": token[1], "username": username, "password": password}
        return self.send(
            urllib.request.Request(
                f"{self.base}/accounts/login/",
                data=urllib.parse.urlencode(form).encode(),
                headers={"Referer": f"{self.base}/accounts/login/"},
            )
        )

    def get_json(self, path: str) -> Any:
        status, text, _ = self.get(path)
        assert status == 200, (path, status)
        return json.loads(text)


def test_the_demo_prints_a_sign_in_for_every_role(demo: Demo) -> None:
    roles = [sign_in["role"] for sign_in in demo.sign_ins]
    assert roles == [
        "Analyst",
        "Measure owner",
        "Command lead",
        "Moderator",
        "Board member",
        "Viewer",
    ]
    assert "scorecard of Metropolitan Police Service" in demo.output.read_text()


def test_every_demo_role_signs_in_and_reads_its_pages_promptly(demo: Demo) -> None:
    for sign_in in demo.sign_ins:
        role = sign_in["role"]
        browser = Browser(demo.base)
        status, location, _ = browser.sign_in(sign_in["username"], sign_in["password"])
        assert (status, location) == (302, "/"), role
        pages = pages_of(browser, sign_in)
        for path, (expected, words) in pages.items():
            status, page, seconds = browser.get(path)
            assert status == expected, (role, path, status)
            assert seconds < REQUEST_TIMEOUT, (role, path, seconds)
            for text in words:
                assert html.escape(text) in page, (role, path, text)


def pages_of(browser: Browser, sign_in: dict[str, str]) -> dict[str, tuple[int, list[str]]]:
    """Return each page to fetch as this role: the status it should get, and words it shows.

    The units, measures and cycles come from the pages' JSON twins as this role reads them,
    so that the test follows the example's content rather than copying it.
    """
    whole = sign_in["role"] in WHOLE_ORGANISATION
    organisation = browser.get_json("/MPS.json")
    name = organisation["organisation"]["name"]
    units = organisation["units"]
    # Its own unit's scorecard: the force's for the whole organisation, else the unit printed.
    unit = units[0] if whole else next(u for u in units if u["name"] == sign_in["scope"])
    scorecard = browser.get_json(f"/MPS/units/{unit['code']}.json")
    rows = [measure for area in scorecard["areas"] for measure in area["measures"]]
    measures = [measure for measure in rows if measure["value"] is not None]
    assert measures, f"the scorecard of {unit['name']} has no figures"
    cycles = browser.get_json("/MPS/cycles.json")["cycles"]
    cycle = next(c for c in cycles if c["state"] == "published")["number"]
    dashboard = browser.get_json("/MPS/dashboard.json")
    # The organisation-wide overview and papers collate every unit's self-assessment: only
    # the roles covering the whole organisation read them; to the others they do not exist.
    whole_only = (200, [name]) if whole else (404, [])
    pages = {
        "/MPS/": (200, [name, unit["name"]]),
        f"/MPS/units/{unit['code']}/": (200, [m["name"] for m in measures]),
        f"/MPS/units/{unit['code']}/measures/{measures[0]['measure']}/": (
            200,
            [measures[0]["name"]],
        ),
        "/MPS/dashboard/": (200, [tile["title"] for tile in dashboard["tiles"]]),
        f"/MPS/cycles/{cycle}/overview/": whole_only,
        f"/MPS/cycles/{cycle}/papers/": whole_only,
    }
    if not whole:
        # The force's own scorecard is outside a unit's scope.
        pages["/MPS/units/MPS/"] = (404, [])
    return pages


def test_the_demo_server_process_runs_one_thread_and_no_polars(demo: Demo) -> None:
    # The command loaded the examples with Polars, then became the gunicorn master in a fresh
    # interpreter: workers forked from it inherit no thread pool (ADR 0023).
    pid = demo.process.pid
    assert "pmf.web.server" in Path(f"/proc/{pid}/cmdline").read_bytes().decode()
    assert len(list(Path(f"/proc/{pid}/task").iterdir())) == 1
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "polars" not in maps
    assert "numpy" not in maps


def test_ctrl_c_stops_the_demo_and_every_process_it_started(demo: Demo) -> None:
    # Runs last in this module: the demo is stopped afterwards.
    session = demo.process.pid
    started = in_session(session)
    assert len(started) >= 4  # the master, two web workers, the background worker
    stopped_at = time.monotonic()
    os.killpg(demo.process.pid, signal.SIGINT)
    while in_session(session) and time.monotonic() - stopped_at < STOP_TIMEOUT:
        time.sleep(0.1)
    seconds = time.monotonic() - stopped_at
    left = [describe(pid) for pid in in_session(session)]
    assert left == [], f"still running {seconds:.1f} s after Ctrl+C"
    assert demo.process.wait(timeout=5) == 0
    log = demo.output.read_text()
    assert "WORKER TIMEOUT" not in log
    assert "Traceback" not in log


def in_session(session: int) -> list[int]:
    """Return the processes of a session that are alive (not yet reaped zombies included)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields: state, ppid, pgrp, session, ...
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def describe(pid: int) -> str:
    """Return a process's id and command line, to name it in a failure."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        command = "(gone)"
    return f"{pid} {command}"
