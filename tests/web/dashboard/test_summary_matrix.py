"""The dashboard shows the Making Data Count matrix of the top unit each member may see."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.frameworks.models import Organisation
from tests.factories import member
from tests.web.mdc_world import store_matrix_force

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def matrix_force(tmp_path: Path) -> Organisation:
    return store_matrix_force(tmp_path)


def test_the_dashboard_has_the_matrix_of_the_whole_force(matrix_force: Organisation) -> None:
    client = client_for(member("matrix_analyst", matrix_force, "analyst"))
    data = client.get("/MDC/dashboard.json").json()
    (summary,) = data["summaries"]
    assert summary["unit"] == {"code": "F", "name": "Force", "ons_code": None}
    # The dashboard's matrix is the summary page's, cell for cell.
    assert summary["matrix"] == client.get("/MDC/units/F/summary.json").json()["matrix"]
    page = client.get("/MDC/dashboard/").content.decode()
    assert "Force: Making Data Count summary as at" in page
    assert "<caption" in page and "Measures of Force by variation and assurance" in page
    assert 'href="/MDC/units/F/measures/R/">Calls answered late</a>' in page
    assert 'href="/MDC/units/F/summary/"' in page


def test_a_scoped_member_sees_the_matrix_of_their_own_unit_only(
    matrix_force: Organisation,
) -> None:
    lead = member("matrix_lead", matrix_force, "command_lead", unit="S")
    data = client_for(lead).get("/MDC/dashboard.json").json()
    assert [summary["unit"]["code"] for summary in data["summaries"]] == ["S"]
    named = [
        m["name"]
        for row in data["summaries"][0]["matrix"]["rows"]
        for cell in row["cells"]
        for m in cell["measures"]
    ]
    assert named == ["Complaints"]  # South has no figures of the others
    page = client_for(lead).get("/MDC/dashboard/").content.decode()
    assert "/MDC/units/F/" not in page
    assert "/MDC/units/N/" not in page
