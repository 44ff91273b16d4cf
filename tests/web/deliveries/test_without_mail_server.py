"""Without a mail server (no PMF_EMAIL_HOST, as in `pmf demo`): the worker prints each email
in its log, the record says "Printed, not sent", and the schedules page says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.cycles import services as cycle_steps
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries import services
from pmf.web.deliveries.models import Dispatch
from pmf.web.deliveries.worker import report
from pmf.web.frameworks.models import Organisation
from tests.web.deliveries.test_services import fields

pytestmark = pytest.mark.django_db

CONSOLE = "django.core.mail.backends.console.EmailBackend"  # the settings' choice without a host


def test_without_a_mail_server_emails_are_printed_and_the_page_says_so(
    settings: Any,
    capsys: pytest.CaptureFixture[str],
    cycles: Cycle,
    analyst: User,
    organisation: Organisation,
) -> None:
    settings.EMAIL_BACKEND = CONSOLE
    services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    client = Client()
    client.force_login(analyst)
    warning = "No mail server is set up, so nothing is emailed"
    assert warning in client.get("/TST/schedules/").content.decode()
    cycle_steps.advance(Cycle.objects.get(organisation=organisation, number=2), None)
    run = services.run_due()
    assert [row.outcome for row in run.sent] == ["printed", "printed"]
    assert run.failed == []
    printed = capsys.readouterr().out
    assert report(run).endswith(
        "0 email(s) sent, 0 failed. 2 printed here, not sent: no mail server is set "
        "(PMF_EMAIL_HOST)."
    )
    assert "Subject: Board paper: Test Force, cycle 2 (Summer)" in printed
    assert "To: Jo Bloggs <jo@example.org>" in printed
    # Printed once: the send is done, not retried.
    assert Dispatch.objects.get().status == "sent"
    assert services.run_due().sent == []
    page = client.get("/TST/schedules/").content.decode()
    assert page.count("Printed, not sent") == 3  # the warning's words and both rows
    assert client.get("/TST/schedules.json").json()["printing"] is True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert warning not in client.get("/TST/schedules/").content.decode()


def test_the_schedules_page_and_form_read_in_welsh(
    settings: Any, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    settings.EMAIL_BACKEND = CONSOLE
    schedule = services.create_schedule(
        organisation, analyst.membership, fields(language="cy"), ["html"]
    )
    cycle_steps.advance(Cycle.objects.get(organisation=organisation, number=2), None)
    services.run_due()
    client = Client()
    client.force_login(analyst)
    client.cookies["django_language"] = "cy"
    page = client.get("/TST/schedules/").content.decode()
    assert "Nid oes gweinydd e-bost wedi’i osod, felly ni chaiff dim ei e-bostio" in page
    assert page.count("Wedi’i argraffu, heb ei anfon") == 3
    assert "Iaith ar gyfer cyfeiriadau" in page
    assert '<span lang="cy">(Cymraeg)</span>' in page  # the emails were written in Welsh
    assert "Papur y bwrdd: Test Force, cylch 2 (Summer)" in page
    form = client.get(f"/TST/schedules/{schedule.pk}/").content.decode()
    assert "Iaith ar gyfer derbynwyr nad ydynt yn defnyddio pmf" in form
    assert "Dileu’r amserlen" in form
