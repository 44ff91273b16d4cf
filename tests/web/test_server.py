"""The production-style server: gunicorn with WhiteNoise, as `pmf serve` starts it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def test_pmf_serve_answers_pages_and_static_files(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pmf.sqlite3'}",
        "PMF_STATIC_ROOT": str(tmp_path / "static"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "pmf.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, _ = fetch(f"{base}/accounts/login/")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not start")
        assert status == 200
        assert fetch(f"{base}/static/pmf/pmf.css") == (200, 'text/css; charset="utf-8"')
        status, location = fetch(f"{base}/MPS/units/MPS/")
        assert (status, location) == (302, "/accounts/login/?next=/MPS/units/MPS/")
        # A background worker runs beside the web server, for large imports.
        workers = [pid for pid in children(server.pid) if "worker" in command_line(pid)]
        assert len(workers) == 1
    finally:
        server.terminate()
        server.wait(timeout=20)
    for pid in workers:
        for _ in range(50):
            if not Path(f"/proc/{pid}").exists() or "worker" not in command_line(pid):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the worker did not stop with the server")


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(status.parent.name))
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
