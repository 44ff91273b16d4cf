"""What people type comes back as text: escaped in pages, sanitised Markdown, inert in exports.

Unit and measure names come from the framework file, notes from imports and forms, the
rest from the registers' forms: each is hostile here, and must never reach a page as markup.
The Content Security Policy of every page is checked by test_permission_matrix.py, which
requests them all; formula neutralisation of the CSV exports by tests/sources/
test_exporters.py and test_publishing.py.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from pmf.core.framework import load_framework
from pmf.sources.exporters import _PLAIN_NUMBER, FORMULA_STARTS
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from pmf.web.accounts.models import Membership
from pmf.web.exports import tables_workbook
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of, store_framework
from pmf.web.observations.services import store_observations
from pmf.web.scorecards.templatetags.markdown_text import render_markdown
from tests.factories import FIGURES, GOOD, RISK_REGISTER, member

pytestmark = pytest.mark.django_db

UNIT = "<script>alert('unit')</script>"
MEASURE = '"><img src=x onerror=alert("measure")>'
AREA = "<b onmouseover=alert('area')>FOCUS</b>"
NOTE = "<script>alert('note')</script>"
INTERVENTION = "<script>alert('intervention')</script>"
RISK = "<svg onload=alert('risk')>"
RECOMMENDATION = "<iframe src=javascript:alert('recommendation')>"
HOSTILE = (UNIT, MEASURE, AREA, NOTE, INTERVENTION, RISK, RECOMMENDATION)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Organisation, User]:
    """An organisation whose names, notes and records are all markup."""
    from pmf.web.interventions.services import NewIntervention, create_intervention
    from pmf.web.recommendations import services as recommendations
    from pmf.web.risks import services as risks

    text = GOOD.replace("peer_groups:", RISK_REGISTER + "peer_groups:", 1)
    text = text.replace("name: North", f"name: {_quoted(UNIT)}")
    text = text.replace("name: Emergency response within target", f"name: {_quoted(MEASURE)}")
    text = text.replace("name: FOCUS\n", f"name: {_quoted(AREA)}\n", 1)
    organisation = store_framework(load_framework(text), "framework.yaml")
    path = tmp_path / "figures.csv"
    path.write_text(FIGURES, encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    store_observations(
        organisation, result.observations, file_name="figures.csv", sha256="x", layout=result.layout
    )
    analyst = member("analyst", organisation, Membership.Role.ANALYST)
    from pmf.web.entry.services import Entry, enter_observations

    north = organisation.units.get(code="N")
    enter_observations(
        analyst.membership, organisation, north, "2019-07", [Entry("ER", "76", note=NOTE)]
    )
    create_intervention(
        analyst.membership,
        NewIntervention(
            unit="N",
            area="FOCUS",
            action="peer_review",
            category="1",
            owner="analyst",
            description=INTERVENTION,
        ),
    )
    risks.create_risk(
        organisation,
        analyst.membership,
        {
            "title": RISK,
            "description": RISK,
            "controls": "None.",
            "inherent_likelihood": 5,
            "inherent_impact": 5,
            "current_likelihood": 4,
            "current_impact": 4,
            "target_likelihood": 2,
            "target_impact": 3,
            "review_date": "2030-01-31",
            "unit": "N",
        },
        user=analyst,
    )
    recommendations.create_recommendation(
        organisation,
        analyst.membership,
        {
            "body": "hmicfrs",
            "report_title": RECOMMENDATION,
            "report_date": "2019-09-01",
            "text": RECOMMENDATION,
            "unit": "N",
            "owner": "analyst",
            "due_date": "2030-03-31",
        },
        user=analyst,
    )
    return organisation, analyst


PAGES = [
    "/TST/",
    "/TST/units/N/",
    "/TST/units/F/",
    "/TST/units/N/measures/ER/",
    "/TST/units/N/enter/",
    "/TST/interventions/",
    "/TST/interventions/{intervention}/",
    "/TST/interventions/new/",
    "/TST/risks/",
    "/TST/risks/1/",
    "/TST/risks/heat-map/",
    "/TST/recommendations/",
    "/TST/recommendations/1/",
    "/TST/dashboard/",
    "/TST/plans/",
]
# Markup that would run or draw if a name reached the page unescaped.
ACTIVE = re.compile(r"<(script|img|svg|iframe|b)\b[^>]*(alert|onerror|onload|onmouseover)", re.I)


def test_names_notes_and_records_are_escaped_on_every_page(
    hostile: tuple[Organisation, User],
) -> None:
    from pmf.web.interventions.models import Intervention

    _, analyst = hostile
    client = Client()
    client.force_login(analyst)
    shown: set[str] = set()
    number = Intervention.objects.get().pk
    for page in PAGES:
        response = client.get(page.format(intervention=number))
        assert response.status_code == 200, page
        body = response.content.decode()
        found = ACTIVE.search(body)
        assert found is None, (page, body[found.start() - 80 : found.end() + 80] if found else "")
        shown |= {text for text in HOSTILE if escape(text) in body}
    # Each hostile text was shown somewhere, as text: the pages did not just leave it out.
    assert shown == set(HOSTILE)


# --- Markdown ---------------------------------------------------------------------------------

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    "[x](java&#x09;script:alert(1))",
    "<<script>script>alert(1)<</script>/script>",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    """Assert that the HTML has only Markdown's tags, no handlers and only web or mail links."""
    parser = _Tags()
    parser.feed(html)
    for tag, attributes in parser.tags:
        assert tag in {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
                       "h3", "h4", "h5", "h6", "a", "hr"}, tag  # fmt: skip
        assert not any(name.startswith("on") for name in attributes), attributes
        href = (attributes.get("href") or "").strip().lower()
        assert not href or href.startswith(("http://", "https://", "mailto:")), href


@pytest.mark.parametrize("text", ATTACKS)
def test_markdown_attacks_come_out_inert(text: str) -> None:
    assert_inert(render_markdown(text))


@given(
    st.lists(
        st.sampled_from([*ATTACKS, "**bold**", "# Heading", "- item", "[ok](https://x.org)", "\n"])
        | st.text(max_size=12),
        max_size=6,
    )
)
def test_any_markdown_comes_out_inert(parts: list[str]) -> None:
    assert_inert(render_markdown(" ".join(parts)))


# --- spreadsheet exports ----------------------------------------------------------------------


@given(st.sampled_from(FORMULA_STARTS), st.text(max_size=10))
def test_no_exported_cell_is_a_formula(start: str, rest: str) -> None:
    text = escape(start + rest)
    html = (
        f"<table><caption>{text}</caption><tr><th>{text}</th></tr><tr><td>{text}</td></tr></table>"
    )
    book = load_workbook(io.BytesIO(tables_workbook(html)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                value = cell.value
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    # A plain number such as +0 or -1.5 is data, and a text cell besides.
                    assert _PLAIN_NUMBER.fullmatch(value), f"{value!r} starts like a formula"


def test_a_page_export_of_hostile_names_has_no_formula(
    hostile: tuple[Organisation, User],
) -> None:
    _, analyst = hostile
    client = Client()
    client.force_login(analyst)
    response = client.get("/TST/units/N/?export=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
