"""The import page's preview reports what ``pmf import --dry-run`` does, in the same words."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pmf.web.observations.models import Observation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, settings: object) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]


def preview(user: User, content: bytes, name: str = "figures.csv") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.post("/TST/import/", {"file": SimpleUploadedFile(name, content)})
    return response.status_code, response.content.decode()


def test_the_preview_refuses_wide_columns_naming_one_period_twice(analyst: User) -> None:
    before = Observation.objects.count()
    status, page = preview(analyst, b"unit,measure,201908,2019-08\nN,ER,81,82\n")
    assert status == 400
    assert "columns &#x27;201908&#x27; and &#x27;2019-08&#x27; both name August 2019" in page
    assert Observation.objects.count() == before


def test_the_preview_says_a_column_appears_twice(analyst: User) -> None:
    status, page = preview(analyst, b"unit,measure,period,value,Value\nN,ER,2019-08,81,82\n")
    assert status == 400
    assert "columns &#x27;value&#x27; and &#x27;Value&#x27; differ only in case" in page


def test_the_preview_reads_a_semicolon_file_with_cr_only_lines(analyst: User) -> None:
    mac = b"unit;measure;period;value\rN;ER;2019-08;81\rS;ER;2019-08;90\r"
    status, page = preview(analyst, mac)
    assert status == 200
    assert "all 2 figures passed the checks" in page


def test_the_preview_refuses_a_note_with_a_text_direction_character(analyst: User) -> None:
    status, page = preview(
        analyst, "unit,measure,period,value,note\nN,ER,2019-08,81,paid \u202e01$\n".encode()
    )
    assert status == 400
    assert "holds the control character U+202E" in page
