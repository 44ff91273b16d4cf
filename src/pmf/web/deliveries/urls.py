from __future__ import annotations

from django.urls import path

from pmf.web import pages
from pmf.web.deliveries import views

urlpatterns = [
    *pages.routes("<str:org>/schedules/", views.schedules, name="schedules"),
    path("<str:org>/schedules/new/", views.schedule_form, name="schedule-new"),
    path("<str:org>/schedules/<int:schedule>/", views.schedule_form, name="schedule-edit"),
    path(
        "<str:org>/schedules/<int:schedule>/delete/",
        views.schedule_delete,
        name="schedule-delete",
    ),
]
