from __future__ import annotations

from pmf.web import pages
from pmf.web.scores import views

urlpatterns = [
    *pages.routes("<str:org>/units/<str:unit>/scores/", views.scores, name="scores"),
]
