from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from pmf.web.cycles import services
from pmf.web.cycles.delay import reporting_delay_data
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation

pytestmark = pytest.mark.django_db


def moment(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10, 0)))


@pytest.fixture
def published(organisation: Organisation, analyst: User) -> Cycle:
    """A cycle with data to July 2019, locked on 9 August, at the board on 16 September."""
    cycle = services.create_cycle(
        organisation, number=1, name="Summer", cut_off="2019-07", board_date=dt.date(2019, 9, 16)
    )
    services.lock_cycle(cycle, analyst.membership, at=moment("2019-08-09"))
    for _ in range(4):
        services.advance(cycle, analyst.membership)
    cycle.refresh_from_db()
    return cycle


def test_publishing_a_cycle_records_when(published: Cycle) -> None:
    assert published.state == Cycle.State.PUBLISHED
    assert published.published_at is not None


def test_the_delay_is_counted_to_each_moment(published: Cycle, organisation: Organisation) -> None:
    published.published_at = moment("2019-09-20")
    published.save()
    data = reporting_delay_data(organisation)
    (row,) = data["cycles"]
    assert (row["days_to_locked"], row["days_to_board"], row["days_to_published"]) == (9, 47, 51)
    assert data["text"].startswith("Cycle 1 (data to July 2019): figures locked 9 days after")
    assert data["chart"]["data"]["values"][0] == {
        "cycle": "1: July 2019",
        "stage": "Figures locked",
        "days": 9,
    }


def test_a_board_not_yet_met_is_planned_not_counted(
    organisation: Organisation, analyst: User
) -> None:
    cycle = services.create_cycle(
        organisation, number=1, name="Summer", cut_off="2019-07", board_date=dt.date(2019, 9, 16)
    )
    services.lock_cycle(cycle, analyst.membership, at=moment("2019-08-09"))
    (row,) = reporting_delay_data(organisation)["cycles"]
    assert (row["days_to_board"], row["board_planned_days"]) == (None, 47)


def test_pmf_cycle_delay_prints_a_table_and_json(
    published: Cycle, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    assert main(["cycle", "delay", "-o", "TST"]) == 0
    out = capsys.readouterr().out
    assert "cycle\tdata to\tlocked\tboard\tpublished" in out
    assert "1\tJuly 2019\t9\t47\t" in out
    assert main(["cycle", "delay", "-o", "TST", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cycles"][0]["days_to_board"] == 47
    assert "chart" not in data


def test_the_dashboard_shows_the_delay_with_its_table_and_json(
    published: Cycle, command_lead: User
) -> None:
    from django.test import Client

    client = Client()
    client.force_login(command_lead)
    page = client.get("/TST/dashboard/").content.decode()
    assert "How old the figures are: reporting delay" in page
    assert 'data-chart="delay-chart"' in page
    assert "Days from the end of each cycle's data period to each stage" in page
    data = client.get("/TST/dashboard.json").json()
    assert data["reporting_delay"]["cycles"][0]["days_to_locked"] == 9


def test_the_annual_report_has_the_delay_as_a_chart_and_a_table(
    published: Cycle, organisation: Organisation
) -> None:
    from pmf.reports.document import Chart, Table
    from pmf.web.papers.builders.annual import annual_report

    document = annual_report(organisation, "2019/20")
    (section,) = [section for _, section in document.walk() if section.heading == "Reporting delay"]
    assert "Cycle 1 (data to July 2019): figures locked 9 days" in document.text()
    (chart,) = [block for block in section.blocks if isinstance(block, Chart)]
    assert (
        chart.svg.startswith("<svg") and "cycle 1, figures locked 9, to the board 47" in chart.alt
    )
    (table,) = [block for block in section.blocks if isinstance(block, Table)]
    assert table.header[2:] == ("Figures locked (days)", "To the board (days)", "Published (days)")
    assert table.rows[0][:4] == ("1: Summer", "July 2019", "9", "47")


def test_the_api_answers_the_delay_and_each_units_membership(
    published: Cycle, command_lead: User
) -> None:
    from tests.factories import api_client

    client = api_client(command_lead)
    data = client.get("/api/organisations/TST/reporting-delay").json()
    assert data["cycles"][0]["days_to_board"] == 47
    assert data["medians"]["locked"] == 9.0
    assert [stage["code"] for stage in data["stages"]] == ["locked", "board", "published"]
    units = client.get("/api/organisations/TST/units").json()
    assert {unit["member_from"] for unit in units} == {None}


def test_the_annual_reports_delay_is_in_welsh_for_a_welsh_reader(
    published: Cycle, organisation: Organisation
) -> None:
    from django.utils import translation

    from pmf.reports.document import Chart, Table
    from pmf.web.papers.builders.annual import annual_report

    with translation.override("cy"):
        document = annual_report(organisation, "2019/20")
    charts = [block for _, s in document.walk() for block in s.blocks if isinstance(block, Chart)]
    assert any("cylch 1, ffigurau wedi'u cloi 9, i'r bwrdd 47" in chart.alt for chart in charts)
    tables = [block for _, s in document.walk() for block in s.blocks if isinstance(block, Table)]
    assert any("Gorffennaf 2019" in row for table in tables for row in table.rows)
