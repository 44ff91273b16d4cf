from __future__ import annotations

from django.urls import path

from pmf.web import pages
from pmf.web.risks import views

urlpatterns = [
    *pages.routes("<str:org>/risks/", views.risks, name="risks"),
    *pages.routes("<str:org>/risks/heat-map/", views.heat_map, name="risk-heat-map"),
    path("<str:org>/risks/new/", views.risk_form, name="risk-new"),
    *pages.routes("<str:org>/risks/<int:number>/", views.risk, name="risk"),
    path("<str:org>/risks/<int:number>/edit/", views.risk_form, name="risk-edit"),
]
