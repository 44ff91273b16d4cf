"""The request a page behind sign-in receives, for the type checker."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """Annotate a view's request as signed in: its ``user`` is a ``User``, never anonymous.

    ``LoginRequiredMiddleware`` sends anyone not signed in to the sign-in page before a view
    runs, unless the view is marked ``login_not_required``. Only for annotations: Django still
    passes its own request class.
    """

    user: User
