"""Key drivers: each component's part in a calculated measure's change, worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf.core.assessment import assess
from pmf.core.drivers import (
    Against,
    Comparison,
    KeyDrivers,
    Part,
    Shape,
    decompose,
    key_drivers,
    sentence,
    shape_for,
    shape_of,
    signed,
)
from pmf.core.formula import parse_formula
from pmf.core.framework import Framework, load_framework
from pmf.core.rationale import rationale
from tests.factories import observations

SUM = Shape((Part("VWI", 1.0), Part("SEXUAL", 1.0), Part("BURGLARY", -1.0)))


def test_a_sum_splits_into_each_term_s_signed_change() -> None:
    # Total 5 + 2 - 1 = 6 then, 6 + 1.5 - 0.5 = 7 now: a change of +1.
    found = decompose(
        SUM, {"VWI": 5, "SEXUAL": 2, "BURGLARY": 1}, {"VWI": 6, "SEXUAL": 1.5, "BURGLARY": 0.5}
    )
    assert [(item.code, item.role, item.contribution) for item in found] == [
        ("VWI", "term", 1.0),
        ("SEXUAL", "term", -0.5),
        # A subtracted term that falls pushes the total up.
        ("BURGLARY", "term", 0.5),
    ]
    assert [item.share for item in found] == [1.0, -0.5, 0.5]
    # Contributions to the percentage change (of 6): they add up to the total's +16.7%.
    assert [round(item.percent or 0, 2) for item in found] == [16.67, -8.33, 8.33]


def test_a_ratio_splits_by_shapley_between_numerator_and_denominator() -> None:
    # Solved 20 of 100 (20%) then, 30 of 120 (25%) now: +5 points. Numerator effect
    # 100 x 10 x (1/100 + 1/120) / 2 = 9.1667; denominator effect
    # (2000 + 3000) / 2 x (1/120 - 1/100) = -4.1667 (Das Gupta 1993, two factors).
    shape = Shape((Part("SOLVED", 100.0),), denominator="RECORDED")
    found = decompose(shape, {"SOLVED": 20, "RECORDED": 100}, {"SOLVED": 30, "RECORDED": 120})
    assert [(item.code, item.role) for item in found] == [
        ("SOLVED", "term"),
        ("RECORDED", "denominator"),
    ]
    assert found[0].contribution == pytest.approx(9.166_667, abs=1e-6)
    assert found[1].contribution == pytest.approx(-4.166_667, abs=1e-6)
    assert found[0].share == pytest.approx(1.833_333, abs=1e-6)
    assert found[0].percent == pytest.approx(45.833_33, abs=1e-4)


def test_a_sum_over_a_measure_splits_the_numerator_among_its_terms() -> None:
    # (A + B) / P x 1000: 40 / 10,000 = 4.0 then, 44 / 12,000 = 3.667 now (-0.333).
    # A: 1000 x 6 x w = 0.55, B: 1000 x -2 x w = -0.1833 with w = (1/10,000 + 1/12,000) / 2;
    # P: (40,000 + 44,000) / 2 x (1/12,000 - 1/10,000) = -0.7.
    shape = Shape((Part("A", 1000.0), Part("B", 1000.0)), denominator="P")
    found = decompose(shape, {"A": 30, "B": 10, "P": 10_000}, {"A": 36, "B": 8, "P": 12_000})
    assert [round(item.contribution, 4) for item in found] == [0.55, -0.1833, -0.7]
    assert sum(item.contribution for item in found) == pytest.approx(44 / 12 - 4)


def test_what_the_components_do_not_explain_is_its_own_row() -> None:
    # The total is stored as 10.0 then and 10.4 now, the components add to 10.0 and 10.2.
    shape = Shape((Part("A", 1.0), Part("B", 1.0)))
    found = decompose(
        shape, {"A": 6.0, "B": 4.0}, {"A": 6.2, "B": 4.0}, total_then=10.0, total_now=10.4
    )
    assert [(item.role, round(item.contribution, 6)) for item in found] == [
        ("term", 0.2),
        ("term", 0.0),
        ("unexplained", 0.2),
    ]
    assert [round(item.share or 0, 6) for item in found] == [0.5, 0.0, 0.5]


def test_no_change_has_no_shares_and_a_zero_start_no_percentages() -> None:
    shape = Shape((Part("A", 1.0), Part("B", 1.0)))
    flat = decompose(shape, {"A": 1.0, "B": 2.0}, {"A": 2.0, "B": 1.0})
    assert [item.share for item in flat] == [None, None]
    from_zero = decompose(shape, {"A": 0.0, "B": 0.0}, {"A": 1.0, "B": 0.0})
    assert [item.percent for item in from_zero] == [None, None]
    assert from_zero[0].share == 1.0


def test_a_denominator_of_zero_is_refused() -> None:
    shape = Shape((Part("A", 1.0),), denominator="B")
    with pytest.raises(ZeroDivisionError, match="B is 0"):
        decompose(shape, {"A": 1.0, "B": 0.0}, {"A": 1.0, "B": 2.0})


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(
    st.lists(
        st.tuples(finite, finite, st.sampled_from([1.0, -1.0, 1000.0])), min_size=1, max_size=6
    ),
    st.none() | st.tuples(positive, positive),
)
def test_the_contributions_always_add_up_to_the_change(
    terms: list[tuple[float, float, float]], denominator: tuple[float, float] | None
) -> None:
    parts = tuple(Part(f"M{index}", coefficient) for index, (_, _, coefficient) in enumerate(terms))
    then = {f"M{index}": before for index, (before, _, _) in enumerate(terms)}
    now = {f"M{index}": after for index, (_, after, _) in enumerate(terms)}
    shape = Shape(parts, "D" if denominator else None)
    if denominator:
        then["D"], now["D"] = denominator
    found = decompose(shape, then, now)
    numerator_then = sum(part.coefficient * then[part.code] for part in parts)
    numerator_now = sum(part.coefficient * now[part.code] for part in parts)
    over_then, over_now = denominator or (1.0, 1.0)
    change = numerator_now / over_now - numerator_then / over_then
    # Exact: no unexplained row for a total the formula gives, and the parts add up.
    assert all(item.role != "unexplained" for item in found)
    scale = max([1.0, abs(numerator_then / over_then), abs(numerator_now / over_now)])
    scale = max([scale, *(abs(item.contribution) for item in found)])
    assert sum(item.contribution for item in found) == pytest.approx(change, abs=1e-7 * scale)


def test_signed_numbers_use_a_minus_sign_and_no_negative_zero() -> None:
    assert signed(-3.94) == "−3.9%"
    assert signed(4.06) == "+4.1%"
    assert signed(-0.04) == "+0.0%"
    assert signed(-1234.5, 0, "") == "−1,234"


FRAMEWORK = """
organisation: {code: T, name: T}
areas: [{code: HARM, name: HARM}]
units: [{code: F, name: Force, type: force}]
measures:
  - {code: HIGH_HARM, name: "High harm offences per 1,000", area: HARM, kind: redline,
     polarity: lower_is_better, unit_of_measure: rate, frequency: month, decimals: 1,
     formula: VWI + SEXUAL,
     standard: {type: target, comparison: '<=', value: 9.0}}
  - {code: VWI, name: "Violence with injury per 1,000", area: HARM, kind: redline,
     polarity: lower_is_better, unit_of_measure: rate, frequency: month, decimals: 1,
     standard: {type: target, comparison: '<=', value: 5.0}}
  - {code: SEXUAL, name: "Sexual offences per 1,000", area: HARM, kind: redline,
     polarity: lower_is_better, unit_of_measure: rate, frequency: month, decimals: 1,
     standard: {type: target, comparison: '<=', value: 3.5}}
"""
HARM = Shape((Part("VWI", 1.0), Part("SEXUAL", 1.0)))


def test_a_calculated_measure_s_shape_comes_from_its_formula() -> None:
    framework = load_framework(FRAMEWORK)
    assert shape_for(framework.measure("HIGH_HARM")) == HARM
    assert shape_for(framework.measure("VWI")) is None


@pytest.fixture(scope="module")
def drivers() -> tuple[Framework, KeyDrivers]:
    """Return the framework and the key drivers of HIGH_HARM for the force in June 2025."""
    framework = load_framework(FRAMEWORK)
    rows = []
    for period, vwi, sexual in (
        ("2024-06", 5.5, 3.5),
        ("2025-05", 6.0, 4.0),
        ("2025-06", 6.2, 3.5),
    ):
        rows += [
            ("F", "VWI", period, vwi, None, None),
            ("F", "SEXUAL", period, sexual, None, None),
            ("F", "HIGH_HARM", period, vwi + sexual, None, None),
        ]
    assessment = assess(framework, observations(rows), cut=dt.date(2025, 6, 30))
    found = key_drivers(framework, assessment, "F", "HIGH_HARM", HARM)
    assert found is not None
    return framework, found


def test_key_drivers_against_the_previous_period(drivers: tuple[Framework, KeyDrivers]) -> None:
    _, found = drivers
    assert (found.unit, found.measure, found.period, found.method) == (
        "F",
        "HIGH_HARM",
        "2025-06",
        "additive",
    )
    previous = found.comparison(Against.PREVIOUS_PERIOD)
    assert previous is not None
    assert (previous.label, previous.then, previous.now) == ("May 2025", 10.0, 9.7)
    assert previous.percent == pytest.approx(-3.0)
    # VWI rose 0.2 and sexual offences fell 0.5: -0.3 in all.
    assert [(item.code, round(item.contribution, 6)) for item in previous.drivers] == [
        ("VWI", 0.2),
        ("SEXUAL", -0.5),
    ]
    assert [round(item.share or 0, 4) for item in previous.drivers] == [-0.6667, 1.6667]


def test_key_drivers_against_the_same_period_last_year(
    drivers: tuple[Framework, KeyDrivers],
) -> None:
    _, found = drivers
    last_year = found.comparison(Against.SAME_PERIOD_LAST_YEAR)
    assert last_year is not None
    assert (last_year.label, last_year.then) == ("June 2024", 9.0)
    assert [(item.code, round(item.contribution, 6), item.share) for item in last_year.drivers] == [
        ("VWI", 0.7, pytest.approx(1.0)),
        ("SEXUAL", 0.0, 0.0),
    ]


def test_key_drivers_against_the_target_name_what_the_targets_do_not_add_up_to(
    drivers: tuple[Framework, KeyDrivers],
) -> None:
    _, found = drivers
    standard = found.comparison(Against.STANDARD)
    assert standard is not None
    assert standard.label == "the target of ≤ 9.0"
    # 9.7 against 9.0: VWI is 1.2 over its 5.0, sexual offences on their 3.5; the targets of
    # the components add up to 8.5, half a point under the total's: -0.5 unexplained.
    assert [(item.role, round(item.contribution, 6)) for item in standard.drivers] == [
        ("term", 1.2),
        ("term", 0.0),
        ("unexplained", -0.5),
    ]


def test_the_sentence_names_the_drivers_and_what_offset_them(
    drivers: tuple[Framework, KeyDrivers],
) -> None:
    framework, found = drivers
    measure = framework.measure("HIGH_HARM")
    previous = found.comparison(Against.PREVIOUS_PERIOD)
    assert previous is not None
    assert sentence(framework, measure, previous) == (
        "Against May 2025 (−3.0%), key drivers: Sexual offences per 1,000 −5.0%; "
        "offset by Violence with injury per 1,000 +2.0%."
    )
    last_year = found.comparison(Against.SAME_PERIOD_LAST_YEAR)
    assert last_year is not None
    assert sentence(framework, measure, last_year) == (
        "Against June 2024 (+7.8%), key drivers: Violence with injury per 1,000 +7.8%."
    )


def test_no_overall_change_still_says_what_moved_within_it() -> None:
    framework = load_framework(FRAMEWORK)
    drivers = decompose(HARM, {"VWI": 6.0, "SEXUAL": 4.0}, {"VWI": 6.1, "SEXUAL": 3.9})
    found = Comparison(Against.PREVIOUS_PERIOD, "April 2025", "2025-04", 10.0, 10.0, drivers)
    assert sentence(framework, framework.measure("HIGH_HARM"), found) == (
        "No overall change against April 2025, but movement within it: Violence with injury "
        "per 1,000 (+0.1) and Sexual offences per 1,000 (−0.1)."
    )


def test_a_component_without_a_figure_leaves_the_change_unsplit_and_says_why() -> None:
    framework = load_framework(FRAMEWORK)
    rows = [
        ("F", "VWI", "2025-05", 6.0, None, None),
        ("F", "HIGH_HARM", "2025-05", 10.0, None, None),
        ("F", "VWI", "2025-06", 6.2, None, None),
        ("F", "SEXUAL", "2025-06", 3.5, None, None),
        ("F", "HIGH_HARM", "2025-06", 9.7, None, None),
    ]
    assessment = assess(framework, observations(rows), cut=dt.date(2025, 6, 30))
    found = key_drivers(framework, assessment, "F", "HIGH_HARM", HARM)
    assert found is not None
    previous = found.comparison(Against.PREVIOUS_PERIOD)
    assert previous is not None
    assert previous.drivers == ()
    assert previous.reason == "no figure for May 2025 of Sexual offences per 1,000"
    last_year = found.comparison(Against.SAME_PERIOD_LAST_YEAR)
    assert last_year is not None
    assert last_year.reason == "no figure for June 2024"
    assert sentence(framework, framework.measure("HIGH_HARM"), previous) is None


def test_no_figure_of_the_measure_gives_no_key_drivers() -> None:
    framework = load_framework(FRAMEWORK)
    rows = [("F", "VWI", "2025-06", 6.2, None, None)]
    assessment = assess(framework, observations(rows), cut=dt.date(2025, 6, 30))
    assert key_drivers(framework, assessment, "F", "HIGH_HARM", HARM) is None


def test_the_json_twin_has_every_number() -> None:
    shape = Shape((Part("A", 1.0),), denominator="B")
    drivers = decompose(shape, {"A": 1.0, "B": 2.0}, {"A": 2.0, "B": 2.0})
    found = KeyDrivers(
        "F",
        "R",
        "2025-06",
        "ratio",
        shape,
        (Comparison(Against.PREVIOUS_PERIOD, "May 2025", "2025-05", 0.5, 1.0, drivers),),
    )
    data = found.as_dict()
    assert data["method"] == "ratio"
    assert data["denominator"] == "B"
    comparison = data["comparisons"][0]  # type: ignore[index]
    assert comparison["change"] == 0.5
    assert comparison["percent"] == 100.0
    assert comparison["drivers"][0] == {
        "code": "A",
        "role": "term",
        "then": 1.0,
        "now": 2.0,
        "change": 1.0,
        "contribution": 0.5,
        "share": 1.0,
        "percent": 100.0,
        "coefficient": 1.0,
    }
    assert comparison["drivers"][1]["contribution"] == 0.0


@pytest.mark.parametrize(
    ("text", "parts", "denominator"),
    [
        ("VWI + SEXUAL + ROBBERY", (("VWI", 1.0), ("SEXUAL", 1.0), ("ROBBERY", 1.0)), None),
        ("A - (B - C)", (("A", 1.0), ("B", -1.0), ("C", 1.0)), None),
        ("SOLVED / RECORDED * 100", (("SOLVED", 100.0),), "RECORDED"),
        ("100 * SOLVED / RECORDED", (("SOLVED", 100.0),), "RECORDED"),
        ("(A + B) / POP * 1000", (("A", 1000.0), ("B", 1000.0)), "POP"),
        ("1000 * (A - B) / POP", (("A", 1000.0), ("B", -1000.0)), "POP"),
        ("A / B / 2", (("A", 0.5),), "B"),
        ("A / POP * 1000 + B / POP * 1000", (("A", 1000.0), ("B", 1000.0)), "POP"),
    ],
)
def test_the_shape_of_a_formula_is_a_sum_or_a_sum_over_a_measure(
    text: str, parts: tuple[tuple[str, float], ...], denominator: str | None
) -> None:
    found = shape_of(parse_formula(text))
    assert found is not None
    assert [part.code for part in found.parts] == [code for code, _ in parts]
    assert [part.coefficient for part in found.parts] == pytest.approx([c for _, c in parts])
    assert found.denominator == denominator


@pytest.mark.parametrize("text", ["A * B", "A / (B + C)", "A + 5", "A * A / B", "A", "B / A / A"])
def test_a_formula_of_another_shape_is_not_split(text: str) -> None:
    assert shape_of(parse_formula(text)) is None


def test_the_rationale_says_the_key_drivers_of_a_calculated_redline(
    drivers: tuple[Framework, KeyDrivers],
) -> None:
    framework, _ = drivers
    rows = []
    for period, vwi, sexual in (("2025-05", 6.0, 4.0), ("2025-06", 6.2, 3.5)):
        rows += [
            ("F", "VWI", period, vwi, None, None),
            ("F", "SEXUAL", period, sexual, None, None),
            ("F", "HIGH_HARM", period, vwi + sexual, None, None),
        ]
    assessment = assess(framework, observations(rows), cut=dt.date(2025, 6, 30))
    found = rationale(framework, assessment, "F", "HARM")
    # The gap to the target is the comparison its standard judges: 9.7 against 9.0, of which
    # violence with injury 1.2 over its own target (13.3% of 9.0).
    assert found.redlines[0] == (
        "High harm offences per 1,000 – Not Met. 9.7 against the target of ≤ 9.0. "
        "Against the target of ≤ 9.0 (+7.8%), key drivers: Violence with injury per 1,000 "
        "+13.3%."
    )
    # A measure that is not calculated has no such sentence.
    assert "key drivers" not in found.redlines[1]


RATIO_FRAMEWORK = """
organisation: {code: T, name: T}
areas: [{code: A, name: A}]
units: [{code: F, name: Force, type: force}]
measures:
  - {code: SOLVED_RATE, name: Solved rate, area: A, kind: redline, polarity: higher_is_better,
     unit_of_measure: percent, frequency: month, formula: SOLVED / RECORDED * 100,
     standard: {type: target, comparison: ">=", value: 25}}
  - {code: SOLVED, name: Offences solved, area: A, kind: context, polarity: higher_is_better,
     unit_of_measure: count, frequency: month, decimals: 0}
  - {code: RECORDED, name: Offences recorded, area: A, kind: context, polarity: neither,
     unit_of_measure: count, frequency: month, decimals: 0}
"""


def test_a_calculated_ratio_splits_between_solved_and_recorded() -> None:
    framework = load_framework(RATIO_FRAMEWORK)
    shape = shape_for(framework.measure("SOLVED_RATE"))
    assert shape == Shape((Part("SOLVED", 100.0),), denominator="RECORDED")
    rows = []
    for period, solved, recorded in (("2025-05", 20.0, 100.0), ("2025-06", 30.0, 120.0)):
        rows += [
            ("F", "SOLVED", period, solved, None, None),
            ("F", "RECORDED", period, recorded, None, None),
            ("F", "SOLVED_RATE", period, solved / recorded * 100, solved, recorded),
        ]
    assessment = assess(framework, observations(rows), cut=dt.date(2025, 6, 30))
    found = key_drivers(framework, assessment, "F", "SOLVED_RATE", shape)
    assert found is not None and found.method == "ratio"
    previous = found.comparison(Against.PREVIOUS_PERIOD)
    assert previous is not None
    # 20% to 25%: +9.17 points from more offences solved, -4.17 from more recorded (as worked
    # by hand in test_a_ratio_splits_by_shapley_between_numerator_and_denominator).
    assert [(item.code, round(item.contribution, 2)) for item in previous.drivers] == [
        ("SOLVED", 9.17),
        ("RECORDED", -4.17),
    ]
    assert sentence(framework, framework.measure("SOLVED_RATE"), previous) == (
        "Against May 2025 (+25.0%), key drivers: Offences solved +45.8%; offset by Offences "
        "recorded −20.8%."
    )
    standard = found.comparison(Against.STANDARD)
    assert standard is not None
    assert standard.reason == "the gap of a ratio to its standard is not split"
