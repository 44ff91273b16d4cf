"""The page frame on every page: breadcrumbs that never repeat, the service navigation, errors."""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.core.framework import load_framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of, store_framework
from pmf.web.observations.services import store_observations
from tests.factories import FIGURES, GOOD, member

pytestmark = pytest.mark.django_db

BREADCRUMBS = re.compile(r'<nav class="govuk-breadcrumbs".*?</nav>', re.S)
CRUMB = re.compile(r'<li class="govuk-breadcrumbs__list-item">(.*?)</li>', re.S)
LINK = re.compile(r'href="(/[^"#?]*)"')
# Downloads and machine-readable twins: not pages with a frame, and slow to make.
NOT_PAGES = re.compile(r"\.(json|pdf|docx|xlsx|csv|html)$|/accounts/|/api/")


def crumbs(page: str) -> list[str]:
    """Return the text of each breadcrumb of an HTML page (none without breadcrumbs)."""
    found = BREADCRUMBS.search(page)
    if not found:
        return []
    texts = [re.sub(r"<[^>]+>", "", item) for item in CRUMB.findall(found.group(0))]
    return [html.unescape(" ".join(text.split())) for text in texts]


@pytest.fixture
def same_name(tmp_path: Path) -> Organisation:
    """An organisation whose force-level unit has the organisation's own name, as the Met's."""
    text = GOOD.replace(
        "{code: F, name: Force, type: force}", "{code: F, name: Test Force, type: force}"
    )
    organisation = store_framework(load_framework(text), "framework.yaml")
    path = tmp_path / "figures.csv"
    path.write_text(FIGURES, encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    store_observations(
        organisation, result.observations, file_name="figures.csv", sha256="x", layout=result.layout
    )
    return organisation


def crawl(client: Client, start: str, limit: int = 120) -> dict[str, str]:
    """Follow the links of the site from ``start``: every HTML page it reaches, by address."""
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < limit:
        address = queue.pop(0)
        if address in seen:
            continue
        response = client.get(address)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            seen[address] = ""
            continue
        page = response.content.decode()
        seen[address] = page
        for link in LINK.findall(page):
            target = urldefrag(html.unescape(link)).url
            if urlsplit(target).path.startswith("/static/") or NOT_PAGES.search(target):
                continue
            if target not in seen and target not in queue:
                queue.append(target)
    return seen


def test_no_breadcrumb_repeats_a_crumb_on_any_page(same_name: Organisation) -> None:
    client = Client()
    client.force_login(member("analyst", same_name, Membership.Role.ANALYST))
    pages = crawl(client, "/TST/")
    with_crumbs = {address: crumbs(page) for address, page in pages.items() if crumbs(page)}
    assert "/TST/units/F/" in with_crumbs  # the crawl reached the force's scorecard
    assert "/TST/units/F/measures/CR/" in with_crumbs
    assert len(with_crumbs) >= 10, sorted(with_crumbs)
    repeated = {
        address: trail
        for address, trail in with_crumbs.items()
        if any(a.casefold() == b.casefold() for a, b in itertools.pairwise(trail))
    }
    assert repeated == {}
    assert with_crumbs["/TST/units/F/"] == ["Test Force", "Test Force scorecard"]
    assert with_crumbs["/TST/units/F/measures/CR/"] == [
        "Test Force",
        "Test Force scorecard",
        "Crimes per 1,000",
    ]


def test_crumbs_are_read_from_the_breadcrumbs_only() -> None:
    page = (
        '<nav class="govuk-breadcrumbs" aria-label="Breadcrumb"><ol>'
        '<li class="govuk-breadcrumbs__list-item"><a href="/A/">A &amp; B</a></li>'
        '<li class="govuk-breadcrumbs__list-item">\n  C\n</li></ol></nav>'
        '<ul><li class="govuk-breadcrumbs__list-item">not a crumb</li></ul>'
    )
    assert crumbs(page) == ["A & B", "C"]
    assert crumbs("<main>No breadcrumbs</main>") == []


def navigation(page: str, part: str = "govuk-service-navigation") -> list[tuple[str, str, str]]:
    """Return the links of the service navigation (or the header's): text, address, aria-current."""
    found = re.search(rf'<(div|header) class="{part}".*?</nav>', page, re.S)
    assert found, f"no {part}"
    links = re.findall(
        r'<a class="[^"]*__link" href="([^"]+)"([^>]*)>(.*?)</a>', found.group(0), re.S
    )
    result = []
    for href, attributes, text in links:
        current = re.search(r'aria-current="(\w+)"', attributes)
        words = " ".join(re.sub(r"<[^>]+>", "", text).split())
        result.append((words, href, current.group(1) if current else ""))
    return result


def marked(page: str) -> list[tuple[str, str]]:
    """Return the links marked current in the service navigation and the header."""
    links = navigation(page) + navigation(page, "govuk-header")
    return [(text, mark) for text, _, mark in links if mark]


@pytest.mark.parametrize(
    ("address", "section", "current"),
    [
        ("/TST/", "Scorecards", "page"),
        ("/TST/units/N/", "Scorecards", "true"),
        ("/TST/units/N/measures/CR/", "Scorecards", "true"),
        ("/TST/dashboard/", "Dashboard", "page"),
        ("/TST/cycles/", "Cycles", "page"),
        ("/TST/plans/", "Improvement plans", "page"),
        ("/TST/risks/", "Risks", "page"),
        ("/TST/risks/heat-map/", "Risks", "true"),
        ("/TST/peer-groups/", "Peer groups", "page"),
        ("/TST/import/", "Import figures", "page"),
        ("/TST/audit/", "Audit trail", "page"),
    ],
)
def test_the_service_navigation_marks_the_current_section(
    analyst: User, address: str, section: str, current: str
) -> None:
    client = Client()
    client.force_login(analyst)
    response = client.get(address)
    assert response.status_code == 200
    assert marked(response.content.decode()) == [(section, current)]


def test_the_header_offers_import_to_analysts_only(analyst: User, command_lead: User) -> None:
    pages = {}
    for user in (analyst, command_lead):
        client = Client()
        client.force_login(user)
        pages[user.username] = client.get("/TST/").content.decode()
    tools = {
        name: [text for text, _, _ in navigation(page, "govuk-header")]
        for name, page in pages.items()
    }
    assert tools["analyst"][:4] == ["Import figures", "Audit trail", "Returns", "Commentary"]
    assert tools["command_lead"][0] == "Audit trail"
    assert "Commentary" not in tools["command_lead"]
    sections = [text for text, _, _ in navigation(pages["command_lead"])]
    assert sections == [
        "Scorecards",
        "Dashboard",
        "Cycles",
        "Improvement plans",
        "Interventions",
        "Risks",
        "Recommendations",
        "Peer groups",
    ]


def test_pages_outside_the_sections_mark_none(analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    assert marked(client.get("/accounts/password_change/").content.decode()) == []


SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</ul>', re.S)


def summary(page: str) -> list[tuple[str, str]]:
    """Return the error summary's items: (text, link target or "")."""
    found = SUMMARY.search(page)
    assert found, "no error summary"
    items = re.findall(r"<li>(.*?)</li>", found.group(0), re.S)
    result = []
    for item in items:
        link = re.search(r'<a href="([^"]*)">', item)
        words = html.unescape(" ".join(re.sub(r"<[^>]+>", "", item).split()))
        result.append((words, link.group(1) if link else ""))
    return result


def inline_error(page: str, field_id: str) -> str:
    """Return the error shown beside a field (with its hidden "Error:" prefix), or ""."""
    found = re.search(
        rf'<p class="govuk-error-message" id="{field_id}-error">(.*?)</p>', page, re.S
    )
    if not found:
        return ""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()))


def test_a_figure_that_is_not_a_number_is_linked_to_its_field(owner: User) -> None:
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/TST/units/N/enter/",
        {"period": "2019-07", "measure": "ER", "value-ER": "seventy", "status-ER": "validated"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    problem = "Emergency response within target, value 'seventy': is not a number"
    assert summary(page) == [(problem, "#value-ER")]
    assert inline_error(page, "value-ER") == f"Error: {problem}"
    assert 'aria-describedby="value-ER-error"' in page
    assert "govuk-input--error" in page


def test_a_refused_risk_names_each_field_by_its_label(analyst: User) -> None:
    from tests.factories import rated

    client = Client()
    client.force_login(analyst)
    data = {**rated(3, 3), "title": "", "inherent_likelihood": "9", "review_date": "soon"}
    response = client.post("/TST/risks/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    items = dict(summary(page))
    assert items["Title: give the risk a title"] == "#title"
    assert items["Inherent likelihood (before controls): choose a level from 1 to 5"] == (
        "#inherent_likelihood"
    )
    assert items["Next review: give a date as YYYY-MM-DD"] == "#review_date"
    assert inline_error(page, "title") == "Error: Give the risk a title"
    # The hint and the error both describe the field.
    assert 'aria-describedby="review_date-hint review_date-error"' in page


def test_a_problem_that_names_no_field_links_to_the_first(analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    response = client.post("/accounts/tokens/", {"revoke": "9999"})
    page = response.content.decode()
    assert summary(page) == [("That token is not one of your active tokens", "#name")]


@pytest.fixture
def locked(organisation: Organisation, analyst: User) -> None:
    """Cycle 1 of the test organisation, its figures locked."""
    from pmf.web.cycles import services as cycles

    cycle = cycles.create_cycle(
        organisation, number=1, name="Summer 2019", cut_off="2019-07", board_date=None
    )
    cycles.lock_cycle(cycle, analyst.membership)


def test_a_grade_without_its_rationale_names_the_field_not_the_services_word(
    locked: None, analyst: User, command_lead: User
) -> None:
    page = "/TST/cycles/1/units/N/areas/FOCUS/"
    assert client_for(analyst).post("/TST/cycles/1/").status_code == 302  # to self-assessment
    refused = client_for(command_lead).post(page, {"step": "self", "grade": "good", "text": ""})
    assert refused.status_code == 400
    html_page = refused.content.decode()
    ((text, href),) = summary(html_page)
    assert text.startswith("Rationale: give ")  # the service says "rationale: give ..."
    assert href == "#text"
    assert inline_error(html_page, "text").startswith("Error: Rationale: give ")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_page_names_an_icon_that_is_served(analyst: User) -> None:
    # Without one, a browser asks for /favicon.ico on the first page and logs a 404 as a
    # console error.
    from django.contrib.staticfiles import finders

    page = client_for(analyst).get("/", follow=True).content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', page)
    assert icon is not None
    assert finders.find(icon.group(1)) is not None


def test_a_page_not_found_is_a_page_of_the_service(command_lead: User) -> None:
    # A unit outside the command lead's scope is not found, and says why it may not be.
    answer = client_for(command_lead).get("/TST/units/S/")
    assert answer.status_code == 404
    page = answer.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page
    assert "govuk-service-navigation" in page and 'rel="stylesheet"' in page
