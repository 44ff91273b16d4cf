"""Read settings from environment variables strictly: a bad value stops start-up with its name."""

from __future__ import annotations

import os


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
