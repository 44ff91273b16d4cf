from __future__ import annotations

import datetime as dt

from pmf.core.delay import CycleMoments, delay_medians, delay_words, reporting_delays


def test_days_are_counted_from_the_last_day_of_the_cut_off_period() -> None:
    (delay,) = reporting_delays(
        [
            CycleMoments(
                3,
                "Summer 2024",
                "2024-05",
                locked=dt.date(2024, 6, 8),
                board=dt.date(2024, 7, 22),
                published=dt.date(2024, 7, 23),
            )
        ]
    )
    assert delay.period_end == dt.date(2024, 5, 31)
    assert (delay.to_locked, delay.to_board, delay.to_published) == (8, 52, 53)


def test_a_quarter_or_a_year_ends_on_its_last_day() -> None:
    (quarter, year) = reporting_delays(
        [
            CycleMoments(1, "Q", "2024/25 Q1", locked=dt.date(2024, 7, 1)),
            CycleMoments(2, "Y", "2024/25", locked=dt.date(2025, 5, 1)),
        ]
    )
    assert (quarter.to_locked, year.to_locked) == (1, 31)


def test_stages_not_reached_are_not_counted_and_a_planned_board_is_kept_apart() -> None:
    delays = reporting_delays(
        [
            CycleMoments(2, "B", "2024-02", locked=dt.date(2024, 3, 10)),
            CycleMoments(1, "A", "2023-11", board_planned=dt.date(2024, 1, 22)),
        ]
    )
    assert [item.number for item in delays] == [1, 2]
    assert delays[0].to_board is None and delays[0].board_planned == 53
    assert delay_medians(delays) == {"locked": 10.0, "board": None, "published": None}
    assert delay_words(delays).startswith(
        "Cycle 2 (data to February 2024): figures locked 10 days after the period ended"
    )
    assert "not yet published" in delay_words(delays)


def test_the_median_over_published_cycles_is_in_the_sentence() -> None:
    delays = reporting_delays(
        CycleMoments(
            number,
            f"C{number}",
            f"2024-{month:02d}",
            locked=dt.date(2024, month + 1, 8),
            published=dt.date(2024, month + 1, days),
        )
        for number, month, days in ((1, 1, 20), (2, 2, 28), (3, 3, 30))
    )
    assert [item.to_published for item in delays] == [20, 28, 30]
    assert delay_words(delays).endswith(
        "Over the 3 published cycles the median time to publication was 28 days."
    )


def test_no_cycle_locked_says_so() -> None:
    assert delay_words([]).startswith("No cycle has been locked yet")
