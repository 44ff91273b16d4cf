from __future__ import annotations

from pmf.web import pages
from pmf.web.audit import views

urlpatterns = [
    *pages.routes("<str:org>/audit/", views.audit, name="audit"),
]
