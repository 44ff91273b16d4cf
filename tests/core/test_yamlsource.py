from __future__ import annotations

import pytest

from pmf.core.yamlsource import YamlError, load_located


def test_lines_are_recorded_for_nested_paths() -> None:
    doc = load_located("a:\n  - x: 1\n    y: [2, 3]\n")
    assert doc.data == {"a": [{"x": 1, "y": [2, 3]}]}
    assert doc.line_of(("a", 0, "y", 1)) == 3
    assert doc.line_of(("a", 0, "missing")) == 2


def test_dates_stay_text_for_the_periods_module() -> None:
    assert load_located("p: 2019-07-01").data == {"p": "2019-07-01"}


def test_a_key_given_twice_is_an_error() -> None:
    with pytest.raises(YamlError, match="'a' is given twice") as caught:
        load_located("a: 1\na: 2\n")
    assert caught.value.line == 2


def test_merge_keys_are_refused() -> None:
    with pytest.raises(YamlError, match="merge keys"):
        load_located("base: &b {x: 1}\nother:\n  <<: *b\n")
