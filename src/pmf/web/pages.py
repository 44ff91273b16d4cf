"""The page kit: who may read a page, its JSON, and the routes of a page with its ``.json`` twin.

Every organisation's page is one view that answers twice, as datasette's pages do: as HTML at
``<route>/`` and as JSON at ``<route>.json``, from the same presenter data. A view takes
``as_json`` and ends::

    found, membership = pages.member(request, org)
    data = presenters.cycles_page(found, membership)
    if as_json:
        return pages.json(data)
    return render(request, "cycles/cycles.html", {**data, ...})

and its app's ``urls.py`` registers both routes at once::

    urlpatterns = [*pages.routes("<str:org>/cycles/", views.cycles, name="cycles")]

which gives ``cycles`` at ``<org>/cycles/`` and ``cycles-json`` at ``<org>/cycles.json``. The
twin reads only: it answers GET and HEAD, and 405 to a POST the page itself would take.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import membership_of, organisation_for, own_organisation_for
from pmf.web.frameworks.models import Organisation

View = Callable[..., HttpResponse]


def member(request: HttpRequest, org: str) -> tuple[Organisation, Membership]:
    """Return the organisation ``org`` and the user's membership, for its own members only.

    For cycles, registers, plans, interventions, the dashboard and the audit trail. Anyone
    else, a partner under a sharing agreement included, gets a 404: nobody learns from it
    which organisations exist.
    """
    return own_organisation_for(request.user, org)


def reader(request: HttpRequest, org: str) -> tuple[Organisation, Membership]:
    """Return the organisation ``org`` and the user's membership, for anyone who may read it.

    Its own members, and members of an organisation it shares figures with under a running
    agreement: for scorecards, measures and the API's figures. Anyone else gets a 404.
    """
    organisation = organisation_for(request.user, org)
    membership = membership_of(request.user)
    assert membership is not None  # organisation_for has checked it
    return organisation, membership


def json(data: dict[str, Any]) -> JsonResponse:
    """Answer with a page's data as JSON, its text (names, dashes, pound signs) unescaped."""
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def fragment(template: str, context: dict[str, Any]) -> SafeString:
    """Return ``template`` rendered with ``context`` alone, kept under what it was given.

    For the large tables of a page, which cost most of its rendering: the result is kept in
    the caches under a digest of the template's name and the whole context, so it depends on
    nothing but what it shows. Whoever asks with the same context gets the same HTML; a
    reader with another scope passes other rows and gets other HTML, and a write that changes
    a figure changes the context. The context must be plain data (text, numbers, lists and
    dicts of them) whose ``repr`` names every value, and the template may read nothing else:
    no ``request``, no ``user``, no queries.
    """
    from pmf.web.cache import cached

    return cached(
        "by-content",
        "fragment",
        (template, context),
        lambda: mark_safe(render_to_string(template, context)),  # noqa: S308 - our template's output
    )


def routes(route: str, view: View, *, name: str) -> list[URLPattern]:
    """Route a page at ``route`` (ending in ``/``) and its JSON twin at ``route`` + ``.json``.

    The twin's route drops the page's closing slash (``<org>/cycles.json``). It calls the
    same view with ``as_json=True``, under the name ``<name>-json``, and answers GET and
    HEAD only: the page may take a form's POST, its JSON only reads.
    """
    if not route.endswith("/"):
        raise ValueError(f"A page's route ends with '/': {route!r}")
    return [
        path(route, view, name=name),
        path(f"{route[:-1]}.json", require_safe(view), {"as_json": True}, name=f"{name}-json"),
    ]
