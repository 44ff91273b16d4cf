"""Daily and weekly figures through the entry form and the JSON API: all or none, by period."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from tests.factories import GOOD, api_client

pytestmark = pytest.mark.django_db

MEASURES = """\
  - {code: UNALLOCATED, name: Unallocated cases, area: FOCUS, kind: kpi,
     polarity: lower_is_better, unit_of_measure: count, frequency: day, decimals: 0,
     rollup: sum, period_rollup: mean}
  - {code: WAITING, name: Cases waiting over 28 days, area: FOCUS, kind: kpi,
     polarity: lower_is_better, unit_of_measure: count, frequency: week, decimals: 0,
     rollup: sum, period_rollup: last}
"""


@pytest.fixture
def daily(organisation: Organisation) -> Organisation:
    from pmf.web.frameworks.services import store_framework

    return store_framework(
        load_framework(GOOD.replace("peer_groups:", MEASURES + "peer_groups:", 1))
    )


def post_rows(client: Client, rows: list[dict[str, Any]]) -> Any:
    return client.post(
        "/api/organisations/TST/observations", json.dumps(rows), content_type="application/json"
    )


def test_the_api_stores_days_and_weeks_by_their_codes(daily: Organisation, analyst: User) -> None:
    client = api_client(analyst)
    response = post_rows(
        client,
        [
            {"unit": "N", "measure": "UNALLOCATED", "period": "2024-02-01", "value": 12},
            {"unit": "N", "measure": "UNALLOCATED", "period": "2 February 2024", "value": 11},
            {"unit": "N", "measure": "WAITING", "period": "2024-W05", "value": 4},
        ],
    )
    assert response.status_code == 200, response.content
    held = Observation.objects.filter(unit__code="N", measure__code__in=["UNALLOCATED", "WAITING"])
    assert sorted(held.values_list("period", flat=True)) == ["2024-02-01", "2024-02-02", "2024-W05"]
    days = client.get(
        "/api/organisations/TST/observations",
        {"measure": "UNALLOCATED", "period_from": "2024-02-02", "period_to": "2024-02"},
    ).json()
    assert [item["period"] for item in days["items"]] == ["2024-02-02"]


def test_the_api_refuses_a_month_for_a_daily_measure_and_stores_nothing(
    daily: Organisation, analyst: User
) -> None:
    before = Observation.objects.count()
    response = post_rows(
        api_client(analyst),
        [
            {"unit": "N", "measure": "UNALLOCATED", "period": "2024-02-01", "value": 12},
            {"unit": "N", "measure": "UNALLOCATED", "period": "2024-02", "value": 11},
        ],
    )
    assert response.status_code == 422
    assert "is a month, but UNALLOCATED is reported by day" in response.content.decode()
    assert Observation.objects.count() == before


def test_the_entry_form_for_a_day_lists_the_daily_measures(
    daily: Organisation, analyst: User
) -> None:
    client = Client()
    client.force_login(analyst)
    page = client.get("/TST/units/N/enter/", {"period": "2024-02-01"}).content.decode()
    assert "Unallocated cases" in page and "Cases waiting over 28 days" not in page
    saved = client.post(
        "/TST/units/N/enter/",
        {"period": "2024-02-01", "measure": "UNALLOCATED", "value-UNALLOCATED": "9"},
        follow=True,
    )
    assert saved.status_code == 200
    held = Observation.objects.get(
        unit__code="N", measure__code="UNALLOCATED", superseded_at__isnull=True
    )
    assert (held.period, held.value) == ("2024-02-01", 9.0)
    week = client.get("/TST/units/N/enter/", {"period": "2024-W05"}).content.decode()
    assert "Cases waiting over 28 days" in week and "Unallocated cases" not in week


def test_the_import_page_reads_a_daily_files_date_column(
    daily: Organisation, analyst: User, tmp_path: object, settings: object
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined, operator]
    client = Client()
    client.force_login(analyst)
    text = "date,unit,measure,value\n2024-02-01,N,UNALLOCATED,12\n2024-02-02,N,UNALLOCATED,13\n"
    preview = client.post("/TST/import/", {"file": SimpleUploadedFile("daily.csv", text.encode())})
    assert preview.status_code == 200
    assert "all 2 figures passed the checks" in preview.content.decode()
    token = preview.context["review"]["token"]
    assert client.post("/TST/import/", {"token": token, "name": "daily.csv"}).status_code == 302
    held = Observation.objects.filter(measure__code="UNALLOCATED", superseded_at__isnull=True)
    assert sorted(held.values_list("period", flat=True)) == ["2024-02-01", "2024-02-02"]
