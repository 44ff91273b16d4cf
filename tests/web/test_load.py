"""A short load test: readers and writers at once against `pmf serve` on PostgreSQL.

It runs ``benchmarks/bench_load.py`` (the five-minute test of ``make bench-load``) with 20
readers and 4 writers for 15 seconds on the PostgreSQL server of ``make pytest-postgres``.
It asserts what must hold under any load: no request failed, no error in the server's log,
and every figure a writer saved is in the database, the last one of each held now. It never
asserts a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="the load test runs on PostgreSQL (make pytest-postgres)",
    ),
]


def test_readers_and_writers_at_once_leave_no_error_and_every_write_held(tmp_path: Path) -> None:
    results = tmp_path / "load.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "bench_load.py")]
    command += ["--readers", "20", "--writers", "4", "--duration", "15", "--spawn-rate", "10"]
    command += ["--workers", "3", "--writer-pause", "2", "5", "--reader-pause", "1", "3"]
    command += ["--results", str(results), "--server-log", str(tmp_path / "server.log")]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    found = json.loads(results.read_text(encoding="utf-8"))
    assert found["failures"] == 0
    assert found["server_problems"] == []
    steady = found["steady"]["types"]
    for page in ("overview", "scorecard", "measure page"):
        assert steady[page]["requests"] > 0, page
    # Both ways of entering figures were used, and every figure saved is held.
    saved = {write["writer"] for write in found["check"]["written"]}
    assert {"writer-00", "writer-03"} <= saved  # writer-03 sends through the JSON API
    assert found["check"]["confirmed"] >= 4
    assert found["check"]["missing"] == []
    assert found["check"]["not_latest"] == []
