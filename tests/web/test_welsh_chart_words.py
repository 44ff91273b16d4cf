"""The core's words about charts in Welsh: where an SPC chart's limits come from, the funnel
plot's limits, and the Making Data Count matrix's headings, with no inserted word to mutate.

English stays as it was, word for word (the same functions with no language active).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from pmf.core.baseline import ChartSettings, chart_series, describe_limits
from pmf.core.mdc import ASSURANCE_COLUMNS, VARIATION_ROWS
from pmf.core.overdispersion import Dispersion, describe
from pmf.core.periods import PeriodKind


@pytest.fixture(autouse=True)
def _django_translates_the_core() -> None:
    from pmf.web.i18n import install_core_translations

    install_core_translations()


def _chart(periods: list[str], **settings: object):
    values = [4.0, 6.0] * (len(periods) // 2) + [5.0] * (len(periods) % 2)
    return chart_series(periods, values, ChartSettings(**settings))  # type: ignore[arg-type]


def test_where_the_limits_come_from_is_said_in_welsh_with_welsh_months() -> None:
    chart = _chart([f"2024-{m:02d}" for m in range(1, 13)], window=12)
    english = describe_limits(chart, PeriodKind.MONTH)
    with translation.override("cy"):
        welsh = describe_limits(chart, PeriodKind.MONTH)
    assert english == (
        "Trial limits (fewer than 20 points) from the 12 months January 2024 to December 2024."
    )
    # An en dash between the months: "i Ragfyr" would need the month mutated.
    assert welsh == "Terfynau prawf (llai na 20 pwynt) o’r 12 mis, Ionawr 2024 – Rhagfyr 2024."


@pytest.mark.parametrize(
    ("periods", "kind", "welsh"),
    [
        (
            [f"{year} Q{q}" for year in (2020, 2021, 2022, 2023, 2024) for q in (1, 2, 3, 4)],
            PeriodKind.QUARTER,
            "Terfynau o’r 20 chwarter, 2020 Ch1 – 2024 Ch4.",
        ),
        (
            [str(year) for year in range(2000, 2024)],
            PeriodKind.YEAR,
            "Terfynau o’r 20 o flynyddoedd, 2000 – 2019.",
        ),
    ],
)
def test_each_kind_of_period_has_its_own_welsh_words(
    periods: list[str], kind: PeriodKind, welsh: str
) -> None:
    chart = _chart(periods, window=len(periods))
    with translation.override("cy"):
        assert describe_limits(chart, kind) == welsh
    assert describe_limits(chart, kind).startswith("Limits from the 20 ")


def test_the_funnel_plots_limits_are_said_in_welsh() -> None:
    exact = Dispersion("none", None, None, 1.0, 10, False)
    widened = Dispersion("shmi", 3.2, 0.01, 95.0, 120, True)
    with translation.override("cy"):
        assert describe(exact) == "Terfynau union, heb eu haddasu ar gyfer gorwasgariad."
        assert describe(widened) == (
            "Terfynau wedi’u lledu ar gyfer gorwasgariad (dull SHMI, phi = 3.2)."
        )
    assert describe(exact) == "Exact limits, not adjusted for overdispersion."


def test_the_making_data_count_headings_are_welsh() -> None:
    with translation.override("cy"):
        rows = [translation.gettext(title) for _code, title, _icons in VARIATION_ROWS]
        columns = [translation.gettext(title) for _code, title, _icons in ASSURANCE_COLUMNS]
    assert rows[0] == "Gwelliant achos arbennig"
    assert columns == [
        "Yn llwyddo’n gyson",
        "Weithiau’n llwyddo, weithiau’n methu",
        "Yn methu’n gyson",
        "Dim targed",
    ]


def test_the_funnel_plots_significance_is_shown_in_welsh_and_kept_in_english() -> None:
    from django.template import Context, Template

    from pmf.core.funnel import HIGH_001, NOT_SIGNIFICANT

    shown = Template("{% load i18n %}{% translate point.significance %}")
    with translation.override("cy"):
        assert shown.render(Context({"point": {"significance": HIGH_001}})) == "Uchel (0.001)"
        assert translation.gettext(NOT_SIGNIFICANT) == "Nid yw’n arwyddocaol"
    # The data keep the English label, as PHEindicatormethods spells it.
    assert NOT_SIGNIFICANT == "Not significant"
