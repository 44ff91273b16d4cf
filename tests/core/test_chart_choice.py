"""Each measure's chosen chart (``spc: {chart:, rules:}``): checked on load, and followed.

The worked values: a proportion with p̄ = 0.2 over denominators of 100 and 400 has p chart
limits of 20 % ± 3 × √(0.2 × 0.8 / n) × 100, that is 8 % to 32 % at n = 100 and 14 % to 26 %
at n = 400; a count with c̄ = 16 / 12 has c chart limits of c̄ ± 3√c̄, 0 (clipped) to 4.80.
"""

from __future__ import annotations

import math
import warnings
from itertools import pairwise

import polars as pl
import pytest

from pmf.core.assessment import assess
from pmf.core.baseline import ChartSettings, chart_series, chart_settings, chart_title
from pmf.core.framework import load_framework
from tests.factories import GOOD, STANDARD, problems, row

MONTHS = [f"2019-{month:02d}" for month in range(1, 13)] + ["2020-01"]
# Twelve baseline months with p̄ = 600 / 3000 = 0.2, then 25 of 100 (25 %).
DENOMINATORS = [100.0, 400.0] * 6 + [100.0]
NUMERATORS = [20.0, 80.0, 18.0, 84.0, 22.0, 76.0, 20.0, 80.0, 20.0, 80.0, 20.0, 80.0, 25.0]
PERCENTS = [n / d * 100 for n, d in zip(NUMERATORS, DENOMINATORS, strict=True)]
# Twelve baseline months with c̄ = 16 / 12, then 5.
COUNTS = [2.0, 0.0, 1.0, 3.0, 1.0, 0.0, 2.0, 1.0, 2.0, 0.0, 1.0, 3.0, 5.0]

PROPORTION = """\
  - code: SOLVED
    name: Crimes solved
    area: FOCUS
    kind: kpi
    polarity: higher_is_better
    unit_of_measure: percent
    frequency: month
    multiplier: 100
    numerator: Crimes solved
    denominator: Crimes recorded
    standard: {type: target, comparison: ">=", value: 30}
    spc: {chart: CHART, baseline: {points: 12}}
"""
COUNT = """\
  - code: DEATHS
    name: Deaths in custody
    area: FOCUS
    kind: kpi
    polarity: lower_is_better
    unit_of_measure: count
    frequency: month
    spc: {chart: CHART, baseline: {points: 12}}
"""


def framework_with(measure: str, chart: str, *, top: str = "") -> str:
    """Return the test force's framework with ``measure`` (its chart set) before its peers."""
    text = GOOD.replace("peer_groups:", measure.replace("CHART", chart) + "peer_groups:", 1)
    return text + top


def with_spc(lines: str) -> str:
    """Return the test force's framework with ``lines`` added to its rate, CR."""
    population = "    denominator: Population\n"
    return GOOD.replace(population, population + lines)


def quiet_chart(values: list[float], settings: ChartSettings, **fractions: list[float]) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return chart_series(MONTHS, values, settings, **fractions)


# --- the framework file ----------------------------------------------------------------------


def test_a_measure_charts_xmr_with_making_data_count_rules_unless_it_says_otherwise() -> None:
    framework = load_framework(framework_with(PROPORTION, "p"))
    settings = chart_settings(framework, framework.measure("ER"), "N")
    assert (settings.chart, settings.rules, settings.multiplier) == ("i", "mdc", 1.0)
    solved = chart_settings(framework, framework.measure("SOLVED"), "N")
    assert (solved.chart, solved.rules, solved.multiplier) == ("p", "mdc", 100.0)


def test_the_frameworks_rules_apply_to_measures_that_name_none() -> None:
    text = framework_with(PROPORTION, "pp", top="spc: {rules: anhoej}\n")
    text = text.replace("    spc: {chart: pp,", "    spc: {chart: pp, rules: mdc,")
    framework = load_framework(text)
    assert chart_settings(framework, framework.measure("ER"), "N").rules == "anhoej"
    assert chart_settings(framework, framework.measure("SOLVED"), "N").rules == "mdc"


@pytest.mark.parametrize("chart", ["i", "mr", "run", "p", "pp", "u", "up"])
def test_a_proportion_with_a_denominator_may_have_any_chart_but_a_counts(chart: str) -> None:
    framework = load_framework(framework_with(PROPORTION, chart))
    assert framework.measure("SOLVED").spc.chart == chart


@pytest.mark.parametrize("chart", ["i", "mr", "run", "c"])
def test_a_count_may_have_a_c_chart(chart: str) -> None:
    assert load_framework(framework_with(COUNT, chart)).measure("DEATHS").spc.chart == chart


def test_a_p_chart_needs_a_denominator_and_names_the_line() -> None:
    found = problems(GOOD.replace(STANDARD, STANDARD + "    spc: {chart: p}\n", 1))
    assert found == [
        "framework.yaml:21 measures[0].spc.chart: a p chart plots a proportion, numerator over "
        "denominator, but measure ER has no denominator: give one (and numerators and "
        "denominators in its figures), or choose chart i"
    ]


def test_a_p_chart_of_a_rate_is_refused_for_a_u_chart() -> None:
    found = problems(
        GOOD.replace(
            "    denominator: Population\n", "    denominator: Population\n    spc: {chart: pp}\n"
        )
    )
    assert len(found) == 1
    assert "measures[1].spc.chart: a pp chart plots a proportion (a part of a whole)" in found[0]
    assert "use chart up for a rate, or set valid: {proportion: true}" in found[0]


def test_a_rate_declared_a_proportion_may_have_a_p_chart() -> None:
    text = GOOD.replace(
        "    denominator: Population\n",
        "    denominator: Population\n    valid: {proportion: true}\n    spc: {chart: p}\n",
    )
    assert load_framework(text).measure("CR").spc.chart == "p"


def test_a_u_chart_needs_a_denominator() -> None:
    found = problems(framework_with(COUNT, "u"))
    assert len(found) == 1
    assert "measures[2].spc.chart: a u chart plots a rate" in found[0]
    assert "measure DEATHS has no denominator" in found[0]


def test_a_c_chart_needs_a_count_of_whole_events() -> None:
    (rate,) = problems(
        GOOD.replace(
            "    denominator: Population\n", "    denominator: Population\n    spc: {chart: c}\n"
        )
    )
    assert "a c chart plots a count of events, but measure CR is a rate with a denominator" in rate
    (amount,) = problems(
        framework_with(COUNT.replace("    spc:", "    valid: {whole: false}\n    spc:"), "c")
    )
    assert "valid: {whole: false} (an amount): choose chart i" in amount


@pytest.mark.parametrize(("chart", "between"), [("g", "cases"), ("t", "time")])
def test_g_and_t_charts_are_refused_for_figures_that_are_totals_per_period(
    chart: str, between: str
) -> None:
    (found,) = problems(framework_with(COUNT, chart))
    assert f"a {chart} chart plots the {between} between single events, one point per event" in (
        found
    )
    assert "one total per period" in found and f"pmf stats spc --chart {chart}" in found


def test_an_unknown_chart_or_rules_is_refused_with_the_choices() -> None:
    (chart,) = problems(framework_with(COUNT, "xbar"))
    assert "measures[2].spc.chart: 'xbar' is not one of run, i, mr, p, pp, u, up, c, g, t" in chart
    (rules,) = problems(framework_with(COUNT, "c", top="spc: {rules: western_electric}\n"))
    assert "spc.rules" in rules and "mdc, anhoej" in rules


# --- the chart ---------------------------------------------------------------------------


def p_limits(n: float) -> tuple[float, float]:
    sigma = math.sqrt(0.2 * 0.8 / n)
    return (0.2 - 3 * sigma) * 100, (0.2 + 3 * sigma) * 100


def test_a_p_chart_is_drawn_in_percentages_with_limits_from_each_denominator() -> None:
    settings = ChartSettings(window=13, baseline_points=12, chart="p", multiplier=100)
    chart = quiet_chart(PERCENTS, settings, numerators=NUMERATORS, denominators=DENOMINATORS)
    assert chart.title == "p chart (proportion), Making Data Count rules"
    assert chart.fallback is None
    for point, n in zip(chart.points, DENOMINATORS, strict=True):
        assert point["mean"] == pytest.approx(20.0)
        assert (point["lpl"], point["upl"]) == pytest.approx(p_limits(n))
        assert point["upl_2sigma"] == pytest.approx((0.2 + 2 * math.sqrt(0.16 / n)) * 100)
    assert p_limits(100) == pytest.approx((8.0, 32.0))
    assert p_limits(400) == pytest.approx((14.0, 26.0))
    # 25 % of 100 is inside the p chart's 8 % to 32 %: common cause.
    assert chart.points[-1]["plotted"] == pytest.approx(25.0)
    assert chart.points[-1]["point_type"] == "common_cause"
    (segment,) = chart.segments
    assert segment["limits_vary"] is True
    assert (segment["lpl"], segment["upl"]) == pytest.approx((8.0, 32.0))  # the last point's


def test_the_same_percentages_on_an_xmr_chart_make_25_percent_special_cause() -> None:
    chart = quiet_chart(PERCENTS, ChartSettings(window=13, baseline_points=12))
    last = chart.points[-1]
    # Mean 20; moving ranges of 3 are screened out (3.267 × 10 / 11 = 2.97), leaving 4 / 9.
    assert last["mean"] == pytest.approx(20.0)
    assert last["upl"] == pytest.approx(20 + 2.66 * 4 / 9)
    assert last["point_type"] == "special_cause_improvement"
    assert chart.title == "XmR chart, Making Data Count rules"
    assert chart.segments[0]["limits_vary"] is False


def test_a_c_chart_has_poisson_limits_clipped_at_zero() -> None:
    settings = ChartSettings(window=13, baseline_points=12, chart="c", improvement="decrease")
    chart = quiet_chart(COUNTS, settings)
    centre = 16 / 12
    for point in chart.points:
        assert point["mean"] == pytest.approx(centre)
        assert point["lpl"] == 0.0
        assert point["upl"] == pytest.approx(centre + 3 * math.sqrt(centre))
    # 5 is above 4.80: a concern where fewer is better.
    assert chart.points[-1]["point_type"] == "special_cause_concern"
    xmr = quiet_chart(COUNTS, ChartSettings(window=13, baseline_points=12, improvement="decrease"))
    # On the XmR chart the limit is 4/3 + 2.66 × 17 / 11 = 5.44: 5 is common cause.
    assert xmr.points[-1]["upl"] == pytest.approx(centre + 2.66 * 17 / 11)
    assert xmr.points[-1]["point_type"] == "common_cause"


def test_a_ratio_chart_with_a_figure_lacking_its_denominator_falls_back_to_xmr() -> None:
    settings = ChartSettings(window=13, baseline_points=12, chart="p", multiplier=100)
    denominators: list[float | None] = [*DENOMINATORS[:-1], None]
    chart = quiet_chart(PERCENTS, settings, numerators=NUMERATORS, denominators=denominators)
    assert chart.chart == "i"
    assert chart.title == "XmR chart, Making Data Count rules"
    assert chart.fallback == (
        "drawn as an XmR chart: 1 of the 13 figures charted has no numerator and denominator "
        "for a p chart (proportion)"
    )
    assert chart.points[-1]["point_type"] == "special_cause_improvement"


def test_an_mr_chart_plots_the_moving_ranges_and_judges_no_target() -> None:
    settings = ChartSettings(window=13, baseline_points=12, chart="mr")
    chart = quiet_chart(COUNTS, settings)
    plotted = [point["plotted"] for point in chart.points]
    assert plotted[0] is None
    assert plotted[1:] == [abs(b - a) for a, b in pairwise(COUNTS)]
    assert chart.segments[0]["assurance"] is None
    assert chart_title("mr", "anhoej") == "moving range (mR) chart, Anhøj rules (runs analysis)"


# --- the assessment --------------------------------------------------------------------------


def assessed(chart: str) -> dict[str, object]:
    framework = load_framework(framework_with(PROPORTION, chart))
    figures = pl.DataFrame(
        {
            "unit": "N",
            "measure": "SOLVED",
            "period": MONTHS,
            "value": PERCENTS,
            "numerator": NUMERATORS,
            "denominator": DENOMINATORS,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return row(assess(framework, figures, units=["N"]), "N", "SOLVED")


def test_the_assessment_follows_the_chosen_chart_for_variation_and_assurance() -> None:
    p_chart, xmr = assessed("p"), assessed("i")
    # On the p chart 25 % is common cause, and the target of 30 % lies within the last
    # point's limits (8 % to 32 %): it will be met some months and not others.
    assert (p_chart["variation"], p_chart["assurance"]) == ("common_cause", "inconsistent")
    # On the XmR chart 25 % is an improvement, and 30 % is above the upper limit (21.2 %).
    assert (xmr["variation"], xmr["assurance"]) == ("special_cause_improvement", "consistent_fail")
    assert p_chart["spc_points"] == xmr["spc_points"] == 13
