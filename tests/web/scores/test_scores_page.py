"""A unit's scores page and its JSON twin: measures scored, weighted into areas, and overall."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from pmf.core.framework import load_framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of, store_framework
from pmf.web.observations.services import store_observations
from tests.factories import FIGURES, GOOD, member

pytestmark = pytest.mark.django_db

SCORING = """\
scoring:
  scale: spider
  measures:
    - {measure: ER, goal: 80, red_flag: 70, weight: 3}
    - {measure: CR, goal: 5, red_flag: 9}
"""


def store(tmp_path: Path, text: str) -> Organisation:
    organisation = store_framework(load_framework(text), "framework.yaml")
    path = tmp_path / "figures.csv"
    path.write_text(FIGURES, encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    store_observations(
        organisation, result.observations, file_name="figures.csv", sha256="x", layout=result.layout
    )
    return organisation


def client(organisation: Organisation, role: str = "analyst", unit: str | None = None) -> Client:
    found = Client()
    found.force_login(member(f"{role}_{unit or 'all'}", organisation, role, unit=unit))
    return found


def test_the_json_twin_gives_each_score_its_weight_and_calculation(tmp_path: Path) -> None:
    organisation = store(tmp_path, GOOD + SCORING)
    data = client(organisation).get("/TST/units/N/scores.json").json()
    scores = data["scores"]
    assert scores["scale"] == "spider"
    (focus,) = scores["areas"]
    er, cr = focus["measures"]
    # North: 75 % within target (red flag 70, goal 80) and 6 crimes per 1,000 (9, 5).
    assert (er["value"], er["weight"]) == (75.0, 3.0)
    assert er["score"] == pytest.approx(5.0)
    assert cr["value"] == pytest.approx(6.0)
    assert cr["score"] == pytest.approx(10 / 3 + 3 / 4 * 10 / 3)
    assert focus["score"] == pytest.approx((5.0 * 3 + cr["score"]) / 4)
    assert focus["calculation"] == "(5.00 × 3 + 5.83 × 1) ÷ 4 = 5.21"
    assert scores["score"] == pytest.approx(focus["score"])
    assert scores["band"] == "yellow"


def test_the_page_shows_the_weights_thresholds_and_calculation_in_a_table(tmp_path: Path) -> None:
    organisation = store(tmp_path, GOOD + SCORING)
    page = client(organisation).get("/TST/units/N/scores/").content.decode()
    assert '<caption class="govuk-table__caption govuk-table__caption--m">FOCUS: 5.21' in page
    assert "red flag 70.0%, goal 80.0%" in page
    assert "3.33 + (75.0% − 70.0%) ÷ (80.0% − 70.0%) × 3.33 = 5.00" in page
    assert "(5.21 × 1) ÷ 1 = 5.21" in page


def test_the_scorecard_shows_the_area_scores_and_links_to_the_page(tmp_path: Path) -> None:
    organisation = store(tmp_path, GOOD + SCORING)
    page = client(organisation).get("/TST/units/N/").content.decode()
    assert 'id="scorecard-scores"' in page
    assert 'href="/TST/units/N/scores/"' in page


def test_a_member_scoped_to_north_cannot_read_south_scores(tmp_path: Path) -> None:
    organisation = store(tmp_path, GOOD + SCORING)
    scoped = client(organisation, "command_lead", "N")
    assert scoped.get("/TST/units/N/scores.json").status_code == 200
    assert scoped.get("/TST/units/S/scores.json").status_code == 404
    assert scoped.get("/TST/units/S/scores/").status_code == 404


def test_a_period_that_is_not_one_is_a_clear_bad_request(tmp_path: Path) -> None:
    organisation = store(tmp_path, GOOD + SCORING)
    answer = client(organisation).get("/TST/units/N/scores.json?period=someday")
    assert answer.status_code == 400
    assert "someday" in answer.json()["error"]


def test_a_framework_without_scoring_says_so_and_the_scorecard_shows_no_scores(
    tmp_path: Path,
) -> None:
    organisation = store(tmp_path, GOOD)
    reader = client(organisation)
    assert reader.get("/TST/units/N/scores.json").json()["scores"] == {"scored": False}
    assert "No measure of North is scored" in reader.get("/TST/units/N/scores/").content.decode()
    assert 'id="scorecard-scores"' not in reader.get("/TST/units/N/").content.decode()


def test_the_api_gives_the_pages_scores_to_a_token_and_refuses_units_out_of_scope(
    tmp_path: Path,
) -> None:
    from tests.factories import api_client

    organisation = store(tmp_path, GOOD + SCORING)
    whole = api_client(member("api_analyst", organisation, "analyst"))
    answer = whole.get("/api/organisations/TST/scores?unit=N")
    assert answer.status_code == 200
    assert answer.json() == client(organisation).get("/TST/units/N/scores.json").json()
    scoped = api_client(member("api_lead", organisation, "command_lead", unit="N"))
    assert scoped.get("/api/organisations/TST/scores?unit=S").status_code == 404
    assert whole.get("/api/organisations/TST/scores?unit=N&period=someday").status_code == 400
