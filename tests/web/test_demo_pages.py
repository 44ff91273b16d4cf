"""The demo's pages as a reader meets them: one date format, numbers with separators.

One test, because loading the police example is the slow part: it signs in as an analyst,
follows the links from the organisation's page, and reads every page's visible text and every
table. A reader should never meet an ISO date ("2025-10-20" beside "6 December 2026"; ISO
stays in CSV, JSON, the API and form fields), a number of thousands without separators
("426725"), or one measure's figures with different numbers of decimals ("0.7062937063" beside
"1.25"). The board paper's tables are read the same way.
"""

from __future__ import annotations

import re
from html import escape

import pytest
from django.test import Client

from pmf.reports.document import Table
from pmf.sources.examples import registry
from pmf.web.observations.services import load_example
from tests.factories import member
from tests.web.page_text import bad_numbers, iso_dates

pytestmark = pytest.mark.django_db

PAGES = 80  # enough to reach every kind of page from the organisation's
MEASURE_PAGES = 4  # measure pages are alike, and the slowest


def crawl(client: Client, starts: list[str], prefix: str) -> dict[str, str]:
    """Return the HTML pages reachable from ``starts`` under ``prefix``, by address."""
    found: dict[str, str] = {}
    queue, seen = list(starts), set(starts)
    while queue and len(found) < PAGES:
        address = queue.pop(0)
        response = client.get(address)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        page = response.content.decode()
        found[address] = page
        for link in re.findall(r'href="([^"#?]+)"', page):
            measures = sum("/measures/" in known for known in seen)
            if (
                link in seen
                or not link.startswith(prefix)
                or re.search(r"\.\w+$", link)  # the JSON twins and the papers' files
                or ("/measures/" in link and measures >= MEASURE_PAGES)
            ):
                continue
            seen.add(link)
            queue.append(link)
    return found


def test_the_demo_pages_show_dates_and_numbers_one_way() -> None:
    from pmf.web.cycles.models import Cycle
    from pmf.web.frameworks.models import Organisation
    from pmf.web.papers.builders.annual import annual_report
    from pmf.web.papers.builders.board import board_paper
    from pmf.web.papers.builders.exceptions import exception_report
    from pmf.web.papers.builders.outcomes import outcomes_report

    load_example(registry()["police"])
    organisation = Organisation.objects.get(code="MPS")
    client = Client()
    client.force_login(member("demo_analyst", organisation, "analyst"))
    starts = [
        "/MPS/",
        "/MPS/units/CW/",
        # A borough's funnel plot and peer table; the force's SPC table over 188 months.
        "/MPS/units/CW/measures/VWI_RATE/",
        "/MPS/units/MPS/measures/HIGH_HARM_RATE/",
        "/MPS/dashboard/",
        "/MPS/cycles/",
    ]
    pages = crawl(client, starts, "/MPS/")
    pages["/MPS/units/CW/enter/?period=2025-11"] = client.get(
        "/MPS/units/CW/enter/", {"period": "2025-11"}
    ).content.decode()
    kinds = {re.sub(r"/[A-Z0-9_]+/|/\d+/", "/*/", address) for address in pages}
    assert len(kinds) >= 12, sorted(kinds)  # scorecards, measures, cycles, dashboard, ...
    assert any("/measures/" in address for address in pages)

    dates = {address: found for address, page in pages.items() if (found := iso_dates(page))}
    assert not dates, dates
    numbers = {address: found for address, page in pages.items() if (found := bad_numbers(page))}
    # The audit trail shows each stored value exactly, every decimal of it, with separators.
    numbers = {
        address: kept
        for address, found in numbers.items()
        if (
            kept := [
                text
                for text in found
                if not (address.startswith("/MPS/audit/") and text.startswith("too many"))
            ]
        )
    }
    assert not numbers, numbers

    cycle = Cycle.objects.get(organisation=organisation, number=8)
    papers = {
        "board": board_paper(cycle),
        "exceptions": exception_report(cycle),
        "outcomes": outcomes_report(cycle),
        "annual": annual_report(organisation, "2025/26"),
    }
    for name, paper in papers.items():
        blocks = [block for _, section in paper.walk() for block in section.blocks]
        for table in (block for block in blocks if isinstance(block, Table)):
            html = "".join(
                "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
                for row in (table.header, *table.rows)
            )
            assert not bad_numbers(f"<table>{html}</table>"), (name, table.caption)
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", paper.text()), name
