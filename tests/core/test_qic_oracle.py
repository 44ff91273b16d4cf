"""The qicharts2 oracle gives qicharts2's own published values, and values worked by hand.

The oracle (tests/core/oracles/qic.py) is the referee for pmf's control charts, so it is
checked first: against the reference data frames that qicharts2's tests compare ``qic()``
with (tests/testthat/*.rds, Montgomery's examples and the hospital infections), and against
small series worked by hand from the formulas. The fixtures and their sources are described
in tests/core/data/qicharts2/README.md.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path
from typing import Any

import pytest

from tests.core.oracles.qic import CHARTS, qbinom_05, qic

DATA = Path(__file__).parent / "data" / "qicharts2"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float | None:
    return None if text in ("", "NA", "NaN") else float(text)


# qicharts2's tests/testthat/test_montgomery.R: the call behind each reference data frame.
# exclude is 0-based here (R's exclude = c(15, 23) is [14, 22]); part = 30 splits 7.1 in two.
MONTGOMERY: dict[str, tuple[str, dict[str, Any], float]] = {
    # file: (chart, qic() arguments, multiply)
    "testthat_ex_6_5_3.csv": ("i", {"freeze": 20}, 1),
    "testthat_ex_6_5_4.csv": ("mr", {"freeze": 20}, 1),
    "testthat_ex_7_1_5.csv": ("p", {"exclude": [14, 22]}, 1),
    "testthat_tbl_7_4_1.csv": ("p", {}, 1),
    "testthat_ex_7_3_3.csv": ("c", {"exclude": [5, 19], "freeze": 26}, 1),
    "testthat_ex_7_4_1.csv": ("u", {}, 1),
    "testthat_ex_7_5_1.csv": ("u", {}, 50),
    "testthat_ex_7_6_1.csv": ("t", {}, 1),
}


@pytest.mark.parametrize("name", sorted(MONTGOMERY))
def test_oracle_gives_qicharts2s_reference_data_for_montgomerys_examples(name: str) -> None:
    chart, arguments, multiply = MONTGOMERY[name]
    rows = _rows(name)
    checked = 0
    for part in sorted({row["part"] for row in rows}, key=int):
        first = next(i for i, row in enumerate(rows) if row["part"] == part)
        in_part = [row for row in rows if row["part"] == part]
        kwargs = dict(arguments)
        kwargs["exclude"] = [
            e - first for e in arguments.get("exclude", []) if 0 <= e - first < len(in_part)
        ]
        values = [_number(row["y_sum"]) for row in in_part]
        n = None if in_part[0]["n"] == "" else [_number(row["n"]) for row in in_part]
        result = qic(values, chart, n, **kwargs)
        for i, row in enumerate(in_part):
            for key, column in (("value", "y"), ("centre", "cl"), ("lcl", "lcl"), ("ucl", "ucl")):
                expected = _number(row[column])
                got = result[key][i]
                if expected is None:
                    assert got is None, (part, i, key)
                else:
                    assert got is not None, (part, i, key)
                    assert got * multiply == pytest.approx(expected, rel=1e-12, abs=1e-12)
            for key, column in (
                ("n_useful", "n_useful"),
                ("longest_run", "longest_run"),
                ("longest_run_max", "longest_run_max"),
                ("crossings", "n_crossings"),
                ("crossings_min", "n_crossings_min"),
            ):
                assert result[key][i] == _number(row[column]), (part, i, key)
            for key in ("runs_signal", "sigma_signal"):
                assert result[key][i] == (row[key] == "true"), (part, i, key)
            checked += 1
    assert checked == len(rows)


def _series_by(rows: list[dict[str, str]], keys: tuple[str, ...]) -> dict[tuple[str, ...], Any]:
    """Sum cases and days by month within each series, as qic.agg does for one facet."""
    series: dict[tuple[str, ...], dict[str, list[float]]] = {}
    for row in rows:
        months = series.setdefault(tuple(row[k] for k in keys), {})
        sums = months.setdefault(row["month"], [0.0, 0.0])
        sums[0] += float(row["n"])
        sums[1] += float(row["days"])
    return {key: [months[month] for month in sorted(months)] for key, months in series.items()}


@pytest.mark.parametrize(
    ("reference", "facets"),
    [
        ("testthat_hai_1.csv", ()),
        ("testthat_hai_2.csv", ("infection",)),
        ("testthat_hai_3.csv", ("hospital", "infection")),
    ],
)
def test_oracle_gives_qicharts2s_hospital_infection_summaries(
    reference: str, facets: tuple[str, ...]
) -> None:
    series = _series_by(_rows("hospital_infections.csv"), facets)
    expected_rows = _rows(reference)
    assert len(expected_rows) == len(series)
    for expected in expected_rows:
        key = tuple(expected[f"facet{i + 1}"] for i in range(len(facets)))
        sums = series[key]
        result = qic([s[0] for s in sums], "u", [s[1] for s in sums])
        count = len(sums)
        assert count == int(expected["n_obs"])

        def mean(values: list[float | None]) -> float:
            kept = [v for v in values if v is not None]
            return sum(kept) / len(kept)

        assert mean(result["lcl"]) == pytest.approx(float(expected["aLCL"]), rel=1e-9, abs=1e-15)
        assert mean(result["centre"]) == pytest.approx(float(expected["CL"]), rel=1e-12)
        assert mean(result["ucl"]) == pytest.approx(float(expected["aUCL"]), rel=1e-12)
        assert sum(bool(v) for v in result["sigma_signal"]) == int(expected["sigma_signal"])
        assert result["runs_signal"][0] == bool(int(expected["runs_signal"]))
        for key_name, column in (
            ("n_useful", "n_useful"),
            ("longest_run", "longest_run"),
            ("longest_run_max", "longest_run_max"),
            ("crossings", "n_crossings"),
            ("crossings_min", "n_crossings_min"),
        ):
            assert result[key_name][0] == float(expected[column]), (key, key_name)


def _vignette_series(data: str, chart: str) -> tuple[list[float | None], list[float] | None]:
    """Return the y and n arguments the vignette passes to qic() for one of its data sets."""
    rows = _rows(f"{data}.csv")
    if data == "nhs_accidents":
        return [float(r["r"]) for r in rows], [float(r["n"]) for r in rows]
    if data == "cdi":
        days = [float(r["days"]) for r in rows] if chart == "u" else None
        return [float(r["n"]) for r in rows], days
    column = "surgeries_between" if chart == "g" else "days_between"
    return [_number(r[column]) for r in rows], None


def test_oracle_gives_the_lines_printed_on_qicharts2s_vignette_charts() -> None:
    checked = 0
    for label in _rows("vignette_labels.csv"):
        values, n = _vignette_series(label["data"], label["chart"])
        # The cdi charts have part = 24: two parts computed apart.
        bounds = {"1": (0, 24), "2": (24, len(values))} if label["data"] == "cdi" else {}
        start, stop = bounds.get(label["part"], (0, len(values)))
        result = qic(values[start:stop], label["chart"], None if n is None else n[start:stop])
        last = result[label["line"]][-1]
        assert last is not None
        shown = f"{last * float(label['multiply']):.{int(label['decimals'])}f}"
        assert shown == label["label"], label
        checked += 1
    assert checked == 27


def test_oracle_flags_the_points_the_vignette_charts_flag() -> None:
    values, n = _vignette_series("nhs_accidents", "p")
    p_chart = qic(values, "p", n)
    outside = [week + 1 for week, flag in enumerate(p_chart["sigma_signal"]) if flag]
    assert outside == [w for w in range(1, 21) if w not in (5, 7, 18, 20)]
    assert not any(qic(values, "pp", n)["sigma_signal"])
    for chart in ("g", "t"):
        deaths, _ = _vignette_series("cabg_fatalities", chart)
        flagged = [i + 1 for i, flag in enumerate(qic(deaths, chart)["sigma_signal"]) if flag]
        assert flagged == [25], chart


def test_oracle_gives_the_vignettes_run_chart_of_infections_frozen_at_24_months() -> None:
    values, _ = _vignette_series("cdi", "run")
    result = qic(values, "run", freeze=24)
    assert result["centre"][0] == 19  # "The median number of CDIs per month ... is 19"
    assert result["longest_run"][0] == 15  # "An unusually long run of 15 data points"
    assert result["runs_signal"][0] is True


def test_qbinom_matches_the_binomial_quantile_that_r_and_scipy_compute() -> None:
    from scipy.stats import binom

    for size in range(0, 400):
        assert qbinom_05(size) == int(binom.ppf(0.05, size, 0.5)), size
    # Worked by hand: P(X <= x) for X ~ Bin(9, 0.5) is 1/512, 10/512, 46/512 (>= 0.05) -> 2;
    # for Bin(13, 0.5): 1, 14, 92, 378 /8192 -> 0.046, then 1093/8192 -> 4.
    assert qbinom_05(9) == 2
    assert qbinom_05(13) == 4


def test_runs_analysis_drops_points_on_the_centre_line() -> None:
    # Median of 1..9 is 5: the middle point lies on the centre line and is not counted.
    result = qic([1, 2, 3, 4, 5, 6, 7, 8, 9], "run")
    assert result["centre"][0] == 5
    assert result["n_useful"][0] == 8
    assert result["longest_run"][0] == 4  # 1-4 below, 6-9 above
    assert result["crossings"][0] == 1
    assert result["longest_run_max"][0] == 6  # round(log2(8)) + 3
    assert result["crossings_min"][0] == 1  # qbinom(0.05, 7, 0.5): 8/128 >= 0.05
    assert result["runs_signal"][0] is False  # 1 crossing is not fewer than 1
    assert result["lcl"] == [None] * 9
    assert result["sigma_signal"] == [False] * 9


def test_runs_analysis_signals_too_few_crossings() -> None:
    result = qic([float(v) for v in range(1, 13)], "run")
    assert result["centre"][0] == 6.5
    assert result["longest_run"][0] == 6
    assert result["longest_run_max"][0] == 7  # round(log2(12)) + 3 = round(3.58) + 3
    assert result["crossings"][0] == 1
    assert result["crossings_min"][0] == 3  # (1 + 11 + 55) / 2048 < 0.05 <= 232 / 2048
    assert result["runs_signal"][0] is True


def test_runs_analysis_signals_a_run_longer_than_round_log2_n_plus_3() -> None:
    # 20 points, mean 108 / 20 = 5.4: eleven alternating crossings, then 10 ended by
    # 6, 6, ... so the last 10 of the alternation and the eight 6s make a run of 9 above.
    values = [0.0, 10] * 6 + [6.0] * 8
    result = qic(values, "i")
    assert result["centre"][0] == pytest.approx(5.4)
    assert result["longest_run"][0] == 9
    assert result["longest_run_max"][0] == 7  # round(log2(20)) + 3 = round(4.32) + 3
    assert result["crossings"][0] == 11
    assert result["crossings_min"][0] == 6  # qbinom(0.05, 19, 0.5)
    assert result["runs_signal"][0] is True
    # Shorter by two, the run (7) is no longer than 7: no signal.
    shorter = qic([0.0, 10] * 6 + [6.0] * 6, "i")
    assert shorter["longest_run"][0] == 7
    assert shorter["longest_run_max"][0] == 7  # round(log2(18)) + 3 = round(4.17) + 3
    assert shorter["runs_signal"][0] is False


def test_i_chart_screens_moving_ranges_at_3267_times_their_mean() -> None:
    values = [10.0, 11, 10, 11, 10, 11, 10, 30, 10, 11]
    # Moving ranges 1,1,1,1,1,1,20,20,1: mean 47/9; bound 3.267 × 47/9 = 17.06 drops the 20s.
    screened = qic(values, "i")
    mean = sum(values) / 10
    assert screened["centre"][0] == pytest.approx(mean)
    assert screened["ucl"][0] == pytest.approx(mean + 3 * 1 / 1.128)
    assert screened["ucl_2"][0] == pytest.approx(mean + 2 * 1 / 1.128)
    unscreened = qic(values, "i", screen=False)
    assert unscreened["ucl"][0] == pytest.approx(mean + 3 * (47 / 9) / 1.128)
    assert unscreened["lcl_2"][0] == pytest.approx(mean - 2 * (47 / 9) / 1.128)
    assert screened["sigma_signal"][7] is True
    assert unscreened["ucl"][0] > screened["ucl"][0]


def test_mr_chart_plots_moving_ranges_against_3267_times_their_mean() -> None:
    result = qic([1.0, 3, 2, 6], "mr")
    assert result["value"] == [None, 2, 1, 4]
    assert result["centre"][0] == pytest.approx(7 / 3)
    assert result["ucl"][0] == pytest.approx(3.267 * 7 / 3)
    assert result["ucl_2"][0] == pytest.approx(2.178 * 7 / 3)
    assert result["lcl"][0] == 0
    assert result["runs_signal"] == [False] * 4


def test_p_chart_limits_vary_with_the_denominator_and_stay_within_0_and_1() -> None:
    result = qic([1.0, 9, 45], "p", [10.0, 10, 50])
    p = 55 / 70
    assert result["value"] == [0.1, 0.9, 0.9]
    assert result["centre"][0] == pytest.approx(p)
    assert result["ucl"][0] == 1.0  # p + 3 sqrt(p(1-p)/10) = 1.17, clipped
    assert result["lcl"][0] == pytest.approx(p - 3 * math.sqrt(p * (1 - p) / 10))
    assert result["ucl"][2] == pytest.approx(min(1, p + 3 * math.sqrt(p * (1 - p) / 50)))
    assert result["ucl_2"][2] == pytest.approx(p + 2 * math.sqrt(p * (1 - p) / 50))


def test_laney_pp_chart_widens_p_limits_by_the_spread_of_the_z_scores() -> None:
    numerators = [480.0, 520, 470, 530, 500]
    denominators = [1000.0] * 5
    p = 2500 / 5000
    s = math.sqrt(p * (1 - p) / 1000)
    z = [(x / 1000 - p) / s for x in numerators]
    sigma_z = sum(abs(b - a) for a, b in itertools.pairwise(z)) / 4 / 1.128
    result = qic(numerators, "pp", denominators)
    assert result["ucl"][0] == pytest.approx(p + 3 * s * sigma_z)
    assert result["lcl_2"][0] == pytest.approx(p - 2 * s * sigma_z)
    # With sigma_z > 1 the p′ limits are wider than the p chart's.
    assert sigma_z > 1
    assert result["ucl"][0] > qic(numerators, "p", denominators)["ucl"][0]


def test_u_and_up_charts_clip_only_the_lower_limit() -> None:
    result = qic([0.0, 1, 0, 8], "u", [1.0, 1, 1, 1])
    u = 9 / 4
    assert result["centre"][0] == u
    assert result["lcl"][0] == 0
    assert result["ucl"][0] == pytest.approx(u + 3 * math.sqrt(u))
    prime = qic([0.0, 1, 0, 8], "up", [1.0, 1, 1, 1])
    assert prime["lcl"][0] == 0
    assert prime["ucl"][0] > 0


def test_c_chart_centre_is_the_mean_count_and_limits_three_root_c() -> None:
    result = qic([2.0, 4, 3, 7], "c")
    assert result["centre"][0] == 4
    assert result["ucl"][0] == pytest.approx(4 + 3 * 2)
    assert result["lcl"][0] == 0  # 4 - 6 clipped
    assert result["lcl_2"][0] == 0
    assert result["ucl_2"][0] == pytest.approx(8)


def test_g_chart_limits_come_from_the_mean_and_its_centre_is_the_median() -> None:
    result = qic([1.0, 2, 3, 10], "g")
    mean = 4.0
    s = math.sqrt(mean * (mean + 1))
    assert result["centre"][0] == 2.5  # the median
    assert result["ucl"][0] == pytest.approx(mean + 3 * s)
    assert result["ucl_2"][0] == pytest.approx(mean + 2 * s)
    assert result["lcl"][0] == 0


def test_t_chart_works_on_the_transformed_times_and_transforms_back() -> None:
    times = [10.0, 20, 15, 40, 5]
    t = [x ** (1 / 3.6) for x in times]
    mean = sum(t) / 5
    amr = sum(abs(b - a) for a, b in itertools.pairwise(t)) / 4
    result = qic(times, "t")
    assert result["centre"][0] == pytest.approx(mean**3.6)
    assert result["ucl"][0] == pytest.approx((mean + 3 * amr / 1.128) ** 3.6)
    lower = mean - 3 * amr / 1.128
    assert result["lcl"][0] == (0 if lower < 0 else pytest.approx(lower**3.6))
    with pytest.raises(ValueError, match="greater than zero"):
        qic([1.0, 0.0], "t")


def test_t_chart_lower_2_sigma_line_is_missing_when_it_falls_below_zero() -> None:
    # qic.t sets a NaN lcl to 0 but leaves lcl.95 NaN, which qic.agg turns into NA.
    result = qic([1.0, 1000, 1, 1000, 1], "t")
    assert result["lcl"][0] == 0
    assert result["lcl_2"][0] is None


@pytest.mark.parametrize("chart", ["p", "pp", "u", "up"])
def test_rate_charts_need_denominators(chart: str) -> None:
    with pytest.raises(ValueError, match="denominators"):
        qic([1.0, 2.0], chart)


def test_every_chart_type_returns_one_value_per_point_for_every_key() -> None:
    keys = {"value", "centre", "lcl", "ucl", "lcl_2", "ucl_2", "sigma_signal", "runs_signal"}
    keys |= {"longest_run", "longest_run_max", "crossings", "crossings_min", "n_useful"}
    for chart in CHARTS:
        result = qic([3.0, 5, 4, 6, 2, 7], chart, [10.0, 12, 11, 13, 9, 14])
        assert set(result) == keys
        assert all(len(column) == 6 for column in result.values()), chart
