"""The entry form, the import page and its background jobs (a job's page has its JSON twin)."""

from __future__ import annotations

from django.urls import path

from pmf.web import pages
from pmf.web.entry import views

urlpatterns = [
    path("<str:org>/units/<str:unit>/enter/", views.enter, name="enter"),
    path("<str:org>/import/", views.import_file, name="import"),
    *pages.routes("<str:org>/import/jobs/<int:job>/", views.import_job, name="import-job"),
    path(
        "<str:org>/import/jobs/<int:job>/progress/",
        views.import_job,
        {"fragment": True},
        name="import-job-progress",
    ),
]
