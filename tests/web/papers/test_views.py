"""The papers' pages: who downloads which format, the preview, and each report."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.reports.document import Table
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [
        ("html", "text/html"),
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml"),
        ("pptx", "application/vnd.openxmlformats-officedocument.presentationml"),
    ],
)
def test_members_who_cover_the_organisation_download_each_format(
    fmt: str, kind: str, cycles: Cycle, board_member: User, command_lead: User, other_org_user: User
) -> None:
    path = f"/TST/cycles/2/papers/board.{fmt}"
    # The papers collate every unit's self-assessment: not for a member scoped to one unit.
    assert client_for(command_lead).get(path).status_code == 404
    response = client_for(board_member).get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(kind)
    if fmt != "html":
        assert "attachment" in response["Content-Disposition"]
    assert client_for(other_org_user).get(path).status_code == 404
    assert Client().get(path).status_code == 302


def test_the_preview_lets_only_its_own_style_through(cycles: Cycle, analyst: User) -> None:
    response = client_for(analyst).get("/TST/cycles/2/papers/board.html")
    policy = response["Content-Security-Policy"]
    assert "'sha256-" in policy
    assert "unsafe-inline" not in policy
    assert "<script" not in response.content.decode()


def test_the_papers_page_and_a_draft(
    cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    client = client_for(analyst)
    page = client.get("/TST/cycles/2/papers/").content.decode()
    assert 'href="/TST/cycles/2/papers/board.pdf"' in page
    assert 'href="/TST/cycles/2/papers/board.pptx"' in page
    services.create_cycle(organisation, number=3, name="Draft", cut_off="2019-07")
    assert "lock the cycle" in client.get("/TST/cycles/3/papers/").content.decode()
    assert client.get("/TST/cycles/3/papers/board.pdf").status_code == 404
    assert client.get("/TST/cycles/2/papers/board.exe").status_code == 404


@pytest.mark.parametrize("kind", ["exceptions", "outcomes"])
def test_each_report_downloads(kind: str, cycles: Cycle, analyst: User) -> None:
    response = client_for(analyst).get(f"/TST/cycles/2/papers/{kind}.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert client_for(analyst).get("/TST/cycles/2/papers/nothing.pdf").status_code == 404


def test_the_annual_report_follows_the_cycles_of_the_year(
    cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    from pmf.web.papers.builders.annual import annual_report

    # Cycle 2's data end in July 2019: financial year 2019/20. Cycle 1's (July 2018): 2018/19.
    document = annual_report(organisation, "2019/20")
    text = document.text()
    assert "Test Force: annual report, 2019/20" in text
    assert "2: Summer (data to July 2019)" in text
    assert "1: Spring" not in text
    table = next(
        block
        for _, section in document.walk()
        for block in section.blocks
        if isinstance(block, Table) and block.caption.startswith("FOCUS")
    )
    assert table.header == ("Measure", "Cycle 2", "At year end")
    with pytest.raises(ValueError, match="no locked cycle with data to a month in 2015/16"):
        annual_report(organisation, "2015/16")
    client = client_for(analyst)
    assert client.get("/TST/reports/annual/2019-20.pdf").content.startswith(b"%PDF")
    assert client.get("/TST/reports/annual/2015-16.pdf").status_code == 404
    page = client.get("/TST/cycles/").content.decode()
    assert 'href="/TST/reports/annual/2019-20.html"' in page
