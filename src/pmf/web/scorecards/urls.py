from __future__ import annotations

from django.urls import path

from pmf.web.scorecards import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:org>/", views.organisation, name="organisation"),
    path("<str:org>.json", views.organisation, {"as_json": True}, name="organisation-json"),
    path("<str:org>/peer-groups/", views.peer_groups, name="peer-groups"),
    path(
        "<str:org>/peer-groups.json", views.peer_groups, {"as_json": True}, name="peer-groups-json"
    ),
    path("<str:org>/peer-groups/<int:number>/", views.peer_groups, name="peer-groups-version"),
    path(
        "<str:org>/peer-groups/<int:number>.json",
        views.peer_groups,
        {"as_json": True},
        name="peer-groups-version-json",
    ),
    path("<str:org>/units/<str:unit>/", views.scorecard, name="scorecard"),
    path(
        "<str:org>/units/<str:unit>.json", views.scorecard, {"as_json": True}, name="scorecard-json"
    ),
    path("<str:org>/units/<str:unit>/measures/<str:code>/", views.measure, name="measure"),
    path(
        "<str:org>/units/<str:unit>/measures/<str:code>.json",
        views.measure,
        {"as_json": True},
        name="measure-json",
    ),
]
