"""The accessibility statement at /accessibility/: public, no sign-in (ADR 0054)."""

from __future__ import annotations

import functools
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pmf.web.accessibility.config import (
    ENVIRONMENT,
    AccessibilityConfig,
    ConfigProblem,
    load_config,
    named_file,
)
from pmf.web.accessibility.notice import notice_context


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """Show the deployment's accessibility statement to anyone."""
    return render(
        request,
        "accessibility/notice.html",
        {"a11y": notice_context(current_config(), "app")},
    )


def current_config() -> AccessibilityConfig | None:
    """Return the checked file ``PMF_ACCESSIBILITY`` names (read again when it changes)."""
    path = named_file()
    if path is None:
        return None
    try:
        changed = path.stat().st_mtime_ns
    except OSError:
        changed = 0
    try:
        return _loaded(path, changed)
    except ConfigProblem as problem:
        raise ImproperlyConfigured(f"{ENVIRONMENT}: {problem}") from None


@functools.lru_cache(maxsize=4)
def _loaded(path: Path, changed: int) -> AccessibilityConfig:
    return load_config(path)
