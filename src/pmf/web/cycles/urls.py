from __future__ import annotations

from django.urls import path

from pmf.web.cycles import views

urlpatterns = [
    path("<str:org>/cycles/", views.cycles, name="cycles"),
    path("<str:org>/cycles.json", views.cycles, {"as_json": True}, name="cycles-json"),
    path("<str:org>/cycles/<int:number>/", views.cycle, name="cycle"),
    path("<str:org>/cycles/<int:number>.json", views.cycle, {"as_json": True}, name="cycle-json"),
    path("<str:org>/cycles/<int:number>/spot-checks/", views.spot_checks, name="spot-checks"),
    path(
        "<str:org>/cycles/<int:number>/spot-checks.json",
        views.spot_checks,
        {"as_json": True},
        name="spot-checks-json",
    ),
    path(
        "<str:org>/cycles/<int:number>/units/<str:unit>/areas/<str:area>/",
        views.grade,
        name="grade",
    ),
    path(
        "<str:org>/cycles/<int:number>/units/<str:unit>/areas/<str:area>.json",
        views.grade,
        {"as_json": True},
        name="grade-json",
    ),
]
