"""Before the lock, the analyst sees the cycle's provisional figures and those stored with
accepted warnings; locking with any asks once, and never refuses."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from tests.factories import member

pytestmark = pytest.mark.django_db

WARNING = "the value is 40% above the previous one"


@pytest.fixture
def draft(organisation: Organisation) -> Cycle:
    """Cycle 1 (data to July 2019) with every figure signed off but South's response times,
    provisional, and North's, stored with an accepted warning; July 2018's stay provisional."""
    held = Observation.objects.filter(measure__organisation=organisation)
    held.filter(period="2019-07").update(status=Observation.Status.SIGNED_OFF)
    held.filter(unit__code="S", measure__code="ER").update(status=Observation.Status.PROVISIONAL)
    held.filter(unit__code="N", measure__code="ER").update(
        warnings=WARNING, warnings_reason="a new shift pattern"
    )
    return services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_analyst_sees_the_cycles_provisional_and_warned_figures(
    draft: Cycle, analyst: User
) -> None:
    data = client_for(analyst).get("/TST/cycles/1.json").json()
    checks = data["checks"]
    # July 2018 is before the year to the cut-off: not the cycle's.
    assert checks["provisional_count"] == 1
    assert [(p["measure"], p["periods"], p["units"]) for p in checks["provisional"]] == [
        ("ER", ["2019-07"], ["South"])
    ]
    (warned,) = checks["warned"]
    assert (warned["unit"], warned["value_text"], warned["warnings"], warned["reason"]) == (
        "N",
        "75.0%",
        [WARNING],
        "a new shift pattern",
    )
    page = client_for(analyst).get("/TST/cycles/1/").content.decode()
    assert 'id="figures-to-check"' in page
    assert WARNING in page and "a new shift pattern" in page


def test_a_later_cycles_figures_are_those_since_the_previous_cut_off(
    organisation: Organisation, analyst: User
) -> None:
    first = services.create_cycle(organisation, number=1, name="Spring", cut_off="2018-07")
    services.lock_cycle(first, analyst.membership)
    second = services.create_cycle(organisation, number=2, name="Summer", cut_off="2019-07")
    assert services.periods_of(second) == ["2019-07"]
    assert services.periods_of(first) == ["2018-07"]


def test_other_roles_do_not_get_the_list(draft: Cycle, board_member: User) -> None:
    assert client_for(board_member).get("/TST/cycles/1.json").json()["checks"] is None


def test_a_scoped_analyst_sees_only_their_units_figures(
    draft: Cycle, organisation: Organisation
) -> None:
    north = member("north_analyst", organisation, Membership.Role.ANALYST, unit="N")
    checks = client_for(north).get("/TST/cycles/1.json").json()["checks"]
    assert checks["provisional"] == []
    assert [item["unit"] for item in checks["warned"]] == ["N"]


def test_locking_with_figures_to_check_asks_once_then_locks(draft: Cycle, analyst: User) -> None:
    client = client_for(analyst)
    asked = client.post("/TST/cycles/1/")
    assert asked.status_code == 200
    page = asked.content.decode()
    assert 'id="confirm-lock"' in page
    assert "1 figure of this cycle is still provisional and 1 was stored" in page
    assert 'name="confirm" value="yes"' in page
    draft.refresh_from_db()
    assert draft.state == Cycle.State.DRAFT
    locked = client.post("/TST/cycles/1/", {"confirm": "yes"})
    assert locked.status_code == 302
    draft.refresh_from_db()
    assert draft.state == Cycle.State.LOCKED
    # After the lock the list is of the figures as they were locked.
    checks = client.get("/TST/cycles/1.json").json()["checks"]
    assert checks["at_lock"] is True and checks["provisional_count"] == 1


def test_locking_with_nothing_to_check_does_not_ask(
    organisation: Organisation, analyst: User
) -> None:
    Observation.objects.update(status=Observation.Status.VALIDATED)
    services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    assert client_for(analyst).post("/TST/cycles/1/").status_code == 302
    assert Cycle.objects.get(number=1).state == Cycle.State.LOCKED


def test_pmf_cycle_advance_tells_how_many_figures_were_locked_unchecked(
    draft: Cycle, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    assert main(["cycle", "advance", "-o", "TST", "1"]) == 0
    err = capsys.readouterr().err
    assert "locked with 1 provisional figure and 1 stored with accepted warnings" in err
