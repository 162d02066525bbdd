"""A loopback SMTP server that keeps what it receives: real email for the demo and local use."""

import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class CaughtMail:
    """An aiosmtpd handler keeping each message, parsed."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def take(self) -> list[tuple[list[str], EmailMessage]]:
        with self.lock:
            taken, self.messages = self.messages, []
        return taken


@contextmanager
def loopback_smtp() -> Iterator[tuple[CaughtMail, int]]:
    """An SMTP server on 127.0.0.1 and a free port, for as long as the block runs."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    caught = CaughtMail()
    controller = Controller(caught, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield caught, port
    finally:
        controller.stop()


@contextmanager
def loopback_mail() -> Iterator[CaughtMail]:
    """Real email delivery to a loopback server for the block: the demo's outside world."""
    from django.test import override_settings

    with (
        loopback_smtp() as (caught, port),
        override_settings(
            HOTLINE_CHANNEL_BACKEND="real",
            HOTLINE_SMTP_HOST="127.0.0.1",
            HOTLINE_SMTP_PORT=port,
            HOTLINE_SMTP_STARTTLS=False,
            HOTLINE_SMTP_SSL=False,
            HOTLINE_SMTP_USER="",
        ),
    ):
        yield caught
