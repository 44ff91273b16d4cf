"""One history writer (ADR 0029): every typed step is stored with its audit event, and every
page that shows a history links to the audit trail filtered to its object."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from pmf.web.audit import services as audit
from pmf.web.audit.models import AuditEvent
from pmf.web.cycles import services as cycles
from pmf.web.frameworks.models import Organisation
from pmf.web.plans import services as plans
from pmf.web.plans.models import ItemUpdate, SelfAssessment
from pmf.web.risks import services as risks
from pmf.web.risks.models import RiskEvent

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_step_and_its_audit_event_share_actor_and_moment(
    risk_register: Organisation, analyst: User
) -> None:
    from tests.factories import rated

    risk = risks.create_risk(risk_register, analyst.membership, rated(4, 5), user=analyst)
    step = RiskEvent.objects.get(risk=risk)
    event = AuditEvent.objects.get(kind=audit.Kind.RISK, object_id=str(risk.pk))
    assert (step.actor, step.at) == (analyst, event.at)
    assert (event.actor, event.action) == (analyst, "created")


def test_a_step_whose_audit_event_cannot_be_stored_is_not_stored_either(
    risk_register: Organisation, analyst: User
) -> None:
    from tests.factories import rated

    risk = risks.create_risk(risk_register, analyst.membership, rated(4, 5), user=analyst)
    unsaved = Organisation(code="NONE", name="Not stored")  # no row: the event cannot refer to it
    with pytest.raises((IntegrityError, ValueError)):
        audit.record_step(
            RiskEvent(risk=risk, step="reviewed", status="open", current_score=80.0),
            unsaved,
            kind=audit.Kind.RISK,
            action="reviewed",
            label="Risk",
            user=analyst,
        )
    assert RiskEvent.objects.filter(risk=risk).count() == 1


def test_improvement_plan_items_and_their_progress_are_in_the_audit_trail(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    plan = plans.create_plan(organisation, analyst.membership, name="CIP", starts=2008, ends=2011)
    theme = plans.add_theme(plan, analyst.membership, "Community focus")
    item = plans.create_item(
        theme, analyst.membership, plans.ItemFields(title="Community safety", owner="owner")
    )
    plans.record_progress(item, owner.membership, "on_track", "Partnership agreed.")
    events = AuditEvent.objects.filter(kind=audit.Kind.PLAN).order_by("at", "id")
    assert [(e.action, e.object_id, e.actor_label) for e in events] == [
        ("create plan", f"plan-{plan.pk}", "analyst"),
        ("add theme", f"plan-{plan.pk}", "analyst"),
        ("add item", f"item-{item.pk}", "analyst"),
        ("report progress", f"item-{item.pk}", "owner"),
    ]
    progress = events.last()
    assert progress is not None
    assert (progress.before["status"], progress.after["status"]) == ("not_started", "on_track")
    assert progress.note == "Partnership agreed."
    assert ItemUpdate.objects.filter(item=item).count() == 2


def test_the_item_page_links_to_the_audit_trail_filtered_to_the_item(
    organisation: Organisation, analyst: User
) -> None:
    plan = plans.create_plan(organisation, analyst.membership, name="CIP", starts=2008, ends=2011)
    theme = plans.add_theme(plan, analyst.membership, "Community focus")
    item = plans.create_item(
        theme, analyst.membership, plans.ItemFields(title="Community safety", owner="analyst")
    )
    client = client_for(analyst)
    page = client.get(f"/TST/plans/{plan.pk}/items/{item.pk}/").content.decode()
    link = f"/TST/audit/?kind=plan&amp;object=item-{item.pk}"
    assert link in page
    trail = client.get(link.replace("&amp;", "&").replace("/audit/", "/audit.json")).json()
    assert [event["action"] for event in trail["events"]] == ["add item"]


def test_self_assessments_are_in_the_audit_trail_of_their_unit_only(
    organisation: Organisation, analyst: User, command_lead: User
) -> None:
    from tests.factories import member

    cycle = cycles.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")
    north = organisation.units.get(code="N")
    for improve in ("Call handling", "Call handling at weekends"):
        plans.write_self_assessment(
            cycle,
            north,
            command_lead.membership,
            strengths="Response times.",
            areas_for_improvement=improve,
            risks="",
        )
    written = SelfAssessment.objects.get(cycle=cycle, unit=north)
    url = audit.history_url(organisation, audit.Kind.SELF_ASSESSMENT, written.pk)
    assert url == f"/TST/audit/?kind=self_assessment&object={written.pk}"
    mine = client_for(command_lead).get(url.replace("/audit/", "/audit.json")).json()
    assert [e["after"]["areas_for_improvement"] for e in mine["events"]] == [
        "Call handling at weekends",
        "Call handling",
    ]
    assert mine["events"][0]["before"]["areas_for_improvement"] == "Call handling"
    south = member("south_lead", organisation, "command_lead", unit="S")
    theirs = client_for(south).get(url.replace("/audit/", "/audit.json")).json()
    assert theirs["events"] == []
    page = client_for(command_lead).get("/TST/cycles/1/self-assessments/N/").content.decode()
    assert url.replace("&", "&amp;") in page


def test_the_risk_page_links_to_its_history_in_the_audit_trail(
    risk_register: Organisation, analyst: User
) -> None:
    from tests.factories import rated

    risk = risks.create_risk(risk_register, analyst.membership, rated(4, 5), user=analyst)
    risks.update_risk(risk, analyst.membership, {"current_impact": 3}, user=analyst)
    client = client_for(analyst)
    page = client.get(f"/TST/risks/{risk.number}/").content.decode()
    link = f"/TST/audit/?kind=risk&amp;object={risk.pk}"
    assert link in page
    trail = client.get(link.replace("&amp;", "&")).content.decode()
    assert "2 changes" in trail


def test_an_escalation_is_recorded_in_the_audit_trail_as_pmf_s_own(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    from pmf.web.interventions.services import escalate_overdue
    from tests.factories import agree

    intervention = agree(analyst)
    made = escalate_overdue(intervention.due_on + dt.timedelta(days=1))
    assert [escalation.actor for escalation in made] == [None]
    event = AuditEvent.objects.get(kind=audit.Kind.INTERVENTION, action="escalate")
    assert event.object_id == str(intervention.pk) and event.actor_label == "pmf (system)"
    assert event.at == made[0].at and made[0].at <= timezone.now()
