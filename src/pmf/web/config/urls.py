"""URL configuration: accounts, the JSON API, then the pages of each organisation."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.http import require_safe

from pmf.web.accounts.views import SignInView
from pmf.web.api import views as api_views
from pmf.web.api.urls import urls as api_urls
from pmf.web.entry import views as entry_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/tokens/", api_views.tokens, name="tokens"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", api_urls),
    path("<str:org>/units/<str:unit>/enter/", entry_views.enter, name="enter"),
    path("<str:org>/import/", entry_views.import_file, name="import"),
    path("<str:org>/import/jobs/<int:job>/", entry_views.import_job, name="import-job"),
    path(
        "<str:org>/import/jobs/<int:job>.json",
        entry_views.import_job,
        {"as_json": True},
        name="import-job-json",
    ),
    path(
        "<str:org>/import/jobs/<int:job>/progress/",
        entry_views.import_job,
        {"fragment": True},
        name="import-job-progress",
    ),
    path("", include("pmf.web.audit.urls")),
    path("", include("pmf.web.cycles.urls")),
    path("", include("pmf.web.papers.urls")),
    path("", include("pmf.web.dashboard.urls")),
    path("", include("pmf.web.interventions.urls")),
    path("", include("pmf.web.plans.urls")),
    path("", include("pmf.web.risks.urls")),
    path("", include("pmf.web.recommendations.urls")),
    path("", include("pmf.web.frameworks.urls")),
    path("", include("pmf.web.scorecards.urls")),
]


def _read_only_json(patterns: list[URLPattern | URLResolver]) -> None:
    """Answer only GET and HEAD at every page's ``.json`` twin: it reads, the page writes.

    The twin calls the page's own view, which would otherwise take a form's POST as well.
    """
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "api":
                _read_only_json(entry.url_patterns)
        elif entry.default_args.get("as_json"):
            entry.callback = require_safe(entry.callback)


_read_only_json(urlpatterns)
