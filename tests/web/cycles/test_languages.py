"""A locked cycle's rationale, reasons and recommendation in the reader's language.

The lock writes pmf's texts in English and in Welsh, whoever locks and in whichever language
they read; a Welsh reader reads pmf's Welsh on the grade page, in its history, in the audit
trail and in the board paper, an English reader pmf's English. A person's rationale is theirs:
shown as written in every language, or in the Welsh version they gave.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from pmf.reports.document import Bullets, Paragraph
from pmf.reports.html import render_html
from pmf.web.audit.models import AuditEvent
from pmf.web.cycles import services
from pmf.web.cycles.models import AreaGrade, Cycle, GradeEvent
from pmf.web.cycles.services import grade_version
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from pmf.web.papers.builders.board import board_paper
from tests.factories import advance_to, grade_of, member
from tests.web.test_welsh_pages import ENGLISH_FIELD, TAG, python_sentences

pytestmark = pytest.mark.django_db

# pmf's English sentences (core, web and papers catalogues) a Welsh reader must not meet.
SENTENCES = python_sentences()
AREA_PAGE = "/TST/cycles/{number}/units/{unit}/areas/FOCUS/"


def reader(user: User, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def text_of(page: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", ENGLISH_FIELD.sub(" ", page))).split())


def without_welsh_box(page: str) -> str:
    """Return the page without the edit form's Welsh version (pmf's Welsh, to edit)."""
    return re.sub(r'<textarea[^>]*lang="cy".*?</textarea>', "", page, flags=re.S)


def english_in(text: str) -> list[str]:
    return [sentence for sentence in SENTENCES if sentence in text]


def lines(rationale: str) -> list[str]:
    """Return the rationale's sentences as its pages show them: each bullet, each paragraph."""
    return [
        line.lstrip("-# ").strip()
        for line in rationale.splitlines()
        if line.strip() and not line.startswith("## ")
    ]


def test_a_cycle_locked_in_english_keeps_pmfs_texts_in_welsh_too(locked: Cycle) -> None:
    north = grade_of(locked, "N")
    assert north.rationale.startswith("## FOCUS – Requires Improvement\n")
    assert north.rationale == north.rationale_generated
    welsh = north.translations["cy"]
    assert welsh["rationale_generated"].startswith("## FOCUS – Angen gwella\n")
    assert "### Llinellau coch" in welsh["rationale_generated"]
    assert welsh["reasons"] == [
        "2 o’r 2 llinell goch heb eu cyrraedd "
        "(Emergency response within target a Crimes per 1,000)."
    ]
    assert [reason["text"] for reason in north.reasons] == [
        "2 of 2 redlines not met (Emergency response within target and Crimes per 1,000)."
    ]
    recommended = north.events.get(step=GradeEvent.Step.RECOMMENDED)
    assert recommended.text.startswith("Requires Improvement: 2 of 2 redlines not met")
    assert recommended.translations["cy"]["text"].startswith("Angen gwella: 2 o’r 2 llinell")


def test_a_welsh_reader_reads_the_grade_page_and_its_history_in_welsh(
    locked: Cycle, analyst: User
) -> None:
    north = grade_of(locked, "N")
    page = reader(analyst, "cy").get(AREA_PAGE.format(number=1, unit="N")).content.decode()
    text = text_of(page)
    for line in lines(north.translations["cy"]["rationale_generated"]):
        assert line in text, line
    assert "Angen gwella: 2 o’r 2 llinell goch heb eu cyrraedd" in text  # the history's step
    assert english_in(text) == []
    assert "Requires Improvement" not in text
    # Not edited, in Welsh as in English: pmf's own text is not offered as a second version.
    assert "Y rhesymeg fel y'i cynhyrchwyd gan pmf" not in text
    # The page's JSON is the reader's page too.
    data = json.loads(
        reader(analyst, "cy").get(AREA_PAGE.format(number=1, unit="N")[:-1] + ".json").content
    )
    assert data["rationale"] == north.translations["cy"]["rationale_generated"]
    assert data["reasons"][0]["text"] == north.translations["cy"]["reasons"][0]
    assert data["reasons"][0]["rule"] == north.reasons[0]["rule"]
    assert data["rationale_edited"] is False


def test_an_english_reader_reads_the_grade_page_as_before(locked: Cycle, analyst: User) -> None:
    north = grade_of(locked, "N")
    page = reader(analyst, "en-gb").get(AREA_PAGE.format(number=1, unit="N")).content.decode()
    text = text_of(page)
    for line in lines(north.rationale):
        assert line in text, line
    assert "Requires Improvement: 2 of 2 redlines not met" in text
    # Welsh only in the edit form's Welsh version.
    assert "Angen gwella" not in text_of(without_welsh_box(page))
    assert '<div class="govuk-inset-text pmf-rationale">' in page
    # The edit form offers the Welsh version, marked Welsh, prefilled with pmf's Welsh.
    assert 'id="rationale_cy" name="rationale_cy" rows="12" lang="cy"' in page


def test_the_audit_trail_says_pmfs_texts_in_welsh_and_records_them_in_english(
    locked: Cycle, analyst: User
) -> None:
    north = grade_of(locked, "N")
    welsh = text_of(reader(analyst, "cy").get("/TST/audit/?kind=grade").content.decode())
    assert "Angen gwella: 2 o’r 2 llinell goch heb eu cyrraedd" in welsh
    assert english_in(welsh) == []
    english = text_of(reader(analyst, "en-gb").get("/TST/audit/?kind=grade").content.decode())
    assert "Requires Improvement: 2 of 2 redlines not met" in english
    # The record itself is as it was written: English.
    event = AuditEvent.objects.get(kind="grade", object_id=str(north.pk), action="recommend")
    assert event.after["rationale"] == north.rationale_generated
    assert "translations" not in event.after


def test_the_welsh_board_paper_has_pmfs_rationale_in_welsh(cycles: Cycle) -> None:
    force = grade_of(cycles, "F")
    with translation.override("cy"):
        document = board_paper(cycles)
    page = render_html(document)
    text = " ".join(html.unescape(TAG.sub(" ", page)).split())
    for line in lines(force.translations["cy"]["rationale_generated"]):
        assert html.unescape(line) in text, line
    for line in lines(force.rationale):
        assert line not in text, line
    area = next(s for _, s in document.walk() if s.number == "5.1")
    written = " ".join(
        " ".join(block.items) if isinstance(block, Bullets) else block.lead + block.text
        for block in area.blocks
        if isinstance(block, (Bullets, Paragraph))
    )
    assert english_in(written) == []
    # In English, the paper says what it always said.
    english = " ".join(html.unescape(TAG.sub(" ", render_html(board_paper(cycles)))).split())
    for line in lines(force.rationale):
        assert line in english, line


def test_a_cycle_locked_in_welsh_has_the_same_texts_as_one_locked_in_english(
    cycle: Cycle, analyst: User
) -> None:
    with translation.override("cy"):
        services.lock_cycle(cycle, analyst.membership)
    welsh_lock = {
        (grade.unit.code, grade.area.code): (
            grade.rationale,
            grade.reasons,
            grade.translations,
            grade.events.get().text,
            grade.events.get().translations,
        )
        for grade in cycle.grades.select_related("unit", "area")
    }
    # The same cycle locked again, by an English reader.
    AreaGrade.objects.filter(cycle=cycle).delete()
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.DRAFT, framework=None)
    cycle.refresh_from_db()
    services.lock_cycle(cycle, analyst.membership, at=cycle.locked_at)
    english_lock = {
        (grade.unit.code, grade.area.code): (
            grade.rationale,
            grade.reasons,
            grade.translations,
            grade.events.get().text,
            grade.events.get().translations,
        )
        for grade in cycle.grades.select_related("unit", "area")
    }
    assert welsh_lock == english_lock
    assert welsh_lock[("N", "FOCUS")][0].startswith("## FOCUS – Requires Improvement")
    page = reader(analyst, "en-gb").get(AREA_PAGE.format(number=1, unit="N")).text
    text = text_of(without_welsh_box(page))
    assert "2 of 2 redlines not met" in text
    assert "llinell goch" not in text


def test_an_edited_rationale_is_shown_as_written_in_every_language(
    locked: Cycle, analyst: User
) -> None:
    north = grade_of(locked, "N")
    services.edit_rationale(north, analyst.membership, "Our own words on North.")
    for language in ("en-gb", "cy"):
        data = json.loads(
            reader(analyst, language)
            .get(AREA_PAGE.format(number=1, unit="N")[:-1] + ".json")
            .content
        )
        assert data["rationale"] == "Our own words on North."
        assert data["rationale_edited"] is True
    # Beside it, pmf's own text in the reader's language.
    welsh = text_of(reader(analyst, "cy").get(AREA_PAGE.format(number=1, unit="N")).text)
    assert "Y rhesymeg fel y'i cynhyrchwyd gan pmf" in welsh
    assert "Llinellau coch" in welsh
    assert english_in(welsh) == []
    # The board paper prints it as written, in Welsh as in English.
    force = grade_of(locked, "F")
    services.edit_rationale(force, analyst.membership, "The force's own words.")
    with translation.override("cy"):
        assert "The force's own words." in board_paper(locked).text()
    assert "The force's own words." in board_paper(locked).text()


def test_the_edit_form_takes_a_welsh_version_judged_edited_in_each_language(
    locked: Cycle, analyst: User
) -> None:
    north = grade_of(locked, "N")
    address = AREA_PAGE.format(number=1, unit="N")
    client = reader(analyst, "cy")
    page = client.get(address).content.decode()
    # The form edits the stored rationale (pmf's English, marked so) and its Welsh version.
    assert '<textarea class="govuk-textarea" id="rationale_cy" name="rationale_cy"' in page
    assert html.escape(north.translations["cy"]["rationale_generated"], quote=False) in page
    # Only the Welsh changed: the English readers still read pmf's text, unedited.
    response = client.post(
        address,
        {
            "step": "rationale",
            "version": grade_version(north),
            "rationale": north.rationale,
            "rationale_cy": "Ein geiriau ni am y Gogledd.",
        },
    )
    assert response.status_code == 302
    north.refresh_from_db()
    assert north.rationale == north.rationale_generated
    assert north.translations["cy"]["rationale"] == "Ein geiriau ni am y Gogledd."
    english = json.loads(reader(analyst, "en-gb").get(address[:-1] + ".json").content)
    assert english["rationale"] == north.rationale_generated
    assert english["rationale_edited"] is False
    welsh = json.loads(client.get(address[:-1] + ".json").content)
    assert welsh["rationale"] == "Ein geiriau ni am y Gogledd."
    assert welsh["rationale_edited"] is True
    assert welsh["events"][-1]["text"] == "Ein geiriau ni am y Gogledd."
    # The audit trail records the Welsh version as a field of its own.
    event = AuditEvent.objects.filter(kind="grade", action="edit rationale").get()
    assert event.after["rationale_cy"] == "Ein geiriau ni am y Gogledd."
    assert "rationale_cy" not in event.before
    # Both edited; then the Welsh left as pmf wrote it: no Welsh version, the English as written.
    north.refresh_from_db()
    client.post(
        address,
        {
            "step": "rationale",
            "version": grade_version(north),
            "rationale": "Our words.",
            "rationale_cy": north.translations["cy"]["rationale_generated"],
        },
    )
    north.refresh_from_db()
    assert north.rationale == "Our words."
    assert "rationale" not in north.translations["cy"]
    welsh = json.loads(client.get(address[:-1] + ".json").content)
    assert welsh["rationale"] == "Our words."
    assert welsh["rationale_edited"] is True
    assert welsh["rationale_generated"] == north.translations["cy"]["rationale_generated"]


def test_a_cycle_locked_before_pmf_kept_welsh_shows_its_english_marked_english(
    cycles: Cycle, analyst: User
) -> None:
    # As a cycle locked before this change is: English only.
    AreaGrade.objects.update(translations={})
    GradeEvent.objects.update(translations={})
    north = grade_of(cycles, "N")
    summary = north.events.get(step=GradeEvent.Step.RECOMMENDED).text
    page = reader(analyst, "cy").get(AREA_PAGE.format(number=2, unit="N")).content.decode()
    assert '<div class="govuk-inset-text pmf-rationale" lang="en-GB">' in page
    assert '<ul class="govuk-list govuk-list--bullet" lang="en-GB">' in page
    assert "Cafodd y cylch hwn ei gloi cyn i pmf gadw rhesymeg a rhesymau'r cylch" in text_of(page)
    # Shown as written, and said to be English.
    assert html.escape(lines(north.rationale)[0]) in page
    assert f'lang="en-GB">{html.escape(summary)}' in page
    with translation.override("cy"):
        text = board_paper(cycles).text()
    assert "Cafodd y cylch hwn ei gloi cyn i pmf gadw rhesymeg y cylch yn Gymraeg" in text
    # An English reader is told nothing new.
    english = reader(analyst, "en-gb").get(AREA_PAGE.format(number=2, unit="N")).text
    assert '<div class="govuk-inset-text pmf-rationale">' in english
    assert "was locked before pmf kept" not in english
    assert "was locked before pmf kept" not in board_paper(cycles).text()


def test_the_example_historys_agreement_is_said_in_welsh(
    organisation: Organisation, analyst: User
) -> None:
    # The history locks each cycle with the figures held then: these were held from 2018.
    Observation.objects.update(recorded_at=dt.datetime(2018, 1, 1, tzinfo=dt.UTC))
    services.record_history(
        organisation,
        ((1, "Spring", "2018-07", "2018-10-01"), (2, "Summer", "2019-07", "2019-10-01")),
    )
    force = grade_of(Cycle.objects.get(organisation=organisation, number=1), "F")
    assert force.agreed_rationale == services.HISTORY_NOTE
    note = force.translations["cy"]["agreed_rationale"]
    assert note.startswith("Hanes enghreifftiol:")
    with translation.override("cy"):
        assert note in board_paper(force.cycle).text()
    agreed = force.events.get(step=GradeEvent.Step.AGREED)
    assert agreed.translations == {"cy": {"text": note}}
    welsh = text_of(reader(analyst, "cy").get("/TST/audit/?kind=grade").content.decode())
    assert "Example history" not in welsh
    assert english_in(welsh) == []


def test_a_board_member_of_one_unit_may_not_agree_the_organisations_grades(
    locked: Cycle, analyst: User, organisation: Organisation
) -> None:
    scoped = member("board_north", organisation, "board_member", unit="N")
    advance_to(locked, analyst, Cycle.State.BOARD)
    with pytest.raises(services.WorkflowRefused) as refused:
        services.agree(grade_of(locked, "F"), scoped.membership, "good", "x")
    assert refused.value.problems == [
        "Force is not in your part of the organisation: you may not agree its grades"
    ]
    with translation.override("cy"), pytest.raises(services.WorkflowRefused) as refused:
        services.agree(grade_of(locked, "F"), scoped.membership, "good", "x")
    assert refused.value.problems == [
        "nid yw Force yn eich rhan chi o'r sefydliad: ni chewch gytuno ar ei raddau"
    ]
