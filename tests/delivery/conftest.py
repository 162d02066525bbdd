"""Fixtures of the delivery tests: real loopback receivers, and settings that point at them."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.delivery.servers import (
    Inbox,
    WebhookReceiver,
    self_signed_certificate,
    start_smtp,
    start_webhook_receiver,
)

SMTP_USER, SMTP_PASSWORD = "hotline-relay", "relay-password"
MAIL_DOMAIN = "hotline.example"
PUBLIC_URL = "https://hotline.example"


@pytest.fixture
def inbox(settings: Any, tmp_path: Path) -> Iterator[Inbox]:
    """An SMTP server that requires STARTTLS (self-signed certificate) and AUTH."""
    cert, key = self_signed_certificate(tmp_path)
    received = Inbox()
    controller = start_smtp(received, tls_files=(cert, key), user=SMTP_USER, password=SMTP_PASSWORD)
    settings.HOTLINE_CHANNEL_BACKEND = "real"
    settings.HOTLINE_SMTP_HOST = "127.0.0.1"
    settings.HOTLINE_SMTP_PORT = controller.port
    settings.HOTLINE_SMTP_STARTTLS = True
    settings.HOTLINE_SMTP_SSL = False
    settings.HOTLINE_SMTP_CA_FILE = str(cert)
    settings.HOTLINE_SMTP_USER = SMTP_USER
    settings.HOTLINE_SMTP_PASSWORD = SMTP_PASSWORD
    settings.HOTLINE_SMTP_TIMEOUT = 10
    settings.HOTLINE_MAIL_FROM = f"hotline@{MAIL_DOMAIN}"
    settings.HOTLINE_MAIL_DOMAIN = MAIL_DOMAIN
    settings.HOTLINE_PUBLIC_URL = PUBLIC_URL
    yield received
    controller.stop()


@pytest.fixture
def receiver(settings: Any) -> Iterator[tuple[WebhookReceiver, str]]:
    """A platform's webhook endpoint on loopback; it accepts the secrets put in it."""
    received = WebhookReceiver()
    server, url = start_webhook_receiver(received)
    settings.HOTLINE_CHANNEL_BACKEND = "real"
    settings.HOTLINE_WEBHOOK_TIMEOUT = 10
    yield received, url
    server.shutdown()
    server.server_close()
