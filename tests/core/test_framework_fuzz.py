"""A broken framework file never gives a traceback: only FrameworkError, with a location."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pmf.core.framework import FrameworkError, load_framework
from tests.core.test_framework import GOOD

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
