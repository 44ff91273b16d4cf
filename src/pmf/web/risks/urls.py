from __future__ import annotations

from django.urls import path

from pmf.web.risks import views

J = {"as_json": True}

urlpatterns = [
    path("<str:org>/risks/", views.risks, name="risks"),
    path("<str:org>/risks.json", views.risks, J, name="risks-json"),
    path("<str:org>/risks/heat-map/", views.heat_map, name="risk-heat-map"),
    path("<str:org>/risks/heat-map.json", views.heat_map, J, name="risk-heat-map-json"),
    path("<str:org>/risks/new/", views.risk_form, name="risk-new"),
    path("<str:org>/risks/<int:number>/", views.risk, name="risk"),
    path("<str:org>/risks/<int:number>.json", views.risk, J, name="risk-json"),
    path("<str:org>/risks/<int:number>/edit/", views.risk_form, name="risk-edit"),
]
