from __future__ import annotations

from pmf.web import pages
from pmf.web.cycles import views

urlpatterns = [
    *pages.routes("<str:org>/cycles/", views.cycles, name="cycles"),
    *pages.routes("<str:org>/cycles/<int:number>/", views.cycle, name="cycle"),
    *pages.routes(
        "<str:org>/cycles/<int:number>/spot-checks/", views.spot_checks, name="spot-checks"
    ),
    *pages.routes(
        "<str:org>/cycles/<int:number>/units/<str:unit>/areas/<str:area>/",
        views.grade,
        name="grade",
    ),
]
