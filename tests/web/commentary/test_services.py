"""Owners' commentary: asked for, written in versions, due before the cycle locks, checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from pmf.web.audit.models import AuditEvent
from pmf.web.audit.services import Conflict
from pmf.web.commentary import services
from pmf.web.commentary.models import Commentary
from pmf.web.commentary.reminders import commentary_reminders
from pmf.web.cycles.services import create_cycle, lock_cycle
from pmf.web.frameworks.models import Organisation
from tests.factories import load_charted, membership

pytestmark = pytest.mark.django_db

ASK = {"measure": "ER", "unit": "N", "period": "2019-07", "owner": "owner"}
TEXT = {
    "what_happened": "Answering within target fell to 75%.",
    "why": "Two call handlers left.",
    "action": "Recruiting; overtime meanwhile.",
}


def _write(user: User, **more: str) -> Commentary:
    data = {"measure": "ER", "unit": "N", "period": "2019-07", **TEXT, **more}
    organisation = membership(user).organisation
    return services.write_commentary(organisation, membership(user), data, user=user)


def test_an_analyst_asks_the_owner_who_writes_and_every_version_is_kept(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    asked = services.request_commentary(organisation, membership(analyst), ASK, user=analyst)
    assert asked.owner == owner and not asked.written
    # Due 20 days (the framework's default) after July 2019 ends.
    assert asked.due_date == dt.date(2019, 8, 20)
    _write(owner)
    second = _write(owner, why="Two call handlers left; one was off sick.")
    assert second.pk == asked.pk and second.why.endswith("off sick.")
    events = list(second.events.order_by("pk"))
    assert [event.step for event in events] == ["requested", "written", "written"]
    assert events[1].why == "Two call handlers left." and events[1].actor == owner
    assert events[0].actor == analyst
    kinds = AuditEvent.objects.filter(kind="commentary").values_list("action", flat=True)
    assert sorted(kinds) == ["requested", "written", "written"]


def test_only_analysts_ask_and_only_the_owner_an_analyst_or_the_measure_owner_write(
    organisation: Organisation, analyst: User, owner: User, viewer: User, command_lead: User
) -> None:
    with pytest.raises(services.Refused, match="Only analysts ask"):
        services.request_commentary(organisation, membership(owner), ASK)
    # The measure's owner (ER, North) may write where nobody was asked; a viewer may not.
    with pytest.raises(services.Refused, match="Only the commentary's owner"):
        _write(viewer)
    _write(owner, unit="N")
    with pytest.raises(services.Refused, match="Only the commentary's owner"):
        _write(command_lead)
    services.request_commentary(
        organisation, membership(analyst), {**ASK, "owner": "command_lead"}, user=analyst
    )
    _write(command_lead)
    assert Commentary.objects.get().owner == command_lead


def test_bad_input_names_every_field_and_stores_nothing(
    organisation: Organisation, analyst: User
) -> None:
    with pytest.raises(services.Refused) as refused:
        services.request_commentary(
            organisation,
            membership(analyst),
            {"measure": "NOPE", "unit": "Q", "period": "July", "owner": "nobody"},
        )
    assert refused.value.problems[0] == "Measure: 'NOPE' is not a measure of Test Force"
    assert refused.value.problems[1] == "Unit: 'Q' is not a unit of Test Force"
    assert refused.value.problems[2].startswith("Period: ")
    assert refused.value.problems[3] == "Owner: 'nobody' is not a member of Test Force"
    with pytest.raises(services.Refused, match="Due date: give a date as YYYY-MM-DD"):
        services.request_commentary(organisation, None, {**ASK, "due_date": "soon"})
    with pytest.raises(services.Refused, match="What happened: write the commentary"):
        services.write_commentary(organisation, None, {**ASK})
    assert not Commentary.objects.exists()
    assert not AuditEvent.objects.filter(kind="commentary").exists()


def test_the_due_date_may_not_follow_the_lock_of_the_cycle_covering_the_period(
    organisation: Organisation, owner: User
) -> None:
    cycle = create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    lock_cycle(cycle, None, at=dt.datetime(2019, 8, 12, 9, tzinfo=dt.UTC))
    with pytest.raises(services.Refused, match="must be due before the cycle 'Summer' locks"):
        services.request_commentary(organisation, None, {**ASK, "due_date": "2019-08-20"})
    # By default: the day it locked, not 20 days after the period.
    asked = services.request_commentary(organisation, None, ASK)
    assert asked.due_date == dt.date(2019, 8, 12)


def test_commentary_not_written_is_overdue_after_its_due_date_or_once_its_cycle_locks(
    organisation: Organisation, owner: User
) -> None:
    asked = services.request_commentary(organisation, None, {**ASK, "due_date": "2019-09-30"})
    assert not services.is_overdue(asked, dt.date(2019, 9, 30))
    assert services.is_overdue(asked, dt.date(2019, 10, 1))
    cycle = create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    lock_cycle(cycle, None)
    assert services.is_overdue(asked, dt.date(2019, 9, 1))
    written = _write(owner)
    assert not services.is_overdue(written, dt.date(2020, 1, 1))


def test_the_owner_is_reminded_before_the_due_date_until_the_commentary_is_written(
    organisation: Organisation, owner: User
) -> None:
    services.request_commentary(organisation, None, ASK)  # due 20 August 2019
    assert list(commentary_reminders(dt.date(2019, 8, 14))) == []
    due = list(commentary_reminders(dt.date(2019, 8, 15)))
    assert [(item.user, item.subject) for item in due] == [
        (
            owner,
            "Test Force: commentary is due by 20 August 2019: Emergency response within "
            "target, North, July 2019",
        )
    ]
    overdue = list(commentary_reminders(dt.date(2019, 8, 21)))
    assert "is overdue" in overdue[0].subject
    _write(owner)
    assert list(commentary_reminders(dt.date(2019, 8, 21))) == []


def test_someone_writing_since_the_version_seen_is_a_conflict(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    first = _write(owner)
    seen = services.version_of(first)
    _write(analyst, why="Checked by the analyst.")
    with pytest.raises(Conflict, match="changed by analyst"):
        services.write_commentary(
            organisation,
            membership(owner),
            {**ASK, **TEXT},
            user=owner,
            version=seen,
        )


def test_words_the_statistics_contradict_are_flagged(
    organisation: Organisation, tmp_path: Path
) -> None:
    load_charted(organisation, tmp_path)
    # North's ER: common cause since the rebase in January 2019, meeting its target of 80%.
    claims = services.write_commentary(
        organisation,
        None,
        {**ASK, "what_happened": "Answering improved again.", "why": "We are off track."},
    )
    agrees = services.write_commentary(
        organisation,
        None,
        {**ASK, "period": "2019-06", "what_happened": "No real change; on track."},
    )
    found = services.flags(organisation, [claims, agrees])
    assert [(item.claim.value, item.words) for item in found[claims.pk]] == [
        ("improving", "improved"),
        ("off track", "off track"),
    ]
    assert "common cause" in found[claims.pk][0].reason
    assert found[claims.pk][1].reason == "the latest figure meets its standard or target"
    assert found[agrees.pk] == ()


def test_welsh_words_the_statistics_contradict_are_flagged_as_the_english_are(
    organisation: Organisation, tmp_path: Path
) -> None:
    load_charted(organisation, tmp_path)
    # The same figures as the English above: common cause, meeting its target of 80%.
    claims = services.write_commentary(
        organisation,
        None,
        {
            **ASK,
            "what_happened": "Mae'r ateb wedi gwella eto.",
            "why": "Rydym yn methu'r targed.",
        },
    )
    agrees = services.write_commentary(
        organisation,
        None,
        {**ASK, "period": "2019-06", "what_happened": "Dim newid go iawn; ar y trywydd iawn."},
    )
    found = services.flags(organisation, [claims, agrees])
    assert [(item.claim.value, item.words) for item in found[claims.pk]] == [
        ("improving", "wedi gwella"),
        ("off track", "methu'r targed"),
    ]
    assert "common cause" in found[claims.pk][0].reason
    assert found[claims.pk][1].reason == "the latest figure meets its standard or target"
    assert found[agrees.pk] == ()
