"""The figures read for an assessment are exactly those stored, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Measure, Organisation, Unit
from pmf.web.frameworks.services import store_framework
from pmf.web.observations.models import Observation
from pmf.web.observations.services import HELD_SCHEMA, held_observations
from tests.factories import GOOD

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2019, 8, 1, 9, 0, tzinfo=dt.UTC)
# Numbers whose shortest decimal form needs 17 digits, tiny, huge and whole ones.
AWKWARD = [0.1 + 0.2, 2 / 3, 1e-300, 1.7976931348623157e308, 123456789.12345679, 75.0]


@pytest.fixture
def organisation() -> Organisation:
    return store_framework(load_framework(GOOD), "framework.yaml")


def add(organisation: Organisation, unit: str, period: str, value: float, **more: object) -> None:
    Observation.objects.create(
        measure=Measure.objects.get(organisation=organisation, code="ER"),
        unit=Unit.objects.get(organisation=organisation, code=unit),
        period=period,
        value=value,
        recorded_at=NOW,
        **more,
    )


def test_every_value_reads_back_as_the_number_stored(organisation: Organisation) -> None:
    for month, value in enumerate(AWKWARD, start=1):
        add(organisation, "N", f"2019-{month:02d}", value, numerator=value, denominator=None)
    held = held_observations(organisation).sort("period")
    assert held["value"].to_list() == AWKWARD
    assert held["numerator"].to_list() == AWKWARD
    assert held["denominator"].to_list() == [None] * len(AWKWARD)


def test_the_columns_and_their_types_are_the_same_with_or_without_figures(
    organisation: Organisation,
) -> None:
    assert held_observations(organisation).schema == pl.Schema(HELD_SCHEMA)
    add(organisation, "S", "2019-07", 85.0, status=Observation.Status.VALIDATED, revision=3)
    held = held_observations(organisation, units=["S"], measures=["ER"])
    assert held.schema == pl.Schema(HELD_SCHEMA)
    assert held.row(0) == ("S", "ER", "2019-07", 85.0, None, None, "validated", 3)
    assert held_observations(organisation, units=["N"]).height == 0


def test_figures_written_in_the_same_transaction_are_read(organisation: Organisation) -> None:
    # pytest-django runs this test inside a transaction: nothing here is committed yet.
    add(organisation, "N", "2019-07", 75.0)
    assert held_observations(organisation)["value"].to_list() == [75.0]
