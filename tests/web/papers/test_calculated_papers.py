"""Papers name the formula of every calculated measure they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from pmf.core.framework import load_framework
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from pmf.web.observations.services import store_observations
from pmf.web.papers.builders.board import board_paper
from pmf.web.papers.builders.calculated import formula_sentence
from pmf.web.papers.builders.outcomes import outcomes_report
from tests.factories import CALCULATED, value_rows

pytestmark = pytest.mark.django_db

# ACTIVITY as a redline, so that the board paper charts it.
REDLINE = CALCULATED.replace(
    "{code: ACTIVITY, name: Stops and searches, area: FOCUS, kind: kpi, polarity: neither,",
    "{code: ACTIVITY, name: Stops and searches, area: FOCUS, kind: redline,\n"
    "     polarity: lower_is_better, standard: {type: improvement, against: previous_period},",
)
SENTENCE = (
    "Stops and searches is calculated by pmf from other measures' figures: Stops + Searches "
    "(STOPS + SEARCHES)."
)


@pytest.fixture
def organisation() -> Organisation:
    organisation = store_framework(load_framework(REDLINE), "framework.yaml")
    rows = [
        (unit, measure, f"2019-{month:02d}", value + month)
        for unit in ("N", "S")
        for month in range(1, 8)
        for measure, value in (("STOPS", 30.0), ("SEARCHES", 10.0), ("ER", 80.0))
    ]
    store_observations(
        organisation,
        value_rows(rows),
        file_name="figures.csv",
        sha256="x",
        layout="long",
        now=dt.datetime(2019, 8, 1, tzinfo=dt.UTC),
    )
    return organisation


@pytest.fixture
def cycle(organisation: Organisation, analyst: User) -> Cycle:
    cycle = services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    return cycle


def test_the_sentence_names_the_measures_and_the_formula_as_written() -> None:
    framework = load_framework(REDLINE)
    assert formula_sentence(framework, "ACTIVITY") == SENTENCE
    assert formula_sentence(framework, "STOPS") == ""


def test_the_board_paper_names_the_formula_under_its_chart(cycle: Cycle) -> None:
    text = board_paper(cycle).text()
    assert "Stops and searches, Force: XmR chart" in text
    assert SENTENCE in text


def test_the_outcomes_report_lists_the_formulas_of_its_measures(cycle: Cycle) -> None:
    text = outcomes_report(cycle).text()
    assert SENTENCE in text
    assert "Searches per 100 of activity is calculated by pmf" in text
