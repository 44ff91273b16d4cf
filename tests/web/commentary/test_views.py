"""Commentary's pages and API: beside the chart, every version, the analyst's list, rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pmf.web.commentary.models import Commentary
from pmf.web.frameworks.models import Organisation
from tests.factories import api_client, load_charted

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_owner_writes_on_the_page_and_the_measure_page_shows_it_with_its_flag(
    organisation: Organisation, analyst: User, owner: User, tmp_path: Path
) -> None:
    load_charted(organisation, tmp_path)
    url = reverse("commentary", args=["TST", "N", "ER"])
    asked = signed_in(analyst).post(
        url, {"step": "request", "period": "2019-07", "owner": "owner", "due_date": ""}
    )
    assert asked.status_code == 302
    written = signed_in(owner).post(
        url,
        {
            "step": "write",
            "period": "2019-07",
            "what_happened": "Answering <b>improved</b>.",
            "why": "New rota.",
            "action": "Keep it.",
        },
    )
    assert written.status_code == 302 and written["Location"].endswith("?period=2019-07")
    page = signed_in(owner).get(reverse("measure", args=["TST", "N", "ER"]))
    text = page.content.decode()
    assert "Commentary on July 2019" in text
    assert "Answering &lt;b&gt;improved&lt;/b&gt;." in text  # escaped, never markup
    assert "it says “improved”, but the SPC chart shows only common cause variation" in text
    twin = signed_in(owner).get(reverse("measure-json", args=["TST", "N", "ER"])).json()
    assert twin["commentary"]["current"]["why"] == "New rota."
    versions = signed_in(analyst).get(reverse("commentary-json", args=["TST", "N", "ER"])).json()
    assert [step["step"] for step in versions["history"]] == ["written", "requested"]
    listed = signed_in(analyst).get(reverse("commentary-list-json", args=["TST"])).json()
    assert [(row["unit"], row["measure"]) for row in listed["commentary"]] == [("N", "ER")]
    assert listed["counts"] == {"total": 1, "written": 1, "flagged": 1, "overdue": 0}


def test_a_refused_write_shows_the_problem_and_stores_nothing(
    organisation: Organisation, analyst: User
) -> None:
    url = reverse("commentary", args=["TST", "N", "ER"])
    answer = signed_in(analyst).post(url, {"step": "write", "period": "2019-07"})
    assert answer.status_code == 400
    assert "What happened: write the commentary" in answer.content.decode()
    assert not Commentary.objects.exists()


def test_the_api_writes_rows_all_or_none_and_reads_them_back(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    client = api_client(analyst)
    url = "/api/organisations/TST/commentary"
    rows = [
        {"measure": "ER", "unit": "N", "period": "2019-07", "owner": "owner"},
        {"measure": "ER", "unit": "S", "period": "2019-07", "what_happened": "Better."},
        {"measure": "ER", "unit": "Q", "period": "2019-07", "why": "x"},
    ]
    refused = client.post(url, json.dumps(rows), content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["problems"] == [
        {"row": 3, "field": "unit", "reason": "'Q' is not a unit of Test Force"}
    ]
    assert not Commentary.objects.exists()
    stored = client.post(url, json.dumps(rows[:2]), content_type="application/json")
    assert stored.status_code == 200 and stored.json()["rows"] == 2
    read = client.get(url, {"unit": "S"}).json()
    assert [(row["unit"], row["what_happened"], row["written"]) for row in read] == [
        ("S", "Better.", True)
    ]
    assert api_client(owner).get(url, {"unit": "S"}).status_code == 404


def test_a_row_with_the_nul_character_is_refused_by_its_field_and_nothing_stored(
    organisation: Organisation, analyst: User
) -> None:
    # PostgreSQL cannot store (or look up) text holding NUL: the row is refused before either.
    client = api_client(analyst)
    url = "/api/organisations/TST/commentary"
    rows = [
        {"measure": "ER", "unit": "N", "period": "2019-07", "why": "A new rota."},
        {"measure": "E\u0000R", "unit": "N", "period": "2019-07", "why": "A\u0000 rota."},
    ]
    refused = client.post(url, json.dumps(rows), content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["problems"] == [
        {"row": 2, "field": "measure", "reason": "contains the NUL character (\\0)"},
        {"row": 2, "field": "why", "reason": "contains the NUL character (\\0)"},
    ]
    assert not Commentary.objects.exists()
