from __future__ import annotations

from django.urls import path

from pmf.web.audit import views

urlpatterns = [
    path("<str:org>/audit/", views.audit, name="audit"),
    path("<str:org>/audit.json", views.audit, {"as_json": True}, name="audit-json"),
]
