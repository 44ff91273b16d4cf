from __future__ import annotations

from pmf.web import pages
from pmf.web.returns import views

urlpatterns = [
    *pages.routes("<str:org>/returns/", views.returns, name="returns"),
    *pages.routes("<str:org>/returns/<str:ret>/", views.statutory_return, name="return"),
]
