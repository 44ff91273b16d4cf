from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pmf.web.observations.models import ImportBatch, Observation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, settings: object) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, text: str, name: str = "figures.csv"):  # type: ignore[no-untyped-def]
    return client.post("/TST/import/", {"file": SimpleUploadedFile(name, text.encode())})


def test_analyst_checks_previews_and_confirms_an_import(analyst: User) -> None:
    client = client_for(analyst)
    before = Observation.objects.count()
    preview = upload(client, "unit,measure,period,value\nN,ER,2019-08,81\nS,ER,2019-08,90\n")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "all 2 figures passed the checks" in page
    assert Observation.objects.count() == before  # nothing stored before the confirmation
    token = preview.context["token"]
    done = client.post("/TST/import/", {"token": token, "name": "figures.csv"})
    assert done.status_code == 302
    assert Observation.objects.count() == before + 2
    batch = ImportBatch.objects.latest("recorded_at")
    assert (batch.file_name, batch.recorded_by) == ("figures.csv", analyst)
    # The kept file is gone: the same confirmation cannot run twice.
    again = client.post("/TST/import/", {"token": token, "name": "figures.csv"})
    assert again.status_code == 400
    assert "expired" in again.content.decode()


def test_every_bad_row_is_listed_and_nothing_is_stored(analyst: User) -> None:
    before = Observation.objects.count()
    response = upload(
        client_for(analyst), "unit,measure,period,value\nN,ER,2019-08,eighty\nQ,ER,2019-08,1\n"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 rows cannot be imported; nothing was stored" in page
    assert "is not a number" in page and "is not a unit of TST" in page
    assert "Import 2 figures" not in page
    assert Observation.objects.count() == before


def test_unreadable_file_is_reported(analyst: User) -> None:
    response = upload(client_for(analyst), "", name="empty.csv")
    assert response.status_code == 400
    assert "is empty" in response.content.decode()


def test_a_forged_token_is_refused(analyst: User) -> None:
    response = client_for(analyst).post("/TST/import/", {"token": "../../etc/passwd"})
    assert response.status_code == 400
    assert "not known" in response.content.decode()


def test_only_analysts_import(owner: User, command_lead: User) -> None:
    assert client_for(owner).get("/TST/import/").status_code == 403
    assert client_for(command_lead).get("/TST/import/").status_code == 403
