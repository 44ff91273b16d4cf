"""The control chart family (qicharts2 0.8), checked against its published references.

Where a reference exists the numbers are those of qicharts2's own regression tests
(``tests/testthat/test_montgomery.R`` and the ``.rds`` files it compares with: Montgomery's
examples, computed by qicharts2 and stored in its repository, anhoej/qicharts2 at
1b9487e); elsewhere they are worked by hand from the formulas of ``R/helper.functions.R``
(the function is named in each test).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf.core.spc import (
    ANHOEJ_COLUMNS,
    CHART_TYPES,
    COMMON_CAUSE,
    CONCERN,
    IMPROVEMENT,
    SpcInputError,
    SpcOptions,
    spc_points,
    spc_summary,
)
from pmf.core.spc_charts import crossings_minimum

QICHARTS2 = 3 / 1.128


def series(values: list[float], **columns: list[float]) -> pl.DataFrame:
    """Return one series with event numbers 1, 2, ... as its dates."""
    return pl.DataFrame({"date": list(range(1, len(values) + 1)), "value": values, **columns})


def chart(frame: pl.DataFrame, kind: str, rules: str = "anhoej", **kwargs: object) -> pl.DataFrame:
    """Return the points of a chart of ``frame`` (numerator ``num``, denominator ``den``)."""
    names = {"numerator": "num", "denominator": "den"} if kind in ("p", "pp", "u", "up") else {}
    options = SpcOptions(chart=kind, rules=rules, minimum_points=2, **kwargs)  # type: ignore[arg-type]
    return spc_points(frame, options=options, **names)  # type: ignore[arg-type]


# --- qicharts2's published references (Montgomery's examples) ------------------------------

TABLE_7_4_COUNTS = [12, 8, 6, 9, 10, 12, 11, 16, 10, 6, 20, 15, 9, 8, 6, 8, 10, 7, 5, 8, 5, 8]
TABLE_7_4_COUNTS += [10, 6, 9]
TABLE_7_4_SIZES = [100, 80, 80, 100, 110, 110, 100, 100, 90, 90, 110, 120, 120, 120, 110, 80]
TABLE_7_4_SIZES += [80, 80, 90, 100, 100, 100, 100, 90, 90]


def test_p_chart_limits_vary_with_each_denominator_as_qicharts2_table_7_4() -> None:
    # tbl_7.4_1.rds: qic(sample, count, size, data = tbl_07.04, chart = 'p').
    frame = series([0.0] * 25, num=TABLE_7_4_COUNTS, den=TABLE_7_4_SIZES)
    points = chart(frame, "p")
    assert points["mean"].unique().to_list() == [pytest.approx(0.095510204081632646, abs=1e-17)]
    assert points["lpl"][:4].to_list() == pytest.approx(
        [0.0073346947277730667, 0, 0, 0.0073346947277730667], abs=1e-15
    )
    assert points["upl"][:4].to_list() == pytest.approx(
        [0.18368571343549223, 0.19409342051458195, 0.19409342051458195, 0.18368571343549223],
        abs=1e-15,
    )
    assert points["value"][2] == 6 / 80
    assert points["sigma_signal"].arg_true().to_list() == [10]
    first = points.row(0, named=True)
    assert (first["longest_run"], first["longest_run_max"]) == (5, 8)
    assert (first["crossings"], first["crossings_min"], first["runs_signal"]) == (10, 8, False)


def test_u_chart_as_qicharts2_example_7_4() -> None:
    # ex_7.4_1.rds: qic(sample, count, size, data = tbl_07.10, chart = 'u').
    counts = [2, 3, 8, 1, 1, 4, 1, 4, 5, 1, 8, 2, 4, 3, 4, 1, 8, 3, 7, 4]
    points = chart(series([0.0] * 20, num=counts, den=[50] * 20), "u")
    assert points["mean"][0] == pytest.approx(0.074, abs=1e-16)
    assert points["upl"][0] == pytest.approx(0.1894123043700281, abs=1e-15)
    assert points["lpl"].to_list() == [0.0] * 20  # clipped at 0
    row = points.row(0, named=True)
    assert [row[c] for c in ANHOEJ_COLUMNS] == [False, False, 2, 7, 15, 6]


def test_t_chart_transforms_times_as_qicharts2_example_7_6() -> None:
    # ex_7.6_1.rds: qic(failure, hours, data = tbl_07.14, chart = 't').
    hours = [286, 948, 536, 124, 816, 729, 4, 143, 431, 8, 2837, 596, 81, 227, 603, 492, 1199]
    hours += [1214, 2831, 96]
    points = chart(series([float(h) for h in hours]), "t")
    assert points["mean"][0] == pytest.approx(430.04095178975825, rel=1e-14)
    assert points["upl"][0] == pytest.approx(6937.9334881665754, rel=1e-14)
    assert points["lpl"][0] == 0.0  # the transformed lower limit is negative: 0
    assert 0 < points["lpl_2sigma"][0] < points["mean"][0]
    assert points["value"][0] == pytest.approx(286, rel=1e-15)
    row = points.row(0, named=True)
    assert [row[c] for c in ANHOEJ_COLUMNS] == [False, False, 5, 7, 10, 6]


def test_t_chart_lower_lines_below_0_after_transformation() -> None:
    # qic.t: a negative transformed limit has no power 3.6 (NaN in R): the lower limit is
    # set to 0, the lower 2-sigma line left missing.
    points = chart(series([1.0, 1000.0] * 4), "t", screen_outliers=False)
    assert points["lpl"][0] == 0.0
    assert points["lpl_2sigma"][0] is None
    centre = (1 + 1000 ** (1 / 3.6)) / 2
    assert points["mean"][0] == pytest.approx(centre**3.6)


COST = [310, 288, 297, 298, 307, 303, 294, 297, 308, 306, 294, 299, 297, 299, 314, 295, 293]
COST += [306, 301, 304, 305, 282, 305, 296, 314, 295, 287, 301, 298, 311, 310, 292, 305, 299]
COST += [304, 310, 304, 305, 333, 328]


def test_i_chart_with_anhoej_rules_uses_qicharts2s_sigma_as_example_6_5() -> None:
    # ex_6.5_3.rds: qic(weeks, cost, data = tbl_06.07, chart = 'i', freeze = 20).
    points = chart(series([float(c) for c in COST]), "i", fix_after_n_points=20)
    assert points["mean"][0] == 300.5
    assert points["lpl"][0] == pytest.approx(279.78331466965284, rel=1e-15)
    assert points["upl"][0] == pytest.approx(321.21668533034716, rel=1e-15)
    assert points["sigma_signal"].arg_true().to_list() == [38, 39]
    assert points["point_type"][38] == IMPROVEMENT
    row = points.row(0, named=True)
    assert [row[c] for c in ANHOEJ_COLUMNS] == [False, False, 6, 8, 20, 14]


def test_mr_chart_as_qicharts2_example_6_5() -> None:
    # ex_6.5_4.rds: qic(weeks, cost, data = tbl_06.07, chart = 'mr', freeze = 20).
    points = chart(series([float(c) for c in COST]), "mr", fix_after_n_points=20)
    assert points["value"][:3].to_list() == [None, 22.0, 9.0]
    assert points["mean"][0] == pytest.approx(7.7894736842105265, rel=1e-15)
    assert points["upl"][0] == pytest.approx(25.448210526315791, rel=1e-15)
    assert points["upl_2sigma"][0] == pytest.approx(3.267 / 3 * 2 * 148 / 19, rel=1e-15)
    assert points["lpl"][0] == 0.0
    assert points["sigma_signal"].arg_true().to_list() == [38]
    # The moving ranges' runs are counted but never signal (qic.agg: chart == 'mr').
    row = points.row(1, named=True)
    assert (row["longest_run"], row["longest_run_max"], row["runs_signal"]) == (7, 8, False)


# --- worked by hand from helper.functions.R ---------------------------------------------------


def test_run_chart_centre_is_the_median_and_it_has_no_limits() -> None:
    # qic.run: cl = median(y[base]); no limits.
    points = chart(series([3.0, 1.0, 4.0, 1.0, 5.0, 9.0]), "run")
    assert points["mean"].unique().to_list() == [3.5]
    assert points.select("lpl", "upl", "lpl_2sigma", "upl_2sigma").null_count().row(0) == (6,) * 4
    assert not points["sigma_signal"].any()


def test_c_chart_centre_is_the_mean_count_and_sigma_its_root() -> None:
    # qic.c: cl = mean(y); limits cl ± 3 sqrt(cl), the lower clipped at 0.
    points = chart(series([4.0, 9.0, 2.0, 5.0]), "c")
    assert points["mean"][0] == 5.0
    assert points["upl"][0] == 5 + 3 * math.sqrt(5)
    assert points["lpl"][0] == 0.0
    assert points["lpl_2sigma"][0] == pytest.approx(5 - 2 * math.sqrt(5))


def test_c_chart_may_count_from_a_numerator() -> None:
    frame = series([0.0] * 4, num=[4, 9, 2, 5])
    points = spc_points(frame, numerator="num", options=SpcOptions(chart="c"))
    assert points["value"].to_list() == [4.0, 9.0, 2.0, 5.0]


def test_g_chart_centre_is_the_median_and_limits_come_from_the_mean() -> None:
    # qic.g: sigma = sqrt(m (m + 1)) for the mean m; limits m ± 3 sigma; cl = median.
    points = chart(series([2.0, 10.0, 3.0, 25.0, 0.0]), "g")
    mean = 8.0
    sigma = math.sqrt(mean * (mean + 1))
    assert points["mean"][0] == 3.0
    assert points["upl"][0] == mean + 3 * sigma
    assert points["upl_2sigma"][0] == mean + 2 * sigma
    assert points["lpl"][0] == 0.0 and points["lpl_2sigma"][0] == 0.0


def test_laney_p_prime_scales_sigma_by_the_z_scores_moving_ranges() -> None:
    # qic.pp: z_i = (p_i - p) / sqrt(p (1 - p) / n_i); sigma_z = mean |z_i - z_i-1| / 1.128.
    num, den = [30, 45, 28, 60], [100, 120, 90, 150]
    points = chart(series([0.0] * 4, num=num, den=den), "pp", screen_outliers=False)
    p = sum(num) / sum(den)
    sigmas = [math.sqrt(p * (1 - p) / n) for n in den]
    z = [(a / n - p) / s for a, n, s in zip(num, den, sigmas, strict=True)]
    sigma_z = sum(abs(z[i] - z[i - 1]) for i in range(1, 4)) / 3 / 1.128
    expected = [p + 3 * s * sigma_z for s in sigmas]
    assert points["upl"].to_list() == pytest.approx(expected, rel=1e-13)
    assert points["lpl_2sigma"].to_list() == pytest.approx(
        [max(p - 2 * s * sigma_z, 0) for s in sigmas], rel=1e-13
    )


def test_laney_u_prime_scales_the_u_charts_sigma() -> None:
    # qic.up: as pp with sigma_i = sqrt(u / n_i) and no clipping at 1.
    num, den = [3, 12, 4, 9, 2], [1.0, 2.0, 1.5, 2.5, 1.0]
    points = chart(series([0.0] * 5, num=num, den=den), "up", screen_outliers=False)
    u = sum(num) / sum(den)
    sigmas = [math.sqrt(u / n) for n in den]
    z = [(a / n - u) / s for a, n, s in zip(num, den, sigmas, strict=True)]
    sigma_z = sum(abs(z[i] - z[i - 1]) for i in range(1, 5)) / 4 / 1.128
    assert points["upl"].to_list() == pytest.approx([u + 3 * s * sigma_z for s in sigmas])
    assert max(points["upl"].to_list()) > 1  # a rate has no ceiling of 1


def test_p_chart_upper_limit_is_clipped_at_1() -> None:
    points = chart(series([0.0] * 4, num=[9, 1, 2, 1], den=[10, 2, 2, 2]), "p")
    assert points["upl"].max() == 1.0
    assert points["lpl"].min() == 0.0


def test_mdc_rules_judge_each_point_against_its_own_limits() -> None:
    # The same proportion is outside the limits of a large denominator, inside a small one's.
    num = [50] * 12 + [70, 14]
    den = [100] * 12 + [100, 20]
    points = chart(series([0.0] * 14, num=num, den=den), "p", rules="mdc")
    assert points["point_type"].to_list()[-2:] == [IMPROVEMENT, COMMON_CAUSE]


def test_each_baseline_has_its_own_centre_and_sigma() -> None:
    frame = series([0.0] * 6, num=[1, 2, 1, 8, 9, 8], den=[10] * 6).with_columns(
        rebase=pl.Series([False, False, False, True, False, False])
    )
    points = spc_points(
        frame,
        numerator="num",
        denominator="den",
        rebase="rebase",
        options=SpcOptions(chart="p", minimum_points=2),
    )
    assert points["mean"].to_list() == pytest.approx([4 / 30] * 3 + [25 / 30] * 3)
    assert points["rebase_group"].to_list() == [0, 0, 0, 1, 1, 1]


def test_baseline_points_alone_set_the_centre() -> None:
    frame = series([1.0, 2.0, 3.0, 50.0, 60.0]).with_columns(
        base=pl.Series([True, True, True, False, False])
    )
    points = spc_points(frame, baseline="base", options=SpcOptions(chart="c", minimum_points=2))
    assert points["mean"][0] == 2.0
    assert points["upl"][0] == 2 + 3 * math.sqrt(2)
    assert points["outside_limits"].to_list() == [False, False, False, True, True]


def test_anhoej_runs_analysis_drops_points_on_the_centre_line() -> None:
    # Median 5: the two 5s are dropped, leaving 8 useful points in runs 4 below, 4 above.
    values = [1.0, 2.0, 5.0, 3.0, 4.0, 6.0, 7.0, 5.0, 8.0, 9.0]
    points = chart(series(values), "run")
    row = points.row(0, named=True)
    assert (row["longest_run"], row["crossings"]) == (4, 1)
    # n = 8 useful points: longest run allowed round(log2(8)) + 3 = 6; qbinom(0.05, 7, 0.5)
    # is 1 (P(X <= 0) = 1/128 < 0.05 <= P(X <= 1) = 8/128).
    assert (row["longest_run_max"], row["crossings_min"]) == (6, 1)
    assert not row["runs_signal"]


def test_too_few_crossings_is_a_runs_signal() -> None:
    # 12 useful points, 1 crossing; qbinom(0.05, 11, 0.5) = 3 (P(X <= 2) = 67/2048).
    points = chart(series([1.0, 2.0, 1.5, 3.0, 2.5, 1.2, 8.0, 9.0, 8.5, 7.5, 9.5, 8.2]), "run")
    row = points.row(0, named=True)
    assert (row["crossings"], row["crossings_min"], row["longest_run"]) == (1, 3, 6)
    assert row["runs_signal"]
    # No run is too long (6 <= round(log2(12)) + 3 = 7): no point has a side to take.
    assert points["point_type"].to_list() == [COMMON_CAUSE] * 12


def test_a_long_run_makes_its_points_special_cause_on_its_side() -> None:
    values = [1.0, 2.0, 1.5, 2.5, 1.2, 2.2, 1.1, 2.1, 1.3, 2.3] + [9.0] * 2 + [8.0, 9.5] * 4
    points = chart(series(values), "i", improvement="decrease")
    row = points.row(0, named=True)
    assert row["longest_run"] == 10 > row["longest_run_max"] == 7
    assert points["point_type"][-1] == CONCERN  # above the centre, where higher is worse
    assert points["point_type"][0] == IMPROVEMENT
    assert points["run"].all() and not points["trend"].any()


def test_crossings_minimum_is_rs_qbinom() -> None:
    # qbinom(0.05, n - 1, 0.5) in R for n = 1, 2, 10, 20, 25, 40, 100, 1000.
    useful = np.array([1, 2, 10, 20, 25, 40, 100, 1000])
    assert crossings_minimum(useful).tolist() == [0, 0, 2, 6, 8, 14, 41, 474]


def test_summary_judges_assurance_against_the_last_points_limits() -> None:
    frame = series([0.0] * 14, num=[50] * 13 + [10], den=[100] * 13 + [20])
    points = chart(frame, "p", rules="mdc")
    # 0.7 is above the first points' upper limits (0.65) but not the last's (0.835).
    summary = spc_summary(points, target=0.7)
    assert summary["upl"][0] == points["upl"][-1]
    assert summary["assurance_type"][0] == "inconsistent"


@pytest.mark.parametrize(
    ("kind", "columns", "message"),
    [
        ("p", {}, "needs a numerator and a denominator"),
        ("i", {"numerator": "num"}, "reads a value column"),
        ("c", {"numerator": "num", "denominator": "den"}, "no denominator"),
    ],
)
def test_wrong_columns_for_the_chart_are_refused(
    kind: str, columns: dict[str, str], message: str
) -> None:
    frame = series([1.0, 2.0], num=[1, 2], den=[2, 2])
    with pytest.raises(SpcInputError, match=message):
        spc_points(frame, options=SpcOptions(chart=kind), **columns)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "num", "den", "message"),
    [
        ("p", [1, 3], [2, 2], "above the denominator"),
        ("u", [1, 1], [2, 0], "not above 0"),
        ("u", [-1, 1], [2, 2], "negative"),
    ],
)
def test_impossible_counts_are_refused(
    kind: str, num: list[int], den: list[int], message: str
) -> None:
    with pytest.raises(SpcInputError, match=message):
        chart(series([0.0, 0.0], num=num, den=den), kind)


def test_t_chart_refuses_a_time_of_zero() -> None:
    with pytest.raises(SpcInputError, match="not above 0"):
        chart(series([3.0, 0.0, 2.0]), "t")


def test_unknown_chart_or_rules_are_refused() -> None:
    with pytest.raises(SpcInputError, match="chart must be"):
        SpcOptions(chart="x")  # type: ignore[arg-type]
    with pytest.raises(SpcInputError, match="rules must be"):
        SpcOptions(rules="western")  # type: ignore[arg-type]


def test_xmr_multiplier_follows_the_rule_set() -> None:
    assert SpcOptions().multiplier == 2.66
    assert SpcOptions(rules="anhoej").multiplier == QICHARTS2
    assert SpcOptions(rules="anhoej", limits_multiplier=3.0).multiplier == 3.0


def test_dates_may_be_dates_for_any_chart() -> None:
    frame = pl.DataFrame(
        {"date": [date(2024, m, 1) for m in range(1, 5)], "value": [3.0, 4.0, 2.0, 5.0]}
    )
    assert spc_points(frame, options=SpcOptions(chart="g")).height == 4


# --- properties -------------------------------------------------------------------------------

counts = st.lists(st.integers(0, 60), min_size=2, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_p_chart_limits_lie_between_0_and_1(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["p", "pp"]))
    den = data.draw(st.lists(st.integers(1, 500), min_size=2, max_size=40))
    num = [data.draw(st.integers(0, n)) for n in den]
    points = chart(series([0.0] * len(den), num=num, den=den), kind)
    lines = points.select("lpl", "upl", "lpl_2sigma", "upl_2sigma").to_numpy().ravel()
    lines = lines[~np.isnan(lines.astype(float))]
    assert ((lines >= 0) & (lines <= 1)).all()


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(CHART_TYPES),
    st.sampled_from(["mdc", "anhoej"]),
    st.integers(1, 50),
    st.integers(1, 40),
    st.integers(2, 40),
)
def test_a_series_with_no_variation_has_no_signal(
    kind: str, rules: str, count: int, size: int, length: int
) -> None:
    value = float(count)
    frame = series([value] * length, num=[min(count, size)] * length, den=[size] * length)
    points = chart(frame, kind, rules)
    assert points["point_type"].to_list() == [COMMON_CAUSE] * length
    if rules == "anhoej":
        assert not points["sigma_signal"].any() and not points["runs_signal"].any()


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["i", "t", "pp", "up"]),
    st.lists(st.integers(1, 200), min_size=3, max_size=40),
)
def test_screening_never_widens_the_limits(kind: str, values: list[int]) -> None:
    den = [200] * len(values)
    frame = series([float(v) for v in values], num=values, den=den)
    screened = chart(frame, kind, screen_outliers=True)
    unscreened = chart(frame, kind, screen_outliers=False)
    wide = (unscreened["upl"] - unscreened["mean"]).to_numpy()
    narrow = (screened["upl"] - screened["mean"]).to_numpy()
    defined = ~np.isnan(narrow)
    assert (narrow[defined] <= wide[defined] * (1 + 1e-12) + 1e-12).all()


# --- against the independent per-series oracle (tests/core/oracles/qic.py) --------------------

ORACLE_LINES = {"value": "value", "mean": "centre", "lpl": "lcl", "upl": "ucl"}
ORACLE_LINES |= {"lpl_2sigma": "lcl_2", "upl_2sigma": "ucl_2"}


@st.composite
def chart_series(draw: st.DrawFn, kind: str) -> tuple[list[float], list[float]]:
    """Draw one series' values (numerators) and denominators fit for a chart type."""
    length = draw(st.integers(2, 30))
    if kind in ("p", "pp"):
        den = [float(draw(st.integers(1, 300))) for _ in range(length)]
        return [float(draw(st.integers(0, int(n)))) for n in den], den
    if kind in ("u", "up"):
        den = [draw(st.floats(0.5, 50.0)) for _ in range(length)]
        return [float(draw(st.integers(0, 40))) for _ in range(length)], den
    if kind in ("c", "g"):
        return [float(draw(st.integers(0, 40))) for _ in range(length)], [1.0] * length
    if kind == "t":
        return [draw(st.floats(0.1, 500.0)) for _ in range(length)], [1.0] * length
    values = [
        float(draw(st.integers(-50, 50))) / draw(st.sampled_from([1, 4])) for _ in range(length)
    ]
    return values, [1.0] * length


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_chart_agrees_with_the_per_series_oracle(data: st.DataObject) -> None:
    from tests.core.oracles.qic import qic

    kind = data.draw(st.sampled_from(CHART_TYPES))
    screen = data.draw(st.booleans())
    drawn = [data.draw(chart_series(kind)) for _ in range(data.draw(st.integers(1, 3)))]
    frame = pl.concat(
        pl.DataFrame(
            {"group": f"s{index}", "date": list(range(len(values))), "value": values}
            | {"num": values, "den": den}
        )
        for index, (values, den) in enumerate(drawn)
    )
    names = {"numerator": "num", "denominator": "den"} if kind in ("p", "pp", "u", "up") else {}
    options = SpcOptions(chart=kind, rules="anhoej", screen_outliers=screen, minimum_points=2)  # type: ignore[arg-type]
    points = spc_points(frame, group="group", options=options, **names)  # type: ignore[arg-type]
    for index, (values, den) in enumerate(drawn):
        mine = points.filter(pl.col("group") == f"s{index}")
        expected = qic(values, kind, den if names else None, screen=screen)
        for ours, theirs in ORACLE_LINES.items():
            got, want = mine[ours].to_list(), expected[theirs]
            for position, (a, b) in enumerate(zip(got, want, strict=True)):
                if b is None or (isinstance(b, float) and math.isnan(b)):
                    assert a is None, (kind, ours, position, a)
                else:
                    assert a == pytest.approx(b, rel=1e-9, abs=1e-12), (kind, ours, position)
        for column in ANHOEJ_COLUMNS:
            assert mine[column].to_list() == expected[column], (kind, column)
