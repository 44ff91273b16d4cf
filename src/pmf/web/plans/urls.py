from __future__ import annotations

from django.urls import path

from pmf.web import pages
from pmf.web.plans import views

PLAN = "<str:org>/plans/<int:plan>"
CYCLE = "<str:org>/cycles/<int:number>"

urlpatterns = [
    *pages.routes("<str:org>/plans/", views.plans, name="plans"),
    *pages.routes(f"{PLAN}/", views.plan, name="plan"),
    path(f"{PLAN}/edit/", views.plan_edit, name="plan-edit"),
    path(f"{PLAN}/items/new/", views.item_edit, name="plan-item-new"),
    *pages.routes(f"{PLAN}/items/<int:item>/", views.item, name="plan-item"),
    path(f"{PLAN}/items/<int:item>/edit/", views.item_edit, name="plan-item-edit"),
    *pages.routes(f"{CYCLE}/self-assessments/", views.self_assessments, name="statements"),
    *pages.routes(f"{CYCLE}/self-assessments/<str:unit>/", views.self_assessment, name="statement"),
    *pages.routes(f"{CYCLE}/overview/", views.overview, name="overview"),
]
