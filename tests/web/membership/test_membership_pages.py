from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of, store_framework
from tests.factories import GOOD

pytestmark = pytest.mark.django_db

SOUTH = "  - {code: S, name: South, type: command, parent: F}\n"
JOINED = "  - {code: S, name: South, type: command, parent: F, member: {from: 2019-07}}\n"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def joined(organisation: Organisation) -> Organisation:
    """The test organisation, with South in the framework from July 2019."""
    return store_framework(load_framework(GOOD.replace(SOUTH, JOINED)), "framework.yaml")


def test_membership_is_stored_and_rebuilt(joined: Organisation) -> None:
    unit = joined.units.get(code="S")
    assert (unit.member_from, unit.member_until) == ("2019-07", "")
    member = framework_of(joined).unit("S").member
    assert member is not None and member.starts == "2019-07" and member.ends is None
    assert framework_of(joined).unit("N").member is None
    # Loading the file without it again takes it away.
    store_framework(load_framework(GOOD), "framework.yaml")
    assert framework_of(joined).unit("S").member is None


def test_the_measure_page_says_when_the_unit_joined_and_charts_nothing_before(
    joined: Organisation, analyst: User
) -> None:
    client = client_for(analyst)
    page = client.get("/TST/units/S/measures/CR/").content.decode()
    assert "South joined the framework from July 2019" in page
    data = client.get("/TST/units/S/measures/CR.json").json()
    assert data["membership"].startswith("South joined the framework from July 2019")
    rows = {row["period"]: row for row in data["rows"]}
    # July 2018 is listed, as held, but not charted or judged.
    assert rows["2018-07"]["charted"] is False
    north = client.get("/TST/units/N/measures/CR.json").json()
    assert north["membership"] is None
    # North, in the framework throughout, has the same two periods charted.
    assert [row["charted"] for row in north["rows"]] == [True, True]


def test_the_scorecard_says_when_the_unit_joined(joined: Organisation, analyst: User) -> None:
    page = client_for(analyst).get("/TST/units/S/").content.decode()
    assert "South joined the framework from July 2019" in page
    assert "South joined" not in client_for(analyst).get("/TST/units/N/").content.decode()


def test_the_board_paper_and_pmf_cycle_members_say_who_joined_this_cycle(
    joined: Organisation, analyst: User, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main
    from pmf.web.cycles import services
    from pmf.web.papers.builders.board import board_paper

    first = services.create_cycle(joined, number=1, name="Spring", cut_off="2019-06")
    services.lock_cycle(first, analyst.membership)
    second = services.create_cycle(joined, number=2, name="Summer", cut_off="2019-07")
    services.lock_cycle(second, analyst.membership)
    text = board_paper(second).text()
    assert "South joined the framework this cycle (from July 2019)" in text
    assert "South joined" not in board_paper(first).text()
    assert main(["cycle", "members", "-o", "TST", "2"]) == 0
    assert "S\tjoined\tSouth joined the framework this cycle" in capsys.readouterr().out
    assert main(["cycle", "members", "-o", "TST", "1"]) == 0
    assert "No unit joined or left the framework in cycle 1" in capsys.readouterr().out


def test_the_cycle_page_names_who_joined_and_its_delay_within_the_readers_scope(
    joined: Organisation, analyst: User, command_lead: User
) -> None:
    from pmf.web.cycles import services

    first = services.create_cycle(joined, number=1, name="Spring", cut_off="2019-06")
    services.lock_cycle(first, analyst.membership)
    services.create_cycle(joined, number=2, name="Summer", cut_off="2019-07")
    page = client_for(analyst).get("/TST/cycles/2/").content.decode()
    assert "South joined the framework this cycle (from July 2019)" in page
    assert "Reporting delay, in days after July 2019 ended: figures locked –" in page
    # The command lead of North does not see South.
    lead = client_for(command_lead).get("/TST/cycles/2/").content.decode()
    assert "South joined" not in lead
    data = client_for(analyst).get("/TST/cycles/2.json").json()
    assert [change["unit"] for change in data["joined_or_left"]] == ["S"]


def test_pmf_assess_says_when_the_unit_joined(
    joined: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    assert main(["assess", "-o", "TST", "--unit", "S", "--period", "2019-07"]) == 0
    assert "South joined the framework from July 2019" in capsys.readouterr().out
    assert main(["assess", "-o", "TST", "--unit", "N", "--period", "2019-07"]) == 0
    assert "joined the framework" not in capsys.readouterr().out
