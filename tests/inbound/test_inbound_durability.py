"""Nothing is lost: a crash in processing leaves the stored message to be processed again."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from hotline.cases.models import TakedownRequest
from hotline.delivery.models import Delivery
from hotline.inbound.models import InboundMessage, InboundStatus
from hotline.inbound.services import process
from hotline.inbound.services.store import Envelope, inbound_store
from tests.conftest import Directory
from tests.inbound.conftest import CORPUS, Mailer, corpus, start_server


def command(*args: str) -> str:
    out = StringIO()
    call_command("inbound", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_a_crash_while_processing_loses_nothing_and_reprocess_finishes_it(
    smtp: Mailer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: Any) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(process, "request_process", crash)
    row = smtp.send(corpus("request-plain-en.eml"))  # stored and acknowledged with 250
    assert row.status == InboundStatus.FAILED and "simulated crash" in row.last_error
    assert not TakedownRequest.objects.exists() and not Delivery.objects.exists()
    monkeypatch.undo()
    assert command("reprocess").startswith(f"{row.pk}\tprocessed\trequest")
    row.refresh_from_db()
    assert row.status == InboundStatus.PROCESSED and row.attempts == 2
    assert TakedownRequest.objects.count() == 1
    assert command("reprocess", str(row.pk)).startswith(f"{row.pk}\tprocessed")
    assert TakedownRequest.objects.count() == 1
    assert Delivery.objects.filter(kind="receipt").count() == 1


def test_messages_stored_before_a_restart_are_processed_when_the_server_starts(
    transactional_db: None, people: Directory
) -> None:
    raw = corpus("request-html-only.eml")
    row = inbound_store(raw=raw, envelope=Envelope(source="smtp", envelope_from="a@b.example"))
    assert row.status == InboundStatus.RECEIVED
    server, stop = start_server()
    try:
        server.wait_idle()
    finally:
        stop()
    row.refresh_from_db()
    assert row.status == InboundStatus.PROCESSED


def test_every_corpus_message_is_stored_and_accounted_for(smtp: Mailer) -> None:
    names = sorted(p.name for p in CORPUS.glob("*.eml"))
    rows = [smtp.send(corpus(n, NOTICE=1, TOKEN="0" * 16, CASE="HL-2024-000001")) for n in names]
    assert InboundMessage.objects.count() == len(names)
    assert {r.status for r in rows} <= {"processed", "quarantined", "ignored"}


def test_list_and_show_give_a_person_what_they_need_to_decide(smtp: Mailer) -> None:
    row = smtp.send(corpus("unknown-sender.eml"))
    smtp.send(corpus("request-plain-en.eml"))
    listing = command("list", "--quarantined").splitlines()
    assert len(listing) == 1 and listing[0].startswith(f"{row.pk}\t")
    assert "unknown sender" in listing[0]
    shown = json.loads(command("show", str(row.pk)))
    assert shown["status"] == "quarantined" and shown["from"] == "someone@elsewhere.example"
    assert shown["authentication"]["dkim"] == {"result": "none"}
    assert "https://t.me/room/31" in command("show", str(row.pk), "--body")
