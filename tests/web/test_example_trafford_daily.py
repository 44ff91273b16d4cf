"""The council example's daily measure (SYNTHETIC figures): loaded, read on its page, published."""

from __future__ import annotations

import polars as pl
import pytest
from django.test import Client

from pmf.reports.document import Table
from pmf.sources.examples import registry
from pmf.web.cycles import services
from pmf.web.observations.services import load_example
from pmf.web.papers.builders.board import board_paper
from tests.factories import member

pytestmark = pytest.mark.django_db

TRAFFORD = "E08000009"


def march_2025_mean() -> float:
    example = registry()["trafford"]
    days = pl.read_csv(example.data_dir / "synthetic_unallocated_cases_daily.csv")
    march = days.filter(pl.col("date").str.starts_with("2025-03"))
    assert march.height == 31
    return float(march["value"].mean())  # type: ignore[arg-type]


def test_the_daily_measure_is_loaded_charted_and_published_by_month() -> None:
    load_example(registry()["trafford"])
    from pmf.web.frameworks.models import Organisation

    organisation = Organisation.objects.get(code=TRAFFORD)
    client = Client()
    client.force_login(member("analyst", organisation, "analyst"))
    data = client.get(f"/{TRAFFORD}/units/{TRAFFORD}/measures/UNALLOCATED_CASES.json").json()
    assert len(data["rows"]) == 365 and data["rows"][-1]["period"] == "2025-03-31"
    assert data["spc"]["window"] == 91
    months = data["period_rollups"]["tables"][0]["rows"]
    assert len(months) == 12 and months[0]["period"] == "2025-03"
    assert months[0]["value"] == pytest.approx(march_2025_mean())
    page = client.get(f"/{TRAFFORD}/units/{TRAFFORD}/measures/UNALLOCATED_CASES/")
    assert "SYNTHETIC" in page.content.decode()
    # The scorecard assesses the latest day against the target of 20 at most.
    card = client.get(f"/{TRAFFORD}/units/{TRAFFORD}.json").json()
    (row,) = [
        m for area in card["areas"] for m in area["measures"] if m["measure"] == "UNALLOCATED_CASES"
    ]
    assert row["period"] == "2025-03-31"

    cycle = services.create_cycle(organisation, number=1, name="2024/25", cut_off="2025-03")
    services.lock_cycle(cycle, None, spot_checks=False)
    cycle.refresh_from_db()
    paper = board_paper(cycle)
    (appendix,) = [s for s in paper.sections if s.heading == "Weekly and daily measures by month"]
    # Trafford is scored too: its scores are Appendix Four, so the daily measures come fifth.
    assert [s.number for s in paper.sections if s.number.startswith("Appendix")][-2:] == [
        "Appendix Four",
        "Appendix Five",
    ]
    assert appendix.number == "Appendix Five"
    (table,) = [block for block in appendix.blocks if isinstance(block, Table)]
    assert table.caption.startswith("Children's cases awaiting allocation")
    assert table.rows[0][0] == "March 2025"
    assert table.rows[0][1] == f"{march_2025_mean():.0f}"
    assert table.rows[0][2] == "31 of 31"
    assert len(table.rows) == 12


def test_the_guides_by_period_output_is_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from pmf.cli import main

    load_example(registry()["trafford"])
    args = ["by-period", "-o", TRAFFORD, "UNALLOCATED_CASES", "--to", "financial_quarter"]
    assert main(args) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    guide = (Path(__file__).parents[2] / "docs/guide/weekly-and-daily.md").read_text()
    assert "\n".join(printed) in guide
