"""The production-style server: gunicorn with WhiteNoise, as `pmf serve` starts it."""

from __future__ import annotations

import os
import signal
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
        "PMF_SECRET_KEY": "a-key-for-this-test-only-9c1f5e2a7b",
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
        workers = [pid for pid in children(server.pid) if "pmf.cli worker" in command_line(pid)]
        assert len(workers) == 1
        # The command became the gunicorn master in a fresh interpreter (same process, so
        # signals reach it): one thread, and no Polars, NumPy or PyArrow loaded (ADR 0023).
        assert "pmf.web.server" in command_line(server.pid)
        assert threads(server.pid) == 1
        assert thread_pool_libraries(server.pid) == []
    finally:
        server.terminate()
        server.wait(timeout=20)
    for pid in workers:
        for _ in range(50):
            if not Path(f"/proc/{pid}").exists() or "pmf.cli worker" not in command_line(pid):
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


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def thread_pool_libraries(pid: int) -> list[str]:
    """Return the files of Polars, NumPy or PyArrow mapped into a process's memory."""
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    files = {line.split()[-1] for line in maps if "/" in line}
    return sorted(f for f in files if any(name in f for name in THREAD_POOL_PACKAGES))


THREAD_POOL_PACKAGES = ("/polars", "/numpy", "/pyarrow", "/duckdb", "/pandas")


def test_the_server_entry_imports_nothing_that_starts_a_thread_pool() -> None:
    # What `python -m pmf.web.server` imports before gunicorn forks: its --help stops after
    # every module-level import, and -X importtime lists them all.
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pmf.web.server", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if "|" in line}
    assert "gunicorn.app.base" in imported
    heavy = {"polars", "numpy", "pyarrow", "duckdb", "pandas", "django"}
    assert sorted(name for name in imported if name.split(".")[0] in heavy) == []


def test_the_server_refuses_to_fork_workers_from_a_process_running_threads(
    tmp_path: Path,
) -> None:
    # As if something had started a thread pool in the process before serving.
    started_a_thread = (
        "import sys, threading, time\n"
        "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "from pmf.web.server import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    port = free_port()
    run = subprocess.run(
        [sys.executable, "-c", started_a_thread, "--port", str(port), "--no-worker"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "runs 2 threads; a worker forked from it could hang" in run.stderr
    assert "Booting worker" not in run.stderr


def test_a_server_killed_outright_leaves_no_process_behind(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pmf.sqlite3'}",
        "PMF_STATIC_ROOT": str(tmp_path / "static"),
        "PMF_SECRET_KEY": "a-key-for-this-test-only-9c1f5e2a7b",
        "PMF_CACHE_DIR": str(tmp_path / "cache"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "pmf.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started: list[int] = []
    try:
        # Serving: the web worker has loaded the application, the background worker started.
        for _ in range(300):
            started = children(server.pid)
            try:
                answered = fetch(f"http://127.0.0.1:{port}/accounts/login/")[0] == 200
            except OSError:
                answered = False
            if answered and len(started) == 2:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the server did not start serving with its two children")
        assert any("pmf.cli worker" in command_line(pid) for pid in started)
        server.kill()  # SIGKILL: the master cannot stop its children itself
        server.wait(timeout=10)
        for _ in range(200):
            if not alive(started):
                break
            time.sleep(0.1)
        assert [describe(pid) for pid in alive(started)] == []
    finally:
        for pid in alive(started):
            os.kill(pid, signal.SIGKILL)
        if server.poll() is None:
            server.kill()
            server.wait()


def alive(pids: list[int]) -> list[int]:
    """Return those of ``pids`` still running (not zombies waiting to be reaped)."""
    running = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.append(pid)
    return running


def describe(pid: int) -> str:
    return f"{pid} {command_line(pid)}"
