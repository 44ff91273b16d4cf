from __future__ import annotations

from django.urls import path

from pmf.web.papers import views

urlpatterns = [
    path("<str:org>/cycles/<int:number>/papers/", views.papers, name="papers"),
    path("<str:org>/cycles/<int:number>/papers/<str:kind>.<str:fmt>", views.paper, name="paper"),
    path("<str:org>/reports/annual/<str:year>.<str:fmt>", views.annual, name="annual-report"),
]
