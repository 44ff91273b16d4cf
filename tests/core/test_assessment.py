from __future__ import annotations

import datetime as dt

import pytest

from pmf.core.assessment import assess, describe_standard
from pmf.core.framework import Framework, FrameworkError, load_framework
from tests.factories import GOOD, observations, row


def test_target_met_is_green_and_missed_is_red(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [("N", "ER", "2019-07", 80.0, None, None), ("S", "ER", "2019-07", 71.9, None, None)]
        ),
    )
    assert (row(frame, "N", "ER")["met"], row(frame, "N", "ER")["rag"]) == (True, "green")
    assert (row(frame, "S", "ER")["met"], row(frame, "S", "ER")["rag"]) == (False, "red")
    assert row(frame, "S", "ER")["standard"] == "≥ 80.0%"


def test_amber_when_missed_within_tolerance() -> None:
    framework = load_framework(GOOD.replace("value: 80}", "value: 80, amber_within: 5}"))
    frame = assess(
        framework,
        observations(
            [("N", "ER", "2019-07", 76.0, None, None), ("S", "ER", "2019-07", 74.0, None, None)]
        ),
    )
    assert row(frame, "N", "ER")["rag"] == "amber"
    assert row(frame, "S", "ER")["rag"] == "red"


def test_peer_average_includes_the_unit_itself_and_respects_polarity(
    framework: Framework,
) -> None:
    frame = assess(
        framework,
        observations(
            [("N", "CR", "2019-07", 2.0, 2.0, 1000.0), ("S", "CR", "2019-07", 4.0, 4.0, 1000.0)]
        ),
        units=["N", "S"],
    )
    north, south = row(frame, "N", "CR"), row(frame, "S", "CR")
    assert north["reference"] == south["reference"] == 3.0
    assert (north["met"], south["met"]) == (True, False)
    assert north["standard"] == "v. MSG average"


def test_peer_average_without_peer_figures_is_not_assessed(framework: Framework) -> None:
    frame = assess(framework, observations([("N", "CR", "2019-07", 2.0, 2.0, 1000.0)]), units=["N"])
    north = row(frame, "N", "CR")
    # A group of the unit alone says nothing: not compared, not assessed.
    assert north["met"] is None
    assert north["not_assessed"] == "no peer figures for this period"
    assert north["rank"] is None and north["significance"] is None
    only_peer = assess(
        load_framework(
            GOOD.replace(
                "{name: Commands, units: [N, S]}",
                "{name: Commands, units: [N, S], include_self: false}",
            )
        ),
        observations([("N", "CR", "2019-07", 2.0, 2.0, 1000.0)]),
        units=["N"],
    )
    assert row(only_peer, "N", "CR")["met"] is None
    assert row(only_peer, "N", "CR")["not_assessed"] == "no peer figures for this period"


def test_improvement_against_same_period_last_year(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [
                ("F", "CR", "2018-07", 5.0, 5.0, 1000.0),
                ("F", "CR", "2019-06", 3.0, 3.0, 1000.0),
                ("F", "CR", "2019-07", 4.0, 4.0, 1000.0),
            ]
        ),
        units=["F"],
    )
    force = row(frame, "F", "CR")
    assert force["met"] is True
    assert force["reference"] == 5.0
    assert force["direction_last_year"] == "improving"
    assert force["direction_previous"] == "deteriorating"
    assert force["previous_period"] == "2019-06"


def test_cut_off_picks_the_latest_period_on_or_before_it(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [("N", "ER", "2019-06", 70.0, None, None), ("N", "ER", "2019-07", 90.0, None, None)]
        ),
        units=["N"],
        cut=dt.date(2019, 6, 30),
    )
    assert row(frame, "N", "ER")["period"] == "2019-06"
    assert row(frame, "N", "ER")["direction_previous"] is None


def test_direction_compares_at_the_precision_shown(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [("N", "ER", "2019-06", 71.91, None, None), ("N", "ER", "2019-07", 71.94, None, None)]
        ),
        units=["N"],
    )
    assert row(frame, "N", "ER")["direction_previous"] == "no change"


def test_no_figures_gives_an_empty_assessment(framework: Framework) -> None:
    assert assess(framework, observations([]), units=["N"]).height == 0


def test_standard_words() -> None:
    framework = load_framework(GOOD)
    measure = framework.measure("CR")
    assert describe_standard(measure, measure.standard[1]) == "better than same period last year"


BUDGET = GOOD.replace(
    "peer_groups:",
    """  - code: OT
    name: Overtime spend
    area: PEOPLE
    kind: redline
    polarity: lower_is_better
    unit_of_measure: gbp
    frequency: month
    decimals: 0
    standard: {type: within_budget, budget: 120}
peer_groups:""",
)


def test_within_budget_judges_the_forecast_outturn_of_monthly_spending() -> None:
    framework = load_framework(BUDGET)
    months = ["2019-04", "2019-05", "2019-06"]
    frame = assess(
        framework,
        observations([("F", "OT", month, 12.0, None, None) for month in months]),
        units=["F"],
    )
    overtime = row(frame, "F", "OT")
    assert overtime["forecast"] == 144.0  # 36 in three months, run rate
    assert overtime["forecast_method"] == "run rate"
    assert overtime["met"] is False
    assert overtime["budget_variance"] == 24.0
    assert overtime["budget_position"] == "forecast overspend"


def test_direction_since_the_previous_cycle(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [
                ("N", "ER", "2019-04", 70.0, None, None),
                ("N", "ER", "2019-06", 90.0, None, None),
                ("N", "ER", "2019-07", 80.0, None, None),
            ]
        ),
        units=["N"],
        previous_cut=dt.date(2019, 4, 30),
    )
    north = row(frame, "N", "ER")
    assert (north["previous_cycle_period"], north["previous_cycle_value"]) == ("2019-04", 70.0)
    assert north["direction_previous_cycle"] == "improving"
    assert north["direction_previous"] == "deteriorating"


def test_trend_sentence_after_two_worse_steps(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [
                ("N", "ER", f"2018-{m:02d}", v, None, None)
                for m, v in [(6, 80.0), (7, 82.0), (8, 79.0), (9, 71.9)]
            ]
        ),
        units=["N"],
    )
    assert row(frame, "N", "ER")["trend"] == "has been continually deteriorating since July 2018"


def test_peer_position_sentence(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [("N", "CR", "2019-07", 2.0, 2.0, 1000.0), ("S", "CR", "2019-07", 4.0, 4.0, 1000.0)]
        ),
        units=["N"],
    )
    north = row(frame, "N", "CR")
    assert (north["rank"], north["group_size"]) == (1, 2)
    assert north["position"] == "first in its MSG and 33.3% below the MSG average"
    assert north["pooled_average"] == 3.0


def test_significance_compares_the_rate_interval_with_the_peer_average(
    framework: Framework,
) -> None:
    frame = assess(
        framework,
        observations(
            [
                ("N", "CR", "2019-07", 2.0, 200.0, 100_000.0),
                ("S", "CR", "2019-07", 4.0, 400.0, 100_000.0),
            ]
        ),
        units=["N", "S"],
    )
    # Byar's 95 % interval of 200 events per 100,000 is about 1.73 to 2.30 per 1,000,
    # below the average of 3: lower is better for crime, so significantly better.
    assert row(frame, "N", "CR")["significance"] == "significantly better than the MSG average"
    assert row(frame, "S", "CR")["significance"] == "significantly worse than the MSG average"
    # The comparison is kept as a code too, from which the words are written.
    assert [row(frame, unit, "CR")["significance_code"] for unit in ("N", "S")] == [
        "better",
        "worse",
    ]


def test_small_counts_are_not_significantly_different(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [("N", "CR", "2019-07", 2.0, 2.0, 1000.0), ("S", "CR", "2019-07", 4.0, 4.0, 1000.0)]
        ),
        units=["N"],
    )
    assert row(frame, "N", "CR")["significance"] == (
        "not significantly different from the MSG average"
    )


def test_spc_variation_and_assurance_come_with_each_measure(framework: Framework) -> None:
    # Fourteen months around 85 %, then seven below the mean: a run, special cause concern.
    values = [85.0, 86.0, 84.0, 85.5, 84.5, 85.0, 86.0, 84.0, 85.0, 85.5, 84.5, 86.0, 85.0, 84.0]
    values += [83.0, 82.5, 83.5, 82.0, 83.0, 82.5, 83.0]
    months = [f"{2018 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    frame = assess(
        framework,
        observations(
            [
                ("N", "ER", month, value, None, None)
                for month, value in zip(months, values, strict=True)
            ]
        ),
        units=["N"],
    )
    north = row(frame, "N", "ER")
    assert north["variation"] == "special_cause_concern"
    # Target 80 % is below the lower process limit: the process consistently passes.
    assert north["assurance"] == "consistent_pass"
    assert (north["spc_points"], north["trial_limits"]) == (21, False)


def test_a_single_point_has_no_spc(framework: Framework) -> None:
    frame = assess(framework, observations([("N", "ER", "2019-07", 80.0, None, None)]), units=["N"])
    assert row(frame, "N", "ER")["variation"] is None


def test_no_significance_without_numerator_and_denominator(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [("N", "CR", "2019-07", 2.0, None, None), ("S", "CR", "2019-07", 4.0, None, None)]
        ),
        units=["N"],
    )
    north = row(frame, "N", "CR")
    assert north["rank"] == 1
    assert north["significance"] is None


def test_comparison_with_the_national_value() -> None:
    framework = load_framework(
        GOOD.replace(
            "organisation: {code: TST, name: Test Force}",
            "organisation: {code: TST, name: Test Force, national: X}",
        )
    )
    frame = assess(
        framework,
        observations(
            [
                ("N", "CR", "2019-07", 2.0, 200.0, 100_000.0),
                ("X", "CR", "2019-07", 3.0, 3_000.0, 1_000_000.0),
            ]
        ),
        units=["N"],
    )
    north = row(frame, "N", "CR")
    assert north["national_value"] == 3.0
    assert north["national_comparison"] == "significantly better than Other Force"
    assert north["national_code"] == "better"


def test_national_unit_must_exist() -> None:
    with pytest.raises(FrameworkError, match=r"organisation\.national: 'Q' is not a unit"):
        load_framework(
            GOOD.replace(
                "organisation: {code: TST, name: Test Force}",
                "organisation: {code: TST, name: Test Force, national: Q}",
            )
        )
