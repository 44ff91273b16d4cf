from __future__ import annotations

from django.urls import path

from pmf.web.dashboard import views

urlpatterns = [
    path("<str:org>/dashboard/", views.dashboard, name="dashboard"),
    path("<str:org>/dashboard.json", views.dashboard, {"as_json": True}, name="dashboard-json"),
    path("<str:org>/dashboard/<str:code>/", views.tile, name="dashboard-tile"),
    path(
        "<str:org>/dashboard/<str:code>.json",
        views.tile,
        {"as_json": True},
        name="dashboard-tile-json",
    ),
]
