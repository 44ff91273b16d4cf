"""The risk register's services: scoring, reviews, who may change a risk, and its redline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from pmf.web.observations.services import scorecard_for
from pmf.web.risks import services
from pmf.web.risks.models import Risk
from tests.factories import membership, rated

pytestmark = pytest.mark.django_db


def test_an_analyst_adds_a_risk_scored_from_the_framework_scales(
    risk_register: Organisation, analyst: User, owner: User
) -> None:
    risk = services.create_risk(
        risk_register, membership(analyst), rated(4, 5, owner="owner", unit="N"), user=analyst
    )
    assert (risk.number, risk.inherent_score, risk.current_score, risk.target_score) == (
        1,
        100,
        80,
        24,
    )
    event = risk.events.get()
    assert (event.step, event.actor, event.current_score) == ("created", analyst, 80)
    assert event.changes["owner"] == ["", "owner"]


def test_a_bad_risk_is_refused_listing_every_problem(
    organisation: Organisation, analyst: User
) -> None:
    with pytest.raises(services.Refused) as refused:
        services.create_risk(
            organisation,
            membership(analyst),
            rated(6, 1, title="", review_date="soon", unit="X"),
        )
    assert refused.value.problems == [
        "Title: give the risk a title",
        "Unit: 'X' is not a unit of Test Force",
        "Current likelihood: choose a level from 1 to 5",
        "Review date: give a date as YYYY-MM-DD",
    ]
    assert not Risk.objects.exists()


def test_the_owner_reviews_their_risk_and_every_change_is_kept(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    risk = services.create_risk(organisation, None, rated(4, 4, owner="owner", unit="N"))
    services.update_risk(
        risk,
        membership(owner),
        {"current_likelihood": "2", "review_date": "2030-06-30"},
        user=owner,
        note="Drivers trained.",
    )
    risk.refresh_from_db()
    assert risk.current_score == 8
    reviewed = risk.events.last()
    assert reviewed is not None
    assert (reviewed.step, reviewed.actor, reviewed.note) == ("reviewed", owner, "Drivers trained.")
    assert reviewed.changes == {
        "current_likelihood": [4, 2],
        "review_date": ["2030-01-31", "2030-06-30"],
    }
    with pytest.raises(services.Refused, match="cannot change title"):
        services.update_risk(risk, membership(owner), {"title": "Renamed"}, user=owner)
    assert risk.events.count() == 2


def test_only_analysts_add_risks_and_others_cannot_change_them(
    organisation: Organisation, analyst: User, command_lead: User
) -> None:
    with pytest.raises(services.Refused, match="Only analysts"):
        services.create_risk(organisation, membership(command_lead), rated(1, 1))
    risk = services.create_risk(organisation, membership(analyst), rated(1, 1, unit="N"))
    with pytest.raises(services.Refused, match="Only analysts and the risk's owner"):
        services.update_risk(risk, membership(command_lead), {"current_impact": "5"})


def test_a_command_lead_sees_their_units_risks_only(
    organisation: Organisation, analyst: User, command_lead: User
) -> None:
    services.create_risk(organisation, None, rated(1, 1, unit="N", title="North's"))
    services.create_risk(organisation, None, rated(1, 1, unit="S", title="South's"))
    services.create_risk(organisation, None, rated(1, 1, title="Force-wide"))
    seen = services.visible_risks(organisation, membership(command_lead))
    assert [risk.title for risk in seen] == ["North's"]
    assert services.visible_risks(organisation, membership(analyst)).count() == 3


def test_top_risks_are_the_open_ones_with_the_highest_current_scores(
    risk_register: Organisation,
) -> None:
    for likelihood in (1, 5, 3):
        services.create_risk(risk_register, None, rated(likelihood, 4, title=f"L{likelihood}"))
    closed = services.create_risk(risk_register, None, rated(5, 5, title="Closed"))
    services.update_risk(closed, None, {"status": "closed"})
    top = services.top_risks(risk_register, 2)
    assert [(risk["title"], risk["current"]["score"]) for risk in top] == [("L5", 80), ("L3", 48)]
    assert top[0]["current"]["above_threshold"] and top[0]["current"]["band"] == "very high"


def _redline(organisation: Organisation) -> tuple[float | None, bool | None]:
    row = next(r for r in scorecard_for(organisation, unit="F").rows() if r.measure == "RR75")
    return row.value, row.met


def test_a_risk_scored_above_the_threshold_turns_the_zero_redline_red(
    risk_register: Organisation, analyst: User
) -> None:
    risk = services.create_risk(risk_register, membership(analyst), rated(3, 5))
    assert risk.current_score == 60
    assert _redline(risk_register) == (0, True)
    services.update_risk(risk, membership(analyst), {"current_likelihood": "4"}, user=analyst)
    assert _redline(risk_register) == (1, False)
    assert scorecard_for(risk_register, unit="F").rows()[-1].met_text == "Not met"
    services.update_risk(risk, membership(analyst), {"status": "closed"}, user=analyst)
    assert _redline(risk_register) == (0, True)
    month = services.month_of(timezone.localdate())
    revisions = Observation.objects.filter(measure__code="RR75", period=month)
    assert sorted(revisions.values_list("revision", "value")) == [(1, 0), (2, 1), (3, 0)]


def test_the_measure_reads_each_month_end_from_the_history(risk_register: Organisation) -> None:
    def at(day: str) -> dt.datetime:
        return timezone.make_aware(dt.datetime.fromisoformat(day))

    risk = services.create_risk(risk_register, None, rated(5, 5), now=at("2019-05-10 09:00"))
    services.update_risk(risk, None, {"current_impact": "1"}, now=at("2019-07-31 23:30"))
    services.create_risk(risk_register, None, rated(4, 5), now=at("2019-08-01 00:30"))
    frame = services.risk_measure_frame(risk_register, "2019-08")
    assert frame.rows() == [
        ("F", "RR75", "2019-05", 1.0),
        ("F", "RR75", "2019-06", 1.0),
        ("F", "RR75", "2019-07", 0.0),
        ("F", "RR75", "2019-08", 1.0),
    ]
    summary = services.record_risk_measure(risk_register, "2019-08")
    assert summary.rows == 4
    assert services.record_risk_measure(risk_register, "2019-08").added == 0


def test_without_a_risk_measure_recording_says_what_to_add(organisation: Organisation) -> None:
    with pytest.raises(LookupError, match=r"add risks\.measure"):
        services.record_risk_measure(organisation)
    with pytest.raises(ValueError, match="give it as YYYY-MM"):
        services.record_risk_measure(organisation, "July")
