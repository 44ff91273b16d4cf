"""Benchmark: SPC and peer comparison over 10 million observations, against two baselines.

Data: 20,000 series × 500 monthly points (2,000 units × 10 measures), synthetic but
shaped like the NHS A&E four-hour performance in ``examples/nhs_ae``: each series
takes the mean and month-to-month spread of a real provider's percentage, with a
shift part-way through some series so that special causes occur. Each unit's peer
group is the seven units after it.

Three sides, each in its own process (so that its peak memory is its own):

- pmf: ``spc_points`` + ``spc_summary`` over all series at once, and
  ``compare_with_peers`` over every unit, measure and period;
- pandas: a straightforward ``groupby().apply()`` implementation of the same SPC
  rules (a Python loop per series) and of the peer comparison (per measure and
  period);
- floor: one NumPy pass computing only each series' mean.

Each side's clock starts after its libraries are imported (the import time is printed
beside it): it times reading the data and computing, not loading Python modules.

Run it with ``make bench`` or::

    .venv/bin/python benchmarks/bench_assess.py --series 20000 --points 500

With ``--charts`` it times instead every chart type of issue 18 (run, i, mr, p, pp, u,
up, c, g, t, with Anhoej's rules) over the same number of points, pmf's ``spc_points``
against a pandas ``groupby().apply()`` of the same formulas, and cross-checks the
number of points outside the limits::

    .venv/bin/python benchmarks/bench_assess.py --charts --series 20000 --points 500
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
AE = HERE.parent / "examples" / "nhs_ae" / "data" / "ae_attendances.csv"
MEASURES = 10
PEERS = 7
SCREEN, LIMIT, RUN, TREND = 3.267, 2.66, 7, 7


def provider_profiles() -> np.ndarray:
    """Return (mean, month-to-month sd) of each real provider's four-hour percentage."""
    frame = (
        pl.read_csv(AE, schema_overrides={"type": pl.String})
        .group_by("org_code", "period")
        .agg(pl.col("attendances").sum(), pl.col("breaches").sum())
        .filter(pl.col("attendances") > 0)
        .with_columns((100 * (1 - pl.col("breaches") / pl.col("attendances"))).alias("pct"))
        .group_by("org_code")
        .agg(pl.col("pct").mean().alias("mean"), pl.col("pct").std().alias("sd"))
        .drop_nulls()
        .filter(pl.col("sd") > 0)
        .sort("org_code")  # group_by's order varies from run to run; the data must not
    )
    return frame.select("mean", "sd").to_numpy()


def make_data(path: Path, series: int, points: int, seed: int = 2019) -> None:
    """Write the synthetic observations to a Parquet file."""
    rng = np.random.default_rng(seed)
    profiles = provider_profiles()
    chosen = profiles[rng.integers(0, len(profiles), series)]
    values = rng.normal(chosen[:, :1], chosen[:, 1:], size=(series, points))
    # A sustained shift in a third of the series, as after a change in a service.
    shifted = rng.random(series) < 1 / 3
    start = rng.integers(points // 2, points, series)
    steps = np.arange(points)[None, :] >= start[:, None]
    values += np.where(shifted[:, None] & steps, -chosen[:, 1:] * 1.5, 0.0)
    values = np.clip(values, 0.0, 100.0).round(2)
    units = series // MEASURES
    frame = pl.DataFrame(
        {
            "unit": np.repeat(np.arange(series) // MEASURES, points).astype(np.int32),
            "measure": np.repeat(np.arange(series) % MEASURES, points).astype(np.int32),
            "t": np.tile(np.arange(points, dtype=np.int32), series),
            "value": values.ravel(),
        }
    ).with_columns(
        (pl.lit(np.datetime64("1990-01-01", "D")) + pl.duration(days=pl.col("t") * 30))
        .cast(pl.Date)
        .alias("date"),
        pl.format("U{}", pl.col("unit")).alias("unit"),
        pl.format("M{}", pl.col("measure")).alias("measure"),
    )
    frame.write_parquet(path)
    print(f"data: {frame.height:,} rows, {series:,} series, {units:,} units", file=sys.stderr)


def peer_links_frame(units: int) -> pl.DataFrame:
    """Return each unit's peers: the unit itself and the seven units after it."""
    rows = [(f"U{u}", f"U{(u + k) % units}") for u in range(units) for k in range(PEERS + 1)]
    return pl.DataFrame(rows, schema={"unit": pl.String, "peer": pl.String}, orient="row")


# --- pmf -----------------------------------------------------------------------------------


def run_pmf(path: Path) -> dict[str, object]:
    """Run pmf's SPC and peer comparison; return a digest for cross-checking."""
    from pmf.core.peers import compare_with_peers
    from pmf.core.spc import SpcOptions, spc_points, spc_summary

    # The data are stored series by series, as a warehouse extract would be; the series key
    # is a number made from the unit and measure numbers.
    frame = pl.read_parquet(path).with_columns(
        (
            pl.col("unit").str.slice(1).cast(pl.Int64) * MEASURES
            + pl.col("measure").str.slice(1).cast(pl.Int64)
        ).alias("series")
    )
    options = SpcOptions(improvement="increase")
    started = time.perf_counter()
    points = spc_points(frame, value="value", date="date", group="series", options=options)
    summary = spc_summary(points, options=options)
    spc_seconds = time.perf_counter() - started
    units = frame["unit"].n_unique()
    links = peer_links_frame(units).with_columns(
        pl.lit("MSG").alias("peer_group"), pl.lit(True).alias("in_average")
    )
    figures = frame.select(
        "unit",
        "measure",
        pl.col("t").cast(pl.String).alias("period"),
        "value",
        pl.lit(None, dtype=pl.Float64).alias("numerator"),
        pl.lit(None, dtype=pl.Float64).alias("denominator"),
    )
    measures = pl.DataFrame(
        {
            "measure": [f"M{m}" for m in range(MEASURES)],
            "polarity": "higher_is_better",
            "multiplier": 1.0,
        }
    )
    started = time.perf_counter()
    peers = compare_with_peers(figures, links, measures)
    peer_seconds = time.perf_counter() - started
    return {
        "spc_seconds": round(spc_seconds, 2),
        "peer_seconds": round(peer_seconds, 2),
        "special": int((points["point_type"] != "common_cause").sum()),
        "variation": summary["variation_type"].value_counts().sort("variation_type").rows(),
        "rank_sum": int(peers["rank"].sum()),
    }


# --- pandas baseline -------------------------------------------------------------------------


def _streak_flags(condition: np.ndarray, length: int) -> np.ndarray:
    """Flag every point of each stretch of at least ``length`` consecutive true values."""
    flags = np.zeros(len(condition), dtype=bool)
    count = 0
    for index, holds in enumerate(condition):
        count = count + 1 if holds else 0
        if count >= length:
            flags[index - length + 1 : index + 1] = True
    return flags


def xmr_series(values: np.ndarray) -> np.ndarray:
    """Return the point types of one series by the same rules, one point at a time."""
    n = len(values)
    mean = values.mean()
    ranges = np.abs(np.diff(values))
    average = ranges.mean()
    average = ranges[ranges < SCREEN * average].mean()
    upl, lpl = mean + LIMIT * average, mean - LIMIT * average
    close = 2 * LIMIT / 3 * average
    side = np.sign(values - mean)
    outside = (values > upl) | (values < lpl)
    run = _streak_flags(side == 1, RUN) | _streak_flags(side == -1, RUN)
    steps = np.sign(np.diff(values, prepend=np.nan))
    up = _streak_flags(steps == 1, TREND - 1)
    down = _streak_flags(steps == -1, TREND - 1)
    # A trend's first point precedes its first step.
    trend_up = up | np.append(up[1:], False)
    trend_down = down | np.append(down[1:], False)
    near = ~outside & ((values < mean - close) | (values > mean + close))
    two_in_three = np.zeros(n, dtype=bool)
    for index in range(2, n):
        window = slice(index - 2, index + 1)
        if near[window].sum() >= 2 and abs(side[window].sum()) == 3:
            two_in_three[window] |= near[window]
    types = np.full(n, "common_cause", dtype=object)
    for index in range(n):
        direction = 0
        if outside[index]:
            direction = 1 if side[index] == 1 else -1
        elif trend_up[index] or trend_down[index]:
            direction = 1 if trend_up[index] and not trend_down[index] else -1
        elif two_in_three[index] or run[index]:
            direction = 1 if side[index] > 0 else -1
        if direction:
            types[index] = "special_cause_improvement" if direction > 0 else "special_cause_concern"
    return types


def run_pandas(path: Path) -> dict[str, object]:
    """Run the straightforward pandas implementation; return the same digest."""
    import pandas as pd

    source = pl.read_parquet(path)
    frame = pd.DataFrame({column: source[column].to_numpy() for column in source.columns})
    frame = frame.sort_values(["unit", "measure", "date"])
    types = frame.groupby(["unit", "measure"], sort=False)["value"].apply(
        lambda series: pd.Series(xmr_series(series.to_numpy()), index=series.index)
    )
    special = int((types.to_numpy() != "common_cause").sum())
    units = frame["unit"].nunique()
    peer_index = (np.arange(units)[:, None] + np.arange(PEERS + 1)[None, :]) % units

    def ranks(group: pd.DataFrame) -> int:
        values = np.full(units, np.nan)
        values[group["unit"].str.slice(1).astype(int).to_numpy()] = group["value"].to_numpy()
        total = 0
        for unit in range(units):
            peers = values[peer_index[unit]]
            total += 1 + int((peers > values[unit]).sum())
        return total

    rank_sum = int(frame.groupby(["measure", "t"])[["unit", "value"]].apply(ranks).sum())
    return {"special": special, "rank_sum": rank_sum}


# --- NumPy floor -----------------------------------------------------------------------------


def run_floor(path: Path) -> dict[str, object]:
    """Compute only each series' mean in one NumPy pass: the least any method must do."""
    frame = pl.read_parquet(path, columns=["value"])
    values = frame["value"].to_numpy()
    points = int(sys.argv[sys.argv.index("--points") + 1])
    means = np.add.reduceat(values, np.arange(0, len(values), points)) / points
    return {"series": len(means)}


# --- every chart type (issue 18) -----------------------------------------------------------

CHARTS = ("run", "i", "mr", "p", "pp", "u", "up", "c", "g", "t")
D2 = 1.128


def make_chart_data(path: Path, series: int, points: int, seed: int = 2026) -> None:
    """Write counts over denominators, series by series, with a shift in a third of them."""
    rng = np.random.default_rng(seed)
    size = series * points
    denominators = rng.integers(50, 500, size)
    rates = np.repeat(rng.uniform(0.05, 0.4, series), points)
    shifted = np.repeat(rng.random(series) < 1 / 3, points)
    later = np.tile(np.arange(points) >= points // 2, series)
    rates = np.where(shifted & later, rates * 1.3, rates)
    numerators = rng.binomial(denominators, np.minimum(rates, 1.0))
    pl.DataFrame(
        {
            "series": np.repeat(np.arange(series, dtype=np.int32), points),
            "t": np.tile(np.arange(points, dtype=np.int32), series),
            "num": numerators.astype(np.float64),
            "den": denominators.astype(np.float64),
            # Days between events: positive, skewed, as the g and t charts expect.
            "gap": rng.exponential(30.0, size).round(2) + 0.01,
        }
    ).write_parquet(path)


def chart_input(kind: str) -> str:
    """Return the column a chart reads as its value (the ratio charts read num and den)."""
    return "gap" if kind in ("g", "t") else "num"


def run_charts_pmf(path: Path) -> dict[str, object]:
    """Time ``spc_points`` for every chart type; return seconds and signal counts."""
    from pmf.core.spc import RATIO_CHARTS, SpcOptions, spc_points

    frame = pl.read_parquet(path)
    seconds: dict[str, float] = {}
    signals: dict[str, int] = {}
    for kind in CHARTS:
        options = SpcOptions(chart=kind, rules="anhoej")  # type: ignore[arg-type]
        columns = (
            {"numerator": "num", "denominator": "den"}
            if kind in RATIO_CHARTS
            else {"value": chart_input(kind)}
        )
        # A first call on two series warms up what is paid once per process (as pandas').
        spc_points(frame.head(1_000), date="t", group="series", options=options, **columns)
        started = time.perf_counter()
        points = spc_points(frame, date="t", group="series", options=options, **columns)
        seconds[kind] = time.perf_counter() - started
        signals[kind] = int(points["sigma_signal"].sum())
    return {"chart_seconds": seconds, "signals": signals}


def _amr(ranges: np.ndarray) -> float:
    """Return the mean moving range after screening those of 3.267 times it or more."""
    ranges = ranges[~np.isnan(ranges)]
    average = ranges.mean()
    kept = ranges[ranges < SCREEN * average]
    return float(kept.mean()) if kept.size else float("nan")


def chart_series(kind: str, y: np.ndarray, n: np.ndarray) -> tuple[int, int]:
    """Return one series' points outside its limits and its longest run, step by step."""
    lcl = ucl = np.full(len(y), np.nan)
    if kind == "run":
        cl = float(np.median(y))
    elif kind == "i":
        cl = y.mean()
        sigma = _amr(np.abs(np.diff(y))) / D2
        lcl, ucl = np.full(len(y), cl - 3 * sigma), np.full(len(y), cl + 3 * sigma)
    elif kind == "mr":
        y = np.concatenate(([np.nan], np.abs(np.diff(y))))
        cl = np.nanmean(y)
        lcl, ucl = np.zeros(len(y)), np.full(len(y), 3.267 * cl)
    elif kind in ("p", "pp", "u", "up"):
        cl = y.sum() / n.sum()
        y = y / n
        sigma = np.sqrt((cl * (1 - cl) if kind in ("p", "pp") else cl) / n)
        if kind in ("pp", "up"):
            sigma = sigma * _amr(np.abs(np.diff((y - cl) / sigma))) / D2
        ucl = cl + 3 * sigma
        if kind in ("p", "pp"):
            ucl = np.minimum(ucl, 1.0)
        lcl = np.maximum(cl - 3 * sigma, 0.0)
    elif kind in ("c", "g"):
        mean = y.mean()
        sigma = np.sqrt(mean) if kind == "c" else np.sqrt(mean * (mean + 1))
        cl = mean if kind == "c" else float(np.median(y))
        lcl, ucl = np.full(len(y), max(mean - 3 * sigma, 0.0)), np.full(len(y), mean + 3 * sigma)
    else:  # t
        z = y ** (1 / 3.6)
        centre = z.mean()
        sigma = _amr(np.abs(np.diff(z))) / D2
        cl = centre**3.6
        lower = centre - 3 * sigma
        lcl = np.full(len(y), lower**3.6 if lower > 0 else 0.0)
        ucl = np.full(len(y), (centre + 3 * sigma) ** 3.6)
        y = z**3.6
    with np.errstate(invalid="ignore"):
        outside = int(((y > ucl) | (y < lcl)).sum())
    side = np.sign(y - cl)
    side = side[(side != 0) & ~np.isnan(side)]
    longest = count = 0
    for index, value in enumerate(side):
        count = count + 1 if index and value == side[index - 1] else 1
        longest = max(longest, count)
    return outside, longest


def run_charts_pandas(path: Path) -> dict[str, object]:
    """Time a pandas groupby-apply of every chart type; return seconds and signal counts."""
    import pandas as pd

    source = pl.read_parquet(path)
    frame = pd.DataFrame({column: source[column].to_numpy() for column in source.columns})
    seconds: dict[str, float] = {}
    signals: dict[str, int] = {}
    for kind in CHARTS:
        column = chart_input(kind)
        frame.head(1_000).groupby("series", sort=False)[[column, "den"]].apply(
            lambda group, kind=kind, column=column: chart_series(
                kind, group[column].to_numpy(), group["den"].to_numpy()
            )
        )
        started = time.perf_counter()
        result = frame.groupby("series", sort=False)[[column, "den"]].apply(
            lambda group, kind=kind, column=column: chart_series(
                kind, group[column].to_numpy(), group["den"].to_numpy()
            )
        )
        seconds[kind] = time.perf_counter() - started
        signals[kind] = int(sum(outside for outside, _ in result))
    return {"chart_seconds": seconds, "signals": signals}


def charts_main(args: argparse.Namespace) -> None:
    """Time every chart type in pmf and in pandas on the same data; print a table."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "counts.parquet"
        make_chart_data(data, args.series, args.points)
        results = {}
        for variant in ("charts-pmf", "charts-pandas"):
            output = subprocess.run(
                [sys.executable, __file__, "--child", variant, "--data", str(data)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[variant] = json.loads(output.strip().splitlines()[-1])
    rows = args.series * args.points
    print(f"points per chart: {rows:,} ({args.series:,} series x {args.points} points)")
    print(f"{'chart':6} {'pmf s':>8} {'pandas s':>9} {'ratio':>7}  points outside (pmf, pandas)")
    pmf = results["charts-pmf"]["digest"]
    pandas = results["charts-pandas"]["digest"]
    for kind in CHARTS:
        ours, theirs = pmf["chart_seconds"][kind], pandas["chart_seconds"][kind]
        print(
            f"{kind:6} {ours:8.2f} {theirs:9.2f} {theirs / ours:6.1f}x"
            f"  {pmf['signals'][kind]:,}, {pandas['signals'][kind]:,}"
        )
    total_pmf = sum(pmf["chart_seconds"].values())
    total_pandas = sum(pandas["chart_seconds"].values())
    print(
        f"{'all':6} {total_pmf:8.2f} {total_pandas:9.2f} {total_pandas / total_pmf:6.1f}x"
        f"  peak pmf {results['charts-pmf']['peak_mib']:,.0f} MiB, "
        f"pandas {results['charts-pandas']['peak_mib']:,.0f} MiB"
    )


# What each side imports before its clock starts: loading a library is not the computation,
# and on a machine that writes no bytecode it would be most of pmf's time at small sizes.
IMPORTS = {
    "pmf": ("pmf.core.peers", "pmf.core.spc"),
    "pandas": ("pandas",),
    "floor": (),
    "charts-pmf": ("pmf.core.spc", "scipy.special"),
    "charts-pandas": ("pandas",),
}


def child(variant: str, path: Path) -> None:
    """Run one side and print its seconds, import seconds and peak memory as JSON."""
    runner = {
        "pmf": run_pmf,
        "pandas": run_pandas,
        "floor": run_floor,
        "charts-pmf": run_charts_pmf,
        "charts-pandas": run_charts_pandas,
    }[variant]
    started = time.perf_counter()
    for module in IMPORTS[variant]:
        importlib.import_module(module)
    imported = time.perf_counter() - started
    started = time.perf_counter()
    digest = runner(path)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "import": imported, "peak_mib": peak, "digest": digest}))


def main() -> None:
    """Make the data, run the three sides and print times, ratios and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=20_000)
    parser.add_argument("--points", type=int, default=500)
    parser.add_argument(
        "--charts", action="store_true", help="time every chart type (issue 18) instead"
    )
    parser.add_argument(
        "--child",
        choices=["pmf", "pandas", "floor", "charts-pmf", "charts-pandas"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data)
        return
    if args.charts:
        charts_main(args)
        return
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "observations.parquet"
        make_data(data, args.series, args.points)
        results = {}
        for variant in ("floor", "pmf", "pandas"):
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    variant,
                    "--data",
                    str(data),
                    "--points",
                    str(args.points),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[variant] = json.loads(output.strip().splitlines()[-1])
    rows = args.series * args.points
    print(f"observations: {rows:,} ({args.series:,} series x {args.points} points)")
    for name, key in (
        ("NumPy floor (means only)", "floor"),
        ("pmf (SPC + peers)", "pmf"),
        ("pandas groupby-apply", "pandas"),
    ):
        result = results[key]
        print(
            f"{name:28} {result['seconds']:8.2f} s  peak {result['peak_mib']:7,.0f} MiB"
            f"  (imports before the clock {result['import']:.2f} s)"
        )
    pmf, pandas, floor = (results[k]["seconds"] for k in ("pmf", "pandas", "floor"))
    digest = results["pmf"]["digest"]
    print(
        f"  of which SPC points and summary {digest['spc_seconds']:.2f} s, "
        f"peer comparison {digest['peer_seconds']:.2f} s"
    )
    print(f"pmf is {pandas / pmf:.1f}x faster than pandas groupby-apply")
    print(f"pmf takes {pmf / floor:.1f}x the NumPy floor")
    agree = results["pmf"]["digest"]["rank_sum"] == results["pandas"]["digest"]["rank_sum"]
    print(
        f"special-cause points: pmf {results['pmf']['digest']['special']:,}, "
        f"pandas {results['pandas']['digest']['special']:,}; peer ranks agree: {agree}"
    )


if __name__ == "__main__":
    main()
