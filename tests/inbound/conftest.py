"""Fixtures for inbound email: people with addresses, the real SMTP server on loopback."""

import re
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from hotline.cases.models import Notice
from hotline.cases.tokens import notice_reply_token
from hotline.inbound import authn
from hotline.inbound.models import InboundMessage
from hotline.inbound.server import InboundSmtpServer
from tests.conftest import Directory

CORPUS = Path(__file__).parent / "corpus"
ADDRESSES = {
    "analyst": "analyst@kcsc.example",
    "caseworker_a": "caseworker@centre-a.example",
    "telegram_mod": "mod@telegram.example",
    "x_mod": "mod@x.example",
}


def corpus(name: str, **fill: object) -> bytes:
    """A corpus message, with {NOTICE}, {TOKEN} and {CASE} filled in where given."""
    data = (CORPUS / name).read_bytes()
    for key, value in fill.items():
        data = data.replace(("{" + key + "}").encode(), str(value).encode())
    return data


def reply_fill(notice: Notice) -> dict[str, object]:
    return {
        "NOTICE": notice.pk,
        "TOKEN": notice_reply_token(notice),
        "CASE": notice.request.case_id,
    }


@pytest.fixture
def people(directory: Directory) -> Directory:
    """The test directory, with an email address for each person who mails hotline."""
    for username, address in ADDRESSES.items():
        get_user_model().objects.filter(username=username).update(email=address)
    return directory


class Mailer:
    """Sends over real SMTP to the running server and waits until it has processed."""

    def __init__(self, server: InboundSmtpServer) -> None:
        self.server = server

    def send(
        self,
        raw: bytes,
        *,
        mail_from: str = "sender@example.net",
        to: tuple[str, ...] = ("hotline@hotline.example",),
    ) -> InboundMessage:
        code, reply = self.send_raw(raw, mail_from=mail_from, to=to)
        assert code == 250, (code, reply)
        match = re.search(rb"inbound message (\d+)", reply)
        assert match is not None, reply
        self.server.wait_idle()
        return InboundMessage.objects.get(pk=int(match.group(1)))

    def send_raw(self, raw: bytes, *, mail_from: str, to: tuple[str, ...]) -> tuple[int, bytes]:
        with smtplib.SMTP("127.0.0.1", self.server.port, timeout=30) as client:
            client.ehlo()
            client.mail(mail_from)
            for recipient in to:
                client.rcpt(recipient)
            return client.data(raw)


def start_server(port: int = 0) -> tuple[InboundSmtpServer, Any]:
    """Start the server; SQLite's in-memory test database is shared with its thread."""
    connection = connections["default"]
    shared = connection.vendor == "sqlite" and connection.is_in_memory_db()
    initializer = None
    if shared:
        connection.inc_thread_sharing()

        def initializer() -> None:
            connections["default"] = connection

    server = InboundSmtpServer("127.0.0.1", port, thread_initializer=initializer)
    server.start()

    def stop() -> None:
        server.stop()
        if shared:
            connection.dec_thread_sharing()

    return server, stop


@pytest.fixture
def smtp(transactional_db: None, people: Directory) -> Iterator[Mailer]:
    server, stop = start_server()
    try:
        yield Mailer(server)
    finally:
        stop()


@pytest.fixture(autouse=True)
def _no_dns() -> Iterator[None]:
    """No DNS here: a DKIM key lookup finds nothing unless a test serves a key."""
    authn.set_dns_function(lambda name, timeout=5: None)
    yield
    authn.set_dns_function(None)


# What may stay Latin in a Korean mail: names, ids, addresses, links, the checkpoint's JSON
# line and the command that verifies it, MIME types.
_NOT_WORDS = re.compile(
    r"https?://\S+|[\w.+-]+@[\w.-]+|`[^`]*`|\{\".*\}|\bHL-\d{4}-\d{6}\b|\bN\d+(?:-[0-9a-z.]+)?"
    r"|(?<![A-Za-z])(?:hotline|URL|API)(?![A-Za-z])|\b(?:text|image|video|application)/[\w.+-]+"
    r"|\b[\w-]+(?:\.[\w-]+)+/\S*|TAKE IT DOWN|EU DSA"
)


def english_words(mail: EmailMessage, names: tuple[str, ...] = ("Telegram",)) -> list[str]:
    """Latin words left in a mail's text and HTML (tags, entities and the platforms' `names`
    aside): [] in Korean."""
    words = []
    for part in mail.walk():
        if part.get_content_maintype() != "text":
            continue
        text = unescape(re.sub(r"<[^>]+>", " ", part.get_content()))
        for name in names:
            text = text.replace(name, " ")
        words += re.findall(r"[A-Za-z]{2,}", _NOT_WORDS.sub(" ", text))
    return words
