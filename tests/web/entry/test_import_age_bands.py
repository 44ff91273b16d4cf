"""The browser's import takes a standardised measure's figures by age band, as `pmf import` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pmf.cli import main
from pmf.web.observations.models import Observation
from tests.factories import GOOD
from tests.sources.test_standardise_import import HEADER, STANDARDISED, banded

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, settings: object) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]


def test_analyst_imports_age_bands_as_one_standardised_figure(
    analyst: User, tmp_path: Path
) -> None:
    framework = tmp_path / "framework.yaml"
    framework.write_text(GOOD.replace("\npeer_groups:", "\n" + STANDARDISED + "peer_groups:"))
    assert main(["framework", "load", str(framework)]) == 0
    client = Client()
    client.force_login(analyst)
    text = HEADER + banded("testdata_big", "N")
    preview = client.post("/TST/import/", {"file": SimpleUploadedFile("deaths.csv", text.encode())})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    page = preview.content.decode()
    assert 'value="age_band" selected' in page
    token = preview.context["review"]["token"]
    done = client.post("/TST/import/", {"token": token, "name": "deaths.csv"})
    assert done.status_code == 302
    stored = Observation.objects.get(unit__code="N", measure__code="MORT", period="2023")
    assert stored.value == pytest.approx(10430.247991469423, rel=1e-12)
    assert "895 events in 8,970 people" in stored.note
