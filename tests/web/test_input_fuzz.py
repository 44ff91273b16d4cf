"""The import page and the API's upsert, fed anything: never a server error, never half a file.

Each example is a file or a list of rows built from the pieces real ones are made of, good
and bad. The answer is a clear refusal with nothing stored, or everything stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmf.web.api.services import issue_token
from pmf.web.observations.models import Observation
from tests.sources.test_readers_fuzz import csv_texts

pytestmark = pytest.mark.django_db

# One database for all the examples of a test: each example must leave it as it found it, or
# add exactly what it said it stored.
FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, settings: Any) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def current() -> int:
    return Observation.objects.filter(superseded_at__isnull=True).count()


def confirm(client: Client, response: Any) -> Any:
    review = response.context["review"]
    form = {"token": review["token"], "name": review["name"], "layout": review["layout"]}
    form.update({column["id"]: column["choice"] for column in review["columns"]})
    return client.post("/TST/import/", form)


@FUZZ
@given(text=csv_texts(), name=st.sampled_from(["figures.csv", "figures.xlsx", "figures"]))
def test_any_upload_is_imported_whole_or_refused_whole(analyst: User, text: str, name: str) -> None:
    client = signed_in(analyst)
    rows, held = Observation.objects.count(), current()
    preview = client.post("/TST/import/", {"file": SimpleUploadedFile(name, text.encode())})
    assert preview.status_code in {200, 400}
    assert Observation.objects.count() == rows  # a preview stores nothing
    if preview.status_code == 400:
        assert preview.context["problems"] or preview.context.get("review")
        return
    figures = preview.context["review"]["figures"]
    done = confirm(client, preview)
    assert done.status_code in {302, 400}
    if done.status_code == 400:
        assert Observation.objects.count() == rows
    else:
        # Every figure is held now: new, a revision of one held, or the same as held.
        assert current() - held <= figures
        assert Observation.objects.count() > rows or current() == held


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    analyst: User, settings: Any
) -> None:
    settings.PMF_MAX_UPLOAD_BYTES = 100
    response = signed_in(analyst).post(
        "/TST/import/", {"file": SimpleUploadedFile("big.csv", b"unit,measure\n" + b"N,ER\n" * 40)}
    )
    assert response.status_code == 400
    assert response.context["problems"] == [
        "big.csv: is 213 bytes, more than the 100 bytes allowed; split it into smaller files"
    ]
    assert not (Path(settings.PMF_UPLOAD_DIR).exists() and any(settings.PMF_UPLOAD_DIR.iterdir()))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["N", "S", "X", "ER", "CR", "2019-08", "2019-13", "validated", "=1+1"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
row_values = {
    "unit": st.sampled_from(["N", "S", "F", "X", "ZZ", ""]) | json_values,
    "measure": st.sampled_from(["ER", "CR", "NOPE"]) | json_values,
    "period": st.sampled_from(["2019-08", "2019-09", "2019/20", "2019-13"]) | json_values,
    "value": st.floats(allow_nan=True) | st.integers() | json_values,
    "numerator": json_values,
    "denominator": json_values,
    "status": st.sampled_from(["provisional", "validated", "signed_off", "nope"]),
    "note": st.text(max_size=20),
}
rows = st.lists(st.fixed_dictionaries({}, optional=row_values), max_size=4)


@FUZZ
@given(body=st.one_of(rows, json_values))
def test_any_body_sent_to_the_upsert_is_stored_whole_or_refused_whole(
    owner: User, body: Any
) -> None:
    _, key = issue_token(owner, "fuzz")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    before = Observation.objects.count()
    response = client.post(
        "/api/organisations/TST/observations", json.dumps(body), content_type="application/json"
    )
    assert response.status_code in {200, 400, 403, 422}, response.content
    answer = response.json()
    if response.status_code == 200:
        assert Observation.objects.count() == before + answer["added"] + answer["revised"]
    else:
        assert answer["detail"]
        assert Observation.objects.count() == before


def test_a_body_too_big_is_refused_with_nothing_stored(analyst: User, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _, key = issue_token(analyst, "big")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    row = {"unit": "N", "measure": "ER", "period": "2019-08", "value": 81}
    before = Observation.objects.count()
    response = client.post(
        "/api/organisations/TST/observations",
        json.dumps([row] * 100),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Observation.objects.count() == before


def test_the_upload_limit_is_shown_in_binary_units(analyst: User, settings: Any) -> None:
    settings.PMF_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    upload = SimpleUploadedFile("big.csv", b"unit,measure\n" + b"N,ER\n" * (11 * 1024 * 1024))
    response = signed_in(analyst).post("/TST/import/", {"file": upload})
    assert response.status_code == 400
    assert response.context["problems"] == [
        "big.csv: is 55 MiB, more than the 50 MiB allowed; split it into smaller files"
    ]
