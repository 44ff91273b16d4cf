"""The spot checks' draw: reproducible, independent of order, stable when figures come and go."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pmf.core.sampling import SAMPLE_MAX, SAMPLE_MIN, draw_sample, sample_size

keys = st.lists(st.text(min_size=1, max_size=12), max_size=120, unique=True)


@given(keys, st.randoms())
def test_the_draw_does_not_depend_on_the_order_of_the_figures(found: list[str], rng) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(found)
    rng.shuffle(shuffled)
    assert draw_sample(found, "MPS cycle 9") == draw_sample(shuffled, "MPS cycle 9")


@given(keys)
def test_the_sample_is_the_rules_size_and_drawn_from_the_figures(found: list[str]) -> None:
    drawn = draw_sample(found, "MPS cycle 9")
    assert len(drawn) == sample_size(len(found))
    assert len(set(drawn)) == len(drawn) and set(drawn) <= set(found)
    assert len(drawn) == len(found) or SAMPLE_MIN <= len(drawn) <= SAMPLE_MAX


@given(keys, st.text(min_size=1, max_size=12))
def test_a_figure_added_changes_the_sample_by_at_most_that_figure(
    found: list[str], extra: str
) -> None:
    before = draw_sample(found, "MPS cycle 9", 10)
    after = draw_sample([*found, extra], "MPS cycle 9", 10)
    assert len(set(after) - set(before)) <= 1
    assert set(after) - set(before) <= {extra}


def test_another_cycle_draws_another_sample() -> None:
    figures = [f"U{unit}|M|2025-11" for unit in range(200)]
    assert draw_sample(figures, "MPS cycle 9") != draw_sample(figures, "MPS cycle 10")
