from __future__ import annotations

from django.urls import path

from pmf.web.cycles import views

urlpatterns = [
    path("<str:org>/cycles/", views.cycles, name="cycles"),
    path("<str:org>/cycles.json", views.cycles, {"as_json": True}, name="cycles-json"),
    path("<str:org>/cycles/<int:number>/", views.cycle, name="cycle"),
    path("<str:org>/cycles/<int:number>.json", views.cycle, {"as_json": True}, name="cycle-json"),
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
