from __future__ import annotations

from pmf.web import pages
from pmf.web.commentary import views

urlpatterns = [
    *pages.routes("<str:org>/commentary/", views.commentary_list, name="commentary-list"),
    *pages.routes(
        "<str:org>/units/<str:unit>/measures/<str:code>/commentary/",
        views.commentary,
        name="commentary",
    ),
]
