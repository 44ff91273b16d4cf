from __future__ import annotations

from pmf.web import pages
from pmf.web.interventions import views

urlpatterns = [
    *pages.routes("<str:org>/interventions/", views.interventions, name="interventions"),
    *pages.routes("<str:org>/interventions/new/", views.new, name="intervention-new"),
    *pages.routes("<str:org>/interventions/<int:number>/", views.intervention, name="intervention"),
]
