from __future__ import annotations

from django.urls import path

from pmf.web.frameworks import views

urlpatterns = [
    path(
        "<str:org>/units/<str:unit>/measures/<str:code>/spc/",
        views.spc_marks,
        name="measure-spc",
    ),
]
