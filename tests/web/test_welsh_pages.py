"""Pages asked for in Welsh show their templates' text in Welsh and none of it in English.

The reader's language comes from the ``django_language`` cookie (Django's LocaleMiddleware).
Only the templates' own text is checked here: the messages written by the web application's
Python and by the core have their own catalogues and tests.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import polib
import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from pmf.cli import main
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from tests.factories import published, with_email, with_every_standard
from tests.web.test_frame import crawl

pytestmark = pytest.mark.django_db

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "src/pmf/locale/templates/cy/LC_MESSAGES/django.po"
)
TAG = re.compile(r"<[^>]+>")
# The rationale's edit form holds the English it edits beside its Welsh version, marked English.
ENGLISH_FIELD = re.compile(r'<textarea[^>]*\blang="en-GB"[^>]*>.*?</textarea>', re.S)
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def english_sentences() -> list[str]:
    """Return the templates' English messages of three words or more that Welsh words differently.

    A message with placeholders is split at them, and each piece of three words or more is
    kept: the page holds the pieces around the values put in. The pieces the application's
    Python also writes are kept too, since the Python's words reach Welsh pages in Welsh (the
    rationale recommended at the lock too: pmf keeps it in Welsh as well).
    """
    found = set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.msgid_plural or entry.msgstr == entry.msgid or "|" in entry.msgid:
            continue
        text = TAG.sub(" ", entry.msgid.replace("%%", "%"))
        for piece in PLACEHOLDER.split(text):
            piece = " ".join(piece.split()).strip(" ,.;:()")
            if len(piece.split()) >= 3:
                found.add(piece)
    return sorted(found)


def page_text(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return " ".join(html.unescape(TAG.sub(" ", response.content.decode())).split())


@pytest.fixture
def welsh(analyst: User) -> Client:
    client = Client()
    client.force_login(analyst)
    client.cookies["django_language"] = "cy"
    return client


@pytest.fixture
def locked(organisation: Organisation, analyst: User) -> Cycle:
    cycle = services.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    return cycle


def english_in(text: str) -> list[str]:
    return [sentence for sentence in SENTENCES if sentence in text]


SENTENCES = english_sentences()


def test_the_catalogue_has_english_sentences_to_look_for() -> None:
    sentences = SENTENCES
    assert "Choose a unit to see its scorecard" in sentences
    assert len(sentences) > 300


@pytest.mark.parametrize(
    ("address", "welsh_text"),
    [
        ("/TST/", "Dewiswch uned i weld ei cherdyn sgorio"),
        ("/TST/units/F/", "Cerdyn sgorio Force"),
        ("/TST/units/F/measures/ER/", "Llinach y ffigur diweddaraf"),
        ("/TST/dashboard/", "Test Force: beth sydd angen sylw"),
        ("/TST/units/F/enter/?period=2019-07", "Rhoi ffigurau ar gyfer"),
        ("/TST/import/", "Mewnforio ffigurau"),
    ],
)
def test_a_page_in_welsh_has_its_template_text_in_welsh(
    welsh: Client, address: str, welsh_text: str
) -> None:
    text = page_text(welsh, address)
    assert welsh_text in text
    assert "Neidio i'r prif gynnwys" in text
    assert "Allgofnodi" in text
    assert english_in(text) == []


def test_the_scorecard_counts_its_measures_in_welsh(
    welsh: Client, organisation: Organisation
) -> None:
    organisation.areas.filter(code="FOCUS").update(name_cy="FFOCWS")
    page = welsh.get("/TST/units/F/").content.decode()
    # The areas to filter by, by their Welsh names.
    assert 'for="area-filter-FOCUS">FFOCWS</label>' in page
    text = page_text(welsh, "/TST/units/F/")
    assert re.search(r"Yn dangos \d+ mesur gyda ffigurau\.", text), text
    assert "measures" not in text
    # The kinds of measure, in the filter and beside each measure's name.
    assert "llinell goch" in text and "redline" not in text
    assert "(DPA)" in text or "DPA" in text


def test_the_cycle_pages_in_welsh(welsh: Client, locked: Cycle) -> None:
    listing = page_text(welsh, "/TST/cycles/")
    assert "Cylchoedd, y mwyaf newydd yn gyntaf" in listing
    assert english_in(listing) == []
    page = page_text(welsh, "/TST/cycles/1/")
    assert "Cylch 1: Summer 2019" in page
    assert "Graddau cylch 1" in page
    assert english_in(page) == []


def test_the_sign_in_page_in_welsh() -> None:
    client = Client()
    client.cookies["django_language"] = "cy"
    text = page_text(client, "/accounts/login/")
    assert "Mewngofnodi – pmf" in text
    assert "Wedi anghofio eich cyfrinair?" in text
    assert english_in(text) == []
    refused = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert "Rhowch enw defnyddiwr a chyfrinair cywir" in refused.content.decode()


def test_the_same_page_in_english_is_unchanged(analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    text = page_text(client, "/TST/units/F/")
    assert "Force scorecard" in text
    assert "Skip to main content" in text
    assert "Cerdyn sgorio" not in text


def test_pmf_publish_writes_the_public_site_in_welsh(
    organisation: Organisation, analyst: User, tmp_path: Path
) -> None:
    published(organisation, analyst)
    assert (
        main(
            [
                "publish",
                "-o",
                "TST",
                "--out",
                str(tmp_path / "cy"),
                "--language",
                "cy",
                "--unsigned",
            ]
        )
        == 0
    )
    index = (tmp_path / "cy" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="cy"' in index
    text = " ".join(html.unescape(TAG.sub(" ", index)).split())
    assert "Test Force: sut rydym yn perfformio" in text
    assert "Neidio i'r prif gynnwys" in text
    assert english_in(text) == []
    unit = (tmp_path / "cy" / "units" / "F.html").read_text(encoding="utf-8")
    assert english_in(" ".join(html.unescape(TAG.sub(" ", unit)).split())) == []
    # The open data stay in English: their columns are names programs read.
    assert (
        (tmp_path / "cy" / "data" / "grades.csv")
        .read_text()
        .startswith("organisation,cycle,unit,area,grade,")
    )
    assert main(["publish", "-o", "TST", "--out", str(tmp_path / "en"), "--unsigned"]) == 0
    english = (tmp_path / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en-GB"' in english
    assert "Test Force: how we are performing" in english
    # The open data are the same whichever language the pages are in.
    for name in ("grades.csv", "grades.json", "assessments.csv"):
        welsh_data = (tmp_path / "cy" / "data" / name).read_text(encoding="utf-8")
        assert welsh_data == (tmp_path / "en" / "data" / name).read_text(encoding="utf-8")
    assert "grade_label" in (tmp_path / "cy" / "data" / "grades.csv").read_text()


def test_no_page_an_analyst_reaches_holds_the_templates_english(
    welsh: Client, locked: Cycle
) -> None:
    pages = crawl(welsh, "/TST/", limit=80)
    assert len([page for page in pages.values() if page]) >= 30
    left = {}
    for address, page in pages.items():
        text = " ".join(html.unescape(TAG.sub(" ", ENGLISH_FIELD.sub(" ", page))).split())
        if english_in(text):
            left[address] = english_in(text)
    assert left == {}


def test_the_password_reset_email_is_in_the_readers_language(analyst: User) -> None:
    with_email(analyst)
    client = Client()
    client.cookies["django_language"] = "cy"
    response = client.post("/accounts/password_reset/", {"email": "analyst@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Ailosod eich cyfrinair pmf"
    assert "Mae rhywun wedi gofyn am ailosod cyfrinair cyfrif pmf analyst." in message.body
    assert "I ddewis cyfrinair newydd, agorwch y ddolen hon o fewn tair awr:" in message.body
    assert re.search(r"https?://[^/]+/accounts/reset/\S+/", message.body)
    assert "If you did not ask for this" not in message.body


BRACE = re.compile(r"\{\w*(?::[^}]*)?\}")


def python_sentences() -> list[str]:
    """Return the Python's English messages (core, web, papers) of four words or more."""
    found = set()
    for area in ("core", "web", "papers"):
        path = CATALOGUE.parents[3] / area / "cy" / "LC_MESSAGES" / "django.po"
        for entry in polib.pofile(str(path)):
            if entry.msgid_plural or entry.msgstr == entry.msgid or "|" in entry.msgid:
                continue
            text = TAG.sub(" ", entry.msgid.replace("%%", "%"))
            for piece in BRACE.split(" ".join(PLACEHOLDER.split(text))):
                piece = " ".join(piece.split()).strip(" ,.;:()")
                if len(piece.split()) >= 4:
                    found.add(piece)
    return sorted(found)


def test_no_page_an_analyst_reaches_holds_the_pythons_english(welsh: Client, locked: Cycle) -> None:
    sentences = python_sentences()
    assert "the figure rose" not in sentences  # a piece of a legend, not a whole piece
    assert any(sentence.startswith("↑ the figure rose") for sentence in sentences)
    pages = crawl(welsh, "/TST/", limit=80)
    left = {}
    for address, page in pages.items():
        text = " ".join(html.unescape(TAG.sub(" ", ENGLISH_FIELD.sub(" ", page))).split())
        found = [sentence for sentence in sentences if sentence in text]
        if found:
            left[address] = found
    assert left == {}


ENGLISH_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December) \d{4}\b"
)
# Sentences the core writes about charts, in English, that a Welsh page must not show.
ENGLISH_CHART_WORDS = (
    "Limits from the",
    "Trial limits (fewer than",
    "Exact limits",
    "Hit and miss",
)


def test_no_page_an_analyst_reaches_names_a_period_or_its_limits_in_english(
    welsh: Client, locked: Cycle
) -> None:
    pages = crawl(welsh, "/TST/", limit=80)
    # The measure page, with its chart, figures and segments, is among them.
    assert any("/measures/" in address for address in pages)
    left = {}
    for address, page in pages.items():
        # The form's box of the English rationale is English on purpose (lang="en-GB").
        text = " ".join(html.unescape(TAG.sub(" ", ENGLISH_FIELD.sub(" ", page))).split())
        found = ENGLISH_MONTH.findall(text) + [w for w in ENGLISH_CHART_WORDS if w in text]
        if found:
            left[address] = sorted(set(found))
    assert left == {}
    # The figures still to check at the lock name their periods in Welsh.
    assert "Gorffennaf 2019" in page_text(welsh, "/TST/cycles/1/")


# The English of the standards and of the national unit, which a Welsh page words in Welsh.
ENGLISH_STANDARDS = (
    "within budget",
    "at least Requires",
    "no items",
    "v. MSG average",
    "better than same period",
    "better than previous period",
    "better than July",
    "than Wales",
    "run rate",
)


def test_no_page_an_analyst_reaches_names_a_standard_in_english(
    organisation: Organisation, welsh: Client
) -> None:
    with_every_standard(organisation)
    pages = crawl(welsh, "/TST/", limit=80)
    # The scorecards of the force and of North are among them, with every kind of standard.
    assert "o fewn y gyllideb (£120)" in page_text(welsh, "/TST/units/N/")
    assert {"/TST/units/F/", "/TST/units/N/"} <= set(pages)
    left = {}
    for address, page in pages.items():
        text = " ".join(html.unescape(TAG.sub(" ", ENGLISH_FIELD.sub(" ", page))).split())
        found = [words for words in ENGLISH_STANDARDS if words in text]
        if found:
            left[address] = found
    assert left == {}
