"""Benchmark: how long ``pmf`` takes to start, and ``pmf stats spc`` over 2 million points.

Each case is a whole process, started as a user starts it, timed from start to exit; the
median of several runs is reported beside ``python -c pass`` in the same run, as a ratio:

- ``pmf --help`` and ``pmf stats spc --help``: the parser alone;
- ``pmf assess --organisation MPS --unit CW``: the example police force's scorecard of one
  borough, on a database with the example loaded, run once before timing (warm cache);
- the same three with no bytecode: Python compiles every module it imports, as on a machine
  where nothing compiled them (``PYTHONPYCACHEPREFIX`` pointing at an empty folder);
- ``pmf stats spc`` over 2,000 series × 1,000 daily points from a CSV file, against a
  straightforward pandas/NumPy XmR chart of the same file in a process of its own (read,
  check for repeated dates, mean and screened moving range per series, limits, points outside
  them and runs of 7 on one side of the mean, written as CSV).

Run it (about two minutes, more the first time as it loads the example into
``benchmarks/out/cli/``)::

    .venv/bin/python benchmarks/bench_cli.py
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PMF = [sys.executable, "-m", "pmf.cli"]
OUT = HERE / "out" / "cli"


class Timing(NamedTuple):
    """Median seconds of a case: from start to exit, and of CPU used."""

    wall: float
    cpu: float


# The pandas/NumPy side of ``pmf stats spc``: one process, as the pmf side.
PANDAS_XMR = """
import sys
import numpy as np
import pandas as pd

source, target = sys.argv[1], sys.argv[2]
frame = pd.read_csv(source, dtype={"series": str}, parse_dates=["day"])
if frame.duplicated(["series", "day"]).any():
    sys.exit("a date appears more than once in a series")
frame = frame.sort_values(["series", "day"], kind="stable").reset_index(drop=True)
by = frame.groupby("series", sort=False)
moving = by["value"].diff().abs()
frame["mean"] = by["value"].transform("mean")
mr_mean = moving.groupby(frame["series"]).transform("mean")
screened = moving.where(moving <= 3.267 * mr_mean)
mr = screened.groupby(frame["series"]).transform("mean")
frame["lpl"] = frame["mean"] - 2.66 * mr
frame["upl"] = frame["mean"] + 2.66 * mr
outside = (frame["value"] > frame["upl"]) | (frame["value"] < frame["lpl"])
side = np.sign(frame["value"] - frame["mean"])
run_id = ((side != side.shift()) | (frame["series"] != frame["series"].shift())).cumsum()
run_length = side.groupby(run_id).transform("size")
shift = (side != 0) & (run_length >= 7)
frame["point_type"] = np.where(outside | shift, "special_cause", "common_cause")
frame["day"] = frame["day"].dt.strftime("%Y-%m-%d")
frame.to_csv(target, index=False)
"""


def timed(command: list[str], *, runs: int, env: dict[str, str] | None = None) -> Timing:
    """Return the median wall and CPU times of ``runs`` runs of ``command``, each checked.

    CPU time (user + system, of the process and its children) is beside the wall time: on a
    machine shared with other work it varies less, as waiting for a core is not counted.
    """
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, cwd=OUT, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return Timing(statistics.median(walls), statistics.median(cpus))


def environment(
    database: Path, *, src: Path | None = None, bytecode: bool = True, empty: Path | None = None
) -> dict[str, str]:
    """Return the environment of a pmf process on ``database``, with or without bytecode."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PMF_CACHE_DIR": str(OUT / "cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    if not bytecode and empty is not None:
        env["PYTHONPYCACHEPREFIX"] = str(empty)
    return env


def make_points(path: Path, series: int, points: int) -> None:
    """Write ``series`` × ``points`` daily values (a few shifted) as a CSV file."""
    import datetime as dt

    import numpy as np
    import polars as pl

    rng = np.random.default_rng(2026)
    values = rng.normal(50.0, 5.0, (series, points))
    values[:, points // 2 :] += np.where(rng.random(series) < 1 / 3, 8.0, 0.0)[:, None]
    start = dt.date(2000, 1, 1)
    days = pl.date_range(start, start + dt.timedelta(days=points - 1), eager=True)
    pl.DataFrame(
        {
            "series": np.repeat([f"S{i:05d}" for i in range(series)], points),
            "day": pl.concat([days] * series),
            "value": values.ravel().round(2),
        }
    ).write_csv(path)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    """Run every case and print its median time and its ratio to the baseline."""
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--runs", type=int, default=7, help="runs of each start-up case")
    cli.add_argument("--series", type=int, default=2000)
    cli.add_argument("--points", type=int, default=1000)
    cli.add_argument("--spc-runs", type=int, default=3, help="runs of each stats spc side")
    cli.add_argument(
        "--src",
        type=Path,
        help="run pmf from this source folder (an export of an earlier commit, compiled with "
        "python -m compileall) to compare before and after in the same conditions",
    )
    args = cli.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    database = OUT / "pmf.sqlite3"
    env = environment(database, src=args.src)
    if not database.exists():
        print("Loading the example police force (once) ...", flush=True)
        subprocess.run([*PMF, "example", "load", "police"], check=True, env=env, cwd=OUT)
    assess = [*PMF, "assess", "--organisation", "MPS", "--unit", "CW"]
    subprocess.run(assess, check=True, env=env, cwd=OUT, capture_output=True)  # warm

    print(f"Load average before: {load_average()}")
    rows: list[tuple[str, Timing, Timing]] = []
    baseline = timed([sys.executable, "-c", "pass"], runs=args.runs, env=env)
    rows.append(("python -c pass", baseline, baseline))
    with tempfile.TemporaryDirectory() as empty:
        cold = environment(database, src=args.src, bytecode=False, empty=Path(empty))
        for label, command in (
            ("pmf --help", [*PMF, "--help"]),
            ("pmf stats spc --help", [*PMF, "stats", "spc", "--help"]),
            ("pmf assess -o MPS --unit CW", assess),
        ):
            rows.append((label, timed(command, runs=args.runs, env=env), baseline))
            rows.append(
                (f"{label} (no bytecode)", timed(command, runs=args.runs, env=cold), baseline)
            )

    points = OUT / f"points-{args.series}x{args.points}.csv"
    if not points.exists():
        make_points(points, args.series, args.points)
    n = args.series * args.points
    pandas = timed(
        [sys.executable, "-c", PANDAS_XMR, str(points), str(OUT / "pandas-xmr.csv")],
        runs=args.spc_runs,
        env=env,
    )
    spc = [
        *PMF,
        "stats",
        "spc",
        str(points),
        "--value",
        "value",
        "--date",
        "day",
        "--group",
        "series",
        "--output",
        str(OUT / "pmf-spc.csv"),
    ]
    spc_seconds = timed(spc, runs=args.spc_runs, env=env)
    rows.append((f"pandas/NumPy XmR, {n:,} points", pandas, baseline))
    rows.append((f"pmf stats spc, {n:,} points", spc_seconds, baseline))

    print(f"{'case':42} {'wall s':>7} {'ratio':>7} {'CPU s':>7} {'ratio':>7}")
    for label, seconds, against in rows:
        print(
            f"{label:42} {seconds.wall:7.3f} {seconds.wall / against.wall:6.1f}x "
            f"{seconds.cpu:7.3f} {seconds.cpu / against.cpu:6.1f}x"
        )
    print("(ratios: to python -c pass)")
    print(
        f"pmf stats spc against the pandas/NumPy XmR: {spc_seconds.wall / pandas.wall:.2f}x its "
        f"wall time, {spc_seconds.cpu / pandas.cpu:.2f}x its CPU time"
    )
    print(f"Load average after: {load_average()}")


if __name__ == "__main__":
    main()
