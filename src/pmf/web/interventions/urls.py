from __future__ import annotations

from django.urls import path

from pmf.web.interventions import views

urlpatterns = [
    path("<str:org>/interventions/", views.interventions, name="interventions"),
    path(
        "<str:org>/interventions.json",
        views.interventions,
        {"as_json": True},
        name="interventions-json",
    ),
    path("<str:org>/interventions/new/", views.new, name="intervention-new"),
    path(
        "<str:org>/interventions/new.json",
        views.new,
        {"as_json": True},
        name="intervention-new-json",
    ),
    path("<str:org>/interventions/<int:number>/", views.intervention, name="intervention"),
    path(
        "<str:org>/interventions/<int:number>.json",
        views.intervention,
        {"as_json": True},
        name="intervention-json",
    ),
]
