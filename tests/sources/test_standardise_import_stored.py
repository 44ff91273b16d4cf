"""`pmf import` stores one standardised figure per unit and period from rows by age band."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.cli import main
from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of
from pmf.web.observations.models import Observation
from tests.factories import GOOD
from tests.sources.test_standardise_import import HEADER, STANDARDISED, banded

pytestmark = pytest.mark.django_db


def test_import_by_age_band_stores_the_standardised_rate_with_its_lineage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    framework = tmp_path / "framework.yaml"
    framework.write_text(GOOD.replace("\npeer_groups:", "\n" + STANDARDISED + "peer_groups:"))
    assert main(["framework", "load", str(framework)]) == 0
    figures = tmp_path / "deaths.csv"
    figures.write_text(HEADER + banded("testdata_big", "N") + banded("testdata_small", "S"))
    assert main(["import", str(figures)]) == 0
    assert "38 rows read" not in capsys.readouterr().err
    stored = Observation.objects.get(unit__code="N", measure__code="MORT", period="2023")
    # testresults_DSR, testdata_big per 100,000.
    assert stored.value == pytest.approx(10430.247991469423, rel=1e-12)
    assert stored.numerator is None
    assert "from 19 age bands (rows 2–20): 895 events in 8,970 people" in stored.note
    assert Observation.objects.filter(measure__code="MORT").count() == 2


def test_the_standardised_block_is_kept_when_the_framework_is_stored(tmp_path: Path) -> None:
    framework = tmp_path / "framework.yaml"
    framework.write_text(GOOD.replace("\npeer_groups:", "\n" + STANDARDISED + "peer_groups:"))
    assert main(["framework", "load", str(framework)]) == 0
    held = framework_of(Organisation.objects.get(code="TST"))
    written = load_framework(framework.read_text())
    assert held.measure("SMR").standardised == written.measure("SMR").standardised
    assert held.measure("MORT").standardised == written.measure("MORT").standardised
    assert held.measure("ER").standardised is None


def test_a_bad_age_band_stores_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    framework = tmp_path / "framework.yaml"
    framework.write_text(GOOD.replace("\npeer_groups:", "\n" + STANDARDISED + "peer_groups:"))
    assert main(["framework", "load", str(framework)]) == 0
    figures = tmp_path / "deaths.csv"
    text = HEADER + banded("testdata_big", "N") + banded("testdata_small", "S")
    figures.write_text(text.replace("S,MORT,2023,90+", "S,MORT,2023,95+"))
    assert main(["import", str(figures)]) == 1
    error = capsys.readouterr().err
    assert "row 39, column 'age_band', value '95+': 90-94 and 95+ are one band, 90+" in error
    assert not Observation.objects.filter(measure__code="MORT").exists()
