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
