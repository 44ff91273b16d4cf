"""Rebases and events of a measure's SPC chart: set by analysts on the web, audited, and used
by the measure page and the board paper, which say which periods their limits come from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.reports.document import Chart, Table
from pmf.web.audit.models import AuditEvent
from pmf.web.cycles import services as cycles
from pmf.web.frameworks.models import Organisation, SpcMark
from pmf.web.papers.builders.board import board_paper
from tests.factories import load_charted

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def charted(organisation: Organisation, tmp_path: Path) -> Organisation:
    return load_charted(organisation, tmp_path)


def test_the_measure_page_names_the_periods_its_limits_come_from(
    charted: Organisation, analyst: User
) -> None:
    data = client_for(analyst).get("/TST/units/N/measures/ER.json").json()
    spc = data["spc"]
    assert spc["charted"] == 36 and spc["hidden"] == 7
    assert spc["limits"] == (
        "Limits from the 20 months August 2016 to March 2018; from January 2019 (rebased: new "
        "dispatch system), trial limits (fewer than 20 points) from the 7 months January 2019 "
        "to July 2019."
    )
    assert [segment["first_period"] for segment in spc["segments"]] == ["2016-08", "2019-01"]
    assert spc["events"] == [{"period": "2019-03", "text": "Storm Ciara", "label": "March 2019"}]
    charted_rows = [row for row in data["rows"] if row["charted"]]
    assert all(row["mean"] is None for row in data["rows"] if not row["charted"])
    assert {row["segment"] for row in charted_rows} == {0, 1}
    assert data["chart"]["data"]["values"][0]["period"] == "2016-08"
    layers = data["chart"]["layer"]
    assert any(layer["mark"].get("type") == "rule" for layer in layers)  # the event
    assert layers[1]["encoding"]["detail"]["field"] == "segment"
    page = client_for(analyst).get("/TST/units/N/measures/ER/").content.decode()
    assert "Limits from the 20 months August 2016 to March 2018" in page
    assert "Storm Ciara" in page and "Trial limits" in page


def test_the_paper_caption_alt_and_table_name_the_limit_periods(
    charted: Organisation, analyst: User
) -> None:
    cycle = cycles.create_cycle(charted, number=5, name="Summer", cut_off="2019-07")
    cycles.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    blocks = [block for _, section in board_paper(cycle).walk() for block in section.blocks]
    figure = next(
        block
        for block in blocks
        if isinstance(block, Chart) and block.caption.startswith("Emergency response")
    )
    limits = "Limits from the 20 months August 2016 to March 2018; from January 2019"
    assert "XmR chart of the 36 figures August 2016 to July 2019" in figure.caption
    assert limits in figure.caption and limits in figure.alt
    assert "7 earlier figures are not charted and set no limits" in figure.caption
    assert "Storm Ciara" in figure.alt
    table = next(
        block
        for block in blocks
        if isinstance(block, Table) and block.caption.startswith("Emergency response")
    )
    assert limits in table.caption
    roles = [row[6] for row in table.rows]
    assert roles[0] == "baseline" and roles[20] == "judged"
    assert roles[29] == "rebased (new dispatch system); baseline (trial)"
    assert "Storm Ciara" in [row[7] for row in table.rows]
    # Neither renderer clips the axis title or the legend: every word is in the SVG.
    text = " ".join(
        re.findall(
            r">([^<>]+)</(?:text|tspan)>",
            figure.svg.decode() if isinstance(figure.svg, bytes) else figure.svg,
        )
    )
    # The title wraps onto lines (pmf.reports.charts.spc.SPC_TITLE_CHARACTERS).
    assert "Emergency response within target" in " ".join(text.split())
    for label in ("common cause", "improvement", "concern", "Variation"):
        assert label in text
    assert "…" not in text


def test_an_analyst_adds_changes_and_withdraws_a_rebase_with_its_reason_audited(
    charted: Organisation, analyst: User
) -> None:
    client = client_for(analyst)
    url = "/TST/units/N/measures/ER/spc/"
    assert client.get(url).status_code == 200
    added = client.post(
        url,
        {
            "action": "add",
            "kind": "rebase",
            "period": "2018-06",
            "text": "New shift pattern",
            "scope": "unit",
        },
    )
    assert added.status_code == 302
    mark = SpcMark.objects.get(period="2018-06")
    assert (mark.unit.code, mark.kind, mark.text) == ("N", "rebase", "New shift pattern")
    data = client.get("/TST/units/N/measures/ER.json").json()
    assert [s["first_period"] for s in data["spc"]["segments"]] == ["2016-08", "2018-06", "2019-01"]
    south = client.get("/TST/units/S/measures/ER.json").json()
    assert "2018-06" not in [s["first_period"] for s in south["spc"]["segments"]]
    event = AuditEvent.objects.get(action="add rebase")
    assert event.after["period"] == "2018-06" and event.note == "New shift pattern"
    changed = client.post(
        url,
        {
            "action": "change",
            "number": mark.pk,
            "period": "2018-07",
            "text": "New shifts",
            "reason": "Started a month later",
        },
    )
    assert changed.status_code == 302
    audit = AuditEvent.objects.get(action="change rebase")
    assert (audit.before["period"], audit.after["period"], audit.note) == (
        "2018-06",
        "2018-07",
        "Started a month later",
    )
    running = SpcMark.objects.get(superseded_at__isnull=True)
    withdrawn = client.post(url, {"action": "withdraw", "number": running.pk, "reason": "Mistaken"})
    assert withdrawn.status_code == 302
    assert not SpcMark.objects.filter(superseded_at__isnull=True).exists()
    assert AuditEvent.objects.get(action="withdraw rebase").note == "Mistaken"
    data = client.get("/TST/units/N/measures/ER.json").json()
    assert [s["first_period"] for s in data["spc"]["segments"]] == ["2016-08", "2019-01"]


def test_a_rebase_without_a_reason_or_with_a_wrong_period_changes_nothing(
    charted: Organisation, analyst: User
) -> None:
    client = client_for(analyst)
    response = client.post(
        "/TST/units/N/measures/ER/spc/",
        {"action": "add", "kind": "rebase", "period": "2018/19", "text": "", "scope": "unit"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<a href="#period">' in page and '<a href="#text">' in page
    assert "Enter the reason for the rebase." in page
    assert "is a financial year, but ER is reported by month" in page
    assert not SpcMark.objects.exists()
    assert not AuditEvent.objects.filter(action__endswith="rebase").exists()


def test_only_analysts_set_rebases_and_events(
    charted: Organisation, owner: User, board_member: User
) -> None:
    for user in (owner, board_member):
        response = client_for(user).post(
            "/TST/units/N/measures/ER/spc/",
            {"action": "add", "kind": "event", "period": "2019-05", "text": "x", "scope": "all"},
        )
        assert response.status_code in (403, 404)
    assert not SpcMark.objects.exists()


def test_the_scorecard_and_the_measure_page_agree_on_variation_and_assurance(
    charted: Organisation, analyst: User
) -> None:
    client = client_for(analyst)
    page = client.get("/TST/units/N/measures/ER.json").json()["spc"]
    card = client.get("/TST/units/N.json").json()
    row = next(
        measure
        for area in card["areas"]
        for measure in area["measures"]
        if measure["measure"] == "ER"
    )
    assert (row["variation_text"], row["assurance_text"]) == (page["variation"], page["assurance"])
    assert row["trial_limits"] is page["trial_limits"] is True
    assert row["spc_points"] == page["segments"][-1]["points"] == 7


def test_a_scoped_analyst_sets_marks_for_their_units_only(
    charted: Organisation, analyst: User
) -> None:
    from pmf.web.accounts.models import Membership
    from tests.factories import member

    scoped = client_for(member("scoped", charted, Membership.Role.ANALYST, unit="N"))
    url = "/TST/units/N/measures/ER/spc/"
    assert 'value="all"' not in scoped.get(url).content.decode()
    event = {"action": "add", "kind": "event", "period": "2019-05", "text": "Fair"}
    # Every unit's chart is the whole organisation's: refused on the field, nothing stored.
    refused = scoped.post(url, {**event, "scope": "all"})
    assert refused.status_code == 400
    assert '<a href="#scope">' in refused.content.decode()
    assert not SpcMark.objects.exists()
    assert scoped.post(url, {**event, "scope": "unit"}).status_code == 302
    # Marks set by the whole organisation's analyst, for every unit and for South, are not
    # theirs to change or withdraw: as if they did not exist.
    whole = client_for(analyst)
    whole.post(url, {**event, "text": "Everywhere", "scope": "all"})
    whole.post("/TST/units/S/measures/ER/spc/", {**event, "text": "South", "scope": "unit"})
    for mark in SpcMark.objects.exclude(text="Fair"):
        withdrawn = scoped.post(url, {"action": "withdraw", "number": mark.pk, "reason": "No"})
        assert withdrawn.status_code == 404, mark.text
    assert SpcMark.objects.filter(superseded_at__isnull=True).count() == 3


def test_a_welsh_readers_rebase_is_labelled_in_english_in_the_audit_trail(
    charted: Organisation, analyst: User
) -> None:
    # The audit trail is one record for every reader: its labels are written in English
    # whatever language the person who acted was reading ("Ailsylfaenu" was stored before).
    client = client_for(analyst)
    client.cookies["django_language"] = "cy"
    added = client.post(
        "/TST/units/N/measures/ER/spc/",
        {"action": "add", "kind": "rebase", "period": "2018-06", "text": "Shifts", "scope": "unit"},
        HTTP_ACCEPT_LANGUAGE="cy",
    )
    assert added.status_code == 302
    assert AuditEvent.objects.get(action="add rebase").label == (
        "SPC rebase of ER in N at 2018-06 added"
    )
