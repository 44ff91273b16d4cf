"""Any page's tables as an Excel workbook: same permissions, formulas neutralised."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from pmf.web.exports import tables_workbook

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_scorecards_tables_download_as_sheets(analyst: User) -> None:
    response = client_for(analyst).get("/TST/units/N/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="TST-units-N.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[book.sheetnames[0]]
    rows = [[c for c in (cell.value for cell in row) if c is not None] for row in sheet.iter_rows()]
    assert rows[0] == ["Measures of FOCUS (formerly KEEPING PEOPLE SAFE)"]
    assert rows[1][:3] == ["Measure", "Period", "Value"]
    assert any(row[0] and row[0].startswith("Emergency response within target") for row in rows)


def test_the_export_keeps_the_pages_permissions(command_lead: User, other_org_user: User) -> None:
    assert client_for(command_lead).get("/TST/units/S/?export=xlsx").status_code == 404
    assert client_for(other_org_user).get("/TST/?export=xlsx").status_code == 404
    assert Client().get("/TST/?export=xlsx").status_code == 302


def test_formulas_are_neutralised_and_numbers_kept() -> None:
    html = (
        "<table><caption>Hostile: =1+1</caption><tr><th>Name</th><th>Value</th></tr>"
        '<tr><td>=HYPERLINK("http://evil")</td><td>12.5</td></tr>'
        "<tr><td>@SUM(A1)</td><td>-3</td></tr></table>"
    )
    book = load_workbook(io.BytesIO(tables_workbook(html)))
    sheet = book[book.sheetnames[0]]
    values = [
        [c for c in (cell.value for cell in row) if c is not None] for row in sheet.iter_rows()
    ]
    assert values == [
        ["Hostile: =1+1"],
        ["Name", "Value"],
        ['\'=HYPERLINK("http://evil")', 12.5],
        ["'@SUM(A1)", -3],
    ]
    assert book.sheetnames[0] == "Hostile  =1+1"


def test_every_page_offers_the_download(analyst: User) -> None:
    page = client_for(analyst).get("/TST/units/N/?kind=kpi").content.decode()
    assert 'href="?kind=kpi&amp;export=xlsx"' in page


def test_numbers_written_with_thousands_separators_export_as_numbers() -> None:
    # The pages write counts as "426,725"; the workbook keeps the number, not the text.
    html = (
        "<table><caption>Funnel</caption><tr><th>Unit</th><th>Denominator</th></tr>"
        "<tr><td>Central North</td><td>426,725</td></tr><tr><td>West</td><td>1,234.5</td></tr>"
        "<tr><td>A list</td><td>1,2</td></tr></table>"
    )
    sheet = load_workbook(io.BytesIO(tables_workbook(html)))["Funnel"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert values == [["Central North", 426725.0], ["West", 1234.5], ["A list", "1,2"]]
