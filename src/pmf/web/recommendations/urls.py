from __future__ import annotations

from django.urls import path

from pmf.web.recommendations import views

J = {"as_json": True}

urlpatterns = [
    path("<str:org>/recommendations/", views.recommendations, name="recommendations"),
    path(
        "<str:org>/recommendations.json",
        views.recommendations,
        J,
        name="recommendations-json",
    ),
    path("<str:org>/recommendations/new/", views.recommendation_form, name="recommendation-new"),
    path("<str:org>/recommendations/<int:number>/", views.recommendation, name="recommendation"),
    path(
        "<str:org>/recommendations/<int:number>.json",
        views.recommendation,
        J,
        name="recommendation-json",
    ),
    path(
        "<str:org>/recommendations/<int:number>/edit/",
        views.recommendation_form,
        name="recommendation-edit",
    ),
]
