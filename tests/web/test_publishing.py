"""Publishing a cycle: open data with metadata and a static public site, from published only."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from pmf.cli import main
from pmf.core.grading import Grade
from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from pmf.web.publishing import NotPublished, publish_cycle
from tests.factories import published

pytestmark = pytest.mark.django_db


def test_a_published_cycle_becomes_a_site_and_open_data(
    organisation: Organisation, analyst: User, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    cycle = published(organisation, analyst)
    written = publish_cycle(cycle, site)
    names = {path.relative_to(site).as_posix() for path in written}
    assert {"index.html", "open-data.html", "units/F.html", "units/N.html", "units/S.html"} <= names
    assert (site / "assets" / "govuk-frontend" / "govuk-frontend.min.css").exists()
    index = (site / "index.html").read_text()
    assert 'href="units/N.html"' in index
    assert "sign in" not in index.lower()
    assert "<script" not in index
    with (site / "data" / "assessments.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assessment = services.cycle_assessment(cycle, units=["F", "N", "S"])
    assert len(rows) == assessment.height
    north_er = next(r for r in rows if r["unit"] == "N" and r["measure"] == "ER")
    expected = assessment.filter((assessment["unit"] == "N") & (assessment["measure"] == "ER"))
    assert float(north_er["value"]) == expected["value"][0]
    grades = json.loads((site / "data" / "grades.json").read_text())
    assert {g["grade"] for g in grades} <= {grade.value for grade in Grade}
    metadata = json.loads((site / "data" / "metadata.json").read_text())
    assert metadata["cycle"] == 1
    assert metadata["data_to"] == "2019-07"
    measures = json.loads((site / "data" / "measures.json").read_text())
    assert {m["code"] for m in measures} == {"ER", "CR"}


def test_text_that_looks_like_a_formula_is_neutralised_in_the_csv(
    organisation: Organisation, analyst: User, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    organisation.units.filter(code="N").update(name="=HYPERLINK(1)")
    cycle = published(organisation, analyst)
    publish_cycle(cycle, site)
    assert "=HYPERLINK" not in (site / "data" / "grades.csv").read_text().replace("'=HYPERLINK", "")


def test_only_a_published_cycle_is_published(
    organisation: Organisation, analyst: User, tmp_path: Path
) -> None:
    cycle = services.create_cycle(organisation, number=1, name="Draft", cut_off="2019-07")
    with pytest.raises(NotPublished, match="only a published cycle is published"):
        publish_cycle(cycle, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_pmf_publish(
    organisation: Organisation, analyst: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish", "-o", "TST", "--out", str(tmp_path / "a")]) == 1
    assert "TST has no published cycle yet" in capsys.readouterr().err
    published(organisation, analyst)
    assert main(["publish", "-o", "TST", "--out", str(tmp_path / "a"), "--unsigned"]) == 0
    assert "Published cycle 1 of Test Force" in capsys.readouterr().out
    assert (
        main(["publish", "-o", "TST", "--cycle", "7", "--out", str(tmp_path / "b"), "--unsigned"])
        == 1
    )
