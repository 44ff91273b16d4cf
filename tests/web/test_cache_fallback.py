"""A shared page cache that fails (a Redis server down) makes pages slower, never an error."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings

from pmf.web import cache as page_cache
from pmf.web.cache import cached, cached_parts
from pmf.web.env import redis_cache

pytestmark = pytest.mark.django_db


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def redis_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the shared page cache at a Redis address where nothing listens."""
    pages = redis_cache(
        f"redis://127.0.0.1:{unused_port()}/0",
        name="PMF_CACHE_URL",
        database=settings.DATABASES["default"],
    )
    monkeypatch.setattr(page_cache, "_shared_down_until", 0.0)
    with override_settings(CACHES={**settings.CACHES, "pages": pages}):
        yield


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "shared page cache failed" in r.message]


def test_a_result_is_computed_and_the_failure_logged_when_the_shared_cache_is_down(
    redis_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pmf.web.cache")
    computed: list[int] = []
    value = cached("v1", "fallback", ("first",), lambda: computed.append(1) or 42)
    assert value == 42
    assert computed == [1]
    (message,) = failures(caplog)
    assert "ConnectionError" in message
    assert "computed without it for 30 s" in message


def test_after_a_failure_the_shared_cache_is_left_alone_for_a_while(
    redis_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pmf.web.cache")
    assert cached("v1", "fallback", ("one",), lambda: 1) == 1
    assert page_cache._pages() is None
    # Other results are computed without trying the server again: no second failure.
    assert cached("v1", "fallback", ("two",), lambda: 2) == 2
    parts = {"a": ("v1", "fallback-part", ("a",)), "b": ("v1", "fallback-part", ("b",))}
    assert cached_parts(parts, lambda missing: {name: name * 2 for name in missing}) == {
        "a": "aa",
        "b": "bb",
    }
    assert len(failures(caplog)) == 1


def test_parts_are_computed_when_the_shared_cache_is_down(redis_down: None) -> None:
    parts = {"a": ("v1", "fallback-part", ("x",)), "b": ("v1", "fallback-part", ("y",))}
    asked: list[list[str]] = []

    def compute(missing: list[str]) -> dict[str, str]:
        asked.append(sorted(missing))
        return {name: name.upper() for name in missing}

    assert cached_parts(parts, compute) == {"a": "A", "b": "B"}
    assert asked == [["a", "b"]]


def test_an_error_of_the_computation_itself_is_not_hidden(redis_down: None) -> None:
    def broken() -> int:
        raise ValueError("a fault in the page's own code")

    with pytest.raises(ValueError, match="own code"):
        cached("v1", "fallback", ("broken",), broken)


def test_pages_with_figures_answer_while_the_shared_cache_is_down(
    redis_down: None, analyst: User
) -> None:
    client = Client()
    client.force_login(analyst)
    for path in ("/TST/", "/TST/units/N/", "/TST/units/N.json", "/TST/units/N/measures/CR/"):
        assert client.get(path).status_code == 200, path
