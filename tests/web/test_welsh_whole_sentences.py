"""Sentences that were pieced together in English, now translated whole for Welsh readers."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pmf.core.history import GradeChange, changes_summary, grade_changes
from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from tests.core.test_history import AREAS, CYCLE_1, CYCLE_2, UNITS
from tests.web.test_welsh_pages import page_text


@pytest.fixture
def welsh(analyst: User) -> Client:
    client = Client()
    client.force_login(analyst)
    client.cookies["django_language"] = "cy"
    return client


@pytest.fixture(autouse=True)
def _django_translates_the_core() -> None:
    """The web application installs Django's translator when it starts (AccountsConfig)."""
    from pmf.web.i18n import install_core_translations

    install_core_translations()


def _summary(changes: list[GradeChange]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    summary = changes_summary(changes, top_unit="FORCE", unit_names=UNITS, area_names=AREAS)
    return summary.command_level, summary.top_level


def test_the_changes_in_grades_are_whole_welsh_sentences_with_welsh_grade_names() -> None:
    changes = grade_changes(CYCLE_1, CYCLE_2)
    with translation.override("cy"):
        command_level, top_level = _summary(changes)
        text = changes_summary(changes, top_unit="FORCE", unit_names=UNITS, area_names=AREAS).text

    assert command_level == (
        "Dau welliant, y ddau yn South LPA (o’r radd Angen gwella i’r radd Da ar gyfer FOCUS a "
        "SERVICE USER).",
        "Chwech o israddiadau, pedwar yn PROCESS.",
    )
    assert top_level == (
        "Un newid: israddiad o’r radd Da i’r radd Angen gwella ar gyfer PROCESS.",
        "Dim gradd ar gyfer INNOVATION (y radd yn y cylch diwethaf oedd Da).",
    )
    assert text.startswith("- Lefel yr unedau rheoli:\n")
    # The English is as it was, word for word, once Welsh is no longer active.
    assert _summary(changes)[0][1] == "Six downgrades, four in PROCESS."


def test_each_kind_and_count_of_change_in_grades_reads_in_welsh() -> None:
    changes = [
        GradeChange("NORTH", "FOCUS", "good", "requires_improvement"),
        GradeChange("SOUTH", "FOCUS", "good", "requires_improvement"),
        GradeChange("WEST", "FOCUS", "good", "inadequate"),
        GradeChange("NORTH", "INNOVATION", "no_grade", "good"),
        GradeChange("FORCE", "FOCUS", "requires_improvement", "good"),
        GradeChange("FORCE", "SERVICE", "requires_improvement", "good"),
    ]
    with translation.override("cy"):
        command_level, top_level = _summary(changes)
        nothing = _summary([])

    assert command_level == (
        "Tri o israddiadau, pob un yn FOCUS (o’r radd Da i’r radd Angen gwella: North LPA a "
        "South LPA; o’r radd Da i’r radd Annigonol: West LPA).",
        # A move from no grade is a sentence of its own: "o’r radd dim gradd" is not Welsh.
        "Un radd newydd, yn North LPA (y radd Da ar gyfer INNOVATION, heb radd cyn hynny).",
    )
    assert top_level == (
        "Dau o newidiadau: gwelliannau o’r radd Angen gwella i’r radd Da ar gyfer FOCUS a "
        "SERVICE USER.",
    )
    # No grade's initials in running text.
    assert " AG " not in " ".join(command_level + top_level)
    assert nothing == (("Dim newidiadau.",), ("Dim newidiadau.",))


@pytest.mark.django_db
def test_the_scorecards_legends_are_in_welsh_on_a_welsh_page(welsh: Client, analyst: User) -> None:
    text = page_text(welsh, "/TST/units/F/")
    assert "↑ cododd y ffigur, ↓ gostyngodd" in text
    assert "y ffigur diweddaraf o’i gymharu â therfynau siart y mesur ei hun" in text
    assert "the figure rose" not in text
    assert "the latest figure against the limits" not in text
    english = Client()
    english.force_login(analyst)
    assert "↑ the figure rose, ↓ it fell" in page_text(english, "/TST/units/F/")


@pytest.mark.django_db
def test_a_dashboard_tile_says_how_many_of_what_in_one_welsh_sentence(
    welsh: Client, analyst: User
) -> None:
    text = page_text(welsh, "/TST/dashboard/reds/")
    assert re.search(r"Mesurau sy’n goch yn erbyn eu safon: \d+\.", text)
    assert "v. MSG average" not in text
    assert "measures red against" not in text
    english = Client()
    english.force_login(analyst)
    assert re.search(
        r"\d+ measures red against their standard\.", page_text(english, "/TST/dashboard/reds/")
    )
    concerns = page_text(welsh, "/TST/dashboard/concerns/")
    assert "amrywiad sy’n peri pryder: " in concerns


def test_scale_names_and_the_delays_stages_are_named_in_welsh() -> None:
    from pmf.core.delay import STAGES
    from pmf.core.grading import DEFAULT_SCALE, GradeScale

    with translation.override("cy"):
        assert GradeScale.of({"scale": "peel"}).shown_name == "PEEL HMICFRS"
        assert DEFAULT_SCALE.shown_name == "Rhagorol, Da, Angen gwella, Annigonol"
        assert [translation.gettext(title) for _code, title in STAGES] == [
            "Ffigurau wedi'u cloi",
            "I'r bwrdd",
            "Cyhoeddwyd",
        ]
    assert GradeScale.of({"scale": "peel"}).shown_name == "HMICFRS PEEL"


@pytest.mark.django_db
def test_the_papers_page_names_each_paper_in_whole_welsh_sentences(
    welsh: Client, analyst: User, organisation: Organisation
) -> None:
    cycle = services.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    address = reverse("papers", args=["TST", 1])
    text = page_text(welsh, address)
    assert "Darllen papur y bwrdd yn y porwr" in text
    assert "Lawrlwytho’r adroddiad eithriadau fel PowerPoint" in text
    assert "Adroddiad canlyniadau chwarterol" in text
    english = Client()
    english.force_login(analyst)
    english_text = page_text(english, address)
    assert "Read the board paper in the browser" in english_text
    assert "Download the quarterly outcomes report as Word" in english_text


@pytest.mark.django_db
def test_the_header_offers_a_password_change_only_to_those_who_have_a_password(
    welsh: Client, analyst: User
) -> None:
    change = reverse("password_change")
    assert f'href="{change}"' in welsh.get("/TST/").content.decode()
    assert "newid eich cyfrinair" in page_text(welsh, "/TST/").casefold()
    # Someone who signs in only with single sign-on has no password of pmf's to change.
    analyst.set_unusable_password()
    analyst.save()
    welsh.force_login(analyst)
    page = welsh.get("/TST/").content.decode()
    assert f'href="{change}"' not in page
    assert "newid eich cyfrinair" not in page_text(welsh, "/TST/").casefold()
    assert analyst.get_username() in page_text(welsh, "/TST/")


@pytest.mark.django_db
def test_welsh_problems_link_to_their_own_fields(welsh: Client, analyst: User) -> None:
    url = reverse("intervention-new", kwargs={"org": "TST"})
    page = welsh.post(url, {"agreed_on": "soon"}).content.decode()
    assert 'href="#unit">Dewiswch uned.' in page
    assert 'href="#area">Dewiswch faes neu fesur.' in page
    assert 'href="#owner">Dewiswch berchennog' in page
    assert 'href="#description">Dywedwch beth sydd i&#x27;w wneud.' in page
    assert 'href="#agreed_on">Cytunwyd ar' in page
    english = Client()
    english.force_login(analyst)
    page = english.post(url, {"agreed_on": "soon"}).content.decode()
    assert 'href="#unit">Choose a unit.' in page
    assert 'href="#description">Say what is to be done.' in page


def test_a_lazy_problem_is_one_problem() -> None:
    from django.utils.translation import gettext_lazy

    from pmf.web.scorecards.templatetags.pmf_forms import _problems_of

    assert _problems_of(gettext_lazy("Choose a unit")) == ["Choose a unit"]
    with translation.override("cy"):
        assert _problems_of(gettext_lazy("Choose a unit")) == ["Dewiswch uned"]


@pytest.mark.django_db
def test_a_locked_cycle_in_welsh_names_its_stage_and_months_in_welsh(
    welsh: Client, analyst: User, organisation: Organisation
) -> None:
    cycle = services.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    text = page_text(welsh, "/TST/cycles/1/")
    assert "Symud ymlaen i hunanasesu" in text
    assert "cyfnodau sy'n dod i ben yn y flwyddyn hyd at ddiwedd Gorffennaf 2019" in text
    assert "Move on to" not in text
    english = Client()
    english.force_login(analyst)
    assert "Move on to self-assessment" in page_text(english, "/TST/cycles/1/")


@pytest.mark.django_db
def test_the_scorecards_periods_and_met_words_are_in_welsh_on_its_page(
    welsh: Client, analyst: User
) -> None:
    text = page_text(welsh, "/TST/units/F/")
    assert "Gorffennaf 2019" in text
    assert "Heb ei fodloni" in text or "Wedi'i fodloni" in text
    for english in (" Not met ", " Met "):
        assert english not in f" {text} "
    english_page = Client()
    english_page.force_login(analyst)
    assert "July 2019" in page_text(english_page, "/TST/units/F/")


def test_a_periods_label_is_shown_in_the_readers_language() -> None:
    from pmf.web.scorecards.templatetags.pmf_components import period_words

    with translation.override("cy"):
        assert period_words("July 2019") == "Gorffennaf 2019"
        assert period_words("not a period") == "not a period"
    assert period_words("July 2019") == "July 2019"


@pytest.mark.django_db
def test_a_measure_page_in_welsh_names_no_english_month(welsh: Client) -> None:
    text = page_text(welsh, "/TST/units/F/measures/ER/")
    assert not re.search(r"\b(?:January|April|May|June|July) 2019\b", text)
