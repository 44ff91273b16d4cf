"""``{% unit_map %}``: a page's choropleth of a measure with its table, in one line.

The measure page and the dashboard include it as ``{% load pmf_maps %}{% unit_map ... %}``;
the page has already checked that the reader may see the organisation, and the map draws
only the units the reader may see (``pmf.web.maps.presenters``). Nothing is drawn when the
organisation's framework has no boundaries (``maps``).
"""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_map(
    context: Context, organisation: str, measure: str | None = None, *, choose: bool = False
) -> SafeString:
    """Render the map of ``measure`` (or, with ``choose``, of the measure the reader picks)."""
    from pmf.web.accounts.services import membership_of
    from pmf.web.frameworks.models import UnitBoundaries
    from pmf.web.frameworks.services import framework_of
    from pmf.web.maps.presenters import map_section

    request = context.get("request")
    # One query decides whether there is a map at all (most frameworks have none).
    boundaries = (
        UnitBoundaries.objects.select_related("organisation")
        .filter(organisation__code=organisation)
        .first()
    )
    if request is None or boundaries is None:
        return mark_safe("")
    membership = membership_of(request.user)
    if membership is None:
        return mark_safe("")
    found = boundaries.organisation
    picked = request.GET.get("map") if choose else measure
    section = map_section(
        found,
        membership,
        framework_of(found),
        picked or measure,
        request.GET.get("map_view", "value"),
        choose=choose,
        boundaries=boundaries,
    )
    if section is None:
        return mark_safe("")
    html = render_to_string(
        "maps/_map.html",
        {"map": section, "organisation": found, "request": request},
    )
    return mark_safe(html)  # noqa: S308 - our template's output, escaped there
