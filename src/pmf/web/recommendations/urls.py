from __future__ import annotations

from django.urls import path

from pmf.web import pages
from pmf.web.recommendations import views

urlpatterns = [
    *pages.routes("<str:org>/recommendations/", views.recommendations, name="recommendations"),
    path("<str:org>/recommendations/new/", views.recommendation_form, name="recommendation-new"),
    *pages.routes(
        "<str:org>/recommendations/<int:number>/", views.recommendation, name="recommendation"
    ),
    path(
        "<str:org>/recommendations/<int:number>/edit/",
        views.recommendation_form,
        name="recommendation-edit",
    ),
]
