"""The ``figure`` template filter: a number as tables show it, with separators and fixed decimals.

For figures a presenter passes as numbers (a held revision, a target) where the page knows the
measure's decimals: ``{{ item.value|figure:measure.decimals }}`` gives "204,236" or "70.6". A
built-in of the templates, like ``when`` (see ``TEMPLATES`` in the settings).
"""

from __future__ import annotations

from django import template

register = template.Library()


# The template word is the users' "figure"; in code the glossary says number.
@register.filter(name="figure")
def number_text(value: object, decimals: object = None) -> str:
    """Return ``value`` with thousands separators and ``decimals`` places ("–" for none).

    Without decimals a whole number has none and any other keeps its digits, separated.
    """
    if value is None or value == "":
        return "–"
    # A template passes anything: what float() or int() cannot read is caught below.
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    try:
        places = int(decimals)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return f"{round(number):,}" if number.is_integer() else f"{number:,}"
    return f"{number:,.{places}f}"
