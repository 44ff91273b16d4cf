"""The improvement plan's presenters: what the plan page shows of each item's measures."""

from __future__ import annotations

import pytest

from pmf.web.frameworks.models import Organisation
from pmf.web.observations.services import scorecard_for
from pmf.web.plans import presenters
from pmf.web.plans.models import Item

pytestmark = pytest.mark.django_db


def test_linked_measures_show_the_latest_figure_and_rag_of_the_scorecard(
    item: Item, organisation: Organisation
) -> None:
    rows = {row.measure: row for row in scorecard_for(organisation).rows()}
    shown = {
        m["code"]: m
        for m in presenters.plan_page(item.theme.plan)["themes"][0]["items"][0]["measures"]
    }
    assert set(shown) == {"CR", "ER"}
    for code, measure in shown.items():
        if code in rows:
            assert (measure["rag"], measure["value_text"]) == (
                rows[code].rag,
                rows[code].value_text,
            )
            assert measure["period"] == rows[code].period
        else:
            assert measure["value_text"] == "no figures"
    assert shown["CR"]["value_text"] not in ("", "no figures")
