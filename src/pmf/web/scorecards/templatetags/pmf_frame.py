"""The page frame's links: the member's organisation's sections and tools, the current marked.

The sections go in the Design System's service navigation component
(``govuk-service-navigation``), one line of links under the header; the tools (importing,
the audit trail, returns, the owners' commentary) go in the header beside the account links.
The link of the part the page belongs to is marked ``aria-current`` (``page`` on its own
page, ``true`` on one within it).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from pmf.web.accounts.services import membership_of

register = template.Library()

# (URL name, link text, analysts only). Each section is the pages under its address.
SECTIONS = [
    ("organisation", gettext_lazy("Scorecards"), False),
    ("dashboard", gettext_lazy("Dashboard"), False),
    ("cycles", gettext_lazy("Cycles"), False),
    ("plans", gettext_lazy("Improvement plans"), False),
    ("interventions", gettext_lazy("Interventions"), False),
    ("risks", gettext_lazy("Risks"), False),
    ("recommendations", gettext_lazy("Recommendations"), False),
    ("peer-groups", gettext_lazy("Peer groups"), False),
]
# Tools rather than sections of the organisation's work: in the header, beside the account.
TOOLS = [
    ("import", gettext_lazy("Import figures"), True),
    ("audit", gettext_lazy("Audit trail"), False),
    ("returns", gettext_lazy("Returns"), True),
    ("commentary-list", gettext_lazy("Commentary"), True),
]


def _links(
    code: str, role: str, entries: Sequence[tuple[str, str | Promise, bool]]
) -> list[dict[str, Any]]:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    addresses = _addresses(code, role, tuple(entries), urlconf, get_script_prefix())
    return [{"href": href, "text": str(text), "current": ""} for href, text in addresses]


@functools.lru_cache(maxsize=1024)
def _addresses(
    code: str,
    role: str,
    entries: tuple[tuple[str, str | Promise, bool], ...],
    urlconf: str,
    prefix: str,
) -> tuple[tuple[str, str | Promise], ...]:
    """Return each link's address and text: worked out once per organisation, role and routes."""
    return tuple(
        (reverse(name, kwargs={"org": code}), text)
        for name, text, analysts in entries
        if not analysts or role == "analyst"
    )


def frame_links(request: HttpRequest) -> dict[str, list[dict[str, Any]]]:
    """Return the member's sections and tools as links, the one ``request`` is in marked.

    The link whose address is the longest start of the page's path is current; the
    organisation's own page (Scorecards) is current only for itself and the unit pages. A
    link is marked ``aria-current="page"`` on its own page and ``"true"`` on one within it.
    """
    membership = membership_of(request.user)
    if membership is None:
        return {"sections": [], "tools": []}
    code = membership.organisation.code
    sections = _links(code, membership.role, SECTIONS)
    tools = _links(code, membership.role, TOOLS)
    path = request.path
    home = sections[0]
    inside = [link for link in sections[1:] + tools if path.startswith(link["href"])]
    if inside:
        found = max(inside, key=lambda link: len(link["href"]))
    elif path == home["href"] or path.startswith(f"{home['href']}units/"):
        found = home
    else:
        return {"sections": sections, "tools": tools}
    found["current"] = "page" if path == found["href"] else "true"
    return {"sections": sections, "tools": tools}


@register.simple_tag(takes_context=True)
def page_frame_links(context: template.Context) -> dict[str, list[dict[str, Any]]]:
    """``{% page_frame_links as links %}``: the signed-in member's sections and tools."""
    request = context.get("request")
    if request is None:
        return {"sections": [], "tools": []}
    return frame_links(request)
