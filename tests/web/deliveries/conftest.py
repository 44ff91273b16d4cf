"""A real SMTP server on loopback (aiosmtpd), started for each test that sends email."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    """What the server received; ``refuse`` makes it answer every message with a 554.

    ``while_receiving``, if set, is called with each message before the server answers it
    (in a thread of its own, which reads the database through its own connection): the
    sender is then waiting for the answer, its email on its way.
    """

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)
    refuse: bool = False
    while_receiving: Callable[[Any], None] | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.while_receiving is not None:
            in_thread(self.while_receiving, envelope)
        if self.refuse:
            return "554 5.7.1 Message refused by the test server"
        self.envelopes.append(envelope)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def attachments(self, message: EmailMessage) -> dict[str, bytes]:
        found = {}
        for part in message.iter_attachments():
            content = part.get_payload(decode=True)
            assert isinstance(content, bytes)
            found[str(part.get_filename())] = content
        return found


def in_thread(call: Callable[..., None], *args: Any) -> None:
    """Run ``call`` in a thread of its own (its own database connection) and wait for it."""
    from django.db import connection

    failures: list[BaseException] = []

    def run() -> None:
        try:
            call(*args)
        except BaseException as failure:  # raised again in the caller's thread
            failures.append(failure)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the other connection's work did not finish"
    if failures:
        raise failures[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """Start an SMTP server on 127.0.0.1 and point Django's SMTP backend at it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "pmf@test.example"
    try:
        yield mailbox
    finally:
        controller.stop()
