"""The examples' statutory returns, filled from their real figures."""

from __future__ import annotations

import csv
import io

import pytest

from pmf.reports.document import Table
from pmf.sources.examples import registry
from pmf.web.audit.models import AuditEvent
from pmf.web.frameworks.models import StatutoryReturn
from pmf.web.observations.services import load_example
from pmf.web.returns import services

pytestmark = pytest.mark.django_db


def test_traffords_ps2_return_holds_dluhcs_published_percentages() -> None:
    load_example(registry()["trafford"])
    organisation = StatutoryReturn.objects.get(code="PS2").organisation
    made = services.export_return(organisation, "PS2", "2024/25 Q4")
    rows = list(csv.reader(io.StringIO(made.content.decode())))
    assert rows[2][:2] == ["Quarter", "2024/25 Q4"]
    # DLUHC's table P151 for Trafford (examples/trafford/data/planning_applications_major.csv):
    # 86 % in 2024/25 Q4, 88 % in Q3, 100 % in 2023/24 Q4.
    assert rows[5] == [
        "Major developments decided within 13 weeks or the agreed time",
        "86",
        "88",
        "100",
    ]
    assert AuditEvent.objects.filter(action="export_return", object_id="PS2").count() == 1
    # The first quarter in the file has no previous quarter nor one a year before.
    checked = services.check_return(organisation, "PS2", "2022/23 Q3")
    assert checked.problems == (
        "C6 (PLANNING_MAJOR, E08000009, 2022/23 Q2): no figure",
        "D6 (PLANNING_MAJOR, E08000009, 2021/22 Q3): no figure",
    )


def test_the_police_return_holds_the_boroughs_crime_counts_once_validated() -> None:
    import openpyxl
    import polars as pl

    from pmf.web.observations.services import held_observations

    load_example(registry()["police"])
    organisation = StatutoryReturn.objects.get(code="HO_CRIME").organisation
    held = held_observations(organisation, measures=["VWI_RATE"])
    validated = held.filter(pl.col("status") == "validated")["period"].max()
    provisional = held.filter(pl.col("status") == "provisional")["period"].max()
    assert isinstance(validated, str) and isinstance(provisional, str)
    # The draft cycle's month is still provisional: the return waits for its validation.
    refused = services.check_return(organisation, "HO_CRIME", provisional)
    assert not refused.ready
    assert all("the return needs validated figures" in p for p in refused.problems)
    made = services.export_return(organisation, "HO_CRIME", validated)
    sheet = openpyxl.load_workbook(io.BytesIO(made.content))["Return"]
    assert sheet["B4"].value == validated
    westminster = held.filter((pl.col("unit") == "E09000033") & (pl.col("period") == validated))[
        "numerator"
    ].item()
    assert (sheet["A9"].value, sheet["C9"].value) == ("E09000033", int(westminster))
    assert len(made.check.cells) == 32 * 4
    # The annual report of the year the return's month is in lists the export.
    from pmf.core.periods import parse_period
    from pmf.web.papers.builders.annual import annual_report

    year = parse_period(validated).financial_year.code
    report = annual_report(organisation, year)
    section = next(part for part in report.sections if part.heading == "Statutory returns")
    table = section.blocks[0]
    assert isinstance(table, Table)
    assert table.rows[-1][:2] == (
        "Home Office police recorded crime return (monthly), by Community Safety Partnership "
        "(HO_CRIME)",
        parse_period(validated).label,
    )
    assert table.rows[-1][4] == made.sha256[:12]
