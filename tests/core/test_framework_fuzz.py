"""A broken framework file never gives a traceback: only FrameworkError, with a location."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf.core.framework import FrameworkError, load_framework
from tests.factories import GOOD

LINES = GOOD.splitlines()

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12)
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_loads_or_fails_with_framework_error(text: str) -> None:
    try:
        load_framework(text, "f.yaml")
    except FrameworkError as error:
        assert error.problems
        assert all(str(problem).startswith("f.yaml") for problem in error.problems)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, len(LINES) - 1),
    st.sampled_from(["", "x", "  - 1", ": :", "{", "a: [1", "polarity: 7", "kind: []"]),
)
def test_a_damaged_line_of_a_good_file_is_reported_not_raised(index: int, junk: str) -> None:
    lines = list(LINES)
    lines[index] = junk
    try:
        load_framework("\n".join(lines), "f.yaml")
    except FrameworkError as error:
        assert error.problems


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "organisation",
                        "areas",
                        "units",
                        "measures",
                        "code",
                        "name",
                        "type",
                        "standard",
                        "peer_groups",
                    ]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_structure_is_reported_not_raised(document: object) -> None:
    import yaml

    try:
        load_framework(yaml.safe_dump(document), "f.yaml")
    except FrameworkError as error:
        assert error.problems


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 5000 + "]" * 5000,
        "a: " + "{b: " * 3000 + "1" + "}" * 3000,
        "- " * 3000 + "x",
        "a:\n" + "".join("  " * depth + f"k{depth}:\n" for depth in range(1, 60)),
    ],
    ids=["flow-lists", "flow-mappings", "block-lists", "block-mappings"],
)
def test_deeply_nested_yaml_is_refused_with_its_line(text: str) -> None:
    with pytest.raises(FrameworkError) as refused:
        load_framework(text, "f.yaml")
    first = str(refused.value.problems[0])
    assert first.startswith("f.yaml:") and "nested deeper than 32 levels" in first


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    # "Billion laughs": nine references to nine references ... to nine strings, 9**9 values.
    lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    for level in range(8):
        this, below = chr(ord("b") + level), chr(ord("a") + level)
        lines.append(f"{this}: &{this} [" + ", ".join([f"*{below}"] * 9) + "]")
    with pytest.raises(FrameworkError) as refused:
        load_framework("\n".join(lines), "f.yaml")
    assert "more than 200000 values" in str(refused.value.problems[0])


nested = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=30,
)


@given(
    st.dictionaries(st.sampled_from(["organisation", "areas", "units", "measures", "x"]), nested)
)
def test_any_structure_loads_or_fails_with_framework_error(data: dict) -> None:
    import yaml

    try:
        load_framework(yaml.safe_dump(data), "f.yaml")
    except FrameworkError as error:
        assert all(str(problem).startswith("f.yaml") for problem in error.problems)
