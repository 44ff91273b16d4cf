from __future__ import annotations

from pmf.core.framework import Measure
from pmf.core.text import format_bytes, format_value


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


def test_sizes_are_shown_in_binary_units_so_limits_read_exactly() -> None:
    assert format_bytes(512 * 1024 * 1024) == "512 MiB"
    assert format_bytes(50 * 1024 * 1024) == "50 MiB"
    assert format_bytes(1024**3) == "1 GiB"
    assert format_bytes(1536 * 1024) == "1.5 MiB"
    assert format_bytes(1023) == "1,023 bytes"
    assert format_bytes(1) == "1 byte"
