"""Data-quality spot checks: a reproducible sample drawn at the lock, results recorded by
analysts in their scope and audited, and the share verified in the board paper."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.core.sampling import draw_sample, sample_size
from pmf.web.accounts.models import Membership
from pmf.web.audit.models import AuditEvent
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle, SpotCheck
from pmf.web.frameworks.models import Organisation
from pmf.web.papers.builders.board import board_paper
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(organisation: Organisation, analyst: User) -> Cycle:
    cycle = services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    return cycle


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def keys_of(cycle: Cycle) -> list[str]:
    return [
        f"{c.observation.unit.code}|{c.observation.measure.code}|{c.observation.period}"
        for c in cycle.spot_checks.select_related("observation__unit", "observation__measure")
    ]


def test_locking_draws_the_cycles_reported_figures_reproducibly(locked: Cycle) -> None:
    # July 2019's four reported figures (N and S, CR and ER): fewer than ten, so all of them,
    # in the order the seeded hash draws them; the force's summed figure is not drawn.
    population = ["N|CR|2019-07", "S|CR|2019-07", "N|ER|2019-07", "S|ER|2019-07"]
    assert keys_of(locked) == draw_sample(population, "TST cycle 1")
    assert sorted(keys_of(locked)) == sorted(population)
    # Drawing again changes nothing.
    services.draw_spot_checks(locked)
    assert locked.spot_checks.count() == 4


def test_the_sample_is_five_per_cent_at_least_ten_at_most_thirty() -> None:
    assert [sample_size(n) for n in (0, 7, 10, 199, 201, 600, 601, 10_000)] == [
        0,
        7,
        10,
        10,
        11,
        30,
        30,
        30,
    ]


def test_an_analyst_records_a_result_and_it_is_audited(locked: Cycle, analyst: User) -> None:
    check = locked.spot_checks.get(position=1)
    response = client_for(analyst).post(
        "/TST/cycles/1/spot-checks/", {"position": "1", "result": "verified", "note": ""}
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.result, check.checked_by) == ("verified", analyst)
    event = AuditEvent.objects.get(action="spot check")
    assert event.after == {"result": "verified", "note": ""}
    assert event.label.startswith("Cycle 1 spot check 1: ")
    assert event.unit_code == check.observation.unit.code
    assert event.object_id == f"spot-check-{check.pk}"
    history = client_for(analyst).get(
        f"/TST/audit.json?kind=observation&object=spot-check-{check.pk}"
    )
    assert [item["action"] for item in history.json()["events"]] == ["spot check"]


def test_a_discrepancy_needs_a_note_and_nothing_is_saved_without_one(
    locked: Cycle, analyst: User
) -> None:
    response = client_for(analyst).post(
        "/TST/cycles/1/spot-checks/", {"position": "2", "result": "discrepancy", "note": " "}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "say what differs from the source" in page
    assert 'href="#note-2"' in page
    assert locked.spot_checks.get(position=2).result == ""
    assert not AuditEvent.objects.filter(action="spot check").exists()


def test_only_analysts_record_and_scoped_analysts_only_their_units_figures(
    locked: Cycle, organisation: Organisation, board_member: User
) -> None:
    refused = client_for(board_member).post(
        "/TST/cycles/1/spot-checks/", {"position": "1", "result": "verified"}
    )
    assert refused.status_code == 400
    assert "only analysts of Test Force may record spot checks" in refused.content.decode()
    north = member("north_analyst", organisation, Membership.Role.ANALYST, unit="N")
    data = client_for(north).get("/TST/cycles/1/spot-checks.json").json()
    assert {check["unit"] for check in data["checks"]} == {"N"}
    assert all(check["can_record"] for check in data["checks"])
    south = locked.spot_checks.get(observation__unit__code="S", observation__measure__code="CR")
    response = client_for(north).post(
        "/TST/cycles/1/spot-checks/", {"position": str(south.position), "result": "verified"}
    )
    assert response.status_code == 400
    assert "South is not in your part of the organisation" in response.content.decode()
    south.refresh_from_db()
    assert south.result == ""


def test_a_published_cycles_spot_checks_are_closed(locked: Cycle, analyst: User) -> None:
    Cycle.objects.filter(pk=locked.pk).update(state=Cycle.State.PUBLISHED)
    locked.refresh_from_db()
    with pytest.raises(services.WorkflowRefused, match="published"):
        services.record_spot_check(locked.spot_checks.first(), analyst.membership, "verified", "")


def test_a_draft_has_no_spot_checks_page(organisation: Organisation, analyst: User) -> None:
    services.create_cycle(organisation, number=1, name="Draft", cut_off="2019-07")
    assert client_for(analyst).get("/TST/cycles/1/spot-checks/").status_code == 404


def test_the_board_paper_reports_the_share_verified(locked: Cycle, analyst: User) -> None:
    checks = list(locked.spot_checks.select_related("observation__unit", "observation__measure"))
    for check in checks[:2]:
        services.record_spot_check(check, analyst.membership, "verified", "")
    odd = checks[2]
    services.record_spot_check(odd, analyst.membership, "discrepancy", "the source says 76")
    text = board_paper(locked).text()
    label = f"{odd.observation.measure.name}, {odd.observation.unit.name}, July 2019"
    assert (
        "Data quality. 2 of 4 sampled figures verified against source; 1 discrepancy: "
        f"{label} (the source says 76); 1 not yet checked."
    ) in text


def test_a_cycle_locked_before_spot_checks_draws_the_same_sample_on_first_visit(
    locked: Cycle, analyst: User
) -> None:
    drawn = keys_of(locked)
    SpotCheck.objects.all().delete()
    page = client_for(analyst).get("/TST/cycles/1/spot-checks/")
    assert page.status_code == 200
    assert keys_of(locked) == drawn
    assert "0 of 4 sampled figures verified against source; 4 not yet checked." in (
        page.content.decode()
    )


def test_a_cycle_published_without_a_sample_gets_none_and_its_paper_says_so(
    locked: Cycle, analyst: User
) -> None:
    SpotCheck.objects.all().delete()
    Cycle.objects.filter(pk=locked.pk).update(state=Cycle.State.PUBLISHED)
    locked.refresh_from_db()
    page = client_for(analyst).get("/TST/cycles/1/spot-checks/").content.decode()
    assert "it was published without a sample, and none is drawn after publication" in page
    assert not SpotCheck.objects.exists()
    text = board_paper(locked).text()
    assert "Data quality. No figures of this cycle were sampled for an analyst to check" in text
    assert "drawn at random" not in text


def test_the_example_history_locks_its_past_cycles_without_spot_checks(
    organisation: Organisation,
) -> None:
    services.record_history(
        organisation,
        (
            (1, "Summer", "2019-06", "2019-07-22"),
            (2, "Autumn", "2019-07", "2019-08-26"),
        ),
    )
    past = Cycle.objects.get(organisation=organisation, number=1)
    assert past.state == Cycle.State.PUBLISHED
    assert not past.spot_checks.exists()


def test_the_share_verified_is_said_in_the_readers_language(locked: Cycle, analyst: User) -> None:
    checks = list(locked.spot_checks.select_related("observation__unit", "observation__measure"))
    services.record_spot_check(checks[0], analyst.membership, "verified", "")
    services.record_spot_check(checks[1], analyst.membership, "discrepancy", "76 yn y ffynhonnell")
    client = client_for(analyst)
    client.cookies["django_language"] = "cy"
    page = client.get("/TST/cycles/1/spot-checks/").content.decode()
    summary = page.split('id="spot-check-summary" role="status">')[1].split("</p>")[0]
    assert summary.startswith(
        "1 o 4 ffigur a samplwyd wedi&#x27;u dilysu yn erbyn y ffynhonnell; 1 anghysondeb: "
    )
    assert summary.endswith("(76 yn y ffynhonnell); 2 heb eu gwirio eto.")
