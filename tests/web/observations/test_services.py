from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from django.db import IntegrityError

from pmf.core.framework import load_framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of, store_framework
from pmf.web.observations.models import ImportBatch, Observation
from pmf.web.observations.services import (
    held_observations,
    revisions,
    scorecard_for,
    store_observations,
)
from tests.factories import GOOD

pytestmark = pytest.mark.django_db

T1 = dt.datetime(2019, 8, 1, 9, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2019, 9, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def organisation() -> Organisation:
    return store_framework(load_framework(GOOD), "framework.yaml")


def store(organisation: Organisation, tmp_path: Path, text: str, now: dt.datetime):  # type: ignore[no-untyped-def]
    path = tmp_path / "figures.csv"
    path.write_text(text, encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    assert result.ok, result.problems
    return store_observations(
        organisation,
        result.observations,
        file_name="figures.csv",
        sha256="x",
        layout=result.layout,
        now=now,
    )


def test_framework_round_trips_through_storage(organisation: Organisation) -> None:
    assert framework_of(organisation).model == load_framework(GOOD).model


def test_storing_a_framework_again_updates_by_code(organisation: Organisation) -> None:
    store_framework(load_framework(GOOD.replace("name: North", "name: North Command")))
    assert framework_of(organisation).unit("N").name == "North Command"
    assert Organisation.objects.count() == 1


def test_reimporting_the_same_file_changes_nothing(
    organisation: Organisation, tmp_path: Path
) -> None:
    text = "unit,measure,period,value\nN,ER,2019-07,75\nS,ER,2019-07,85\n"
    first = store(organisation, tmp_path, text, T1)
    again = store(organisation, tmp_path, text, T2)
    assert (first.added, first.revised) == (2, 0)
    assert (again.added, again.revised, again.unchanged, again.batch_id) == (0, 0, 2, None)
    assert Observation.objects.count() == 2
    assert ImportBatch.objects.count() == 1


def test_changed_value_is_a_new_revision_and_the_old_one_is_kept(
    organisation: Organisation, tmp_path: Path
) -> None:
    store(organisation, tmp_path, "unit,measure,period,value\nN,ER,2019-07,75\n", T1)
    summary = store(organisation, tmp_path, "unit,measure,period,value\nN,ER,2019-07,77\n", T2)
    assert (summary.added, summary.revised) == (0, 1)
    history = revisions(organisation, "N", "ER", "2019-07")
    assert [(o.revision, o.value, o.superseded_at) for o in history] == [
        (1, 75.0, T2),
        (2, 77.0, None),
    ]
    assert held_observations(organisation)["value"].to_list() == [77.0]


def test_figures_as_they_stood_can_be_reproduced(
    organisation: Organisation, tmp_path: Path
) -> None:
    store(organisation, tmp_path, "unit,measure,period,value\nN,ER,2019-07,75\n", T1)
    store(organisation, tmp_path, "unit,measure,period,value\nN,ER,2019-07,77\n", T2)
    between = T1 + dt.timedelta(days=1)
    assert held_observations(organisation, as_at=between)["value"].to_list() == [75.0]
    assert held_observations(organisation, as_at=T1 - dt.timedelta(days=1)).height == 0


def test_status_change_alone_is_a_revision(organisation: Organisation, tmp_path: Path) -> None:
    store(organisation, tmp_path, "unit,measure,period,value\nN,ER,2019-07,75\n", T1)
    summary = store(
        organisation, tmp_path, "unit,measure,period,value,status\nN,ER,2019-07,75,validated\n", T2
    )
    assert summary.revised == 1


def test_a_failure_while_storing_leaves_nothing_behind(organisation: Organisation) -> None:
    good = pl.DataFrame(
        {
            "unit": ["N"],
            "measure": ["ER"],
            "period": ["2019-07"],
            "value": [75.0],
            "numerator": [None],
            "denominator": [None],
            "status": ["provisional"],
            "note": [""],
            "source": [""],
        },
        schema_overrides={"numerator": pl.Float64, "denominator": pl.Float64},
    )
    # The same figure twice breaks a unique constraint after the batch row is written.
    broken = pl.concat([good, good])
    with pytest.raises(IntegrityError):
        store_observations(organisation, broken, file_name="f", sha256="x", layout="long")
    assert Observation.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_scorecard_rolls_up_and_judges(organisation: Organisation, tmp_path: Path) -> None:
    store(
        organisation,
        tmp_path,
        "unit,measure,period,value,numerator,denominator\n"
        "N,CR,2018-07,,8,1000\nS,CR,2018-07,,4,1000\n"
        "N,CR,2019-07,,6,1000\nS,CR,2019-07,,4,1000\n",
        T1,
    )
    scorecard = scorecard_for(organisation)
    (row,) = scorecard.rows()
    assert scorecard.unit == "F"
    assert row.value == pytest.approx(5.0)
    assert (row.met_text, row.rag, row.direction_last_year) == ("Met", "green", "improving")
    assert scorecard_for(organisation, unit="N").rows()[0].met_text == "Not met"


def test_scorecard_refuses_unknown_unit(organisation: Organisation) -> None:
    with pytest.raises(LookupError, match="no unit 'Z'"):
        scorecard_for(organisation, unit="Z")


def test_progress_is_reported_after_each_chunk_and_the_result_is_the_same(
    organisation: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmf.web.observations import services

    store(organisation, tmp_path, "unit,measure,period,value\nN,ER,2019-01,70\n", T1)
    text = "unit,measure,period,value\n" + "".join(
        f"{unit},ER,2019-{month:02d},70\n" for unit in ("N", "S") for month in range(1, 13)
    )
    path = tmp_path / "more.csv"
    path.write_text(text, encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    monkeypatch.setattr(services, "_PROGRESS_CHUNK", 10)
    reports: list[tuple[int, int]] = []
    summary = store_observations(
        organisation,
        result.observations,
        file_name="more.csv",
        sha256="y",
        layout="long",
        now=T2,
        progress=lambda done, total: reports.append((done, total)),
    )
    # N 2019-01 was held unchanged: done at once; then 23 new figures in chunks of 10.
    assert reports == [(1, 24), (11, 24), (21, 24), (24, 24)]
    assert (summary.rows, summary.added, summary.unchanged) == (24, 23, 1)
    assert Observation.objects.filter(batch_id=summary.batch_id).count() == 23
    again = store_observations(
        organisation,
        result.observations,
        file_name="more.csv",
        sha256="y",
        layout="long",
        progress=lambda done, total: reports.append((done, total)),
    )
    assert (again.added, reports[-1]) == (0, (24, 24))
