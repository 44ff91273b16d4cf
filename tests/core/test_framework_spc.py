from __future__ import annotations

from pmf.core.framework import PeriodKind, load_framework
from tests.factories import GOOD, problems

STANDARD = '    standard: {type: target, comparison: ">=", value: 80}\n'


def with_spc(block: str) -> str:
    return GOOD.replace(STANDARD, STANDARD + block)


def line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_an_spc_block_loads_with_its_baseline_rebases_and_events() -> None:
    text = (
        with_spc(
            "    spc:\n"
            "      window: 48\n"
            "      baseline: {from: 2019-04, to: 2020-11}\n"
            "      rebases: [{period: 2021-04, reason: new crime recording rules}]\n"
            "      events: [{period: 2021-06, text: Operation Sceptre, unit: N}]\n"
            "      units: [{unit: S, window: 24}]\n"
        )
        + "spc: {windows: {quarter: 8}, baseline_points: 15}\n"
    )
    framework = load_framework(text)
    spc = framework.measure("ER").spc
    assert spc.window == 48
    assert spc.baseline is not None and (spc.baseline.starts, spc.baseline.ends) == (
        "2019-04",
        "2020-11",
    )
    assert spc.rebases[0].reason == "new crime recording rules"
    assert spc.events[0].unit == "N" and spc.units[0].window == 24
    assert framework.model.spc.windows == {PeriodKind.QUARTER: 8}
    assert framework.model.spc.baseline_points == 15


def test_a_rebase_without_a_reason_names_file_line_and_field() -> None:
    text = with_spc("    spc:\n      rebases:\n        - {period: 2021-04}\n")
    line = line_of(text, "{period: 2021-04}")
    assert problems(text) == [
        f"framework.yaml:{line} measures[0].spc.rebases[0].reason: is required"
    ]


def test_a_rebase_period_of_another_frequency_or_unknown_unit_is_refused() -> None:
    text = with_spc(
        "    spc:\n"
        "      rebases:\n"
        "        - {period: 2021/22, reason: new rules}\n"
        "        - {period: 2021-05, reason: split, unit: NOPE}\n"
    )
    found = problems(text)
    first, second = line_of(text, "2021/22"), line_of(text, "NOPE")
    assert found[0].startswith(f"framework.yaml:{first} measures[0].spc.rebases[0].period: ")
    assert "is a financial year, but ER is reported by month" in found[0]
    assert found[1] == (
        f"framework.yaml:{second} measures[0].spc.rebases[1].unit: "
        "'NOPE' is not a unit in this file"
    )


def test_a_window_of_one_period_is_refused() -> None:
    text = with_spc("    spc:\n      window: 1\n")
    assert problems(text) == [
        f"framework.yaml:{line_of(text, 'window: 1')} measures[0].spc.window: 1 must be at least 2"
    ]


def test_a_baseline_that_ends_before_it_starts_is_refused() -> None:
    text = with_spc("    spc:\n      baseline: {from: 2020-06, to: 2020-01}\n")
    assert problems(text) == [
        f"framework.yaml:{line_of(text, 'baseline:')} measures[0].spc.baseline.to: "
        "'2020-01' is before '2020-06'"
    ]


def test_two_rebases_in_one_period_for_the_same_units_are_refused() -> None:
    text = with_spc(
        "    spc:\n"
        "      rebases:\n"
        "        - {period: 2021-04, reason: one}\n"
        "        - {period: 2021-04, reason: two}\n"
    )
    assert problems(text) == [
        f"framework.yaml:{line_of(text, 'reason: two')} measures[0].spc.rebases[1].period: "
        "'2021-04' is already a rebase at measures[0].spc.rebases[0]"
    ]
