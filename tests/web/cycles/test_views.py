"""The quarterly cycle's pages: who reads them, each step on the page, and scoped members."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from tests.factories import advance_to, grade_of, member

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


PAGES = [
    "/TST/cycles/",
    "/TST/cycles.json",
    "/TST/cycles/1/",
    "/TST/cycles/1.json",
    "/TST/cycles/1/units/N/areas/FOCUS/",
    "/TST/cycles/1/units/N/areas/FOCUS.json",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_member_reads_the_cycle_pages_in_their_scope(
    path: str, locked: Cycle, analyst: User, command_lead: User, people: dict[str, User]
) -> None:
    for user in (analyst, command_lead, *people.values()):
        assert client_for(user).get(path).status_code == 200, (user, path)


@pytest.mark.parametrize("path", PAGES)
def test_cycle_pages_are_not_found_for_anonymous_partners_and_other_organisations(
    path: str, locked: Cycle, other_org_user: User
) -> None:
    assert Client().get(path).status_code == 302
    assert client_for(other_org_user).get(path).status_code == 404


def test_a_command_lead_cannot_open_a_grade_outside_their_scope(
    locked: Cycle, command_lead: User
) -> None:
    client = client_for(command_lead)
    assert client.get("/TST/cycles/1/units/S/areas/FOCUS/").status_code == 404
    units = [u["code"] for u in client.get("/TST/cycles/1.json").json()["units"]]
    assert units == ["N"]


def test_steps_through_the_pages(
    locked: Cycle, analyst: User, command_lead: User, people: dict[str, User]
) -> None:
    page = "/TST/cycles/1/units/N/areas/FOCUS/"
    assert client_for(analyst).post("/TST/cycles/1/").status_code == 302  # to self-assessment
    lead = client_for(command_lead)
    refused = lead.post(page, {"step": "self", "grade": "good", "text": ""})
    assert refused.status_code == 400
    assert "give a rationale" in refused.content.decode()
    assert lead.post(page, {"step": "self", "grade": "good", "text": "Fine"}).status_code == 302
    # Not the moderator's time yet: refused with the reason, nothing changed.
    early = client_for(people["moderator"]).post(
        page, {"step": "moderate", "grade": "inadequate", "text": "No"}
    )
    assert early.status_code == 400
    data = lead.get("/TST/cycles/1/units/N/areas/FOCUS.json").json()
    assert (data["self"]["grade"]["value"], data["moderated"]["grade"]["value"]) == ("good", "")
    assert [event["step"] for event in data["events"]] == ["Recommended", "Self-assessed"]


def test_starting_a_cycle_on_the_page(analyst: User, command_lead: User) -> None:
    refused = client_for(analyst).post(
        "/TST/cycles/", {"number": "1", "name": "Q1", "cut_off": "sometime"}
    )
    assert refused.status_code == 400
    # The problem names the field by its label and links to it ("cut-off: ..." from the service).
    assert '<a href="#cut_off">Data to (the last period that counts): ' in refused.content.decode()
    made = client_for(analyst).post(
        "/TST/cycles/",
        {"number": "1", "name": "Q1", "cut_off": "2019-07", "board_date": "2019-10-14"},
    )
    assert made.status_code == 302
    assert (
        client_for(command_lead)
        .post("/TST/cycles/", {"number": "2", "name": "Q2", "cut_off": "2019-07"})
        .status_code
        == 403
    )
    assert Cycle.objects.count() == 1


def test_rationale_markdown_is_rendered_and_sanitised(locked: Cycle, analyst: User) -> None:
    grade = grade_of(locked, "N")
    hostile = (
        "## Our view\n\n- **Met** [link](javascript:alert(1))\n\n<script>alert(1)</script>"
        '\n\n<img src=x onerror="alert(1)">'
    )
    services.edit_rationale(grade, analyst.membership, hostile)
    page = client_for(analyst).get("/TST/cycles/1/units/N/areas/FOCUS/").content.decode()
    assert '<h3 class="govuk-heading-s">Our view</h3>' in page
    assert "<strong>Met</strong>" in page
    assert "<script>alert" not in page
    assert 'href="javascript' not in page
    assert "<img" not in page
    assert "&lt;script&gt;" in page


def test_a_scoped_member_reads_neither_the_annual_report_nor_unpublished_force_grades(
    organisation: Organisation, locked: Cycle, analyst: User
) -> None:
    from django.test import Client

    from pmf.web.cycles.models import Cycle as CycleModel

    # A locked cycle, not yet published: the organisation's grades are the board's to agree.
    assert locked.state != CycleModel.State.PUBLISHED
    scoped = member("scoped-viewer", organisation, Membership.Role.VIEWER, "N")
    client = Client()
    client.force_login(scoped)
    assert client.get("/TST/reports/annual/2019-20.html").status_code == 404
    data = client.get("/TST/cycles.json").json()
    assert data["tube_map"]["rows"] == [] and data["tube_map"]["svg"] == ""
    assert data["years"] == []
    # Members who cover the whole organisation still read both.
    whole = Client()
    whole.force_login(analyst)
    assert whole.get("/TST/reports/annual/2019-20.html").status_code == 200
    assert whole.get("/TST/cycles.json").json()["tube_map"]["rows"] != []


def test_a_scoped_member_sees_the_force_grades_of_published_cycles(
    organisation: Organisation, locked: Cycle, analyst: User
) -> None:
    from django.test import Client

    # Published as the board's steps would leave it (the workflow is tested above).
    Cycle.objects.filter(pk=locked.pk).update(state=Cycle.State.PUBLISHED)
    scoped = member("scoped-viewer", organisation, Membership.Role.VIEWER, "N")
    client = Client()
    client.force_login(scoped)
    rows = client.get("/TST/cycles.json").json()["tube_map"]["rows"]
    assert len(rows) == 1 and rows[0]["grades"]


# Whole-organisation steps by members scoped to a unit (issue 15, item 1.3).

SCOPED_ROLES = [
    Membership.Role.ANALYST,
    Membership.Role.MODERATOR,
    Membership.Role.BOARD_MEMBER,
    Membership.Role.COMMAND_LEAD,
    Membership.Role.OWNER,
    Membership.Role.VIEWER,
]


@pytest.mark.parametrize("role", SCOPED_ROLES)
@pytest.mark.parametrize("state", [s for s in Cycle.State if s != Cycle.State.PUBLISHED])
def test_a_member_scoped_to_a_unit_never_moves_the_cycle_on(
    cycle: Cycle, analyst: User, role: str, state: str
) -> None:
    if state != Cycle.State.DRAFT:
        services.lock_cycle(cycle, analyst.membership)
        cycle.refresh_from_db()
        advance_to(cycle, analyst, state)
    scoped = member("scoped", cycle.organisation, role, unit="N")
    response = client_for(scoped).post("/TST/cycles/1/")
    assert response.status_code == 403, (role, state)
    cycle.refresh_from_db()
    assert (cycle.state, cycle.grades.exists()) == (state, state != Cycle.State.DRAFT)
    with pytest.raises(services.WorkflowRefused):
        services.advance(cycle, scoped.membership)  # type: ignore[attr-defined]
    cycle.refresh_from_db()
    assert cycle.state == state
    started = client_for(scoped).post(
        "/TST/cycles/", {"number": "2", "name": "Q", "cut_off": "2019-07"}
    )
    assert started.status_code == 403
    assert Cycle.objects.count() == 1


def test_a_scoped_analyst_sees_no_button_to_move_the_cycle_on(cycle: Cycle) -> None:
    scoped = member("scoped", cycle.organisation, Membership.Role.ANALYST, unit="N")
    page = client_for(scoped).get("/TST/cycles/1/")
    assert page.status_code == 200
    assert not page.context["can_advance"]
    assert not client_for(scoped).get("/TST/cycles/").context["can_start"]


def test_scoped_members_take_their_own_units_steps_only(locked: Cycle, analyst: User) -> None:
    organisation = locked.organisation
    lead = member("scoped_lead", organisation, Membership.Role.COMMAND_LEAD, unit="N")
    moderator = member("scoped_moderator", organisation, Membership.Role.MODERATOR, unit="N")
    scoped_analyst = member("scoped", organisation, Membership.Role.ANALYST, unit="N")
    board = member("scoped_board", organisation, Membership.Role.BOARD_MEMBER, unit="N")
    # The rationale of their own unit, not of another's.
    services.edit_rationale(grade_of(locked, "N"), scoped_analyst.membership, "North's words.")  # type: ignore[attr-defined]
    with pytest.raises(services.WorkflowRefused, match="not in your part"):
        services.edit_rationale(grade_of(locked, "S"), scoped_analyst.membership, "No")  # type: ignore[attr-defined]
    advance_to(locked, analyst, Cycle.State.SELF_ASSESSMENT)
    services.self_assess(grade_of(locked, "N"), lead.membership, "good", "Ours.")  # type: ignore[attr-defined]
    with pytest.raises(services.WorkflowRefused, match="not in your part"):
        services.self_assess(grade_of(locked, "S"), lead.membership, "good", "Theirs.")  # type: ignore[attr-defined]
    advance_to(locked, analyst, Cycle.State.MODERATION)
    services.moderate(grade_of(locked, "N"), moderator.membership, "good", "")  # type: ignore[attr-defined]
    with pytest.raises(services.WorkflowRefused, match="not in your part"):
        services.moderate(grade_of(locked, "S"), moderator.membership, "good", "")  # type: ignore[attr-defined]
    assert (
        client_for(moderator)
        .post("/TST/cycles/1/units/S/areas/FOCUS/", {"step": "moderate", "grade": "good"})
        .status_code
        == 404
    )
    advance_to(locked, analyst, Cycle.State.BOARD)
    # The board agrees the force's grades: a board member scoped to a unit does not.
    with pytest.raises(services.WorkflowRefused, match="not in your part"):
        services.agree(grade_of(locked, "F"), board.membership, "good", "Agreed.")  # type: ignore[attr-defined]
    assert grade_of(locked, "S").moderated_grade == ""
    assert grade_of(locked, "F").agreed_grade == ""
