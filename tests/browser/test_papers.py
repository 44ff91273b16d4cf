"""The board paper in real Chromium: the papers page and the paper itself pass axe."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page
from pptx import Presentation

from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_board_paper_reads_in_the_browser(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    first = services.create_cycle(organisation, number=1, name="Spring", cut_off="2018-07")
    services.lock_cycle(first, analyst.membership)
    second = services.create_cycle(organisation, number=2, name="Summer", cut_off="2019-07")
    services.lock_cycle(second, analyst.membership)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/cycles/2/")
    page.get_by_role("link", name="Board paper and reports (HTML, PDF, Word)").click()
    page.get_by_role("heading", name="Papers for cycle 2: Summer").wait_for()
    check_accessibility(page)
    # The deck downloads beside the PDF and Word, and opens as a presentation.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the board paper as PowerPoint").click()
    assert download.value.suggested_filename == "TST-cycle-2-board-paper.pptx"
    deck = Presentation(download.value.path())
    assert "Test Force: scorecard grades, cycle 2" in deck.core_properties.title
    page.get_by_role("link", name="Read the board paper in the browser").click()
    page.get_by_role("heading", name="Test Force: scorecard grades, cycle 2").wait_for()
    page.get_by_role("heading", name="3.0 Executive summary").wait_for()
    check_accessibility(page)
    screenshot(page, "board-paper")


def test_the_board_paper_reads_in_welsh_in_the_browser(
    page: Page, live_server: object, analyst: User, organisation: Organisation
) -> None:
    first = services.create_cycle(organisation, number=1, name="Spring", cut_off="2018-07")
    services.lock_cycle(first, analyst.membership)
    second = services.create_cycle(organisation, number=2, name="Summer", cut_off="2019-07")
    services.lock_cycle(second, analyst.membership)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    # The reader has chosen Cymraeg: the paper is written in Welsh and says so.
    page.context.add_cookies([{"name": "django_language", "value": "cy", "url": base}])
    page.goto(f"{base}/TST/cycles/2/papers/board.html")
    page.get_by_role("heading", name="Test Force: graddau'r cerdyn sgorio, cylch 2").wait_for()
    page.get_by_role("heading", name="1.0 Diben yr adroddiad").wait_for()
    page.get_by_role("heading", name="Atodiad Un – Graddau Force ers cylch 1").wait_for()
    assert page.locator("html").get_attribute("lang") == "cy"
    check_accessibility(page)
