"""Dates and figures on pages: one format for people, whatever the presenter passed."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from pmf.web.dates import when
from pmf.web.numbers import number_text as figure


def test_when_writes_dates_and_moments_as_people_read_them() -> None:
    assert when("2025-10-20") == "20 October 2025"
    assert when(dt.date(2026, 12, 6)) == "6 December 2026"
    # An ISO moment in UTC, as presenters pass them, shown in the server's time (BST here).
    assert when("2025-07-01T13:05:00+00:00") == "1 July 2025, 14:05"
    assert when(dt.datetime(2026, 12, 6, 14, 5, tzinfo=dt.UTC)) == "6 December 2026, 14:05"
    assert when(None) == "" and when("") == ""
    assert when("not a date") == "not a date"


def test_every_template_has_when_and_figure_without_loading_them() -> None:
    template = Template("{{ day|when|default:'not set' }}; {{ none|when|default:'not set' }}")
    assert template.render(Context({"day": "2019-10-14", "none": None})) == (
        "14 October 2019; not set"
    )
    assert Template("{{ n|figure:2 }}").render(Context({"n": 204236.0})) == "204,236.00"


def test_a_bare_date_renders_in_the_one_format() -> None:
    # Django's British formats would write "6 Dec 2026" and "2:05 p.m."; pmf's are longer.
    rendered = Template("{{ day }} | {{ moment }} | {{ day|date }}").render(
        Context(
            {"day": dt.date(2026, 12, 6), "moment": dt.datetime(2026, 12, 6, 14, 5, tzinfo=dt.UTC)}
        )
    )
    assert rendered == "6 December 2026 | 6 December 2026, 14:05 | 6 December 2026"


def test_figure_writes_separators_and_the_decimals_asked_for() -> None:
    assert figure(204236.0) == "204,236"
    assert figure(683.0, 0) == "683"
    assert figure(70.62937063, 1) == "70.6"
    assert figure(1234.5) == "1,234.5"
    assert figure(None) == "–"
    assert figure("n/a", 1) == "n/a"
