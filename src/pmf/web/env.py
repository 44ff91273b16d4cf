"""Read settings from environment variables strictly: a bad value stops start-up with its name."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping


class SettingError(ValueError):
    """Raise when an environment variable holds a value pmf cannot use."""


def env_str(name: str, *, default: str) -> str:
    """Return the variable ``name``, or ``default`` when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, *, default: bool) -> bool:
    """Return the variable as a boolean: true/false, yes/no, on/off, 1/0."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name}={value!r} is not one of true, false, yes, no, on, off, 1, 0")


def env_list(name: str, *, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list without blanks."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    """Return the variable as a whole number no smaller than ``minimum``; 5,000 and 5_000 read."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise SettingError(f"{name}={value!r} is not a whole number") from None
    if number < minimum:
        raise SettingError(f"{name}={value!r} is less than {minimum}")
    return number


# The key the settings fall back on when PMF_SECRET_KEY is unset, and the placeholder that
# .env.example shows: both are published, so anyone could sign a session cookie with them.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - refused in serving
PUBLISHED_SECRET_KEYS = frozenset({DEVELOPMENT_SECRET_KEY, "change-me"})


def refuse_published_secret_key(*, debug: bool, secret_key: str) -> None:
    """Raise ``SettingError`` naming PMF_SECRET_KEY if pages would be served with a published key.

    Only a server in debug mode (``PMF_DEBUG=true``, on a laptop) may use the development key.
    """
    if debug or secret_key.strip() not in PUBLISHED_SECRET_KEYS | {""}:
        return
    raise SettingError(
        "PMF_SECRET_KEY is not set (or is the published placeholder), and PMF_DEBUG is false: "
        "pmf will not serve pages whose sign-ins anyone could forge. Set PMF_SECRET_KEY to a "
        "long random value, kept the same across restarts, for example the output of\n"
        "  python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )


# What a Redis URL may start with: a server over TCP, over TLS, or on a local socket.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# Seconds to wait for Redis to connect or answer before a page fails with an error logged,
# rather than waiting for gunicorn's worker timeout.
REDIS_TIMEOUT_SECONDS = 5


def redis_cache(url: str, *, name: str, database: Mapping[str, object]) -> dict[str, object]:
    """Return Django's Redis cache settings for ``url``; a URL Redis cannot use names ``name``.

    The keys begin with a stamp of the database (its engine and name), so that the app
    servers of one deployment share every key whatever host name they reach the database
    by, and two deployments whose databases have other names never meet in one Redis.
    """
    if not url.startswith(REDIS_SCHEMES):
        raise SettingError(
            f"{name}={url!r} is not a Redis address: it starts with one of "
            f"{', '.join(REDIS_SCHEMES)}, for example redis://cache.internal:6379/0"
        )
    stamp = hashlib.sha256(f"{database['ENGINE']}|{database['NAME']}".encode()).hexdigest()[:16]
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": f"pmf-{stamp}",
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        },
    }
