"""`pmf import` of a daily file and `pmf by-period`: its figures by month and quarter."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation
from tests.factories import GOOD

pytestmark = pytest.mark.django_db

DAILY = """\
  - {code: UNALLOCATED, name: Unallocated cases, area: FOCUS, kind: kpi,
     polarity: lower_is_better, unit_of_measure: count, frequency: day, decimals: 0,
     rollup: sum, period_rollup: mean}
"""


@pytest.fixture
def daily_file(organisation: Organisation, tmp_path: Path) -> Path:
    from pmf.web.frameworks.services import store_framework

    store_framework(load_framework(GOOD.replace("peer_groups:", DAILY + "peer_groups:", 1)))
    lines = ["date,unit,measure,value"]
    first = dt.date(2024, 1, 1)
    for n in range(45):  # 1 January to 14 February 2024
        for unit, base in (("N", 10), ("S", 20)):
            lines.append(f"{first + dt.timedelta(days=n)},{unit},UNALLOCATED,{base + n % 2}")
    path = tmp_path / "unallocated_daily.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_daily_file_imports_and_rolls_up_to_complete_months(
    daily_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    assert main(["import", str(daily_file), "-o", "TST"]) == 0
    capsys.readouterr()
    assert main(["by-period", "-o", "TST", "UNALLOCATED", "--unit", "N"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["period"], r["parts"], r["expected"]) for r in rows] == [("2024-01", "31", "31")]
    assert float(rows[0]["value"]) == pytest.approx((16 * 10 + 15 * 11) / 31)
    # The force is the sum of its commands each day (rollup: sum), then the mean of the days.
    assert main(["by-period", "-o", "TST", "UNALLOCATED", "--unit", "F", "--partial"]) == 0
    force = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["period"], r["parts"], r["expected"]) for r in force] == [
        ("2024-01", "31", "31"),
        ("2024-02", "14", "29"),
    ]
    assert float(force[1]["value"]) == pytest.approx(31.0)


def test_by_period_of_a_monthly_measure_says_why_not(
    daily_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    assert main(["by-period", "-o", "TST", "ER"]) == 1
    assert "ER is reported by month, not by week or by day" in capsys.readouterr().err


def test_by_period_writes_csv(daily_file: Path, tmp_path: Path) -> None:
    from pmf.cli import main

    assert main(["import", str(daily_file), "-o", "TST"]) == 0
    out = tmp_path / "by_quarter.csv"
    assert main(["by-period", "-o", "TST", "UNALLOCATED", "-u", "S", "--to", "year", "--partial",
                 "--output", str(out)]) == 0  # fmt: skip
    (row,) = list(csv.DictReader(out.open(encoding="utf-8")))
    assert (row["period"], row["parts"], row["expected"]) == ("2024", "45", "366")
