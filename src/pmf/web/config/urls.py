"""URL configuration: accounts, the JSON API, then the pages of each organisation."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from pmf.web.accounts.views import SignInView
from pmf.web.api import views as api_views
from pmf.web.api.urls import urls as api_urls

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/tokens/", api_views.tokens, name="tokens"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", api_urls),
    path("", include("pmf.web.entry.urls")),
    path("", include("pmf.web.audit.urls")),
    path("", include("pmf.web.cycles.urls")),
    path("", include("pmf.web.papers.urls")),
    path("", include("pmf.web.deliveries.urls")),
    path("", include("pmf.web.dashboard.urls")),
    path("", include("pmf.web.interventions.urls")),
    path("", include("pmf.web.plans.urls")),
    path("", include("pmf.web.risks.urls")),
    path("", include("pmf.web.recommendations.urls")),
    path("", include("pmf.web.commentary.urls")),
    path("", include("pmf.web.frameworks.urls")),
    path("", include("pmf.web.scores.urls")),
    path("", include("pmf.web.returns.urls")),
    path("", include("pmf.web.scorecards.urls")),
]
