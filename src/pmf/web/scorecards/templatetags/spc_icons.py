"""Making Data Count icons in templates: variation and assurance at a glance.

The drawing is ``pmf.reports.charts.mdc_icons``, which the papers use too; these tags only
mark its markup safe (every word in it is escaped there). Each icon has an accessible name;
the words beside it on the scorecard and the measure page say the same for everyone.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from pmf.core.mdc import assurance_icon as assurance_name
from pmf.core.mdc import variation_icon as variation_name
from pmf.reports.charts.mdc_icons import icon_svg

register = template.Library()


@register.simple_tag
def mdc_icon(name: str | None, size: int = 24, decorative: bool = False) -> SafeString:
    """Return the icon called ``name`` (``pmf.core.mdc.ICON_WORDS``), or nothing.

    ``decorative`` hides it from screen readers, where the same words stand beside it (the
    matrix's headings), so that they are not read twice.
    """
    if not name:
        return mark_safe("")
    drawn = icon_svg(name, size=size, decorative=decorative)
    return mark_safe(drawn)  # noqa: S308 - our drawing, its words escaped


@register.simple_tag
def variation_icon(variation: str | None, polarity: str | None, size: int = 24) -> SafeString:
    """Return the icon of an SPC variation (``POINT_TYPES``) for a measure's polarity."""
    return mdc_icon(variation_name(variation, polarity), size)


@register.simple_tag
def assurance_icon(assurance: str | None, size: int = 24) -> SafeString:
    """Return the icon of an SPC assurance (``ASSURANCE_TYPES``), or nothing without one."""
    return mdc_icon(assurance_name(assurance), size)
