"""Settings read strictly: a published secret key is never served, a port is a whole number."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmf.web.env import DEVELOPMENT_SECRET_KEY, SettingError, refuse_published_secret_key


def without_key(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a fresh deployment that has set no key and no debug mode."""
    env = {k: v for k, v in os.environ.items() if k not in ("PMF_SECRET_KEY", "PMF_DEBUG")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'pmf.sqlite3'}",
        PMF_STATIC_ROOT=str(tmp_path / "static"),
        PMF_CACHE_DIR=str(tmp_path / "cache"),
    )
    env.update(extra)
    return env


def test_only_debug_mode_may_use_the_development_key() -> None:
    refuse_published_secret_key(debug=True, secret_key=DEVELOPMENT_SECRET_KEY)
    refuse_published_secret_key(debug=False, secret_key="k3p7-a-long-random-value-9f2c1d")
    for published in (DEVELOPMENT_SECRET_KEY, "change-me", ""):
        with pytest.raises(SettingError, match="PMF_SECRET_KEY is not set") as refused:
            refuse_published_secret_key(debug=False, secret_key=published)
        assert "PMF_DEBUG is false" in str(refused.value)


def test_pmf_serve_without_a_secret_key_stops_with_a_message_naming_it(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pmf.cli", "serve", "--port", "1", "--workers", "1"],
        cwd=tmp_path,
        env=without_key(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "PMF_SECRET_KEY is not set" in run.stderr
    assert "secrets.token_urlsafe(50)" in run.stderr
    assert "Traceback" not in run.stderr
    # Refused before anything was served or collected.
    assert not (tmp_path / "static").exists()


def test_the_server_run_directly_refuses_the_published_key_in_its_workers(
    tmp_path: Path,
) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pmf.web.server", "--port", "0", "--workers", "1", "--no-worker"],
        cwd=tmp_path,
        env=without_key(tmp_path, DJANGO_SETTINGS_MODULE="pmf.web.config.settings"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "PMF_SECRET_KEY is not set" in run.stderr


def settings_value(name: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Read one setting in a fresh interpreter, as a server starting up would."""
    return subprocess.run(
        [sys.executable, "-c", f"from pmf.web.config import settings; print(settings.{name})"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_email_port_is_a_whole_number_and_a_bad_one_is_named() -> None:
    assert settings_value("EMAIL_PORT").stdout.strip() == "587"
    assert settings_value("EMAIL_PORT", PMF_EMAIL_PORT="2,525").stdout.strip() == "2525"
    bad = settings_value("EMAIL_PORT", PMF_EMAIL_PORT="smtp")
    assert bad.returncode != 0
    assert "PMF_EMAIL_PORT='smtp' is not a whole number" in bad.stderr
