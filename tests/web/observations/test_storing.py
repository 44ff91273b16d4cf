"""Storing figures: the same results on SQLite (json_each) and PostgreSQL (COPY).

Run on both: ``.venv/bin/pytest tests/web/observations/test_storing.py`` and
``scripts/postgres.sh .venv/bin/pytest tests/web/observations/test_storing.py``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import IntegrityError

from pmf.core.framework import load_framework
from pmf.web.audit.models import AuditEvent
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from pmf.web.observations import services
from pmf.web.observations.models import ImportBatch, Observation
from pmf.web.observations.services import held_observations, revisions, store_observations
from tests.factories import GOOD

pytestmark = pytest.mark.django_db

T1 = dt.datetime(2019, 8, 1, 9, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2019, 9, 1, 9, 0, tzinfo=dt.UTC)
MONTHS = [f"{2015 + i // 12}-{i % 12 + 1:02d}" for i in range(48)]


@pytest.fixture
def organisation() -> Organisation:
    return store_framework(load_framework(GOOD), "framework.yaml")


def figures(values: list[float | None], notes: list[str] | None = None) -> pl.DataFrame:
    """Return one ER figure for North per month, with ``values`` and ``notes``."""
    count = len(values)
    return pl.DataFrame(
        {
            "unit": ["N"] * count,
            "measure": ["ER"] * count,
            "period": MONTHS[:count],
            "value": values,
            "numerator": [None] * count,
            "denominator": [None] * count,
            "status": ["provisional"] * count,
            "note": notes if notes is not None else [""] * count,
            "source": ["source, with a comma"] * count,
        },
        schema_overrides={"value": pl.Float64, "numerator": pl.Float64, "denominator": pl.Float64},
    )


def stored() -> list[tuple[object, ...]]:
    return list(
        Observation.objects.order_by("period", "revision").values_list(
            "period", "value", "numerator", "note", "source", "status", "revision", "warnings"
        )
    )


def test_every_field_reads_back_exactly_as_it_was_given(organisation: Organisation) -> None:
    # Floats that print long, text with the characters CSV and JSON quote, empty text.
    values = [0.1 + 0.2, 1 / 3, 80.0, 99.99999999999999]
    notes = ['said "about", roughly', "two\nlines", "", "tab\there \\ back"]
    store_observations(
        organisation,
        figures(values, notes),
        file_name="f.csv",
        sha256="x",
        layout="long",
        now=T1,
        check_warnings=False,
    )
    assert stored() == [
        (period, value, None, note, "source, with a comma", "provisional", 1, "")
        for period, value, note in zip(MONTHS, values, notes, strict=False)
    ]
    # Read back for comparison exactly too: storing the same figures again changes nothing.
    again = store_observations(
        organisation,
        figures(values, notes),
        file_name="f.csv",
        sha256="x",
        layout="long",
        now=T2,
        check_warnings=False,
    )
    assert (again.added, again.revised, again.unchanged) == (0, 0, len(values))


def test_a_constraint_failure_part_way_through_leaves_nothing(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks so that several are written before the duplicate near the end is reached.
    monkeypatch.setattr(services, "_COPY_CHUNK", 5)
    monkeypatch.setattr(services, "_JSON_CHUNK", 5)
    good = figures([50.0] * 40)
    broken = pl.concat([good, good.slice(39, 1)])
    with pytest.raises(IntegrityError):
        store_observations(
            organisation, broken, file_name="f.csv", sha256="x", layout="long", now=T1
        )
    assert Observation.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert AuditEvent.objects.filter(kind="observation").count() == 0


def test_a_bad_row_part_way_through_leaves_nothing(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_COPY_CHUNK", 5)
    monkeypatch.setattr(services, "_JSON_CHUNK", 5)
    # A figure without a value, which the table refuses, after 30 good ones.
    values: list[float | None] = [50.0] * 30 + [None] + [50.0] * 5
    with pytest.raises(IntegrityError):
        store_observations(
            organisation,
            figures(values),
            file_name="f.csv",
            sha256="x",
            layout="long",
            now=T1,
            check_warnings=False,
        )
    assert Observation.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_a_failed_revision_keeps_the_figures_held_before(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_COPY_CHUNK", 5)
    store_observations(
        organisation, figures([50.0] * 20), file_name="a.csv", sha256="a", layout="long", now=T1
    )
    revised = figures([51.0] * 20)
    with pytest.raises(IntegrityError):
        store_observations(
            organisation,
            pl.concat([revised, revised.slice(19, 1)]),
            file_name="b.csv",
            sha256="b",
            layout="long",
            now=T2,
        )
    held = held_observations(organisation)
    assert held.height == 20
    assert held["value"].to_list() == [50.0] * 20
    assert held["revision"].to_list() == [1] * 20
    assert Observation.objects.filter(superseded_at__isnull=False).count() == 0


def test_revisions_keep_every_earlier_figure(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_COPY_CHUNK", 5)
    store_observations(
        organisation, figures([50.0] * 20), file_name="a.csv", sha256="a", layout="long", now=T1
    )
    # A second file revises every other figure and adds four more months.
    second = figures([51.0 if i % 2 else 50.0 for i in range(20)] + [60.0] * 4)
    summary = store_observations(
        organisation, second, file_name="b.csv", sha256="b", layout="long", now=T2
    )
    assert (summary.added, summary.revised, summary.unchanged) == (4, 10, 10)
    history = revisions(organisation, "N", "ER", MONTHS[1])
    assert [(o.value, o.revision, o.superseded_at) for o in history] == [
        (50.0, 1, T2),
        (51.0, 2, None),
    ]
    assert [o.batch.file_name for o in history if o.batch] == ["a.csv", "b.csv"]
    # Figures come in no particular order (a revised row moves on PostgreSQL): by period.
    held = held_observations(organisation).sort("period")
    assert held["value"].to_list() == second.sort("period")["value"].to_list()
    assert held_observations(organisation, as_at=T1)["value"].to_list() == [50.0] * 20
