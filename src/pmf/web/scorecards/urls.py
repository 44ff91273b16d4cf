from __future__ import annotations

from django.urls import path

from pmf.web import pages
from pmf.web.scorecards import views

urlpatterns = [
    path("", views.home, name="home"),
    *pages.routes("<str:org>/", views.organisation, name="organisation"),
    *pages.routes("<str:org>/peer-groups/", views.peer_groups, name="peer-groups"),
    *pages.routes(
        "<str:org>/peer-groups/<int:number>/", views.peer_groups, name="peer-groups-version"
    ),
    *pages.routes("<str:org>/units/<str:unit>/", views.scorecard, name="scorecard"),
    *pages.routes("<str:org>/units/<str:unit>/summary/", views.summary, name="summary"),
    *pages.routes("<str:org>/units/<str:unit>/measures/<str:code>/", views.measure, name="measure"),
]
