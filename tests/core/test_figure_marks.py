"""The marks of figures: one vocabulary, and a rolled-up figure takes the marks below it."""

from __future__ import annotations

from pmf.core.framework import load_framework
from pmf.core.scorecard import mark_letters, mark_words, marked, observation_marks
from tests.factories import GOOD


def test_a_units_mark_reaches_every_unit_its_figure_is_summed_into_but_not_its_own() -> None:
    marks = observation_marks(
        load_framework(GOOD),
        [("N", "CR", "2019-07", True, False), ("S", "CR", "2019-07", False, True)],
    )
    assert marks.of("N", "CR", "2019-07", "reported") == (True, False)
    assert marks.of("F", "CR", "2019-07", "rolled_up") == (True, True)
    # The force's own reported figure is marked by its own status only.
    assert marks.of("F", "CR", "2019-07", "reported") == (False, False)
    assert marks.of("S", "CR", "2019-06", "reported") == (False, False)


def test_unmarked_figures_given_add_no_marks() -> None:
    marks = observation_marks(load_framework(GOOD), [("N", "CR", "2019-07", False, False)])
    assert marks.own == {} and marks.below == {}


def test_the_marks_are_letters_in_text_and_words_for_screen_readers() -> None:
    assert (mark_letters(True, False), mark_letters(False, True)) == ("P", "W")
    assert mark_words(False, True) == "stored with accepted warnings"
    assert marked("683", True, True) == "683 [P, W]"
