"""Every statement about a figure agrees with the others, and each measure stands at its own
period: the precedence in docs/methods.md, "What a figure's statements mean and which comes
first", and the defects readers of the example force's pages and papers found."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pmf.core.assessment import assess
from pmf.core.framework import Framework, load_framework
from pmf.core.rationale import rationale
from pmf.core.scorecard import build_scorecard, note
from pmf.reports.console import render_scorecard
from tests.factories import GOOD, observations

KPIS = """\
  - code: K1
    name: Arrest rate
    area: FOCUS
    kind: kpi
    polarity: higher_is_better
    unit_of_measure: percent
    frequency: month
  - code: K2
    name: Possession of weapons per 1,000
    area: FOCUS
    kind: kpi
    polarity: neither
    unit_of_measure: rate
    frequency: month
    multiplier: 1000
    decimals: 2
peer_groups:"""

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def wide() -> Framework:
    """The test framework with two KPIs more, one of which neither direction is better."""
    return load_framework(GOOD.replace("peer_groups:", KPIS, 1))


def november(
    unit: str, crimes: float
) -> list[tuple[str, str, str, float | None, float | None, float | None]]:
    return [
        (unit, "ER", "2025-10", 82.0, None, None),
        (unit, "ER", "2025-11", 81.0, None, None),
        (unit, "CR", "2025-10", crimes, crimes, 1000.0),
        (unit, "CR", "2025-11", crimes, crimes, 1000.0),
        (unit, "K1", "2025-11", 30.0, 30.0, 100.0),
        (unit, "K2", "2025-11", 0.08, 8.0, 100000.0),
    ]


def rows_of(frame: pl.DataFrame) -> dict[tuple[str, str], dict[str, object]]:
    return {(r["unit"], r["measure"]): r for r in frame.iter_rows(named=True)}


def test_a_later_figure_for_one_measure_changes_no_other_row(wide: Framework) -> None:
    figures = november("N", 4.0) + november("S", 6.0)
    before = assess(wide, observations(figures), units=["N", "S"], today=TODAY)
    after = assess(
        wide,
        observations([*figures, ("N", "CR", "2025-12", 5.0, 5.0, 1000.0)]),
        units=["N", "S"],
        today=TODAY,
    )
    old, new = rows_of(before), rows_of(after)
    assert old.keys() == new.keys()
    for key in old:
        if key != ("N", "CR"):
            assert new[key] == old[key], key
    crimes = new[("N", "CR")]
    # The row stands at its own period; its peers are compared at the group's latest.
    assert (crimes["period"], crimes["peer_period"]) == ("2025-12", "2025-11")
    assert crimes["reference"] == 5.0 and crimes["met"] is True and crimes["not_assessed"] is None
    assert (
        crimes["position"] == "in November 2025, first in its MSG and 20.0% below the MSG average"
    )


def test_the_heading_names_the_period_most_measures_share(wide: Framework) -> None:
    figures = [*november("N", 4.0), *november("S", 6.0), ("N", "CR", "2025-12", 5.0, 5.0, 1000.0)]
    card = build_scorecard(wide, assess(wide, observations(figures), units=["N"], today=TODAY), "N")
    assert card.as_at == "November 2025"
    assert card.heading == "as at November 2025 (1 measure at another period)"
    periods = {row.measure: row.period_label for row in card.rows()}
    assert periods == {
        "ER": "November 2025",
        "CR": "December 2025",
        "K1": "November 2025",
        "K2": "November 2025",
    }
    crimes = next(row for row in card.rows() if row.measure == "CR")
    assert crimes.standard_text == "v. MSG average (5.0, November 2025)"
    text = render_scorecard(card)
    assert text.splitlines()[0].endswith("as at November 2025 (1 measure at another period)")


def test_a_figure_dated_in_the_future_is_flagged_and_moves_nothing(wide: Framework) -> None:
    figures = [*november("N", 4.0), *november("S", 6.0)]
    typo = [*figures, ("N", "ER", "2099-11", 18.0, None, None)]
    before = assess(wide, observations(figures), units=["N"], today=TODAY)
    after = assess(wide, observations(typo), units=["N"], today=TODAY)
    response = rows_of(after)[("N", "ER")]
    # The real latest figure is still the one assessed.
    assert (response["period"], response["value"], response["met"]) == ("2025-11", 81.0, True)
    assert response["future_period"] == "2099-11"
    assert after.drop("future_period").equals(before.drop("future_period"))
    card = build_scorecard(wide, after, "N")
    assert card.heading == "as at November 2025"
    assert card.future == ("Emergency response within target",)
    text = render_scorecard(card)
    assert "as at 2099" not in text and "November 2099" in text
    assert "Warning: Figures dated in the future are held for Emergency response" in text


def test_an_improvement_equal_at_the_precision_shown_is_not_met(wide: Framework) -> None:
    # Sexual offences read "0.25 better than same period last year (0.25)": Met, though
    # the direction of travel said "no change".
    figures = [
        ("F", "CR", "2024-11", 2.54, 2.54, 1000.0),
        ("F", "CR", "2025-11", 2.47, 2.47, 1000.0),
    ]
    frame = assess(wide, observations(figures), units=["F"], today=TODAY)
    force = rows_of(frame)[("F", "CR")]
    assert force["direction_last_year"] == "no change"
    assert force["met"] is False and force["rag"] == "red"
    row = build_scorecard(wide, frame, "F").rows()[0]
    assert (row.value_text, row.standard_text, row.met_text) == (
        "2.5",
        "better than November 2024 (2.5)",
        "Not met",
    )
    assert row.direction_last_year_text == "→ no change"


def test_a_note_has_no_empty_clause(wide: Framework) -> None:
    # "Possession of weapons...: ; not significantly different": no rank where neither
    # direction is better, so no position, and the significance followed an empty clause.
    figures = [*november("N", 4.0), *november("S", 6.0)]
    card = build_scorecard(wide, assess(wide, observations(figures), units=["N"], today=TODAY), "N")
    weapons = next(row for row in card.rows() if row.measure == "K2")
    assert weapons.position is None
    assert weapons.note == "not significantly different from the MSG average"
    for row in card.rows():
        assert not row.note.startswith(";") and "; ;" not in row.note
    assert "Possession of weapons per 1,000: not significantly different" in render_scorecard(card)


def deteriorating_force() -> pl.DataFrame:
    """A force better than last year but worse in each of the last two months."""
    return observations(
        [
            ("F", "CR", "2024-11", 1.5, 1.5, 1000.0),
            ("F", "CR", "2025-08", 1.2, 1.2, 1000.0),
            ("F", "CR", "2025-09", 1.2, 1.2, 1000.0),
            ("F", "CR", "2025-10", 1.3, 1.3, 1000.0),
            ("F", "CR", "2025-11", 1.4, 1.4, 1000.0),
        ]
    )


def test_met_but_deteriorating_is_one_statement(wide: Framework) -> None:
    frame = assess(wide, deteriorating_force(), units=["F"], today=TODAY)
    row = build_scorecard(wide, frame, "F").rows()[0]
    assert row.met is True
    assert note(row) == "met, but deteriorating since September 2025"
    # The run is not said again as a fact of its own beside the verdict.
    assert "has been continually" not in note(row)
    found = rationale(wide, frame, "F", "FOCUS")
    assert found.redlines[1] == (
        "Crimes per 1,000 – Met, but deteriorating since September 2025. "
        "1.4 against 1.5 in November 2024."
    )


def test_one_arrow_vocabulary_with_a_legend_in_the_terminal(wide: Framework) -> None:
    figures = [*november("N", 4.0), *november("S", 6.0)]
    text = render_scorecard(
        build_scorecard(wide, assess(wide, observations(figures), units=["N"], today=TODAY), "N")
    )
    assert text.splitlines()[1].startswith("Directions: ↑ the figure rose, ↓ it fell")
    assert not any(symbol in text for symbol in "▲▼=")
    assert "↓ worse" in text  # emergency response fell from 82% to 81%


def test_better_than_last_year_but_worse_lately_is_one_clause(wide: Framework) -> None:
    figures = observations(
        [
            ("F", "K1", "2024-11", 20.0, 20.0, 100.0),
            ("F", "K1", "2025-08", 35.0, 35.0, 100.0),
            ("F", "K1", "2025-09", 35.0, 35.0, 100.0),
            ("F", "K1", "2025-10", 33.0, 33.0, 100.0),
            ("F", "K1", "2025-11", 31.0, 31.0, 100.0),
        ]
    )
    row = build_scorecard(wide, assess(wide, figures, units=["F"], today=TODAY), "F").rows()[0]
    assert (row.direction_last_year_text, row.direction_previous_text) == ("↑ better", "↓ worse")
    assert row.note == (
        "better than November 2024, but worse in each of the last two months (since September 2025)"
    )


def test_a_period_under_way_is_assessed_not_flagged(wide: Framework) -> None:
    # A risk register's count for this month is recorded before the month ends.
    figures = [*november("N", 4.0), ("N", "ER", "2026-01", 83.0, None, None)]
    frame = assess(wide, observations(figures), units=["N"], today=TODAY)
    response = rows_of(frame)[("N", "ER")]
    assert (response["period"], response["future_period"]) == ("2026-01", None)


def test_the_spc_legend_states_the_default_window_and_baseline() -> None:
    from pmf.core.baseline import DEFAULT_BASELINE_POINTS, DEFAULT_WINDOWS
    from pmf.core.periods import PeriodKind
    from pmf.core.scorecard import SPC_LEGEND

    assert f"last {DEFAULT_WINDOWS[PeriodKind.MONTH]} months" in SPC_LEGEND
    assert f"{DEFAULT_WINDOWS[PeriodKind.QUARTER]} quarters" in SPC_LEGEND
    assert f"{DEFAULT_WINDOWS[PeriodKind.YEAR]} years" in SPC_LEGEND
    assert f"first {DEFAULT_BASELINE_POINTS} of them" in SPC_LEGEND
