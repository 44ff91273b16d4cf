"""Calculated figures are stored as revisions with lineage, and recalculated when inputs change."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pmf.core.framework import load_framework
from pmf.web.audit.models import AuditEvent
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from pmf.web.observations.calculations import current_observations, recalculate
from pmf.web.observations.models import Observation, ObservationInput
from pmf.web.observations.services import import_frame, store_observations
from tests.factories import CALCULATED, value_rows

pytestmark = pytest.mark.django_db

FRAMEWORK = CALCULATED
T1 = dt.datetime(2019, 8, 1, 9, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2019, 9, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def organisation() -> Organisation:
    return store_framework(load_framework(FRAMEWORK), "framework.yaml")


def store(organisation: Organisation, rows: pl.DataFrame, now: dt.datetime) -> object:
    return store_observations(
        organisation, rows, file_name="figures.csv", sha256="x", layout="long", now=now
    )


def calculated(measure: str) -> list[tuple[object, ...]]:
    return list(
        Observation.objects.filter(measure__code=measure)
        .order_by("unit__code", "period", "revision")
        .values_list("unit__code", "period", "value", "revision", "superseded_at")
    )


def lineage(measure: str, unit: str, period: str) -> list[tuple[str, int]]:
    stored = Observation.objects.get(
        measure__code=measure, unit__code=unit, period=period, superseded_at__isnull=True
    )
    return [
        (link.source.measure.code, link.source.revision)
        for link in ObservationInput.objects.filter(observation=stored).order_by("position")
    ]


def test_storing_inputs_stores_the_calculated_figures_with_their_lineage(
    organisation: Organisation,
) -> None:
    summary = store(
        organisation,
        value_rows([("N", "STOPS", "2019-07", 30), ("N", "SEARCHES", "2019-07", 10)]),
        T1,
    )
    assert calculated("ACTIVITY") == [("N", "2019-07", 40.0, 1, None)]
    assert calculated("SHARE") == [("N", "2019-07", 25.0, 1, None)]
    share = Observation.objects.get(measure__code="SHARE")
    assert (share.numerator, share.denominator) == (10.0, 40.0)
    assert share.source == "formula: SEARCHES / ACTIVITY * 100"
    assert lineage("ACTIVITY", "N", "2019-07") == [("STOPS", 1), ("SEARCHES", 1)]
    assert lineage("SHARE", "N", "2019-07") == [("SEARCHES", 1), ("ACTIVITY", 1)]
    assert summary.calculated == 2  # type: ignore[attr-defined]
    assert "2 calculated figures computed again" in str(summary)
    assert AuditEvent.objects.filter(action="calculate").exists()


def test_a_revised_input_makes_a_new_revision_and_keeps_the_old_one(
    organisation: Organisation,
) -> None:
    store(
        organisation,
        value_rows([("N", "STOPS", "2019-07", 30), ("N", "SEARCHES", "2019-07", 10)]),
        T1,
    )
    store(organisation, value_rows([("N", "STOPS", "2019-07", 15)]), T2)
    assert calculated("ACTIVITY") == [
        ("N", "2019-07", 40.0, 1, T2),
        ("N", "2019-07", 25.0, 2, None),
    ]
    assert calculated("SHARE")[-1][2:4] == (40.0, 2)
    assert lineage("ACTIVITY", "N", "2019-07") == [("STOPS", 2), ("SEARCHES", 1)]
    old = Observation.objects.get(measure__code="ACTIVITY", revision=1)
    assert [link.source.revision for link in old.inputs.order_by("position")] == [1, 1]


def test_an_input_revised_to_the_same_value_still_renews_the_lineage(
    organisation: Organisation,
) -> None:
    store(
        organisation,
        value_rows([("N", "STOPS", "2019-07", 30), ("N", "SEARCHES", "2019-07", 10)]),
        T1,
    )
    rows = value_rows([("N", "STOPS", "2019-07", 30)]).with_columns(pl.lit("checked").alias("note"))
    store(organisation, rows, T2)
    assert calculated("ACTIVITY")[-1] == ("N", "2019-07", 40.0, 2, None)
    assert lineage("ACTIVITY", "N", "2019-07") == [("STOPS", 2), ("SEARCHES", 1)]


def test_a_calculated_figure_is_as_checked_as_its_least_checked_input(
    organisation: Organisation,
) -> None:
    store(organisation, value_rows([("N", "STOPS", "2019-07", 30)], "signed_off"), T1)
    store(organisation, value_rows([("N", "SEARCHES", "2019-07", 10)], "validated"), T1)
    stored = Observation.objects.get(measure__code="ACTIVITY", superseded_at__isnull=True)
    assert stored.status == "validated"


def test_no_figure_is_calculated_while_an_input_is_missing(organisation: Organisation) -> None:
    store(organisation, value_rows([("N", "STOPS", "2019-07", 30)]), T1)
    assert calculated("ACTIVITY") == []


def test_an_import_of_a_calculated_measure_is_refused_naming_the_formula(
    organisation: Organisation,
) -> None:
    frame = pl.DataFrame(
        {"unit": ["N"], "measure": ["ACTIVITY"], "period": ["2019-07"], "value": ["4"]}
    )
    with pytest.raises(ValueError, match=r"is calculated by its formula \(STOPS \+ SEARCHES\)"):
        import_frame(organisation, frame, file_name="figures.csv", source="test")
    assert not Observation.objects.exists()


def test_recalculate_after_a_framework_change_revises_every_figure(
    organisation: Organisation,
) -> None:
    store(
        organisation,
        value_rows(
            [
                ("N", "STOPS", "2019-07", 30),
                ("N", "SEARCHES", "2019-07", 10),
                ("S", "STOPS", "2019-07", 5),
                ("S", "SEARCHES", "2019-07", 5),
            ]
        ),
        T1,
    )
    changed = FRAMEWORK.replace("formula: STOPS + SEARCHES", "formula: STOPS + SEARCHES * 2")
    store_framework(load_framework(changed), "framework.yaml")
    done = recalculate(organisation, now=T2)
    assert done.revised == {"ACTIVITY": 2, "SHARE": 2}
    assert str(done).startswith("Calculated figures stored. ACTIVITY: 0 added, 2 revised")
    assert recalculate(organisation, now=T2).total == 0
    held = current_observations(organisation, ["ACTIVITY"]).sort("unit")
    assert held["value"].to_list() == [50.0, 15.0]


def test_the_entry_form_offers_no_calculated_measure_and_recalculates_on_save(
    organisation: Organisation,
) -> None:
    from django.test import Client

    from pmf.web.accounts.models import Membership
    from tests.factories import member

    analyst = member("analyst", organisation, Membership.Role.ANALYST)
    client = Client()
    client.force_login(analyst)
    page = client.get("/TST/units/N/enter/", {"period": "2019-07"}).content.decode()
    assert 'name="value-STOPS"' in page
    assert 'name="value-ACTIVITY"' not in page
    assert 'name="value-SHARE"' not in page
    response = client.post(
        "/TST/units/N/enter/",
        {
            "period": "2019-07",
            "measure": ["STOPS", "SEARCHES"],
            "value-STOPS": "12",
            "value-SEARCHES": "4",
        },
    )
    assert response.status_code == 302
    assert calculated("ACTIVITY") == [("N", "2019-07", 16.0, 1, None)]
    refused = client.post(
        "/TST/units/N/enter/", {"period": "2019-07", "measure": "ACTIVITY", "value-ACTIVITY": "3"}
    )
    assert refused.status_code in (400, 403)
    assert calculated("ACTIVITY") == [("N", "2019-07", 16.0, 1, None)]


def test_the_api_recalculates_and_refuses_a_calculated_measure(
    organisation: Organisation,
) -> None:
    import json

    from pmf.web.accounts.models import Membership
    from tests.factories import api_client, member

    client = api_client(member("analyst", organisation, Membership.Role.ANALYST))
    url = "/api/organisations/TST/observations"
    rows = [
        {"unit": "S", "measure": "STOPS", "period": "2019-07", "value": 8},
        {"unit": "S", "measure": "SEARCHES", "period": "2019-07", "value": 2},
    ]
    response = client.post(url, json.dumps(rows), content_type="application/json")
    assert response.status_code == 200, response.content
    assert calculated("SHARE") == [("S", "2019-07", 20.0, 1, None)]
    bad = [{"unit": "S", "measure": "SHARE", "period": "2019-07", "value": 50}]
    response = client.post(url, json.dumps(bad), content_type="application/json")
    assert response.status_code == 422
    assert "is calculated by its formula" in response.content.decode()
    assert calculated("SHARE") == [("S", "2019-07", 20.0, 1, None)]


def test_the_trafford_example_stores_its_life_expectancy_gap_with_lineage() -> None:
    from pmf.sources.examples import registry
    from pmf.web.observations.calculations import lineage_of
    from pmf.web.observations.services import load_example

    summary = load_example(registry()["trafford"])
    assert summary.calculated > 100
    trafford = Organisation.objects.get(code="E08000009")
    gap = lineage_of(trafford, "LE_GAP", "E08000009", "2021 - 23")
    assert gap is not None
    assert gap.value == pytest.approx(83.6 - 79.4)
    assert gap.named == (
        "Life expectancy at birth, females (years) − Life expectancy at birth, males (years)"
    )
    assert [(item.measure, item.value) for item in gap.inputs] == [
        ("LE_FEMALE", 83.6),
        ("LE_MALE", 79.4),
    ]
    again = load_example(registry()["trafford"])
    assert again.calculated == 0


def test_the_api_lists_each_measures_formula(organisation: Organisation) -> None:
    from pmf.web.accounts.models import Membership
    from tests.factories import api_client, member

    client = api_client(member("analyst", organisation, Membership.Role.ANALYST))
    listed = client.get("/api/organisations/TST/measures").json()
    formulas = {item["code"]: item["formula"] for item in listed}
    assert formulas["ACTIVITY"] == "STOPS + SEARCHES"
    assert formulas["STOPS"] is None
