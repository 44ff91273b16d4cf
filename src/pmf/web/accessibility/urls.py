"""The accessibility statement's address."""

from __future__ import annotations

from django.urls import path

from pmf.web.accessibility import views

urlpatterns = [path("accessibility/", views.accessibility, name="accessibility")]
