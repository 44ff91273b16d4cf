"""The ``when`` template filter: any date or moment as people read it, on every page.

Presenters keep dates as ISO text, because the JSON twin of each page is read by machines;
templates show them through ``when``: "6 December 2026", or "6 December 2026, 14:05" for a
moment, in the server's time zone. It is a built-in of the templates (see ``TEMPLATES`` in
the settings), so no template needs to load it.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from pmf.core.text import format_date, format_moment

register = template.Library()


@register.filter
def when(value: object) -> str:
    """Return a date, a datetime or ISO text as "6 December 2026" or "6 December 2026, 14:05".

    Empty stays empty (so that ``|default`` still applies); text that is not a date is shown
    as it is.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = (
                dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
            )
        except ValueError:
            return value
        value = parsed
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return format_moment(value)
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)
