"""The wild corpus through every way mail comes in: smtpd, imap-poll (Debian's Dovecot and the
minimal server), and `inbound reprocess` of stored mail. Accepted equals stored, Korean reads
as Korean, URLs are exact, no media byte is stored, bounces and reporters' mail are told apart,
and a crashed poll is finished by the next one."""

import imaplib
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from hotline.cases.models import TakedownRequest
from hotline.core import clock
from hotline.delivery.models import Delivery
from hotline.inbound import imap, mime
from hotline.inbound.models import InboundMessage, InboundStatus
from hotline.inbound.services.store import Envelope, inbound_store
from tests.conftest import Directory
from tests.inbound.conftest import Mailer
from tests.inbound.dovecot import Dovecot
from tests.inbound.imap_server import ImapTestServer, Mailbox
from tests.inbound.wild import EXPECTED, assert_no_media_stored, wild

PASSWORD = "s3cret pass"
SMTP_NAMES = sorted(n for n, e in EXPECTED.items() if e.smtp)
# The shapes most likely to be misread once stored (the pure tests read every message).
REPROCESSED = [
    "k01-euckr-label-cp949-base64.eml",
    "k06-unlabelled-8bit.eml",
    "k07-long-html-line.eml",
    "f01-reporter-forwards-a-bounce.eml",
    "b02-dsn-returned-message.eml",
    "m01-data-uri-html-base64.eml",
]
REQUESTS = [
    "k01-euckr-label-cp949-base64.eml",
    "k04-utf8-labelled-euckr.eml",
    "m03-pasted-base64-in-text.eml",
]


def check(rows: dict[str, InboundMessage]) -> None:
    for name, row in rows.items():
        expect = EXPECTED[name]
        row.refresh_from_db()
        assert row.subject == expect.subject, name
        assert [a["where"] for a in row.attachments] == list(expect.removed), name
        # Each piece cut out was hashed whole: an item of hashes, not a fragment.
        assert all(a["media"] and "signals" in a for a in row.attachments), row.attachments
        if expect.bounce_notice is not None:
            assert (row.status, row.kind) == ("ignored", "bounce"), (name, row.reason)
            assert row.outcome == {"notice": expect.bounce_notice}, name
            continue
        assert (row.status, row.kind) == ("processed", "request"), (name, row.reason)
        request = TakedownRequest.objects.get(pk=row.outcome["request"])
        filed = [i.normalised_url for i in request.items.order_by("position") if i.url]
        assert filed == list(expect.filed), name
        assert "\ufffd" not in request.reasons, name
        assert "notice" not in row.outcome  # never one named inside forwarded mail
        assert request.items.exclude(url="").count() + len(row.attachments) == (
            request.items.count()
        )
        # Nothing a reporter sends goes unanswered: each filing has its receipt.
        assert Delivery.objects.filter(kind="receipt", payload__inbound_id=row.pk).exists()
    assert_no_media_stored()


def by_message_id() -> dict[str, InboundMessage]:
    names = {mime.header_text(mime.parse(wild(n)), "Message-ID"): n for n in EXPECTED}
    return {names[r.message_id]: r for r in InboundMessage.objects.all() if r.message_id in names}


def test_smtpd_stores_every_message_and_reads_each_right(smtp: Mailer) -> None:
    rows = {name: smtp.send(wild(name)) for name in SMTP_NAMES}
    assert InboundMessage.objects.count() == len(SMTP_NAMES)  # accepted == stored
    check(rows)
    # Too much for one request: answered with the reason, never cut short silently.
    lines = "".join(f"https://t.me/bulk/{n}\r\n" for n in range(1001))
    row = smtp.send(
        b"From: analyst@kcsc.example\r\nSubject: many\r\nMessage-ID: <many@wild.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + lines.encode()
    )
    assert row.status == InboundStatus.QUARANTINED and "at most 1000 items" in row.reason
    answer = Delivery.objects.get(kind="receipt", payload__inbound_id=row.pk)
    assert "at most 1000 items" in answer.body


def test_reprocess_reads_stored_mail_and_a_row_an_earlier_version_stored_decoded(
    people: Directory,
) -> None:
    for name in REPROCESSED:
        inbound_store(raw=wild(name), envelope=Envelope(source="smtp", envelope_from="a@b.example"))
    # An earlier version's fallback: the text already decoded, under base64 and euc-kr.
    legacy = InboundMessage.objects.create(
        received_at=clock.now(),
        source="smtp",
        envelope_from="analyst@kcsc.example",
        from_address="analyst@kcsc.example",
        subject="legacy",
        message_id="<legacy@wild.example>",
        size=1,
        sha256="0" * 64,
        redacted=(
            "From: analyst@kcsc.example\r\nSubject: legacy\r\nMessage-ID: <legacy@wild.example>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=euc-kr\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n똠방각하 사건: https://t.me/c/300\r\n"
        ).encode(),
    )
    out = StringIO()
    call_command("inbound", "reprocess", stdout=out, stderr=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(REPROCESSED) + 1 and not any("\tfailed\t" in line for line in lines)
    check(by_message_id())
    legacy.refresh_from_db()
    assert legacy.status == InboundStatus.PROCESSED, legacy.reason
    request = TakedownRequest.objects.get(pk=legacy.outcome["request"])
    assert [i.normalised_url for i in request.items.all()] == ["https://t.me/c/300"]
    assert "똠방각하 사건" in request.reasons


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot(password=PASSWORD).start()
    try:
        yield server
    finally:
        server.stop()


class ImapBox:
    """One fresh mailbox on either server, with the same two calls."""

    def __init__(self, dovecot: Dovecot | None) -> None:
        self.dovecot = dovecot
        self.user = dovecot.new_mailbox() if dovecot is not None else "hotline"
        self.minimal = Mailbox(user=self.user, password=PASSWORD) if dovecot is None else None

    def deliver(self, raw: bytes, *, seen: bool = False) -> None:
        if self.minimal is not None:
            self.minimal.add(raw, *(["\\Seen"] if seen else []))
        else:
            assert self.dovecot is not None
            self.dovecot.deliver(self.user, raw, seen=seen)

    def poll(self, port: int) -> str:
        out = StringIO()
        call_command(
            "imap-poll",
            "--host=127.0.0.1",
            f"--port={port}",
            f"--user={self.user}",
            "--password-env=TEST_IMAP_PASSWORD",
            "--once",
            stdout=out,
        )
        return out.getvalue().strip()


@pytest.fixture(params=["dovecot", "minimal"])
def box(
    request: pytest.FixtureRequest, people: Directory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ImapBox, int]]:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    if request.param == "dovecot":
        server: Dovecot = request.getfixturevalue("dovecot")
        yield ImapBox(server), server.port
        return
    mailbox = ImapBox(None)
    assert mailbox.minimal is not None
    with ImapTestServer(mailbox.minimal) as minimal:
        yield mailbox, minimal.port


def test_imap_poll_on_dovecot_stores_every_message_and_says_what_it_did(
    dovecot: Dovecot, people: Directory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    mailbox = ImapBox(dovecot)
    for name in sorted(EXPECTED):
        mailbox.deliver(wild(name))
    mailbox.deliver(wild("k04-utf8-labelled-euckr.eml"), seen=True)  # read by a person: left
    bounces = sum(1 for e in EXPECTED.values() if e.bounce_notice is not None)
    assert mailbox.poll(dovecot.port) == (
        f"fetched {len(EXPECTED)} unseen message(s): {len(EXPECTED)} stored; "
        f"processed {len(EXPECTED)} pending: {bounces} ignored, "
        f"{len(EXPECTED) - bounces} processed"
    )
    assert InboundMessage.objects.count() == len(EXPECTED)  # accepted == stored
    check(by_message_id())
    assert mailbox.poll(dovecot.port) == "fetched 0 unseen message(s): 0 stored; nothing pending"
    client = imaplib.IMAP4("127.0.0.1", dovecot.port)
    client.login(mailbox.user, PASSWORD)
    client.select("INBOX")
    assert client.uid("SEARCH", "UNSEEN")[1] == [b""]
    client.logout()


class Killed(BaseException):
    """A crash (the process killed), not an error the code would catch and record."""


def test_a_crashed_poll_is_finished_by_the_next_one(
    box: tuple[ImapBox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox, port = box
    for name in REQUESTS:
        mailbox.deliver(wild(name))
    store_once = imap.inbound_store_once

    def store_then_die(**kwargs: Any) -> Any:
        store_once(**kwargs)
        raise Killed  # stored, not yet marked seen

    with monkeypatch.context() as patch:
        patch.setattr(imap, "inbound_store_once", store_then_die)
        with pytest.raises(Killed):
            mailbox.poll(port)
    assert InboundMessage.objects.filter(status=InboundStatus.RECEIVED).count() == 1

    process_once = imap.inbound_process
    calls = []

    def die_on_second(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) == 2:
            raise Killed  # in the middle of processing: rolled back, still pending
        return process_once(**kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(imap, "inbound_process", die_on_second)
        with pytest.raises(Killed):
            mailbox.poll(port)
    assert InboundMessage.objects.count() == len(REQUESTS)
    assert InboundMessage.objects.filter(status=InboundStatus.RECEIVED).count() == 2
    assert mailbox.poll(port) == (
        "fetched 0 unseen message(s): 0 stored; processed 2 pending: 2 processed"
    )
    assert InboundMessage.objects.filter(status=InboundStatus.PROCESSED).count() == len(REQUESTS)
    assert TakedownRequest.objects.count() == len(REQUESTS)
