"""`hotline imap-poll` against an IMAP server on loopback (a minimal RFC 3501 subset, in tests)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.cases.models import TakedownRequest
from hotline.inbound.models import InboundMessage, InboundStatus
from tests.conftest import Directory
from tests.inbound.conftest import corpus
from tests.inbound.imap_server import ImapTestServer, Mailbox


@pytest.fixture
def mailbox(people: Directory, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "s3cret pass")
    box = Mailbox(user="hotline", password="s3cret pass")
    box.add(corpus("request-plain-en.eml"))
    box.add(corpus("request-html-only.eml"), "\\Seen")  # read by a person already: left alone
    box.add(corpus("unknown-sender.eml"))
    return box


def poll(port: int) -> str:
    out = StringIO()
    call_command(
        "imap-poll",
        "--host=127.0.0.1",
        f"--port={port}",
        "--user=hotline",
        "--password-env=TEST_IMAP_PASSWORD",
        "--once",
        stdout=out,
    )
    return out.getvalue()


def test_unseen_mail_is_stored_marked_seen_and_processed(mailbox: Mailbox) -> None:
    with ImapTestServer(mailbox) as server:
        assert poll(server.port) == (
            "fetched 2 unseen message(s): 2 stored; processed 2 pending: 1 processed, "
            "1 quarantined\n"
        )
        assert poll(server.port) == "fetched 0 unseen message(s): 0 stored; nothing pending\n"
    assert all("\\Seen" in m.flags for m in mailbox.mails)
    rows = list(InboundMessage.objects.order_by("pk"))
    assert [(r.source, r.status) for r in rows] == [
        ("imap", InboundStatus.PROCESSED),
        ("imap", InboundStatus.QUARANTINED),
    ]
    assert rows[0].source_key == f"imap:hotline@127.0.0.1:{server.port}/INBOX;7;1"
    assert TakedownRequest.objects.count() == 1


def test_a_message_whose_seen_flag_failed_is_fetched_again_but_stored_once(
    mailbox: Mailbox,
) -> None:
    mailbox.refuse_store = 2
    with ImapTestServer(mailbox) as server:
        poll(server.port)
        assert not any("\\Seen" in m.flags for m in (mailbox.mails[0], mailbox.mails[2]))
        poll(server.port)
    assert all("\\Seen" in m.flags for m in mailbox.mails)
    assert InboundMessage.objects.count() == 2
    assert TakedownRequest.objects.count() == 1


def test_a_wrong_password_stores_nothing(mailbox: Mailbox) -> None:
    mailbox.password = "other"
    with ImapTestServer(mailbox) as server, pytest.raises(Exception, match="invalid credentials"):
        poll(server.port)
    assert not InboundMessage.objects.exists()


def test_a_missing_password_variable_is_a_clear_error(people: Directory) -> None:
    with pytest.raises(CommandError, match="NO_SUCH_VARIABLE is not set"):
        call_command("imap-poll", "--host=127.0.0.1", "--user=u", "--password-env=NO_SUCH_VARIABLE")
