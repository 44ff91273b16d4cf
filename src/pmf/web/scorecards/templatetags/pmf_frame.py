"""The page frame's service navigation: the member's organisation's sections, the current marked.

The Design System's service navigation component (``govuk-service-navigation``): one line of
links under the header, the link of the section the page belongs to marked ``aria-current``
(``page`` on the section's own page, ``true`` on a page within it).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import reverse

from pmf.web.accounts.services import membership_of

register = template.Library()

# (URL name, link text, analysts only). Each section is the pages under its address.
SECTIONS = [
    ("organisation", "Scorecards", False),
    ("dashboard", "Dashboard", False),
    ("cycles", "Cycles", False),
    ("plans", "Improvement plans", False),
    ("interventions", "Interventions", False),
    ("risks", "Risks", False),
    ("recommendations", "Recommendations", False),
    ("peer-groups", "Peer groups", False),
    ("import", "Import", True),
    ("audit", "Audit trail", False),
]


def navigation_items(request: HttpRequest) -> list[dict[str, Any]]:
    """Return the member's sections as links, the one ``request`` is in marked current.

    The section whose address is the longest start of the page's path is current; the
    organisation's own page is current only for itself and the unit pages (scorecards).
    """
    membership = membership_of(request.user)
    if membership is None:
        return []
    code = membership.organisation.code
    items = [
        {"href": reverse(name, kwargs={"org": code}), "text": text, "current": ""}
        for name, text, analysts in SECTIONS
        if not analysts or membership.role == membership.Role.ANALYST
    ]
    path = request.path
    home = items[0]["href"]
    inside = [item for item in items[1:] if path.startswith(item["href"])]
    if inside:
        found = max(inside, key=lambda item: len(item["href"]))
    elif path == home or path.startswith(f"{home}units/"):
        found = items[0]
    else:
        return items
    found["current"] = "page" if path == found["href"] else "true"
    return items


@register.inclusion_tag("components/service_navigation.html", takes_context=True)
def service_navigation(context: template.Context) -> dict[str, Any]:
    """Write the service navigation for the signed-in member (nothing for anyone else)."""
    request = context.get("request")
    if request is None:
        return {"items": []}
    return {"items": navigation_items(request)}
