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


# What each side imports before its clock starts: loading a library is not the computation,
# and on a machine that writes no bytecode it would be most of pmf's time at small sizes.
IMPORTS = {"pmf": ("pmf.core.peers", "pmf.core.spc"), "pandas": ("pandas",), "floor": ()}


def child(variant: str, path: Path) -> None:
    """Run one side and print its seconds, import seconds and peak memory as JSON."""
    runner = {"pmf": run_pmf, "pandas": run_pandas, "floor": run_floor}[variant]
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
    parser.add_argument("--child", choices=["pmf", "pandas", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data)
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
