"""What more than one paper reads of a locked cycle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from pmf.core.framework import Framework
from pmf.core.text import period_name
from pmf.reports.document import language_tag
from pmf.web.cycles.models import Cycle
from pmf.web.cycles.services import cycle_assessment, cycle_framework


def cycle_parts(cycle: Cycle) -> tuple[Framework, pl.DataFrame, list[Any], str]:
    """Return the cycle's framework, its assessment of every internal unit, those units and
    the cut-off's label; raise ``ValueError`` for a draft."""
    if cycle.locked_at is None:
        raise ValueError(
            _("cycle {number} is a draft: lock its data first").format(number=cycle.number)
        )
    framework = cycle_framework(cycle)
    internal = [unit for unit in framework.units if not unit.external]
    assessment = cycle_assessment(cycle, units=[unit.code for unit in internal])
    return framework, assessment, internal, period_name(cycle.cut_off)


PAPER_LANGUAGES = {"en": "en-gb", "cy": "cy"}
"""The languages a paper may be written in (``pmf cycle paper --language``): Django's codes."""


def written_in(language: str) -> Any:
    """Return a context in which papers are built in ``language`` (a key of
    ``PAPER_LANGUAGES``): their words, their dates and the language they are marked with.

    For papers built outside a request (the command line, the worker)::

        with written_in("cy"):
            document = board_paper(cycle)
    """
    from django.utils import translation

    return translation.override(PAPER_LANGUAGES[language])


def paper_language() -> str:
    """Return the language tag of the paper being built: the active language's (cy or en-GB)."""
    from django.utils.translation import get_language

    return language_tag(get_language())


def in_language(text: str) -> str:
    """Return one of the core's fixed texts (a legend, a column's title) in the reader's language.

    The core marks them with ``gettext_noop`` and its catalogue translates them; a text already
    translated, or not in any catalogue, is returned as it is.
    """
    from django.utils.translation import gettext

    return gettext(text) if text else text


def long_date(value: dt.date | dt.datetime, *, time: bool = False) -> str:
    """Return a date as papers write it, "7 March 2025" (with ", 14:30" for ``time``), its
    month's name in the reader's language."""
    from django.utils.formats import date_format

    return date_format(value, "j F Y, H:i" if time else "j F Y")
