"""The worker's clock thread, as `pmf worker` starts it: two clocks running at once send a
paper that fell due once, through a real SMTP server, and stop when told."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import User

from pmf.web.cycles import services as cycle_steps
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries import services
from pmf.web.deliveries.models import Dispatch, Sent
from pmf.web.deliveries.worker import start_clock
from pmf.web.frameworks.models import Organisation
from tests.web.deliveries.conftest import Mailbox
from tests.web.deliveries.test_services import fields

# The clocks' threads read the database through their own connections.
pytestmark = pytest.mark.django_db(transaction=True)

TICK = 0.05  # seconds between two runs of each clock (the worker's: 60)


def wait_for(condition: object, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(TICK)
    return False


def test_two_clocks_send_a_paper_due_once_and_stop_when_told(
    smtp: Mailbox, cycles: Cycle, analyst: User, organisation: Organisation
) -> None:
    services.create_schedule(organisation, analyst.membership, fields(), ["html"])
    stop = threading.Event()
    clocks = [start_clock(stop, interval=TICK), start_clock(stop, interval=TICK)]
    try:
        assert all(clock.is_alive() and clock.daemon for clock in clocks)
        cycle_steps.advance(Cycle.objects.get(organisation=organisation, number=2), None)
        assert wait_for(lambda: Dispatch.objects.filter(status="sent").exists())
        # Many more ticks of both clocks: nothing is sent again.
        time.sleep(40 * TICK)
    finally:
        stop.set()
        for clock in clocks:
            clock.join(timeout=30)
    assert not any(clock.is_alive() for clock in clocks)
    assert sorted(message["To"] for message in smtp.messages) == [
        "Jo Bloggs <jo@example.org>",
        "Sam O'Neill <sam@example.org>",
    ]
    assert list(Sent.objects.values_list("outcome", flat=True)) == ["sent", "sent"]
    assert Dispatch.objects.get().attempts == 1
