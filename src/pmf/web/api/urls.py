"""The API's URLs: /api/docs, /api/openapi.json and the endpoints under /api/organisations/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern

from pmf.web.api import scores as _scores  # noqa: F401 - registers its endpoint on the API
from pmf.web.api.views import api

patterns, app_name, namespace = api.urls
# The API answers for itself: 401 with JSON, not a redirect to the sign-in page. The docs
# page and the schema describe the API only; they show no figures.
for pattern in patterns:
    # Ninja's routes are all URL patterns with a view; none is an included resolver.
    assert isinstance(pattern, URLPattern)
    login_not_required(pattern.callback)
urls = (patterns, app_name, namespace)
