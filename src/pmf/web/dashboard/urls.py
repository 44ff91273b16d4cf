from __future__ import annotations

from pmf.web import pages
from pmf.web.dashboard import views

urlpatterns = [
    *pages.routes("<str:org>/dashboard/", views.dashboard, name="dashboard"),
    *pages.routes("<str:org>/dashboard/<str:code>/", views.tile, name="dashboard-tile"),
]
