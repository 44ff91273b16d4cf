"""Each recipient gets the email and the papers in their own language, through a real SMTP
server: a pmf user the language they chose, an address only the schedule's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from pmf.web.accounts.models import LanguagePreference
from pmf.web.cycles import services as cycle_steps
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries import services
from pmf.web.deliveries.models import Sent
from pmf.web.frameworks.models import Organisation
from pmf.web.papers import views as papers
from tests.web.deliveries.conftest import Mailbox
from tests.web.deliveries.test_services import fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note the language each board paper is written in (the real builder writes it)."""
    written: list[str] = []
    build, title = papers.KINDS["board"]

    def noting(cycle: Cycle) -> Any:
        written.append(translation.get_language())
        return build(cycle)

    monkeypatch.setitem(papers.KINDS, "board", (noting, title))
    return written


def user_reading(username: str, email: str, language: str) -> User:
    user = User.objects.create_user(username, email=email)
    LanguagePreference.objects.create(user=user, language=language)
    return user


def by_recipient(smtp: Mailbox) -> dict[str, Any]:
    return {message["To"]: message for message in smtp.messages}


def text_of(message: Any) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def test_a_welsh_user_and_an_english_address_each_get_their_language_written_once(
    smtp: Mailbox,
    builds: list[str],
    cycles: Cycle,
    analyst: User,
    organisation: Organisation,
) -> None:
    user_reading("bryn", "Bryn.Jones@example.org", "cy")
    recipients = "\n".join(
        [
            "Bryn Jones <bryn.jones@example.org>",
            "Jo Bloggs <jo@example.org>",
            "Sam Patel <sam@example.org>",
        ]
    )
    services.create_schedule(
        organisation, analyst.membership, fields(recipients=recipients), ["html", "pdf"]
    )
    cycle_steps.advance(Cycle.objects.get(organisation=organisation, number=2), analyst.membership)
    run = services.run_due()
    assert [row.outcome for row in run.sent] == ["sent", "sent", "sent"]
    # Each language's paper is written once, however many recipients read it.
    assert sorted(builds) == ["cy", "en-gb"]
    received = by_recipient(smtp)
    welsh = received["Bryn Jones <bryn.jones@example.org>"]
    assert welsh["Subject"] == "Papur y bwrdd: Test Force, cylch 2 (Summer)"
    assert text_of(welsh).startswith("Annwyl Bryn Jones,\n\nAtodir papur bwrdd Test Force")
    assert "Fe’i hanfonir oherwydd bod cylch 2 wedi symud ymlaen i" in text_of(welsh)
    files = smtp.attachments(welsh)
    assert sorted(files) == ["TST-cycle-2-board-paper-cy.html", "TST-cycle-2-board-paper-cy.pdf"]
    page = files["TST-cycle-2-board-paper-cy.html"].decode()
    assert '<html lang="cy">' in page
    assert "1.0 Diben yr adroddiad" in page
    assert files["TST-cycle-2-board-paper-cy.pdf"].startswith(b"%PDF")
    english = received["Jo Bloggs <jo@example.org>"]
    assert english["Subject"] == "Board paper: Test Force, cycle 2 (Summer)"
    assert text_of(english).startswith("Dear Jo Bloggs,\n\nAttached is the board paper of")
    assert "cycle 2 has moved on to Self-assessment." in text_of(english)
    page = smtp.attachments(english)["TST-cycle-2-board-paper.html"].decode()
    assert '<html lang="en-GB">' in page
    assert "Diben yr adroddiad" not in page
    # The two English readers received the same files; the record says which language.
    assert smtp.attachments(english) == smtp.attachments(received["Sam Patel <sam@example.org>"])
    record = {row.recipient_email: row for row in Sent.objects.all()}
    assert {email: row.language for email, row in record.items()} == {
        "bryn.jones@example.org": "cy",
        "jo@example.org": "en",
        "sam@example.org": "en",
    }
    assert record["bryn.jones@example.org"].subject == welsh["Subject"]
    assert record["jo@example.org"].attachments == record["sam@example.org"].attachments
    assert record["jo@example.org"].attachments != record["bryn.jones@example.org"].attachments


def test_a_welsh_schedule_writes_to_addresses_in_welsh_and_to_users_in_their_choice(
    smtp: Mailbox,
    builds: list[str],
    cycles: Cycle,
    analyst: User,
    organisation: Organisation,
) -> None:
    user_reading("ann", "ann@example.org", "en-gb")
    schedule = services.create_schedule(
        organisation,
        analyst.membership,
        fields(
            language="cy",
            on_stage="",
            frequency="weekly",
            weekday="0",
            at_time="07:30",
            recipients="Ann Lee <ann@example.org>\nTîm Perfformiad <tim@example.org>",
        ),
        ["html"],
    )
    assert schedule.language == "cy"
    dispatch = services.Dispatch.objects.create(
        schedule=schedule,
        occasion="calendar:test",
        due_at=schedule.active_from,
        next_attempt_at=schedule.active_from,
    )
    claimed = services.claim_next(schedule.active_from)
    assert claimed is not None and claimed.pk == dispatch.pk
    services.send(claimed, schedule.active_from)
    received = by_recipient(smtp)
    welsh = received["Tîm Perfformiad <tim@example.org>"]
    assert welsh["Subject"] == "Papur y bwrdd: Test Force, cylch 2 (Summer)"
    assert "Fe’i hanfonir ar yr amserlen “Board pack”: yn wythnosol ar ddydd Llun am 07:30." in (
        text_of(welsh)
    )
    english = received["Ann Lee <ann@example.org>"]
    assert english["Subject"] == "Board paper: Test Force, cycle 2 (Summer)"
    assert "It is sent on the schedule “Board pack”: weekly on Monday at 07:30." in text_of(english)
    assert sorted(builds) == ["cy", "en-gb"]


def test_the_language_is_checked_with_the_other_fields(
    cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    with pytest.raises(services.Refused) as refused:
        services.create_schedule(organisation, analyst.membership, fields(language="fr"), ["pdf"])
    assert refused.value.problems == ["language: Choose English (en) or Welsh (cy)"]


def test_the_api_and_the_command_line_set_the_language(
    cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    import json

    from django.test import Client

    from pmf.web.api.services import issue_token

    client = Client(headers={"Authorization": f"Bearer {issue_token(analyst, 'script')[1]}"})
    body = {
        "name": "Pecyn y bwrdd",
        "on_stage": "board",
        "language": "cy",
        "recipients": [{"name": "Tîm", "email": "tim@example.org"}],
    }
    made = client.post(
        "/api/organisations/TST/schedules", json.dumps(body), content_type="application/json"
    )
    assert made.status_code == 200 and made.json()["language"] == "cy"
    refused = client.post(
        "/api/organisations/TST/schedules",
        json.dumps({**body, "language": "fr"}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["problems"] == [
        {"row": None, "field": "language", "reason": "Choose English (en) or Welsh (cy)"}
    ]
    assert [s["language"] for s in client.get("/api/organisations/TST/schedules").json()] == ["cy"]


def test_a_schedule_made_by_a_welsh_reader_is_labelled_in_english_in_the_audit_trail(
    cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    from pmf.web.audit.models import AuditEvent

    with translation.override("cy"):
        services.create_schedule(organisation, analyst.membership, fields(), ["pdf"])
    assert AuditEvent.objects.get(action="add_schedule").label == "Schedule: Board pack"
