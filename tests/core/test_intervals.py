"""Confidence intervals agree with PHEindicatormethods (UKHSA/DHSC) and FunnelPlotR.

Expected values marked "R" were computed by R 4.2.2 with the package's own functions
(``wilson_lower``/``wilson_upper``/``byars_lower``/``byars_upper`` in ``R/utils.R`` and the
``phe_rate`` limits in ``R/Rates.R`` of ukhsa-collaboration/PHEindicatormethods) on the inputs
of the package's tests, whose expected values sit in an Excel file
(``tests/testthat/testdata_Byars_Wilson.xlsx``); they are printed with 17 significant digits.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf.core.intervals import (
    IntervalInputError,
    byar,
    byar_rate,
    compare_with_value,
    observation_intervals,
    qchisq,
    wilson,
)

REL = 1e-12  # The functions reproduce R to the last bit or two; 1e-9 is the promise.


def close(actual: object, expected: list[float], rel: float = REL) -> bool:
    return bool(np.allclose(np.asarray(actual), expected, rtol=rel, atol=0.0))


# --- golden values ------------------------------------------------------------------------


def test_wilson_matches_the_package_on_its_own_test_inputs() -> None:
    # Inputs: PHEindicatormethods tests/testthat/testWilson.R, lines 4-20
    # (x = c(65, 1045, 0.445), n = c(100, 5000, 1), confidence 0.95 and 99.8). Values: R.
    x, n = [65, 1045, 0.445], [100, 5000, 1]
    lower, upper = wilson(x, n)
    assert close(lower, [0.55254443296887967, 0.19795549880013297, 0.043817447720588223])
    assert close(upper, [0.73635751756902468, 0.22049130373189027, 0.93346212769791559])
    lower, upper = wilson(x, n, 0.998)
    assert close(lower, [0.49549465740704474, 0.19179381799015258, 0.019347006132901353])
    assert close(upper, [0.77835406140896846, 0.22731562902525795, 0.97022599470195348])


def test_byars_method_for_all_counts_matches_byars_lower_and_upper() -> None:
    # Inputs: PHEindicatormethods tests/testthat/testByars.R, lines 4-19. Values: R.
    lower, upper = byar([65, 1045, 1], exact_below=0)
    assert close(lower, [50.163187710459454, 982.59320180733255, 0.013072132901504351])
    assert close(upper, [82.849138545939837, 1110.3312129856499, 5.5637555824752605])
    lower, upper = byar([65, 1045, 10], 0.998, exact_below=0)
    assert close(lower, [42.880261471480203, 947.94070356103737, 2.916318374695686])
    assert close(upper, [94.000290844318002, 1148.8061609880331, 24.193724927880549])


def test_byar_rate_matches_phe_rate_on_its_documented_example() -> None:
    # Data: the example of phe_rate, PHEindicatormethods R/Rates.R lines 21-23 (the NA row
    # left out); counts below 10 take the exact method there. Values: R.
    obs = [82, 9, 48, 6500, 8200, 10000, 10000, 8, 7, 750, 900]
    pop = [100, 100, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000]
    lower, upper = byar_rate(obs, pop, 100_000)
    assert close(
        lower,
        [65214.911658096695, 4115.3730973783331, 353.88474720531991, 63429.31732011339,
         80234.665830697544, 98049.523108503054, 98049.523108503054, 34.538321767485023,
         28.143630515198673, 6972.769086836789, 8421.533386143903],
    )  # fmt: skip
    assert close(
        upper,
        [101784.83940118895, 17084.803451419171, 636.42438606876158, 66599.746963528902,
         83794.385190103974, 101979.51773636615, 101979.51773636615, 157.63189220193314,
         144.22675361702377, 8056.5289251191389, 9607.7339342286705],
    )  # fmt: skip
    lower, upper = byar_rate(obs, pop, 100, 0.998)
    assert close(lower[[0, 1, 7, 10]], [56.817824995106683, 2.4524244043637751,
                                        0.019708139217403661, 8.1012898096349115])  # fmt: skip
    assert close(upper[[0, 1, 7, 10]], [114.04402890448154, 22.65737330906293,
                                        0.21156198165839984, 9.9662148828259784])  # fmt: skip


def test_exact_poisson_limits_match_funnelplotr() -> None:
    # nhs-r-community/FunnelPlotR tests/testthat/test-poisson_limits.R, lines 11-14: exact
    # Poisson limits of a ratio for expected counts 15, 20 and 30 (95 % and 99.8 %), to the
    # 7 digits given there.
    counts = np.array([15.0, 20.0, 30.0])
    lower, upper = byar(counts, 0.95, exact_below=math.inf)
    assert np.round(lower / counts, 7).tolist() == [0.5596924, 0.6108260, 0.6746958]
    assert np.round(upper / counts, 6).tolist() == [1.649348, 1.544419, 1.427562]
    lower, upper = byar(counts, 0.998, exact_below=math.inf)
    assert np.round(lower / counts, 7).tolist() == [0.3862650, 0.4479107, 0.5289724]
    assert np.round(upper / counts, 6).tolist() == [2.082907, 1.902094, 1.702771]


def test_counts_below_ten_take_the_exact_method_and_ten_up_take_byars() -> None:
    # phe_rate's if_else(x < 10, qchisq(...), byars_...). Values: R.
    lower, upper = byar([0, 1, 9, 10])
    assert close(lower, [0.0, 0.025317807984289897, 4.1153730973783329, 4.7874499139675644])
    assert close(upper, [3.6888794541139354, 5.5716433909388989, 17.08480345141917,
                         18.391458605756473])  # fmt: skip


# --- edge cases ---------------------------------------------------------------------------


def test_no_events_give_a_lower_limit_of_exactly_zero() -> None:
    lower, upper = wilson([0, 0], [1, 10**9])
    assert lower.tolist() == [0.0, 0.0]
    assert close(upper, [0.79345068562276255, 3.8414588059373181e-09])  # R
    assert byar(0)[0] == 0.0
    assert float(byar(0)[1]) == pytest.approx(3.6888794541139354, rel=REL)  # R


def test_numerator_equal_to_denominator_gives_an_upper_limit_of_one() -> None:
    lower, upper = wilson([1e6, 5], [1e6, 5])
    assert upper.tolist() == [1.0, 1.0]
    assert close(lower, [0.99999615855593604, 0.56551753521682535])  # R


def test_tiny_and_huge_denominators_stay_finite_and_ordered() -> None:
    lower, upper = wilson([1, 1, 5e8], [1, 2, 1e9], 0.998)
    assert np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))
    assert np.all((lower >= 0) & (lower <= upper) & (upper <= 1))
    assert abs(float(upper[2] - lower[2]) - 2 * 3.090232306167813 * math.sqrt(0.25 / 1e9)) < 1e-9
    lower, upper = byar_rate([3, 3e9], [1e-3, 1e12], 1e5)
    assert np.all(np.isfinite(lower)) and np.all(lower < upper)


def test_byars_method_alone_leaves_no_lower_limit_for_zero_events() -> None:
    lower, upper = byar([0, 0.01], exact_below=0)
    assert np.isnan(lower).all()  # byars_lower gives NaN (0 events) or NA (negative)
    assert float(upper[0]) == pytest.approx(3.6680118336, rel=1e-9)


def test_missing_values_pass_through_as_nan() -> None:
    lower, upper = wilson([np.nan, 3], [10, 10])
    assert np.isnan(lower[0]) and np.isnan(upper[0]) and not np.isnan(lower[1])
    lower, _ = byar_rate([5, 20], [np.nan, 100])
    assert np.isnan(lower[0]) and not np.isnan(lower[1])


def test_scalars_give_zero_dimensional_arrays() -> None:
    lower, _ = wilson(1, 2)
    assert isinstance(lower, np.ndarray) and lower.shape == ()
    assert isinstance(byar(5)[0], np.ndarray)


def test_qchisq_gives_zero_for_zero_degrees_of_freedom_like_r() -> None:
    assert qchisq(0.025, 0, "lower") == 0.0
    assert float(qchisq(0.975, 4, "upper")) == pytest.approx(0.48441855708793014, rel=REL)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: wilson(-1, 10), "numerator must not be negative: -1.0"),
        (lambda: wilson([1, 11], [10, 10]), "must not exceed the denominator: 11.0 at index 1"),
        (lambda: wilson(1, 0), "denominator must be greater than zero: 0.0"),
        (lambda: wilson(1, 10, 1.0), "confidence must be a number between 0 and 1"),
        (lambda: wilson(1, 10, 95), "confidence must be a number between 0 and 1"),
        (lambda: byar([3, -2]), "count must not be negative: -2.0 at index 1"),
        (lambda: byar(3, 0), "confidence must be a number between 0 and 1"),
        (lambda: byar_rate(3, -5), "denominator must be greater than zero: -5.0"),
        (lambda: byar_rate(3, 5, math.inf), "multiplier must be a finite number"),
        (lambda: wilson("a", 3), "numerator must be numeric"),
        (lambda: wilson(math.inf, 3), "numerator must be finite"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_message_naming_the_problem(call, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntervalInputError, match=message.replace("(", r"\(")):
        call()


# --- vectorised versus scalar ---------------------------------------------------------------


def test_vectorised_results_equal_scalar_results() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(1, 100_000, 200).astype(float)
    x = np.floor(rng.uniform(0, 1, 200) * (n + 1))
    lower, upper = wilson(x, n, 0.998)
    counts_lower, counts_upper = byar(x)
    rate_lower, rate_upper = byar_rate(x, n, 1000)
    for i in range(0, 200, 17):
        assert (float(lower[i]), float(upper[i])) == tuple(map(float, wilson(x[i], n[i], 0.998)))
        assert (float(counts_lower[i]), float(counts_upper[i])) == tuple(map(float, byar(x[i])))
        single = byar_rate(x[i], n[i], 1000)
        assert (float(rate_lower[i]), float(rate_upper[i])) == (float(single[0]), float(single[1]))


def test_inputs_broadcast_against_each_other() -> None:
    lower, _ = wilson(np.array([[1], [2]]), np.array([10, 20, 40]))
    assert lower.shape == (2, 3)
    assert lower[1, 0] == wilson(2, 10)[0]


# --- properties -----------------------------------------------------------------------------

counts_and_sizes = st.integers(1, 10**9).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
confidences = st.floats(0.5, 0.9999)


@given(counts_and_sizes, confidences)
def test_wilson_interval_contains_the_proportion_and_stays_within_zero_and_one(
    case: tuple[int, int], confidence: float
) -> None:
    x, n = case
    lower, upper = wilson(x, n, confidence)
    assert 0.0 <= float(lower) <= x / n <= float(upper) <= 1.0


@given(counts_and_sizes, confidences, confidences)
def test_wilson_interval_narrows_as_confidence_falls(
    case: tuple[int, int], a: float, b: float
) -> None:
    low_confidence, high_confidence = sorted((a, b))
    narrow = wilson(*case, low_confidence)
    wide = wilson(*case, high_confidence)
    assert float(wide[0]) <= float(narrow[0]) and float(narrow[1]) <= float(wide[1])


@given(st.floats(0, 1e7) | st.integers(0, 30).map(float), confidences)
def test_count_interval_contains_the_count(count: float, confidence: float) -> None:
    lower, upper = byar(count, confidence)
    assert float(lower) <= count <= float(upper)


@given(st.floats(0, 1e7) | st.integers(0, 30).map(float), confidences, confidences)
def test_count_interval_narrows_as_confidence_falls(count: float, a: float, b: float) -> None:
    low_confidence, high_confidence = sorted((a, b))
    narrow = byar(count, low_confidence)
    wide = byar(count, high_confidence)
    assert float(wide[0]) <= float(narrow[0]) and float(narrow[1]) <= float(wide[1])


@given(st.integers(0, 10**6), st.floats(1e-3, 1e9), st.sampled_from([1.0, 100.0, 1e5]))
def test_rate_interval_contains_the_rate(count: int, denominator: float, multiplier: float) -> None:
    lower, upper = byar_rate(count, denominator, multiplier)
    rate = count / denominator * multiplier
    assert float(lower) <= rate * (1 + 1e-12) and rate <= float(upper) * (1 + 1e-12)


# --- comparison with a benchmark ------------------------------------------------------------


def test_an_interval_is_higher_similar_or_lower_than_a_benchmark() -> None:
    lower = [0.6, 0.4, 0.1, 0.5, 0.2, np.nan]
    upper = [0.7, 0.6, 0.3, 0.6, 0.5, 0.4]
    assert compare_with_value(lower, upper, 0.5).tolist() == [
        "Higher",
        "Similar",
        "Lower",
        "Similar",  # a limit on the benchmark still contains it
        "Similar",
        "Not compared",
    ]


def test_benchmark_comparison_takes_one_value_per_row() -> None:
    result = compare_with_value([1.0, 1.0], [2.0, 2.0], [0.5, 2.5])
    assert result.tolist() == ["Higher", "Lower"]


def test_benchmark_comparison_refuses_a_lower_limit_above_the_upper() -> None:
    with pytest.raises(IntervalInputError, match="lower must not exceed upper"):
        compare_with_value(2.0, 1.0, 1.5)


@given(counts_and_sizes, st.floats(0, 1))
def test_benchmark_outside_the_wilson_interval_is_higher_or_lower(
    case: tuple[int, int], benchmark: float
) -> None:
    lower, upper = wilson(*case)
    verdict = str(compare_with_value(lower, upper, benchmark))
    if benchmark < float(lower):
        assert verdict == "Higher"
    elif benchmark > float(upper):
        assert verdict == "Lower"
    else:
        assert verdict == "Similar"


# --- the intervals of a measure's figures (the peer comparison) ----------------------------


def test_percentages_take_wilson_scaled_to_percent_as_the_package() -> None:
    # Inputs of PHEindicatormethods tests/testthat/testWilson.R; phe_proportion scales the
    # Wilson limits by its multiplier (100 for percentages). Values: R, as above.
    lower, upper = observation_intervals([65, 1045], [100, 5000], "proportion", 100)
    assert close(lower, [55.254443296887967, 19.795549880013297])
    assert close(upper, [73.635751756902468, 22.049130373189027])


def test_rates_take_phe_rate_limits_exact_below_ten_events() -> None:
    # The phe_rate example, as test_byar_rate_matches_phe_rate_on_its_documented_example.
    lower, upper = observation_intervals([82, 9, 48], [100, 100, 10000], "rate", 100_000)
    assert close(lower, [65214.911658096695, 4115.3730973783331, 353.88474720531991])
    assert close(upper, [101784.83940118895, 17084.803451419171, 636.42438606876158])


def test_figures_get_intervals_together_or_not_at_all() -> None:
    # One figure without a denominator, or a proportion above 1, leaves the whole set without
    # intervals: the chart compares the figures with one another.
    for numerators, denominators, statistic in (
        ([65, 3], [100, math.nan], "proportion"),
        ([65, 3], [100, 0], "rate"),
        ([65, 120], [100, 100], "proportion"),
        ([65, 3], [100, 10], None),
    ):
        lower, upper = observation_intervals(numerators, denominators, statistic, 100)  # type: ignore[arg-type]
        assert np.isnan(lower).all() and np.isnan(upper).all(), (numerators, denominators)


def test_figure_intervals_contain_their_values() -> None:
    numerators, denominators = np.array([0, 4, 65, 100]), np.array([100, 100, 100, 100])
    for statistic in ("proportion", "rate"):
        lower, upper = observation_intervals(numerators, denominators, statistic, 100)  # type: ignore[arg-type]
        values = numerators / denominators * 100
        assert (lower <= values).all() and (values <= upper).all(), statistic
