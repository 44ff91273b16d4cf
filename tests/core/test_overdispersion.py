"""Funnel limits widened for overdispersion agree with FunnelPlotR 0.6 and with the formulas.

FunnelPlotR's published values: its test ``test-classes_methods.R`` (phi of a six-unit
example) and its README's medpar example (54 hospitals: 25 outside unadjusted 99.8 % limits,
9 outside limits adjusted by the SHMI method; ``data/funnelplotr/README.md``). The rest is
checked against the formulas of docs/methods.md worked here in plain Python, one unit at a
time, and on real A&E data (NHS England, OGL; the copy in ``examples/nhs_ae``).
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from pmf.core.funnel import HIGH_001, LOW_001, FunnelInputError, funnel_significance
from pmf.core.overdispersion import UNIT_COLUMNS, Dispersion, describe, unit_limits

DATA = Path(__file__).parent / "data" / "funnelplotr"
AE = Path(__file__).parents[2] / "examples" / "nhs_ae" / "data" / "ae_attendances.csv"

# FunnelPlotR's tests/testthat/test-classes_methods.R and test-funnel_plot.R.
SIX = pl.DataFrame(
    {
        "num": [100.0, 150.0, 180.0, 80.0, 120.0, 225.0],
        "denom": [108.0, 112.0, 165.0, 95.0, 100.0, 220.0],
    }
)


def medpar() -> pl.DataFrame:
    return pl.read_csv(DATA / "medpar_los.csv")


# --- a plain, one-unit-at-a-time working of the formulas --------------------------------------


def by_hand(
    x: list[float], n: list[float], statistic: str, method: str
) -> tuple[float, float, list[tuple[float, float, float, float]]]:
    """Phi, tau2 and each unit's (lower 95, upper 95, lower 99.8, upper 99.8), times 1."""
    units = len(x)
    target = 1.0 if statistic == "ratio" else sum(x) / sum(n)
    scores: list[tuple[float, float]] = []  # (z, s)
    sizes: list[float] = []
    for xi, ni in zip(x, n, strict=True):
        if statistic == "proportion":
            s = 1 / (2 * math.sqrt(ni))
            z = (math.asin(math.sqrt(xi / ni)) - math.asin(math.sqrt(target))) / s
            sizes.append(ni)
        else:
            # A ratio's expected count is its denominator (rounded to 2 decimals by the SHMI
            # method); a rate's is its population times the pooled rate.
            e = ni * target
            if statistic == "ratio":
                e = round(ni, 2) if method == "shmi" else ni
            if method == "shmi":
                s = 1 / math.sqrt(e)
                z = math.log(xi / e) / s
            else:
                s = 1 / (2 * math.sqrt(e))
                z = (math.sqrt(xi / e) - 1) / s
            sizes.append(e)
        scores.append((z, s))
    if method == "shmi":
        # Rank (no ties here), ten groups, drop the first and the last.
        order = sorted(range(units), key=lambda i: scores[i][0])
        rank = {unit: position + 1 for position, unit in enumerate(order)}
        kept = [i for i in range(units) if 0 < math.floor(rank[i] * 10 / (units + 1)) < 9]
        used = [scores[i] for i in kept]
    else:
        zs = sorted(z for z, _ in scores)
        low = statistics.quantiles(zs, n=10, method="inclusive")[0]
        high = statistics.quantiles(zs, n=10, method="inclusive")[-1]
        used = [(min(max(z, low), high), s) for z, s in scores]
    count = len(used)
    phi = sum(z * z for z, _ in used) / count
    w = [1 / s**2 for _, s in used]
    tau2 = max(0.0, (count * phi - (count - 1)) / (sum(w) - sum(v * v for v in w) / sum(w)))
    limits = []
    for size in sizes:
        row = []
        for z in (-1.959964, 1.959964, -3.090232, 3.090232):
            if statistic == "proportion":
                angle = math.asin(math.sqrt(target)) + z * math.sqrt(1 / (4 * size) + tau2)
                row.append(
                    0.0 if angle < 0 else 1.0 if angle > math.pi / 2 else math.sin(angle) ** 2
                )
            elif method == "shmi":
                row.append(target * math.exp(z * math.sqrt(1 / size + tau2)))
            else:
                row.append(target * (1 + z * math.sqrt(1 / (4 * size) + tau2)))
        limits.append((row[0], row[1], row[2], row[3]))
    return phi, tau2, limits


# --- FunnelPlotR's published values ----------------------------------------------------------


def test_phi_of_funnelplotrs_six_unit_example_is_its_published_value() -> None:
    # test-classes_methods.R: expect_equal(round(phi.funnelplot(a), 6), 2.948033)
    _, dispersion = unit_limits(
        SIX, numerator="num", denominator="denom", statistic="ratio", overdispersion="shmi"
    )
    assert round(dispersion.phi or 0, 6) == 2.948033
    assert dispersion.adjusted and dispersion.units == 6


def test_medpar_has_nine_outliers_after_the_shmi_adjustment_as_funnelplotrs_readme() -> None:
    limits, dispersion = unit_limits(
        medpar(), numerator="los", denominator="prds", statistic="ratio", overdispersion="shmi"
    )
    assert limits.height == 54
    assert int(limits["outlier_998"].sum()) == 9
    # 10 % truncated at each end by rank: ranks 1-5 and 50-54 of 54 go.
    assert dispersion.units == 44
    assert dispersion.adjusted


def test_medpar_unadjusted_has_funnelplotrs_25_outliers_with_its_limits_and_23_with_phes() -> None:
    """FunnelPlotR's unadjusted limits are chi-squared ones at the expected count as if observed;
    pmf's exact ones are PHEindicatormethods' Poisson funnel lines: a little wider here."""
    frame = medpar()
    expected = frame["prds"].round(2).to_numpy()
    ratio = (frame["los"] / frame["prds"]).to_numpy()
    lower = stats.chi2.isf(0.999, 2 * expected) / 2 / expected
    upper = stats.chi2.isf(0.001, 2 * (expected + 1)) / 2 / expected
    assert int(((ratio < lower) | (ratio > upper)).sum()) == 25
    limits, dispersion = unit_limits(
        frame, numerator="los", denominator="prds", statistic="ratio", overdispersion="none"
    )
    assert int(limits["outlier_998"].sum()) == 23
    assert dispersion.phi is None and dispersion.tau2 is None


# --- the formulas, worked by hand --------------------------------------------------------------

PROPORTIONS = pl.DataFrame(
    {
        "x": [12.0, 30, 26, 50, 42, 71, 4, 29, 48, 36, 61, 90],
        "n": [82.0, 98, 100, 125, 162, 151, 12, 100, 82, 99, 140, 160],
    }
)
COUNTS = pl.DataFrame(
    {
        "x": [15.0, 60, 72, 18, 50, 86, 55, 150, 9, 41, 170],
        "n": [13.0, 32.4, 75.25, 33, 54, 60, 72.9, 95, 14.5, 28, 180.75],
    }
)


@pytest.mark.parametrize("method", ["shmi", "cqc"])
@pytest.mark.parametrize(
    ("statistic", "frame"),
    [("proportion", PROPORTIONS), ("ratio", COUNTS), ("rate", COUNTS)],
)
def test_phi_tau2_and_limits_are_the_formulas(
    statistic: str, frame: pl.DataFrame, method: str
) -> None:
    limits, dispersion = unit_limits(
        frame,
        numerator="x",
        denominator="n",
        statistic=statistic,  # type: ignore[arg-type]
        overdispersion=method,  # type: ignore[arg-type]
    )
    phi, tau2, rows = by_hand(frame["x"].to_list(), frame["n"].to_list(), statistic, method)
    assert dispersion.phi == pytest.approx(phi, rel=1e-12)
    assert dispersion.tau2 == pytest.approx(tau2, rel=1e-9, abs=1e-15)
    assert dispersion.adjusted
    assert tau2 > 0
    got = limits.select("lower_95", "upper_95", "lower_998", "upper_998").rows()
    for mine, theirs in zip(got, rows, strict=True):
        assert mine == pytest.approx(tuple(max(v, 0.0) for v in theirs), rel=1e-12, abs=1e-15)
    value = limits["value"].to_numpy()
    assert limits["outlier_998"].to_list() == [
        bool(v < lo or v > hi) for v, (_, _, lo, hi) in zip(value, rows, strict=True)
    ]


def test_a_multiplier_scales_value_limits_and_target_alike() -> None:
    plain, once = unit_limits(
        PROPORTIONS, numerator="x", denominator="n", statistic="proportion", overdispersion="cqc"
    )
    scaled, per_cent = unit_limits(
        PROPORTIONS,
        numerator="x",
        denominator="n",
        statistic="proportion",
        overdispersion="cqc",
        multiplier=100,
    )
    for column in ("value", "lower_95", "upper_998"):
        assert scaled[column].to_numpy() == pytest.approx(plain[column].to_numpy() * 100)
    assert per_cent.target == pytest.approx(once.target * 100)
    assert per_cent.phi == once.phi
    assert scaled["outlier_95"].to_list() == plain["outlier_95"].to_list()


def test_truncation_drops_the_top_and_bottom_tenths_by_rank() -> None:
    # 54 units: floor(rank × 10 / 55) is 0 for ranks 1-5 and 9 for rank 50 onwards.
    _, dispersion = unit_limits(
        medpar(), numerator="los", denominator="prds", statistic="ratio", overdispersion="shmi"
    )
    kept = [r for r in range(1, 55) if 0 < math.floor(r * 10 / 55) < 9]
    assert dispersion.units == len(kept) == 44


def test_units_that_vary_no_more_than_chance_keep_the_exact_limits() -> None:
    # Every unit exactly on the average: phi is 0, nothing to widen.
    frame = pl.DataFrame({"x": [10.0, 20, 30, 40, 50], "n": [100.0, 200, 300, 400, 500]})
    exact, _ = unit_limits(frame, numerator="x", denominator="n", statistic="proportion")
    for method in ("shmi", "cqc"):
        limits, dispersion = unit_limits(
            frame,
            numerator="x",
            denominator="n",
            statistic="proportion",
            overdispersion=method,  # type: ignore[arg-type]
        )
        assert dispersion.phi == 0 and dispersion.tau2 == 0 and not dispersion.adjusted
        assert limits.equals(exact)
        assert describe(dispersion).startswith("Exact limits: the units vary no more")


def test_exact_proportion_limits_are_phes_and_give_its_labels() -> None:
    frame = PROPORTIONS.with_columns(pl.col("x") * 3, pl.col("n") * 3)
    limits, _ = unit_limits(frame, numerator="x", denominator="n", statistic="proportion")
    phe = funnel_significance(
        frame, numerator="x", denominator="n", statistic="proportion", limits=True
    )
    for column in ("lower_95", "upper_95", "lower_998", "upper_998"):
        assert limits[column].to_list() == phe[column].to_list()
    flagged = phe["significance"].is_in([HIGH_001, LOW_001])
    assert limits["outlier_998"].to_list() == flagged.to_list()


def test_exact_ratio_limits_are_where_phes_poisson_funnel_lines_cross_each_unit() -> None:
    limits, _ = unit_limits(COUNTS, numerator="x", denominator="n", statistic="ratio")
    for (expected,), (low, high) in zip(
        COUNTS.select("n").rows(), limits.select("lower_998", "upper_998").rows(), strict=True
    ):
        # P(X ≥ k) = 0.001 and P(X ≤ k) = 0.001 for X ~ Poisson(expected), k continuous.
        from scipy import special  # type: ignore[import-untyped]

        assert special.gammainc(high * expected, expected) == pytest.approx(0.001, rel=1e-9)
        assert special.gammaincc(low * expected + 1, expected) == pytest.approx(0.001, rel=1e-9)
    # And a unit beyond them is one PHEindicatormethods labels at 0.001.
    phe = funnel_significance(COUNTS, numerator="x", denominator="n", statistic="ratio")
    assert (
        limits["outlier_998"].to_list() == phe["significance"].is_in([HIGH_001, LOW_001]).to_list()
    )


def test_a_small_expected_count_has_no_exact_lower_limit() -> None:
    frame = pl.DataFrame({"x": [1.0, 3.0], "n": [2.0, 3.0]})
    limits, _ = unit_limits(frame, numerator="x", denominator="n", statistic="ratio")
    # P(X = 0) for Poisson(2) is e^-2 = 0.135, above 0.025: even no events is not unusual.
    assert limits["lower_95"].to_list() == [0.0, 0.0]


def test_the_columns_are_added_in_order_after_the_units_own() -> None:
    limits, _ = unit_limits(SIX, numerator="num", denominator="denom", statistic="ratio")
    assert tuple(limits.columns) == ("num", "denom", *UNIT_COLUMNS)


def test_describe_names_the_method_and_phi() -> None:
    assert describe(Dispersion("shmi", 3.21, 0.02, 1.0, 44, True)) == (
        "Limits widened for overdispersion (SHMI method, phi = 3.2)."
    )
    assert describe(Dispersion("cqc", 323.1, 0.02, 1.0, 44, True)) == (
        "Limits widened for overdispersion (CQC method, phi = 323)."
    )


# --- bad input ---------------------------------------------------------------------------------


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(FunnelInputError, match="'none', 'shmi' or 'cqc', not 'fisher'"):
        unit_limits(
            SIX,
            numerator="num",
            denominator="denom",
            statistic="ratio",
            overdispersion="fisher",  # type: ignore[arg-type]
        )


def test_a_unit_with_no_events_on_the_shmi_log_scale_is_refused_naming_its_row() -> None:
    frame = SIX.with_columns(pl.Series("num", [100.0, 150, 0, 80, 120, 225]))
    with pytest.raises(FunnelInputError, match=r"column 'num' at row 2: no events: .* use the cqc"):
        unit_limits(
            frame, numerator="num", denominator="denom", statistic="ratio", overdispersion="shmi"
        )
    # The CQC method's square root places it.
    _, dispersion = unit_limits(
        frame, numerator="num", denominator="denom", statistic="ratio", overdispersion="cqc"
    )
    assert dispersion.phi is not None and math.isfinite(dispersion.phi)


def test_an_expected_count_that_rounds_to_nothing_is_refused() -> None:
    frame = SIX.with_columns(pl.Series("denom", [108.0, 112, 165, 0.004, 100, 220]))
    with pytest.raises(FunnelInputError, match=r"column 'denom' at row 3: 0\.004 rounds to 0"):
        unit_limits(
            frame, numerator="num", denominator="denom", statistic="ratio", overdispersion="shmi"
        )


def test_a_missing_denominator_is_refused_naming_its_row_and_column() -> None:
    frame = SIX.with_columns(pl.Series("denom", [108.0, None, 165, 95, 100, 220]))
    with pytest.raises(FunnelInputError, match="column 'denom' is missing at row 1"):
        unit_limits(
            frame, numerator="num", denominator="denom", statistic="ratio", overdispersion="cqc"
        )


# --- real data: A&E departments in March 2019 --------------------------------------------------


def test_on_real_ae_data_most_departments_are_outliers_unless_adjusted() -> None:
    ae = pl.read_csv(AE, schema_overrides={"type": pl.String})
    month = ae.filter((pl.col("period") == "2019-03-01") & (pl.col("type") == "1"))
    month = month.with_columns(seen=pl.col("attendances") - pl.col("breaches"))
    assert month.height == 134
    options = {"numerator": "seen", "denominator": "attendances", "statistic": "proportion"}
    exact, _ = unit_limits(month, **options, multiplier=100)  # type: ignore[arg-type]
    shmi, dispersion = unit_limits(
        month,
        **options,  # type: ignore[arg-type]
        overdispersion="shmi",
        multiplier=100,
    )
    # Without adjustment 124 of 134 departments lie outside 99.8 % limits; with it, 4.
    assert int(exact["outlier_998"].sum()) == 124
    assert int(shmi["outlier_998"].sum()) == 4
    phi, tau2, rows = by_hand(
        month["seen"].cast(pl.Float64).to_list(),
        month["attendances"].cast(pl.Float64).to_list(),
        "proportion",
        "shmi",
    )
    assert dispersion.phi == pytest.approx(phi, rel=1e-12)
    assert dispersion.tau2 == pytest.approx(tau2, rel=1e-9)
    assert round(phi, 1) == 323.1 and round(tau2, 6) == 0.008168
    assert dispersion.units == 108  # 13 set aside at each end
    assert dispersion.target == pytest.approx(
        100 * month["seen"].sum() / month["attendances"].sum()
    )
    value = shmi["value"].to_numpy()
    outside = sum(
        bool(v < lo * 100 or v > hi * 100) for v, (_, _, lo, hi) in zip(value, rows, strict=True)
    )
    assert outside == 4
    assert np.all(shmi["upper_998"].to_numpy() >= shmi["upper_95"].to_numpy())


# --- properties ----------------------------------------------------------------------------------

UNIT_ROWS = st.lists(
    st.tuples(st.integers(0, 5_000), st.integers(1, 5_000)).map(
        lambda pair: (min(pair), max(pair[1], 1))
    ),
    min_size=3,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(rows=UNIT_ROWS, method=st.sampled_from(["none", "shmi", "cqc"]))
def test_limits_nest_round_the_target_and_stay_within_a_proportions_bounds(
    rows: list[tuple[int, int]], method: str
) -> None:
    frame = pl.DataFrame({"x": [float(x) for x, _ in rows], "n": [float(n) for _, n in rows]})
    try:
        limits, dispersion = unit_limits(
            frame,
            numerator="x",
            denominator="n",
            statistic="proportion",
            overdispersion=method,  # type: ignore[arg-type]
            multiplier=100,
        )
    except FunnelInputError:
        return
    lo998, lo95, hi95, hi998 = (
        limits[c].to_numpy() for c in ("lower_998", "lower_95", "upper_95", "upper_998")
    )
    target = dispersion.target
    tolerance = 1e-9
    assert np.all(lo998 >= 0) and np.all(hi998 <= 100)
    assert np.all(lo998 <= lo95 + tolerance) and np.all(hi95 <= hi998 + tolerance)
    assert np.all(lo95 <= target + tolerance) and np.all(target <= hi95 + tolerance)
    if dispersion.phi is not None:
        assert dispersion.phi >= 0 and (dispersion.tau2 or 0) >= 0


@settings(max_examples=40, deadline=None)
@given(rows=UNIT_ROWS)
def test_widening_never_makes_a_unit_an_outlier_that_the_unwidened_arcsine_limits_do_not(
    rows: list[tuple[int, int]],
) -> None:
    """With tau2 added, each limit lies beyond the same limit with tau2 = 0."""
    frame = pl.DataFrame({"x": [float(x) for x, _ in rows], "n": [float(n) for _, n in rows]})
    limits, dispersion = unit_limits(
        frame, numerator="x", denominator="n", statistic="proportion", overdispersion="cqc"
    )
    if not dispersion.adjusted:
        return
    p = dispersion.target
    for (n,), low, high in zip(
        frame.select("n").rows(), limits["lower_998"], limits["upper_998"], strict=True
    ):
        angle = 3.090232 * math.sqrt(1 / (4 * n))
        plain_low = math.sin(max(math.asin(math.sqrt(p)) - angle, 0.0)) ** 2
        plain_high = math.sin(min(math.asin(math.sqrt(p)) + angle, math.pi / 2)) ** 2
        assert low <= plain_low + 1e-12 and high >= plain_high - 1e-12
