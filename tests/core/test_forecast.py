from __future__ import annotations

import polars as pl
import pytest

from pmf.core.forecast import year_end_forecast

LAST_YEAR = [f"2018-{m:02d}" for m in range(4, 13)] + ["2019-01", "2019-02", "2019-03"]


def forecast(periods: list[str], values: list[float]) -> dict[str, dict[str, object]]:
    frame = pl.DataFrame({"unit": "F", "measure": "OT", "period": periods, "value": values})
    return {row["financial_year"]: row for row in year_end_forecast(frame).iter_rows(named=True)}


def test_run_rate_without_last_year() -> None:
    row = forecast(["2019-04", "2019-05"], [10.0, 14.0])["2019/20"]
    assert (row["months"], row["ytd"], row["forecast"], row["method"]) == (
        2,
        24.0,
        144.0,
        "run rate",
    )


def test_seasonal_profile_from_a_complete_last_year() -> None:
    values = [20.0, 10.0] + [5.0] * 10
    row = forecast([*LAST_YEAR, "2019-04"], [*values, 30.0])["2019/20"]
    assert row["seasonal"] == pytest.approx(30.0 / (20.0 / 80.0))
    assert row["method"] == "seasonal"


def test_complete_year_is_its_actual_total() -> None:
    row = forecast(LAST_YEAR, [1.0] * 12)["2018/19"]
    assert (row["forecast"], row["method"]) == (12.0, "actual")


def test_march_belongs_to_the_year_that_began_the_april_before() -> None:
    assert list(forecast(["2019-03", "2019-04"], [1.0, 1.0])) == ["2018/19", "2019/20"]


def test_missing_months_are_counted() -> None:
    assert forecast(["2019-04", "2019-06"], [1.0, 1.0])["2019/20"]["missing_months"] == 1
