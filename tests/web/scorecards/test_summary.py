"""The Making Data Count summary page: a unit's measures by variation and assurance, the
scorecard's own, for whoever may read the unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.frameworks.models import Organisation
from tests.web.mdc_world import store_matrix_force

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def matrix_force(tmp_path: Path) -> Organisation:
    return store_matrix_force(tmp_path)


def cells(data: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    return {
        (row["code"], cell["column"]): [m["measure"] for m in cell["measures"]]
        for row in data["matrix"]["rows"]
        for cell in row["cells"]
        if cell["measures"]
    }


def test_the_matrix_places_each_measure_by_its_variation_and_assurance(
    matrix_force: Organisation,
) -> None:
    from tests.factories import member

    client = client_for(member("matrix_analyst", matrix_force, "analyst"))
    data = client.get("/MDC/units/N/summary.json").json()
    assert cells(data) == {
        ("concern", "pass"): ["R"],
        ("common_cause", "inconsistent"): ["K"],
        ("common_cause", "no_target"): ["C"],
    }
    (late,) = [
        m
        for row in data["matrix"]["rows"]
        for c in row["cells"]
        for m in c["measures"]
        if m["measure"] == "R"
    ]
    assert (late["variation_icon"], late["assurance_icon"]) == ("concern_high", "pass")
    page = client.get("/MDC/units/N/summary/").content.decode()
    assert '<th scope="col" class="govuk-table__header">' in page
    assert '<th scope="row" class="govuk-table__header">' in page
    assert 'href="/MDC/units/N/measures/R/">Calls answered late</a>' in page
    # The headings' icons are drawn beside their words and hidden from screen readers.
    assert page.count('<svg class="pmf-mdc-icon"') == 10
    assert page.count('aria-hidden="true" focusable="false"><circle') == 10
    # The measure's own icons, named, are on the scorecard beside its SPC words.
    scorecard = client.get("/MDC/units/N/").content.decode()
    assert 'aria-label="Special cause variation: concern, high"' in scorecard
    assert 'aria-label="Assurance: consistently passes the target"' in scorecard


def test_the_matrix_says_what_the_scorecard_says(matrix_force: Organisation) -> None:
    from pmf.core.mdc import ASSURANCE_ICONS
    from tests.factories import member

    client = client_for(member("matrix_analyst", matrix_force, "analyst"))
    for unit in ("F", "N", "S"):
        scorecard = client.get(f"/MDC/units/{unit}.json").json()
        summary = client.get(f"/MDC/units/{unit}/summary.json").json()
        rows = {
            "special_cause_improvement": "improvement",
            "common_cause": "common_cause",
            "special_cause_concern": "concern",
            "special_cause_neutral_high": "neutral",
            "special_cause_neutral_low": "neutral",
        }
        expected: dict[tuple[str, str], list[str]] = {}
        for area in scorecard["areas"]:
            for m in area["measures"]:
                if m["variation"] is not None:
                    column = ASSURANCE_ICONS.get(m["assurance"] or "", "no_target")
                    expected.setdefault((rows[m["variation"]], column), []).append(m["measure"])
        assert cells(summary) == expected, unit
        assert summary["as_at"] == scorecard["as_at"]


def test_every_member_who_may_read_the_unit_sees_its_summary(
    analyst: User,
    owner: User,
    command_lead: User,
    moderator: User,
    board_member: User,
    viewer: User,
) -> None:
    for user in (analyst, moderator, board_member, viewer):
        response = client_for(user).get("/TST/units/F/summary/")
        assert response.status_code == 200, user.username
        assert "Force: Making Data Count summary as at July 2019" in response.content.decode()
    for scoped in (command_lead, owner):  # both scoped to North
        client = client_for(scoped)
        assert client.get("/TST/units/N/summary/").status_code == 200
        assert client.get("/TST/units/N/summary.json").json()["unit"]["code"] == "N"


def test_a_unit_out_of_scope_or_another_organisation_is_not_found(
    command_lead: User, owner: User, other_org_user: User
) -> None:
    assert client_for(command_lead).get("/TST/units/F/summary/").status_code == 404
    assert client_for(owner).get("/TST/units/S/summary/").status_code == 404
    assert client_for(command_lead).get("/TST/units/S/summary.json").status_code == 404
    assert client_for(other_org_user).get("/TST/units/F/summary/").status_code == 404
    anonymous = Client().get("/TST/units/F/summary/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_summary_escapes_names_and_links_from_the_scorecard(analyst: User) -> None:
    from pmf.core.framework import load_framework
    from pmf.web.frameworks.services import store_framework
    from tests.factories import GOOD

    store_framework(load_framework(GOOD.replace("Crimes per 1,000", "<b>Crimes</b>")))
    client = client_for(analyst)
    page = client.get("/TST/units/F/summary/").content.decode()
    assert "<b>Crimes</b>" not in page
    assert "&lt;b&gt;Crimes&lt;/b&gt;" in page
    scorecard = client.get("/TST/units/F/").content.decode()
    assert 'href="/TST/units/F/summary/"' in scorecard
    assert 'aria-label="Common cause variation"' in scorecard


def test_the_summary_downloads_as_a_workbook_with_the_matrix(matrix_force: Organisation) -> None:
    import io

    from openpyxl import load_workbook

    from tests.factories import member

    client = client_for(member("matrix_analyst", matrix_force, "analyst"))
    response = client.get("/MDC/units/N/summary/", {"export": "xlsx"})
    assert response.status_code == 200
    (sheet,) = load_workbook(io.BytesIO(response.content)).worksheets
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row and row[0] and str(row[0]).startswith("Variation"))
    assert header[1:] == ["Consistently passes", "Hit and miss", "Consistently fails", "No target"]
    (concern,) = [row for row in rows if row[0] == "Special cause concern"]
    assert concern[1:] == ["Calls answered late", "–", "–", "–"]
