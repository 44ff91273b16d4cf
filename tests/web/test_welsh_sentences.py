"""The sentences pmf.core writes, in Welsh when the reader chose Cymraeg (Django's translator)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.utils import translation

from pmf.core import i18n
from pmf.core.assessment import assess
from pmf.core.framework import load_framework
from pmf.core.grading import GradeScale
from pmf.core.rationale import rationale
from pmf.core.scorecard import significance_of
from pmf.core.text import format_date, join_words, period_name
from pmf.core.wording import position_words, significance_words, trend_words
from tests.factories import GOOD, observations

FIGURES = [
    ("N", "ER", "2019-04", 85.0, None, None),
    ("N", "ER", "2019-05", 86.0, None, None),
    ("N", "ER", "2019-06", 87.0, None, None),
    ("N", "ER", "2019-07", 88.0, None, None),
    ("S", "ER", "2019-04", 85.0, None, None),
    ("S", "ER", "2019-05", 82.0, None, None),
    ("S", "ER", "2019-06", 78.0, None, None),
    ("S", "ER", "2019-07", 71.94, None, None),
    ("N", "CR", "2019-06", 2.0, 2.0, 1000.0),
    ("S", "CR", "2019-06", 3.0, 3.0, 1000.0),
    ("N", "CR", "2019-07", 2.0, 2.0, 1000.0),
    ("S", "CR", "2019-07", 4.0, 4.0, 1000.0),
]
WELSH_NAMES = GOOD.replace(
    "name: Emergency response within target\n",
    "name: Emergency response within target\n    name_cy: Ymateb brys o fewn y targed\n",
)


@pytest.fixture(autouse=True)
def _django_translates_the_core() -> None:
    """The web application installs Django's translator when it starts (AccountsConfig)."""
    from pmf.web.i18n import install_core_translations

    install_core_translations()


def test_the_rationale_is_written_in_welsh_for_a_welsh_reader() -> None:
    framework = load_framework(WELSH_NAMES)
    figures = observations(FIGURES)
    with translation.override("cy"):
        now = assess(framework, figures, units=["N", "S"], cut=dt.date(2019, 7, 31))
        before = assess(framework, figures, units=["N", "S"], cut=dt.date(2019, 6, 30))
        found = rationale(framework.in_language(i18n.language()), now, "S", "FOCUS", before)
        text = found.text
    assert found.grade_line == "FOCUS – Angen gwella"
    assert found.redlines[0] == (
        "Ymateb brys o fewn y targed – Heb ei gyrraedd. 71.9% o’i gymharu â’r targed o ≥ 80.0%; "
        "yr ail yn ei grŵp mwyaf tebyg, 10.0% yn is na chyfartaledd y grŵp mwyaf tebyg; "
        "roedd 5.5% yn is yn y bwrdd diwethaf. "
        "Wedi dirywio ers y bwrdd diwethaf (78.0% yn ystod Mehefin 2019). "
        "Wedi bod yn dirywio’n barhaus ers Ebrill 2019."
    )
    assert found.reasons == (
        "2 o’r 2 llinell goch heb eu cyrraedd (Ymateb brys o fewn y targed a Crimes per 1,000).",
    )
    # The columns stay English data, written from the same messages, whoever assessed.
    south = now.filter((pl.col("unit") == "S") & (pl.col("measure") == "ER")).row(0, named=True)
    assert south["position"] == "second in its MSG and 10.0% below the MSG average"
    assert south["trend"] == "has been continually deteriorating since April 2019"
    assert (south["rank"], south["deteriorating_since"]) == (2, "2019-04")
    assert "### Llinellau coch" in text
    assert "### DPAau" in text
    # The same assessment, read in English, says what it always said.
    with translation.override("en-gb"):
        english = rationale(framework, now, "S", "FOCUS", before)
    assert english.grade_line == "FOCUS – Requires Improvement"
    assert english.redlines[0].startswith(
        "Emergency response within target – Not Met. 71.9% against the target of ≥ 80.0%; "
        "second in its MSG and 10.0% below the MSG average; it was 5.5% below at the last board."
    )


def test_dates_periods_and_lists_in_welsh() -> None:
    with translation.override("cy"):
        assert format_date(dt.date(2026, 12, 7)) == "7 Rhagfyr 2026"
        assert period_name("2025-04") == "Ebrill 2025"
        assert period_name("2025/26 Q1") == "2025/26 Ch1"
        assert join_words(["Caerdydd", "Abertawe", "Wrecsam"]) == "Caerdydd, Abertawe a Wrecsam"
        assert join_words(["Caerdydd", "Abertawe"]) == "Caerdydd ac Abertawe"
        assert significance_words("worse") == (
            "yn sylweddol waeth na chyfartaledd y grŵp mwyaf tebyg"
        )
    with translation.override("en-gb"):
        assert format_date(dt.date(2026, 12, 7)) == "7 December 2026"
        assert join_words(["A", "B", "C"]) == "A, B and C"


@pytest.mark.parametrize(
    ("scale", "welsh"),
    [
        ("default", ["Rhagorol", "Da", "Angen gwella", "Annigonol", "Dim gradd"]),
        ("peel", ["Rhagorol", "Da", "Digonol", "Angen gwella", "Annigonol", "Dim gradd"]),
        ("ofsted", ["Rhagorol", "Da", "Angen gwella", "Annigonol", "Dim gradd"]),
        ("cqc", ["Rhagorol", "Da", "Angen gwella", "Annigonol", "Dim gradd"]),
    ],
)
def test_every_built_in_scale_names_its_grades_in_welsh(scale: str, welsh: list[str]) -> None:
    grades = GradeScale.of({"scale": scale})
    with translation.override("cy"):
        assert [choice["label"] for choice in grades.choices()] == welsh
        # Running text names the grade in full: no key explains initials there.
        assert grades.short("requires_improvement") == "Angen gwella"
    # The codes stored and sent stay as they are.
    assert [choice["value"] for choice in grades.choices()][-1] == "no_grade"


def test_pages_write_dates_in_welsh_as_in_english() -> None:
    from django.utils import formats

    day = dt.date(2026, 12, 7)
    with translation.override("cy"):
        assert formats.date_format(day) == "7 Rhagfyr 2026"
        assert formats.date_format(dt.datetime(2026, 12, 7, 14, 5), "DATETIME_FORMAT") == (
            "7 Rhagfyr 2026, 14:05"
        )
    with translation.override("en-gb"):
        assert formats.date_format(day) == "7 December 2026"


def test_the_scorecards_words_in_welsh() -> None:
    from pmf.core.scorecard import direction_text, spc_text, verdict_words

    with translation.override("cy"):
        assert direction_text("improving", "higher_is_better") == "↑ gwell"
        assert direction_text("no change") == "→ dim newid"
        assert spc_text("special_cause_concern", "consistent_fail", True) == (
            "pryder; yn methu (treial)"
        )
        assert verdict_words(
            True, [trend_words("2025-09", "run")], "special_cause_improvement"
        ) == ("wedi’i gyrraedd ac yn dangos gwelliant achos arbennig, ond yn dirywio ers Medi 2025")
    with translation.override("en-gb"):
        assert spc_text("special_cause_concern", "consistent_fail", True) == (
            "concern; fails (trial)"
        )


def test_key_drivers_name_what_they_compare_with_in_welsh() -> None:
    from pmf.core.drivers import Against, compared_words

    with translation.override("cy"):
        assert compared_words(Against.PREVIOUS_PERIOD, "2025-06") == "Mehefin 2025"
        assert compared_words(Against.STANDARD, "2019-07", "peer_average") == (
            "cyfartaledd y grŵp mwyaf tebyg yn ystod Gorffennaf 2019"
        )
        assert compared_words(Against.STANDARD, "2019-07", "zero") == "y safon o ddim eitemau"
        assert compared_words(Against.STANDARD, "2019-07", "peer_average", english=True) == (
            "the MSG average of July 2019"
        )
    with translation.override("en-gb"):
        assert compared_words(Against.STANDARD, "2019-07", "peer_average") == (
            "the MSG average of July 2019"
        )


def test_a_unit_joining_the_framework_is_said_in_welsh() -> None:
    from pmf.core.framework import Framework, FrameworkModel
    from pmf.core.membership import membership_words

    framework = Framework(
        FrameworkModel.model_validate(
            {
                "organisation": {"code": "F", "name": "Force"},
                "areas": [{"code": "A", "name": "Area"}],
                "units": [
                    {
                        "code": "CM",
                        "name": "Rheoli Cyswllt",
                        "type": "command",
                        "member": {"from": "2025-09"},
                    }
                ],
            }
        )
    )
    with translation.override("cy"):
        words = membership_words(framework, "CM", dt.date(2025, 11, 30), dt.date(2025, 8, 31))
    assert words == (
        "Ymunodd Rheoli Cyswllt â’r fframwaith yn y cylch hwn (gan ddechrau Medi 2025): "
        "ni chaiff ei ffigurau cyn hynny eu barnu."
    )


def test_spc_variation_and_assurance_words_for_pages_in_welsh() -> None:
    from pmf.core.scorecard import assurance_words, variation_words

    with translation.override("cy"):
        assert variation_words("common_cause") == "achos cyffredin"
        assert assurance_words("inconsistent") == "weithiau’n llwyddo, weithiau’n methu"
        assert variation_words(None, "–") == "–"
    with translation.override("en-gb"):
        assert variation_words("common_cause") == "common cause"


def test_a_run_of_worse_periods_is_counted_in_welsh() -> None:
    from pmf.core.history import number_words
    from pmf.core.scorecard import steps_words

    with translation.override("cy"):
        assert steps_words("2025-09", 2) == "ym mhob un o’r ddau fis diwethaf"
        assert steps_words("2025-09", 3) == "ym mhob un o’r tri mis diwethaf"
        assert steps_words("2025/26 Q1", 2) == "ym mhob un o’r ddau chwarter diwethaf"
        # Sentences not yet translated whole keep their English numbers.
        assert number_words(2) == "two"
    with translation.override("en-gb"):
        assert steps_words("2025-09", 2) == "each of the last two months"


def test_the_comparisons_are_written_from_their_data_in_welsh_and_as_the_columns_in_english() -> (
    None
):
    """Each phrase is one whole message: its Welsh is written from the data, not from English."""
    with translation.override("cy"):
        assert position_words(2, -3.21, "2025-08") == (
            "yn ystod Awst 2025, yr ail yn ei grŵp mwyaf tebyg, "
            "3.2% yn is na chyfartaledd y grŵp mwyaf tebyg"
        )
        assert position_words(1, 0.0) == (
            "y cyntaf yn ei grŵp mwyaf tebyg, yn gyfartal â chyfartaledd y grŵp mwyaf tebyg"
        )
        assert trend_words("2018-07") == "wedi bod yn dirywio’n barhaus ers Gorffennaf 2018"
        assert significance_words("similar", "Cymru") == "heb fod yn sylweddol wahanol i Cymru"
        national = {
            "national_comparison": "significantly better than Other Force",
            "national_code": "better",
        }
        assert significance_of(national, national=True) == "yn sylweddol well na Other Force"
        # The columns' English, whatever the reader's language.
        assert position_words(2, -3.21, "2025-08", english=True) == (
            "in August 2025, second in its MSG and 3.2% below the MSG average"
        )
        assert trend_words("2018-07", english=True) == (
            "has been continually deteriorating since July 2018"
        )
    with translation.override("en-gb"):
        assert position_words(2, -3.21, "2025-08") == (
            "in August 2025, second in its MSG and 3.2% below the MSG average"
        )


# Every kind of standard: the framework's words, the assessment's English column, the Welsh.
STANDARD_KINDS = [
    ("{type: target, comparison: '>=', value: 80}", "≥ 80.0%", "≥ 80.0%"),
    ("{type: peer_average}", "v. MSG average", "yn erbyn cyfartaledd y grŵp mwyaf tebyg"),
    ("{type: zero}", "no items", "dim eitemau"),
    (
        "{type: within_budget, budget: 1200}",
        "within budget (1,200.0%)",
        "o fewn y gyllideb (1,200.0%)",
    ),
    ("{type: inspection_grade, minimum: good}", "at least Good", "Da o leiaf"),
    (
        "{type: inspection_grade, minimum: requires_improvement}",
        "at least Requires improvement",
        "Angen gwella o leiaf",
    ),
    ("{type: inspection_grade, minimum: outstanding}", "at least Outstanding", "Rhagorol o leiaf"),
    ("{type: inspection_grade, minimum: inadequate}", "at least Inadequate", "Annigonol o leiaf"),
    (
        "{type: improvement, against: same_period_last_year}",
        "better than same period last year",
        "yn well na’r un cyfnod y llynedd",
    ),
    (
        "{type: improvement, against: previous_period}",
        "better than previous period",
        "yn well na’r cyfnod blaenorol",
    ),
]


@pytest.mark.parametrize(("standard", "english", "welsh"), STANDARD_KINDS)
def test_every_kind_of_standard_is_worded_in_welsh_and_its_column_stays_english(
    standard: str, english: str, welsh: str
) -> None:
    from pmf.core.assessment import describe_standard
    from pmf.core.scorecard import ScorecardRow
    from pmf.core.wording import standard_words

    framework = load_framework(
        GOOD.replace(
            'standard: {type: target, comparison: ">=", value: 80}', f"standard: {standard}"
        )
    )
    measure = framework.measure("ER")
    with translation.override("cy"):
        # The column is English whoever assesses; the reader's words are Welsh.
        assert describe_standard(measure, measure.standard[0]) == english
        assert standard_words(english) == welsh
    with translation.override("en-gb"):
        assert describe_standard(measure, measure.standard[0]) == english
        assert standard_words(english) == english
    # A scorecard row shows it so (here with no figure to compare with).
    fields = {name: None for name in ScorecardRow.__dataclass_fields__}
    row = ScorecardRow(
        **{
            **fields,
            "area": "FOCUS",
            "measure": "ER",
            "name": "ER",
            "kind": "redline",
            "period": "2019-07",
            "period_label": "July 2019",
            "value_text": "–",
            "standard": english,
            "reference_text": "–",
            "met_text": "–",
            "origin": "entered",
            "polarity": "higher_is_better",
            "provisional": False,
            "warned": False,
        }
    )
    with translation.override("cy"):
        assert row.standard_text == welsh
    with translation.override("en-gb"):
        assert row.standard_text == english


def test_words_that_are_no_standards_are_shown_as_they_are() -> None:
    from pmf.core.wording import standard_words

    with translation.override("cy"):
        assert standard_words("–") == "–"
        assert standard_words("at least Brilliant") == "at least Brilliant"
        assert standard_words("within budget") == "within budget"


def test_the_funnel_plots_tooltips_are_in_welsh() -> None:
    from pmf.reports.charts.funnel import funnel_chart

    points = [
        {
            "name": "North",
            "denominator": 1000.0,
            "denominator_text": "1,000",
            "value": 6.0,
            "value_text": "6.0",
            "limits_998_text": "1.0 to 9.0",
            "significance": "High (0.025)",
            "is_unit": True,
        }
    ]
    with translation.override("cy"):
        chart = funnel_chart("Troseddau", "Gorffennaf 2019", [], points, 5.0, "Poblogaeth")
    tooltip = chart["layer"][2]["encoding"]["tooltip"]
    assert [item["title"] for item in tooltip] == [
        "Uned",
        "Poblogaeth",
        "Gwerth",
        "Terfynau 99.8%",
        "Arwyddocâd",
    ]
    assert chart["layer"][2]["data"]["values"][0]["significance"] == "Uchel (0.025)"
    # The points given (the page's JSON) keep their English.
    assert points[0]["significance"] == "High (0.025)"
    with translation.override("en-gb"):
        english = funnel_chart("Crimes", "July 2019", [], points, 5.0, "Population")
    assert [item["title"] for item in english["layer"][2]["encoding"]["tooltip"]] == [
        "Unit",
        "Population",
        "Value",
        "99.8% limits",
        "Significance",
    ]
    assert english["layer"][2]["data"]["values"][0]["significance"] == "High (0.025)"


def test_a_grade_measures_figures_are_named_in_welsh_and_its_column_stays_english() -> None:
    from pmf.core.assessment import describe_standard
    from pmf.core.framework import Measure, TargetStandard
    from pmf.core.text import format_value

    inspection = Measure(
        code="INSP",
        name="Inspection",
        area="FOCUS",
        kind="redline",
        polarity="lower_is_better",
        unit_of_measure="grade",
        frequency="month",
    )
    target = TargetStandard(type="target", comparison="<=", value=2)
    with translation.override("cy"):
        assert [format_value(rank, inspection) for rank in (1, 2, 3, 4)] == [
            "Rhagorol",
            "Da",
            "Angen gwella",
            "Annigonol",
        ]
        assert format_value(3, inspection, english=True) == "Requires improvement"
        assert describe_standard(inspection, target) == "≤ Good"
    with translation.override("en-gb"):
        assert format_value(4, inspection) == "Inadequate"


@pytest.mark.parametrize(
    ("unit", "english", "welsh"),
    [
        ("days", "12.5 days", "12.5 diwrnod"),
        ("hours", "12.5 hours", "12.5 awr"),
        ("minutes", "12.5 min", "12.5 munud"),
        ("years", "12.5 years", "12.5 blynedd"),
    ],
)
def test_a_durations_unit_is_named_in_the_readers_language(
    unit: str, english: str, welsh: str
) -> None:
    from pmf.core.framework import Measure
    from pmf.core.text import format_value

    measure = Measure(code="D", name="D", area="A", kind="kpi", polarity="lower_is_better",
                      unit_of_measure=unit, frequency="month")  # fmt: skip
    assert format_value(12.5, measure) == english
    with translation.override("cy"):
        assert format_value(12.5, measure) == welsh
        assert format_value(12.5, measure, english=True) == english
