"""URL configuration: accounts, the JSON API, then the pages of each organisation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path

from pmf.web.accounts.sso_views import SignOutView, SsoCallbackView, SsoSignInView
from pmf.web.accounts.views import SignInView
from pmf.web.api import views as api_views
from pmf.web.api.urls import urls as api_urls
from pmf.web.i18n import choose_language

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/login/", SignInView.as_view(), name="login"),
    # Single sign-on (docs/guide/sso.md), and a sign-out that ends the provider's session too.
    path("accounts/sso/login/", login_not_required(SsoSignInView.as_view()), name="sso-login"),
    path(
        "accounts/sso/callback/",
        login_not_required(SsoCallbackView.as_view()),
        name="sso-callback",
    ),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/tokens/", api_views.tokens, name="tokens"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", api_urls),
    path("", include("pmf.web.accessibility.urls")),
    path("i18n/", choose_language, name="language"),
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
