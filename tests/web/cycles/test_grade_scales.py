"""A framework's grade scale in the cycle: the choices, the checks, the pages and the papers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.cli import main
from pmf.core.framework import load_framework
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import FrameworkRefused, grade_scale, store_framework
from pmf.web.papers.builders.board import board_paper
from pmf.web.publishing import publish_cycle
from tests.factories import GOOD, advance_to, grade_of

pytestmark = pytest.mark.django_db

PEEL = "grading:\n  scale: peel\n"


def on_peel(organisation: Organisation) -> Organisation:
    store_framework(load_framework(GOOD + PEEL), "framework.yaml")
    organisation.refresh_from_db()
    return organisation


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_scale_is_stored_with_the_framework_and_read_back(organisation: Organisation) -> None:
    assert grade_scale(organisation).name.startswith("Outstanding, Good")
    on_peel(organisation)
    assert organisation.grading == {"scale": "peel"}
    assert grade_scale(organisation).codes[2] == "adequate"


def test_a_command_lead_self_assesses_adequate_on_peel_and_the_pages_say_so(
    organisation: Organisation, cycle: Cycle, analyst: User, command_lead: User
) -> None:
    on_peel(organisation)
    services.lock_cycle(cycle, analyst.membership)
    advance_to(cycle, analyst, Cycle.State.SELF_ASSESSMENT)
    north = grade_of(cycle, "N")
    with pytest.raises(services.WorkflowRefused) as refused:
        services.self_assess(north, command_lead.membership, "satisfactory", "Fine.")
    assert refused.value.problems == [
        "grade: choose one of Outstanding, Good, Adequate, Requires improvement, Inadequate "
        "or No grade"
    ]
    services.self_assess(north, command_lead.membership, "adequate", "One KPI of concern.")
    assert grade_of(cycle, "N").self_grade == "adequate"

    client = client_for(command_lead)
    data = client.get("/TST/cycles/1/units/N/areas/FOCUS.json").json()
    assert data["self"]["grade"] == {"value": "adequate", "label": "Adequate", "role": "adequate"}
    assert [choice["label"] for choice in data["grades"]] == [
        "Outstanding",
        "Good",
        "Adequate",
        "Requires improvement",
        "Inadequate",
        "No grade",
    ]
    page = client.get("/TST/cycles/1/units/N/areas/FOCUS/").content.decode()
    assert 'value="adequate"' in page and "pmf-grade--adequate" in page
    # The form posts through the same check.
    posted = client.post(
        "/TST/cycles/1/units/N/areas/FOCUS/",
        {"step": "self", "grade": "satisfactory", "text": "Fine."},
    )
    assert "choose one of Outstanding, Good, Adequate" in posted.content.decode()
    assert grade_of(cycle, "N").self_grade == "adequate"
    overview = client_for(analyst).get("/TST/cycles/1/").content.decode()
    assert ">Adequate<" in overview
    scale = client_for(analyst).get("/TST/cycles.json").json()["scale"]
    assert (scale["name"], scale["letters"]) == (
        "HMICFRS PEEL",
        "O Outstanding, G Good, A Adequate, RI Requires improvement, I Inadequate",
    )


def test_pmf_cycle_grades_prints_the_scales_words(
    organisation: Organisation,
    cycle: Cycle,
    analyst: User,
    command_lead: User,
    capsys: pytest.CaptureFixture[str],
) -> None:
    on_peel(organisation)
    services.lock_cycle(cycle, analyst.membership)
    advance_to(cycle, analyst, Cycle.State.SELF_ASSESSMENT)
    services.self_assess(grade_of(cycle, "N"), command_lead.membership, "adequate", "Why.")
    capsys.readouterr()
    assert main(["cycle", "grades", "-o", "TST", "1"]) == 0
    rows = {
        line.split("\t")[0]: line.split("\t")[1:] for line in capsys.readouterr().out.splitlines()
    }
    assert rows["N"][0] == "Adequate"


def test_the_board_paper_names_the_scale(
    organisation: Organisation, cycle: Cycle, analyst: User
) -> None:
    on_peel(organisation)
    services.lock_cycle(cycle, analyst.membership)
    advance_to(cycle, analyst, Cycle.State.PUBLISHED)
    text = board_paper(cycle).text()
    assert (
        "The grades are those of the HMICFRS PEEL scale: Outstanding, Good, Adequate, "
        "Requires improvement and Inadequate."
    ) in text
    assert "graded at Requires improvement or Inadequate" in text


def test_the_public_site_names_the_scale(
    organisation: Organisation, cycle: Cycle, analyst: User, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    on_peel(organisation)
    services.lock_cycle(cycle, analyst.membership)
    advance_to(cycle, analyst, Cycle.State.PUBLISHED)
    publish_cycle(cycle, site)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Outstanding, Good, Adequate, Requires improvement or Inadequate." in index
    assert "A Adequate, RI Requires improvement" in index
    metadata = json.loads((site / "data" / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["grade_scale"]["name"] == "HMICFRS PEEL"
    assert [grade["code"] for grade in metadata["grade_scale"]["grades"]][2] == "adequate"


def test_a_new_scale_without_a_stored_grade_is_refused_and_changes_nothing(
    organisation: Organisation,
    cycle: Cycle,
    analyst: User,
    command_lead: User,
    framework_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    on_peel(organisation)
    services.lock_cycle(cycle, analyst.membership)
    advance_to(cycle, analyst, Cycle.State.SELF_ASSESSMENT)
    services.self_assess(grade_of(cycle, "N"), command_lead.membership, "adequate", "Why.")
    with pytest.raises(FrameworkRefused) as refused:
        store_framework(load_framework(GOOD), "framework.yaml")
    assert refused.value.problems == [
        "grading.scale: 'adequate' (cycle 1, unit N, area FOCUS) is a stored grade that the "
        "Outstanding, Good, Requires Improvement, Inadequate scale does not have; keep it on "
        "the scale"
    ]
    organisation.refresh_from_db()
    assert organisation.grading == {"scale": "peel"}
    # The command line says the same, naming the file, and stores nothing.
    assert main(["framework", "load", str(framework_file)]) != 0
    err = capsys.readouterr().err
    assert f"{framework_file}: grading.scale: 'adequate' (cycle 1, unit N, area FOCUS)" in err
    assert "Nothing was stored." in err
    organisation.refresh_from_db()
    assert organisation.grading == {"scale": "peel"}
