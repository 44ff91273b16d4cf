"""Provisional figures and figures stored with accepted warnings are marked wherever shown."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.core.periods import parse_period
from pmf.core.scorecard import MARKS_LEGEND
from pmf.reports.console import render_scorecard
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.marks import flagged_observations
from pmf.web.observations.models import Observation
from pmf.web.observations.services import scorecard_for

pytestmark = pytest.mark.django_db

WARNING = "the value is 56% below the previous one (683)"


def settle(organisation: Organisation) -> None:
    """Sign every figure off, then hold North's ER of July 2019 with an accepted warning and
    South's as provisional."""
    held = Observation.objects.filter(measure__organisation=organisation)
    held.update(status=Observation.Status.SIGNED_OFF)
    held.filter(unit__code="N", measure__code="ER", period="2019-07").update(
        warnings=WARNING, warnings_reason="a recount after the audit"
    )
    held.filter(unit__code="S", measure__code="ER", period="2019-07").update(
        status=Observation.Status.PROVISIONAL
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_flagged_figures_are_the_provisional_and_the_warned_only(
    organisation: Organisation,
) -> None:
    settle(organisation)
    found = {(row["unit"], row["measure"]): row for row in flagged_observations(organisation)}
    assert set(found) == {("N", "ER"), ("S", "ER")}
    assert found["N", "ER"]["warned"] and not found["N", "ER"]["provisional"]
    assert found["N", "ER"]["warnings"] == [WARNING]
    assert found["N", "ER"]["warnings_reason"] == "a recount after the audit"
    assert found["S", "ER"]["provisional"] and not found["S", "ER"]["warned"]


def test_a_units_scorecard_marks_its_own_figures(organisation: Organisation) -> None:
    settle(organisation)
    rows = {row.measure: row for row in scorecard_for(organisation, unit="N").rows()}
    assert rows["ER"].mark == "W"
    assert rows["ER"].value_marked == "75.0% [W]"
    assert rows["CR"].mark == ""


def test_a_rolled_up_figure_carries_the_marks_of_the_figures_it_sums(
    organisation: Organisation,
) -> None:
    settle(organisation)
    Observation.objects.filter(measure__code="CR", period="2019-07", unit__code="N").update(
        warnings=WARNING
    )
    Observation.objects.filter(measure__code="CR", period="2019-07", unit__code="S").update(
        status=Observation.Status.PROVISIONAL
    )
    scorecard = scorecard_for(organisation, unit="F")
    (crimes,) = scorecard.rows()
    assert crimes.origin == "rolled_up"
    assert crimes.mark == "P W"
    assert crimes.mark_words == "provisional; stored with accepted warnings"
    assert scorecard.has_marks
    # A year before, summed from signed-off figures, it carries none.
    (before,) = scorecard_for(organisation, unit="F", period=parse_period("2018-07")).rows()
    assert (before.period, before.mark) == ("2018-07", "")


def test_the_terminal_scorecard_marks_the_figure_and_explains_the_marks(
    organisation: Organisation,
) -> None:
    settle(organisation)
    text = render_scorecard(scorecard_for(organisation, unit="S"))
    assert f"Marks: {MARKS_LEGEND}" in text
    assert "85.0% [P]" in text


def test_a_scorecard_without_marks_has_no_marks_legend(organisation: Organisation) -> None:
    Observation.objects.update(status=Observation.Status.VALIDATED)
    text = render_scorecard(scorecard_for(organisation, unit="F"))
    assert "Marks:" not in text
    assert "[P]" not in text


def test_the_scorecard_page_marks_in_text_with_words_for_screen_readers(
    organisation: Organisation, analyst: User
) -> None:
    settle(organisation)
    page = client_for(analyst).get("/TST/units/S/").content.decode()
    assert (
        '<sup class="pmf-mark" aria-hidden="true">P</sup>'
        '<span class="govuk-visually-hidden"> (provisional)</span>'
    ) in page
    assert 'id="marks-legend"' in page
    data = client_for(analyst).get("/TST/units/S.json").json()
    (response,) = [m for m in data["areas"][0]["measures"] if m["measure"] == "ER"]
    assert response["provisional"] is True
    assert response["warned"] is False
    assert response["mark"] == "P"


def test_the_measure_page_marks_the_figure_in_its_table_and_gives_the_warnings(
    organisation: Organisation, analyst: User
) -> None:
    settle(organisation)
    page = client_for(analyst).get("/TST/units/N/measures/ER/").content.decode()
    assert "(stored with accepted warnings)</span>" in page
    assert 'id="marks-legend"' in page
    assert WARNING in page
    assert "because: a recount after the audit" in page
    data = client_for(analyst).get("/TST/units/N/measures/ER.json").json()
    assert [row["mark"] for row in data["rows"]] == ["W"]
    assert data["revisions"][0]["warnings"] == [WARNING]


def test_the_measure_pages_peer_table_marks_each_units_figure(
    organisation: Organisation, analyst: User
) -> None:
    settle(organisation)
    data = client_for(analyst).get("/TST/units/N/measures/ER.json").json()
    marks = {row["unit"]: row["mark"] for row in data["peers"]["rows"]}
    assert marks == {"N": "W", "S": "P"}
    page = client_for(analyst).get("/TST/units/N/measures/ER/").content.decode()
    assert "85.0%<sup" in page


def test_the_workbook_of_a_scorecard_says_the_mark_in_words_once() -> None:
    from openpyxl import load_workbook

    from pmf.web.exports import tables_workbook

    html = (
        "<table><caption>Figures</caption><tr><th>Value</th></tr><tr><td>6.0"
        '<sup class="pmf-mark" aria-hidden="true">P</sup>'
        '<span class="govuk-visually-hidden"> (provisional)</span></td></tr>'
        "<tr><td>x<sup>2</sup></td></tr></table>"
    )
    book = load_workbook(io.BytesIO(tables_workbook(html)))
    values = [cell.value for cell in book[book.sheetnames[0]]["A"]]
    assert values[-2:] == ["6.0 (provisional)", "x2"]
