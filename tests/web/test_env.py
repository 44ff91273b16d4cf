from __future__ import annotations

import pytest

from pmf.web.env import SettingError, env_bool, env_list, env_str


def test_strings_lists_and_booleans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMF_X", " yes ")
    monkeypatch.setenv("PMF_HOSTS", "a.example, ,b.example")
    assert env_bool("PMF_X", default=False) is True
    assert env_list("PMF_HOSTS", default=[]) == ["a.example", "b.example"]
    assert env_str("PMF_UNSET", default="d") == "d"


def test_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMF_DEBUG", "maybe")
    with pytest.raises(SettingError, match="PMF_DEBUG='maybe' is not one of true, false"):
        env_bool("PMF_DEBUG", default=False)


def test_whole_numbers_read_with_separators_and_refuse_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pmf.web.env import env_int

    monkeypatch.setenv("PMF_ROWS", "5,000")
    assert env_int("PMF_ROWS", default=1) == 5000
    assert env_int("PMF_UNSET", default=7) == 7
    monkeypatch.setenv("PMF_ROWS", "many")
    with pytest.raises(SettingError, match="PMF_ROWS='many' is not a whole number"):
        env_int("PMF_ROWS", default=1)
    monkeypatch.setenv("PMF_ROWS", "-1")
    with pytest.raises(SettingError, match="is less than 0"):
        env_int("PMF_ROWS", default=1)
