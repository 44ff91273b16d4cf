"""A daily measure's page: its SPC chart by day and its figures by month and by quarter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation
from tests.factories import GOOD

pytestmark = pytest.mark.django_db

DAILY = """\
  - code: UNALLOCATED
    name: Unallocated cases
    area: FOCUS
    kind: kpi
    polarity: lower_is_better
    unit_of_measure: count
    frequency: day
    decimals: 0
    rollup: sum
    period_rollup: mean
"""
FIRST = dt.date(2024, 1, 1)
DAYS = 100  # 1 January to 9 April 2024: January to March complete, April not


def daily(organisation: Organisation, folder: Path) -> Client:
    """Store the daily measure with 100 days of figures through the import; sign in."""
    from pmf.sources.importer import check_table
    from pmf.sources.readers import read_table
    from pmf.web.frameworks.services import framework_of, store_framework
    from pmf.web.observations.services import store_observations
    from tests.factories import member

    store_framework(load_framework(GOOD.replace("peer_groups:", DAILY + "peer_groups:", 1)))
    rows = ["date,unit,measure,value"]
    for n in range(DAYS):
        rows.append(f"{(FIRST + dt.timedelta(days=n)).isoformat()},F,UNALLOCATED,{10 + n % 7}")
    path = folder / "daily.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    assert result.ok, result.problems
    store_observations(
        organisation, result.observations, file_name=path.name, sha256="d", layout=result.layout
    )
    client = Client()
    client.force_login(member("reader", organisation, "analyst"))
    return client


def test_a_daily_measure_is_charted_by_day_with_a_quarter_of_days(
    organisation: Organisation, tmp_path: Path
) -> None:
    client = daily(organisation, tmp_path)
    data = client.get("/TST/units/F/measures/UNALLOCATED.json").json()
    assert data["rows"][-1]["period"] == "2024-04-09"
    assert data["rows"][-1]["label"] == "9 April 2024"
    assert data["spc"]["window"] == 91
    assert data["spc"]["charted"] == 91


def test_a_daily_measure_shows_complete_months_and_quarters_only(
    organisation: Organisation, tmp_path: Path
) -> None:
    client = daily(organisation, tmp_path)
    data = client.get("/TST/units/F/measures/UNALLOCATED.json").json()
    by_kind = {table["kind"]: table["rows"] for table in data["period_rollups"]["tables"]}
    assert [row["period"] for row in by_kind["month"]] == ["2024-03", "2024-02", "2024-01"]
    january = by_kind["month"][-1]
    # 1 January 2024 is a Monday: the days run 10 to 16, mean 13 over each whole week.
    assert (january["parts"], january["expected"]) == (31, 31)
    assert january["value"] == pytest.approx(sum(10 + n % 7 for n in range(31)) / 31)
    assert [row["period"] for row in by_kind["financial_quarter"]] == ["2023/24 Q4"]
    page = client.get("/TST/units/F/measures/UNALLOCATED/").content.decode()
    assert "By month and quarter" in page
    assert "the average of the days in it" in page
    assert "31 of 31 days, 2024-01-01 to 2024-01-31" in page


def test_a_monthly_measure_has_no_table_by_month(organisation: Organisation) -> None:
    from tests.factories import member

    client = Client()
    client.force_login(member("reader", organisation, "analyst"))
    data = client.get("/TST/units/F/measures/ER.json").json()
    assert data["period_rollups"] is None
    assert "By month and quarter" not in client.get("/TST/units/F/measures/ER/").content.decode()
