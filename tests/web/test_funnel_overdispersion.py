"""The measure page's funnel uses the framework's overdispersion choice and says which.

The boroughs' figures are those of ``test_charts.py``: violence with injury per 1,000
residents in twelve London command units, which vary far more than chance allows.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from pmf.core.framework import load_framework
from pmf.web.scorecards.presenters import _funnel
from tests.web.test_charts import BOROUGHS, FRAMEWORK


def figures(extra: str = "", measure_extra: str = "") -> tuple:
    text = FRAMEWORK.replace(
        "    rollup: pooled_ratio\n", f"    rollup: pooled_ratio\n{measure_extra}"
    )
    assert not measure_extra or measure_extra in text
    framework = load_framework(text + extra)
    frame = pl.DataFrame(
        {
            "unit": list(BOROUGHS),
            "measure": ["VWI"] * len(BOROUGHS),
            "period": ["2025-11"] * len(BOROUGHS),
            "numerator": [float(events) for _, _, events in BOROUGHS.values()],
            "denominator": [float(people) for _, people, _ in BOROUGHS.values()],
        }
    ).with_columns(value=pl.col("numerator") / pl.col("denominator") * 1000)
    return framework, frame, framework.measure("VWI")


def test_without_a_choice_the_funnel_draws_exact_limits_and_says_so() -> None:
    framework, frame, measure = figures()
    assert framework.funnel_overdispersion(measure) == "none"
    funnel = _funnel(framework, frame, "CW", measure, "2025-11")
    assert funnel is not None
    assert funnel["adjustment"] == "Exact limits, not adjusted for overdispersion."
    assert not funnel["adjusted"]
    # PHEindicatormethods' labels, read from the exact limits the table prints.
    flagged = [p["significance"] for p in funnel["points"] if p["significance"].endswith("001)")]
    assert len(flagged) == 5


def test_the_frameworks_shmi_choice_widens_the_limits_and_names_the_method() -> None:
    framework, frame, measure = figures("funnel: {overdispersion: shmi}\n")
    assert framework.funnel_overdispersion(measure) == "shmi"
    exact = _funnel(*figures()[:1], frame, "CW", measure, "2025-11")
    funnel = _funnel(framework, frame, "CW", measure, "2025-11")
    assert funnel is not None and exact is not None
    assert re.fullmatch(
        r"Limits widened for overdispersion \(SHMI method, phi = [\d.]+\)\.", funnel["adjustment"]
    )
    assert funnel["adjusted"]
    assert funnel["adjustment"] in funnel["chart"]["description"]

    # Fewer boroughs are beyond the widened limits, and the lines are further apart.
    def beyond(plot: dict) -> int:
        return sum(p["significance"] != "Not significant" for p in plot["points"])

    assert beyond(funnel) < beyond(exact)

    def highest(plot: dict) -> float:
        lines = plot["chart"]["layer"][0]["data"]["values"]
        return max(v["y"] for v in lines if v["line"] == "upper_998")

    assert highest(funnel) > highest(exact)
    # The table gives each unit's limits, as the page prints figures.
    cw = next(p for p in funnel["points"] if p["unit"] == "CW")
    assert re.fullmatch(r"\d+\.\d\d to \d+\.\d\d", cw["limits_998_text"])


def test_a_measures_own_choice_wins_over_the_frameworks() -> None:
    framework, frame, measure = figures(
        "funnel: {overdispersion: shmi}\n", "    funnel: {overdispersion: cqc}\n"
    )
    assert framework.funnel_overdispersion(measure) == "cqc"
    funnel = _funnel(framework, frame, "CW", measure, "2025-11")
    assert funnel is not None
    assert "(CQC method, phi = " in funnel["adjustment"]


def test_an_unknown_method_is_refused_when_the_framework_loads() -> None:
    from pmf.core.framework import FrameworkError

    with pytest.raises(FrameworkError, match="overdispersion"):
        figures("funnel: {overdispersion: fisher}\n")


@pytest.mark.django_db
def test_the_choice_survives_storing_and_rebuilding_the_framework() -> None:
    from pmf.web.frameworks.models import Organisation
    from pmf.web.frameworks.services import framework_of, store_framework

    framework, _, _ = figures(
        "funnel: {overdispersion: shmi}\n", "    funnel: {overdispersion: cqc}\n"
    )
    store_framework(framework)
    rebuilt = framework_of(Organisation.objects.get(code="TST"))
    assert rebuilt.model.funnel.overdispersion == "shmi"
    assert rebuilt.funnel_overdispersion(rebuilt.measure("VWI")) == "cqc"
