"""The scorecard presenters: what the measure page's charts are built from."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_funnel_plot_of_units_of_the_same_kind() -> None:
    import polars as pl

    from pmf.core.framework import load_framework
    from pmf.web.scorecards.presenters import _funnel
    from tests.factories import GOOD

    framework = load_framework(
        GOOD.replace(
            "  - {code: S, name: South, type: command, parent: F}",
            "  - {code: S, name: South, type: command, parent: F}\n"
            "  - {code: W, name: West, type: command, parent: F}",
        )
    )
    figures = pl.DataFrame(
        {
            "unit": ["N", "S", "W", "F"],
            "measure": "CR",
            "period": "2019-07",
            "value": [6.0, 4.0, 12.0, 7.0],
            "numerator": [60.0, 40.0, 240.0, 340.0],
            "denominator": [10_000.0, 10_000.0, 20_000.0, 40_000.0],
        }
    )
    funnel = _funnel(framework, figures, "N", framework.measure("CR"), "2019-07")
    assert funnel is not None
    assert [point["unit"] for point in funnel["points"]] == ["N", "S", "W"]  # commands only
    assert {point["significance"] for point in funnel["points"]} <= {
        "High (0.001)",
        "High (0.025)",
        "Not significant",
        "Low (0.025)",
        "Low (0.001)",
    }
    west = funnel["points"][-1]
    assert west["significance"] == "High (0.001)"  # 12 per 1,000 against 8.5 overall
    assert funnel["average_text"] == "8.5"
    assert (
        _funnel(
            framework,
            figures.filter(pl.col("unit") != "W"),
            "N",
            framework.measure("CR"),
            "2019-07",
        )
        is None
    )
