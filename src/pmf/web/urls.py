"""URL configuration: accounts, then the pages of each organisation."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("pmf.web.scorecards.urls")),
]
