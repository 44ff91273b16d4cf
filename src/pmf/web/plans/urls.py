from __future__ import annotations

from django.urls import path

from pmf.web.plans import views

PLAN = "<str:org>/plans/<int:plan>"
CYCLE = "<str:org>/cycles/<int:number>"

urlpatterns = [
    path("<str:org>/plans/", views.plans, name="plans"),
    path("<str:org>/plans.json", views.plans, {"as_json": True}, name="plans-json"),
    path(f"{PLAN}/", views.plan, name="plan"),
    path(f"{PLAN}.json", views.plan, {"as_json": True}, name="plan-json"),
    path(f"{PLAN}/edit/", views.plan_edit, name="plan-edit"),
    path(f"{PLAN}/items/new/", views.item_edit, name="plan-item-new"),
    path(f"{PLAN}/items/<int:item>/", views.item, name="plan-item"),
    path(f"{PLAN}/items/<int:item>.json", views.item, {"as_json": True}, name="plan-item-json"),
    path(f"{PLAN}/items/<int:item>/edit/", views.item_edit, name="plan-item-edit"),
    path(f"{CYCLE}/self-assessments/", views.statements, name="statements"),
    path(
        f"{CYCLE}/self-assessments.json",
        views.statements,
        {"as_json": True},
        name="statements-json",
    ),
    path(f"{CYCLE}/self-assessments/<str:unit>/", views.statement, name="statement"),
    path(
        f"{CYCLE}/self-assessments/<str:unit>.json",
        views.statement,
        {"as_json": True},
        name="statement-json",
    ),
    path(f"{CYCLE}/overview/", views.overview, name="overview"),
    path(f"{CYCLE}/overview.json", views.overview, {"as_json": True}, name="overview-json"),
]
