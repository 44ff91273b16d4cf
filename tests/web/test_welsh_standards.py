"""Standards, the national comparison and the funnel's tooltips in the reader's language.

The assessment's ``standard`` column stays the English the API, the exports and the open data
give; every page and paper a reader reads words it again in their language
(``pmf.core.wording.standard_words``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from pmf.cli import main
from pmf.reports.document import Table
from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from pmf.web.papers.builders.exceptions import exception_report
from tests.factories import published, with_every_standard

pytestmark = pytest.mark.django_db

TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def standards(organisation: Organisation) -> Organisation:
    return with_every_standard(organisation)


def page_text(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return " ".join(html.unescape(TAG.sub(" ", response.content.decode())).split())


def reader(user: User, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


# Each standard and comparison as Welsh words it, and the English a Welsh page must not show.
WELSH = (
    "o fewn y gyllideb (£120)",
    "Angen gwella o leiaf",
    "dim eitemau",
    "yn erbyn cyfartaledd y grŵp mwyaf tebyg (5.0)",
    "yn sylweddol well na Cymru",
    "(rhagolwg cyfradd redeg)",
)
ENGLISH = (
    "within budget",
    "at least",
    "no items",
    "v. MSG average",
    "better than",
    "Wales",
    "run rate",
)


def english_in(text: str) -> list[str]:
    return [words for words in ENGLISH if words in text]


def test_a_welsh_scorecard_words_every_standard_and_the_national_unit_in_welsh(
    standards: Organisation, analyst: User
) -> None:
    text = page_text(reader(analyst, "cy"), "/TST/units/N/")
    assert [words for words in WELSH if words not in text] == []
    assert english_in(text) == []
    # The inspection's figure is its grade's Welsh name.
    assert "Annigonol" in text
    assert "Inadequate" not in text
    # The force is judged on improving on last year: said in Welsh too.
    force = page_text(reader(analyst, "cy"), "/TST/units/F/")
    assert "yn well na ffigur Gorffennaf 2018" in force
    assert english_in(force) == []


def test_the_scorecards_columns_stay_english_for_a_welsh_reader(
    standards: Organisation, analyst: User
) -> None:
    data = reader(analyst, "cy").get("/TST/units/N.json").json()
    rows = {row["measure"]: row for area in data["areas"] for row in area["measures"]}
    assert rows["OT"]["standard"] == "within budget (£120)"
    assert rows["OT"]["standard_text"] == "o fewn y gyllideb (£120)"
    assert rows["INSP"]["standard"] == "at least Requires improvement"
    assert rows["INSP"]["standard_text"] == "Angen gwella o leiaf"
    assert rows["INSP"]["value"] == 4
    assert rows["RR"]["standard"] == "no items"
    assert rows["CR"]["standard"] == "v. MSG average"
    # The national unit is named in English in the column, in Welsh in the note.
    assert rows["CR"]["national_comparison"] == "significantly better than Wales"
    assert rows["CR"]["note"].endswith("yn sylweddol well na Cymru")
    assert "national_name" not in rows["CR"]


def test_the_english_scorecard_is_unchanged(standards: Organisation, analyst: User) -> None:
    text = page_text(reader(analyst, "en-gb"), "/TST/units/N/")
    for words in (
        "within budget (£120)",
        "at least Requires improvement",
        "no items",
        "v. MSG average (5.0)",
        "significantly better than Wales",
        "forecast overspend (run rate forecast)",
        "Inadequate",
    ):
        assert words in text
    assert "Cymru" not in text


def test_the_welsh_exception_report_words_every_standard_in_welsh(
    standards: Organisation, analyst: User
) -> None:
    cycle = services.create_cycle(standards, number=1, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    with translation.override("cy"):
        document = exception_report(cycle)
    table = next(
        block
        for _, section in document.walk()
        for block in section.blocks
        if isinstance(block, Table) and block.caption == "Eithriadau ar gyfer North"
    )
    cells = {row[0]: row for row in table.rows}
    assert cells["Overtime spend"][2:4] == ("o fewn y gyllideb (£120)", "Heb ei fodloni")
    assert cells["Inspection"][2] == "Angen gwella o leiaf"
    assert cells["Risks above 75"][2] == "dim eitemau"
    assert cells["Crimes per 1,000"][2] == "yn erbyn cyfartaledd y grŵp mwyaf tebyg (5.0)"
    text = document.text()
    assert "yn sylweddol well na Cymru" in text
    assert english_in(text) == []
    with translation.override("en-gb"):
        english = exception_report(cycle).text()
    assert "within budget (£120)" in english
    assert "at least Requires improvement" in english
    assert "significantly better than Wales" in english


def test_the_welsh_public_site_words_every_standard_in_welsh(
    standards: Organisation, analyst: User, tmp_path: Path
) -> None:
    published(standards, analyst)
    arguments = ["publish", "-o", "TST", "--unsigned", "--out"]
    assert main([*arguments, str(tmp_path / "cy"), "--language", "cy"]) == 0
    unit = (tmp_path / "cy" / "units" / "N.html").read_text(encoding="utf-8")
    text = " ".join(html.unescape(TAG.sub(" ", unit)).split())
    # Its table of measures shows the standards (and no notes).
    assert [words for words in WELSH[:4] if words not in text] == []
    assert english_in(text) == []
    # The open data keep the English words of the standard.
    assert main([*arguments, str(tmp_path / "en")]) == 0
    data = (tmp_path / "cy" / "data" / "assessments.csv").read_text(encoding="utf-8")
    assert "within budget (£120)" in data
    assert data == (tmp_path / "en" / "data" / "assessments.csv").read_text(encoding="utf-8")
