"""Benchmark: server time of the scorecard, overview and measure pages against a trivial view.

Data: a synthetic but realistic organisation in a fresh database: 60 monthly measures in five
areas (percentages, rates, counts and scores with target, MSG average, improvement, zero and
budget standards, each rolled up the way it says), a region with three commands over 13
districts, each district's Most Similar Group being the other 12 districts, and 36 months of
figures for every district (28,080 observations, imported through pmf's own checks); a
signed-in analyst.

Each page is requested through Django's full handler and middleware stack (the test Client,
signed in), many times after a warm-up, and so is a trivial view that returns a short
``HttpResponse`` through the same stack: the baseline. The requests take turns, so that
load from anything else on the machine falls on every page alike. The benchmark prints the
median and 95th percentile of each, and the ratio of medians to the trivial view. It also
times the first request after a write (a figure entered), when nothing can come from a cache.

Then, under concurrent writers (``--writers`` processes entering figures to Command 3's
districts without pause), it enters a figure to district D07 (Command 1, in D01's Most
Similar Group) before each round and times the first request of each page after it: pages
whose data that write changed (D01's and Command 1's scorecards, the overview, D01's measure
page of the measure written) and pages whose data no write changed (Command 2's scorecard,
D01's measure page of another measure), each against the trivial view timed in the same
rounds.

It creates its own database on the server that ``DATABASE_URL`` names (PostgreSQL) and drops
it afterwards; without ``DATABASE_URL`` it uses a temporary SQLite file. Run it with
``make bench-web`` (a throwaway PostgreSQL server) or::

    scripts/postgres.sh .venv/bin/python benchmarks/bench_web.py --requests 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("FOCUS", "SERVICE", "PROCESS", "PEOPLE", "FINANCE")
MEASURES_PER_AREA = 12
DISTRICTS = 13
COMMANDS = 3
MONTHS = 36
FIRST_YEAR, FIRST_MONTH = 2022, 4
UNIT = "D01"
MEASURE = "M001"  # a percentage with numerator and denominator: peer chart and funnel plot

# Requests go through this URL configuration: pmf's own, plus the trivial view.
urlpatterns: list[Any] = []


def trivial(request: Any) -> Any:
    """Return a short response: what any signed-in page costs before doing its own work."""
    from django.http import HttpResponse

    return HttpResponse("ok")


# --- the organisation --------------------------------------------------------------------


def months() -> list[str]:
    """Return the codes of the benchmark's monthly periods, oldest first."""
    codes = []
    for index in range(MONTHS):
        year, month = divmod(FIRST_MONTH - 1 + index, 12)
        codes.append(f"{FIRST_YEAR + year}-{month + 1:02d}")
    return codes


def measure_definition(number: int, area: str) -> dict[str, Any]:
    """Return one measure of the framework; the six shapes repeat across the areas."""
    code = f"M{number:03d}"
    shape = (number - 1) % 6
    kind = ("redline", "kpi", "kpi", "context")[number % 4]
    common = {"code": code, "area": area, "kind": kind, "frequency": "month"}
    if shape == 0:
        return {
            **common,
            "name": f"Share of calls answered in time ({code})",
            "polarity": "higher_is_better",
            "unit_of_measure": "percent",
            "multiplier": 100,
            "numerator": "Answered in time",
            "denominator": "Calls",
            "rollup": "pooled_ratio",
            "standard": {"type": "target", "comparison": ">=", "value": 80, "amber_within": 5},
        }
    if shape == 1:
        return {
            **common,
            "name": f"Offences per 1,000 people ({code})",
            "polarity": "lower_is_better",
            "unit_of_measure": "rate",
            "multiplier": 1000,
            "numerator": "Offences",
            "denominator": "Population",
            "rollup": "pooled_ratio",
            "standard": [
                {"type": "peer_average", "unit_types": ["district"], "amber_within": 2},
                {"type": "improvement", "against": "same_period_last_year"},
            ],
        }
    if shape == 2:
        return {
            **common,
            "name": f"Incidents ({code})",
            "polarity": "lower_is_better",
            "unit_of_measure": "count",
            "decimals": 0,
            "rollup": "sum",
            "standard": {"type": "improvement", "against": "previous_period"},
        }
    if shape == 3:
        return {
            **common,
            "name": f"Overtime spend, £ thousand ({code})",
            "polarity": "lower_is_better",
            "unit_of_measure": "gbp",
            "rollup": "sum",
            "standard": {"type": "within_budget", "budget": 1200, "amber_within": 5},
        }
    if shape == 4:
        return {
            **common,
            "name": f"Risks scoring above 75 ({code})",
            "polarity": "lower_is_better",
            "unit_of_measure": "count",
            "decimals": 0,
            "rollup": "sum",
            "standard": {"type": "zero"},
        }
    return {
        **common,
        "kind": "context",
        "name": f"Satisfaction score ({code})",
        "polarity": "higher_is_better",
        "unit_of_measure": "score",
        "rollup": "mean",
    }


def framework_text() -> str:
    """Return the benchmark organisation's framework as YAML."""
    import yaml

    districts = [f"D{index:02d}" for index in range(1, DISTRICTS + 1)]
    units = [{"code": "R", "name": "Region", "type": "region"}]
    units += [
        {"code": f"C{index}", "name": f"Command {index}", "type": "command", "parent": "R"}
        for index in range(1, COMMANDS + 1)
    ]
    units += [
        {
            "code": code,
            "name": f"District {code[1:]}",
            "type": "district",
            "parent": f"C{index % COMMANDS + 1}",
        }
        for index, code in enumerate(districts)
    ]
    measures = [
        measure_definition(area_index * MEASURES_PER_AREA + offset + 1, area)
        for area_index, area in enumerate(AREAS)
        for offset in range(MEASURES_PER_AREA)
    ]
    data = {
        "organisation": {"code": "BENCH", "name": "Benchmark Region"},
        "areas": [
            {"code": area, "name": area.title(), "formerly": [{"name": f"Old {area.title()}"}]}
            for area in AREAS
        ],
        "units": units,
        "measures": measures,
        "peer_groups": [{"name": "Most Similar Group", "units": districts}],
    }
    return yaml.safe_dump(data, sort_keys=False)


def figures_frame(seed: int = 4) -> Any:
    """Return 36 months of figures for every district and measure, as a user would import."""
    import polars as pl

    rng = np.random.default_rng(seed)
    periods = months()
    rows: dict[str, list[Any]] = {key: [] for key in ("unit", "measure", "period")}
    numbers: dict[str, list[float | None]] = {"value": [], "numerator": [], "denominator": []}
    for district in range(1, DISTRICTS + 1):
        size = rng.uniform(0.6, 1.6)
        for number in range(1, len(AREAS) * MEASURES_PER_AREA + 1):
            shape = (number - 1) % 6
            level = rng.normal(0, 1)
            drift = np.cumsum(rng.normal(0, 0.15, MONTHS))
            for month, period in enumerate(periods):
                noise = rng.normal(0, 1)
                value = numerator = denominator = None
                if shape == 0:
                    denominator = float(round(2000 * size + rng.normal(0, 50)))
                    share = np.clip(0.82 + 0.03 * level + 0.01 * (drift[month] + noise), 0, 1)
                    numerator = float(round(denominator * share))
                elif shape == 1:
                    denominator = float(round(100_000 * size))
                    numerator = float(round(denominator / 1000 * (6 + level + drift[month])))
                    numerator = max(numerator + round(3 * noise), 0.0)
                elif shape == 2:
                    value = float(max(round(40 * size + 5 * level + 3 * noise), 0))
                elif shape == 3:
                    value = round(90 * size + 5 * drift[month] + 4 * noise, 1)
                elif shape == 4:
                    value = float(rng.random() < 0.15)
                else:
                    value = round(7 + 0.3 * level + 0.2 * noise, 1)
                rows["unit"].append(f"D{district:02d}")
                rows["measure"].append(f"M{number:03d}")
                rows["period"].append(period)
                numbers["value"].append(value)
                numbers["numerator"].append(numerator)
                numbers["denominator"].append(denominator)
    return pl.DataFrame(
        {**rows, **numbers},
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
    )


def build_organisation() -> Any:
    """Store the framework and import the figures; return the analyst, signed in."""
    from django.contrib.auth.models import User
    from django.test import Client

    from pmf.core.framework import load_framework
    from pmf.web.accounts.models import Membership
    from pmf.web.frameworks.services import store_framework
    from pmf.web.observations.services import import_frame

    organisation = store_framework(load_framework(framework_text()), "bench.yaml")
    frame = figures_frame()
    started = time.perf_counter()
    summary = import_frame(organisation, frame, file_name="bench.csv", source="benchmark")
    print(f"imported: {summary} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    user = User.objects.create_user("analyst", password="correct horse battery staple")
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ANALYST)
    client = Client(SERVER_NAME="127.0.0.1")  # an allowed host, as in a deployment
    client.force_login(user)
    return organisation, client


# --- the database --------------------------------------------------------------------------


@contextmanager
def fresh_database() -> Iterator[str]:
    """Point DATABASE_URL at a new, empty database for the run; drop it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        with tempfile.TemporaryDirectory() as folder:
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            yield "SQLite"
        return
    import psycopg

    name = f"pmf_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
        version = admin.execute("SHOW server_version").fetchone()
    base, _, _ = url.rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    try:
        yield f"PostgreSQL {version[0] if version else '?'}"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


def start_django() -> None:
    """Set Django up on the benchmark's database and create the tables."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.web.config.settings")
    os.environ.pop("PMF_DEBUG", None)  # DEBUG keeps every query in memory: not production
    # WhiteNoise warns that collectstatic has not run; the benchmark requests no static file.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    django.setup()
    call_command("migrate", verbosity=0)

    from django.urls import include, path

    urlpatterns[:] = [path("bench/trivial/", trivial), path("", include("pmf.web.config.urls"))]


# --- measuring ---------------------------------------------------------------------------


def timed(request: Callable[[], Any]) -> float:
    """Return the seconds one request takes; fail loudly on anything but a page."""
    started = time.perf_counter()
    response = request()
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"status {response.status_code}: {response.content[:500]!r}")
    return seconds


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` quantile (0 to 1) of ``values``."""
    return float(np.quantile(np.array(values), share))


def enter_one_figure(organisation: Any, step: int) -> None:
    """Correct one district's latest figure, as a measure owner would in the entry form."""
    import polars as pl

    from pmf.web.observations.services import import_frame

    frame = pl.DataFrame(
        {
            "unit": [f"D{DISTRICTS:02d}"],
            "measure": ["M003"],
            "period": [months()[-1]],
            "value": [float(100 + step)],
        }
    )
    # A correction this large has plausibility warnings: accepted, as its owner would.
    import_frame(
        organisation, frame, file_name="entry", source="benchmark", accept_warnings="benchmark"
    )


def main() -> None:
    """Build the organisation, time the pages and the trivial view, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--after-write", type=int, default=5, help="timed first requests")
    parser.add_argument(
        "--writers", type=int, default=2, help="writer processes in the concurrent rounds"
    )
    parser.add_argument(
        "--rounds", type=int, default=20, help="writes timed under the concurrent writers"
    )
    parser.add_argument(
        "--profile",
        choices=["scorecard", "overview", "measure"],
        help="print where one page's time goes instead (cProfile)",
    )
    parser.add_argument(
        "--cold", action="store_true", help="with --profile: empty the cache before each request"
    )
    args = parser.parse_args()
    sys.modules.setdefault("bench_web", sys.modules[__name__])
    with fresh_database() as engine:
        start_django()
        from django.test import override_settings

        with override_settings(ROOT_URLCONF=__name__):
            run(engine, args)


def run(engine: str, args: argparse.Namespace) -> None:
    """Time the pages on the built organisation and print the results."""
    organisation, client = build_organisation()
    pages: dict[str, str] = {
        "trivial view (baseline)": "/bench/trivial/",
        f"scorecard ({UNIT}, 60 measures)": f"/BENCH/units/{UNIT}/",
        "organisation overview": "/BENCH/",
        f"measure page ({UNIT}, {MEASURE})": f"/BENCH/units/{UNIT}/measures/{MEASURE}/",
    }
    if args.profile:
        chosen = ["scorecard", "overview", "measure"].index(args.profile) + 1
        profile(client, list(pages.values())[chosen], args.cold)
        return
    for url in pages.values():
        for _ in range(args.warmup):
            timed(lambda url=url: client.get(url))
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(args.requests):
        for name, url in pages.items():
            times[name].append(timed(lambda url=url: client.get(url)))
    cold: dict[str, list[float]] = {name: [] for name in list(pages)[1:]}
    for step in range(args.after_write):
        for name in cold:
            enter_one_figure(organisation, step * len(cold) + len(cold[name]))
            cold[name].append(timed(lambda url=pages[name]: client.get(url)))
    report(engine, args, times, cold)
    version_reads(organisation, args.requests)
    concurrent(organisation, client, args)


def version_reads(organisation: Any, repeats: int) -> None:
    """Print how long reading each kind of page's data version takes (one query each)."""
    from pmf.web.cache import data_version
    from pmf.web.scorecards.presenters import scorecard_version

    kinds: dict[str, Callable[[], str]] = {
        f"scorecard ({UNIT}: itself, 12 peers)": lambda: scorecard_version(organisation, UNIT),
        "scorecard (region: the root)": lambda: scorecard_version(organisation, "R"),
        f"sparklines ({UNIT})": lambda: data_version(organisation, [UNIT]),
        f"measure page ({MEASURE})": lambda: data_version(organisation, None, MEASURE),
    }
    print("data version read (one query):")
    for name, read in kinds.items():
        read()
        spent = []
        for _ in range(repeats):
            started = time.perf_counter()
            read()
            spent.append(time.perf_counter() - started)
        print(f"  {name:40} {statistics.median(spent) * 1e6:7.0f} µs")


# Command 3's districts: the concurrent writers enter figures there, and Command 1's district
# D07 gets the timed write. D01 is in Command 1, and every district is in its MSG.
WRITER_UNITS = [f"D{index:02d}" for index in range(3, DISTRICTS + 1, COMMANDS)]
WRITTEN_UNIT = "D07"
WRITTEN_MEASURE = "M003"


def write_figures(url: str, stop: Any, done: Any, seed: int) -> None:
    """Enter figures to Command 3's districts, any measure but M001, until ``stop`` is set.

    Runs in its own process, with its own Django and database connection, as a second
    server's worker would.
    """
    import random

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.web.config.settings")
    import django

    django.setup()
    import polars as pl

    from pmf.web.frameworks.models import Organisation
    from pmf.web.observations.services import import_frame

    organisation = Organisation.objects.get(code="BENCH")
    rng = random.Random(seed)
    recent = months()[-6:]
    # Any measure but the one whose page is timed as unchanged.
    codes = [f"M{number:03d}" for number in range(1, len(AREAS) * MEASURES_PER_AREA + 1)]
    codes.remove(MEASURE)
    while not stop.is_set():
        frame = pl.DataFrame(
            {
                "unit": [rng.choice(WRITER_UNITS)],
                "measure": [rng.choice(codes)],
                "period": [rng.choice(recent)],
                "value": [float(rng.randint(1, 90))],
            }
        )
        try:
            import_frame(
                organisation,
                frame,
                file_name="writer",
                source="benchmark",
                accept_warnings="benchmark writer",
            )
        except ValueError:
            continue  # a value the measure does not allow (a count of 0 or 1 only, say)
        with done.get_lock():
            done.value += 1


def concurrent(organisation: Any, client: Any, args: argparse.Namespace) -> None:
    """Time the first request after a write while other processes write, and print it."""
    import multiprocessing

    import polars as pl
    from django.db import connections

    from pmf.web.observations.services import ASSESSMENTS, import_frame

    if args.writers < 1 or args.rounds < 1:
        return
    changed = {
        f"scorecard ({UNIT})": f"/BENCH/units/{UNIT}/",
        "scorecard (C1)": "/BENCH/units/C1/",
        "organisation overview": "/BENCH/",
        f"measure page ({UNIT}, {WRITTEN_MEASURE})": (
            f"/BENCH/units/{UNIT}/measures/{WRITTEN_MEASURE}/"
        ),
    }
    unchanged = {
        "scorecard (C2)": "/BENCH/units/C2/",
        f"measure page ({UNIT}, {MEASURE})": f"/BENCH/units/{UNIT}/measures/{MEASURE}/",
    }
    pages = {"trivial view (baseline)": "/bench/trivial/", **changed, **unchanged}
    for url in pages.values():
        timed(lambda url=url: client.get(url))
    context = multiprocessing.get_context("spawn")  # no fork of Polars' threads
    stop = context.Event()
    done = context.Value("l", 0)
    connections.close_all()
    writers = [
        context.Process(target=write_figures, args=(os.environ["DATABASE_URL"], stop, done, seed))
        for seed in range(args.writers)
    ]
    for process in writers:
        process.start()
    times: dict[str, list[float]] = {name: [] for name in pages}
    try:
        deadline = time.monotonic() + 120
        while done.value < args.writers and time.monotonic() < deadline:
            time.sleep(0.1)  # every writer is writing before the clock starts
            if not all(process.is_alive() for process in writers):
                raise RuntimeError("a writer process failed: see its traceback above")
        started, before = time.perf_counter(), done.value
        assessed = dict(ASSESSMENTS)
        for step in range(args.rounds):
            frame = pl.DataFrame(
                {
                    "unit": [WRITTEN_UNIT],
                    "measure": [WRITTEN_MEASURE],
                    "period": [months()[-1]],
                    "value": [float(30 + step % 20)],
                }
            )
            import_frame(
                organisation, frame, file_name="entry", source="benchmark", accept_warnings="b"
            )
            for name, url in pages.items():
                times[name].append(timed(lambda url=url: client.get(url)))
        seconds = time.perf_counter() - started
        written = done.value - before
        if not all(process.is_alive() for process in writers):
            raise RuntimeError("a writer process failed: see its traceback above")
    finally:
        stop.set()
        for process in writers:
            process.join(60)
    baseline = statistics.median(times["trivial view (baseline)"])
    print(
        f"first request after a write, under {args.writers} concurrent writer processes "
        f"({written} figures entered elsewhere in {seconds:.1f} s, {args.rounds} rounds; "
        f"assessments: {ASSESSMENTS['whole'] - assessed['whole']} whole, "
        f"{ASSESSMENTS['part'] - assessed['part']} of the measures written):"
    )
    print(f"  {'page':40} {'median':>10} {'p95':>10} {'ratio':>8}")
    for name, values in times.items():
        if name == next(iter(changed)):
            print("  data changed by the write:")
        elif name == next(iter(unchanged)):
            print("  data changed by no write:")
        median = statistics.median(values)
        print(
            f"  {name:40} {median * 1000:7.1f} ms {percentile(values, 0.95) * 1000:7.1f} ms "
            f"{median / baseline:7.1f}x"
        )


def report(
    engine: str,
    args: argparse.Namespace,
    times: dict[str, list[float]],
    cold: dict[str, list[float]],
) -> None:
    """Print median, 95th percentile and the ratio to the trivial view for each page."""
    import django
    import polars as pl

    print(
        f"{engine}, Django {django.get_version()}, Polars {pl.__version__}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    print(
        f"organisation: {len(AREAS) * MEASURES_PER_AREA} measures, {DISTRICTS} districts "
        f"(MSG of 12 peers each) under {COMMANDS} commands and a region, {MONTHS} months"
    )
    print(f"{args.requests} requests per page after {args.warmup} warm-up, taking turns")
    baseline = statistics.median(times["trivial view (baseline)"])
    print(f"{'page':36} {'median':>10} {'p95':>10} {'ratio':>8}")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:36} {median * 1000:7.1f} ms {percentile(values, 0.95) * 1000:7.1f} ms "
            f"{median / baseline:7.1f}x"
        )
    print(f"first request after a figure is entered ({args.after_write} writes each):")
    for name, values in cold.items():
        median = statistics.median(values)
        print(
            f"  {name:34} {median * 1000:7.1f} ms {max(values) * 1000:7.1f} ms (max) "
            f"{median / baseline:6.1f}x"
        )


def profile(client: Any, url: str, cold: bool) -> None:
    """Print where one page's time goes (cProfile, cumulative), after a warm-up."""
    import cProfile
    import pstats

    from django.core.cache import cache

    for _ in range(3):
        client.get(url)
    profiler = cProfile.Profile()
    for _ in range(5):
        if cold:
            cache.clear()
        profiler.enable()
        client.get(url)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(
        int(os.environ.get("BENCH_PROFILE_LINES", "45"))
    )


if __name__ == "__main__":
    main()
