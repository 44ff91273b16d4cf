from __future__ import annotations

from pmf.core.framework import Measure
from pmf.core.text import format_value


def measure(unit: str, decimals: int = 1) -> Measure:
    return Measure(
        code="X",
        name="X",
        area="A",
        kind="kpi",
        polarity="neither",
        unit_of_measure=unit,
        frequency="month",
        decimals=decimals,
    )


def test_percent_rate_money_and_days_are_shown_as_people_write_them() -> None:
    assert format_value(71.94, measure("percent")) == "71.9%"
    assert format_value(1234567.8, measure("gbp", 0)) == "£1,234,568"
    assert format_value(-1500, measure("gbp", 0)) == "-£1,500"
    assert format_value(2.5449, measure("rate", 2)) == "2.54"
    assert format_value(1.73, measure("days", 2)) == "1.73 days"


def test_grades_are_shown_by_name() -> None:
    assert format_value(2, measure("grade", 0)) == "Good"
    assert format_value(3, measure("grade", 0)) == "Requires improvement"


def test_missing_value_is_a_dash() -> None:
    assert format_value(None, measure("count")) == "–"
