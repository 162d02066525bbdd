"""Reporters file by email over real SMTP: URLs in every form and charset, receipts, quarantine."""

import pytest

from hotline.cases.models import TakedownRequest
from hotline.delivery.email import build_email
from hotline.delivery.models import Delivery
from hotline.delivery.services import outbound_message
from hotline.inbound.models import InboundMessage, InboundStatus
from tests.inbound.conftest import Mailer, corpus, english_words


def filed(row: InboundMessage) -> TakedownRequest:
    assert row.status == InboundStatus.PROCESSED, (row.status, row.reason, row.last_error)
    return TakedownRequest.objects.get(pk=row.outcome["request"])


def urls(request: TakedownRequest) -> list[str]:
    return [i.normalised_url for i in request.items.order_by("position")]


def receipt(row: InboundMessage) -> Delivery:
    return Delivery.objects.get(kind="receipt", payload__inbound_id=row.pk)


def test_a_plain_request_files_every_url_once_and_answers_with_a_receipt(smtp: Mailer) -> None:
    row = smtp.send(corpus("request-plain-en.eml"))
    request = filed(row)
    assert urls(request) == [
        "https://t.me/room/1",
        "https://t.me/room/2",
        "https://x.com/i/status/7",  # X posts are their id, whatever the account name
        "https://unknown.example/x",
    ]  # the repeat is filed once; the sender's own signature link is not filed at all
    assert request.urgent and request.category == "sexual_deepfake"
    assert request.legal_bases == [] and request.filed_by == "analyst"
    states = {i.normalised_url: i.state for i in request.items.all()}
    assert states["https://t.me/room/1"] == "notified"
    assert states["https://unknown.example/x"] == "triage"
    answer = receipt(row)
    assert answer.recipient == "analyst@kcsc.example"
    assert request.case_id in answer.subject and request.case_id in answer.body
    assert "national law" in answer.body and "Marked URGENT" in answer.body


@pytest.mark.parametrize(
    ("name", "url", "sender_org", "minor"),
    [
        ("request-euc-kr-qp.eml", "https://t.me/room/11", "KCSC", False),
        ("request-iso-2022-kr.eml", "https://t.me/room/12", "KCSC", False),
        ("request-cp949-base64.eml", "https://t.me/room/13", "Centre A", True),
        ("request-mislabelled.eml", "https://t.me/room/14", "KCSC", False),
    ],
)
def test_korean_mail_in_any_charset_is_read_and_answered_in_korean(
    smtp: Mailer, name: str, url: str, sender_org: str, minor: bool
) -> None:
    row = smtp.send(corpus(name))
    request = filed(row)
    assert urls(request) == [url]
    assert request.organisation.name == sender_org
    assert request.involves_minor == minor
    assert "\ufffd" not in row.subject and "\ufffd" not in request.reasons
    assert any("\uac00" <= c <= "\ud7a3" for c in row.subject)
    assert "접수했습니다" in receipt(row).body


def test_urgency_and_the_minor_marker_come_from_korean_words(smtp: Mailer) -> None:
    request = filed(smtp.send(corpus("request-euc-kr-qp.eml")))
    assert request.urgent and request.category == "sexual_deepfake"
    minor = filed(smtp.send(corpus("request-cp949-base64.eml")))
    assert minor.urgent and minor.category == "minor_sexual_deepfake"
    assert "똠방각하" in minor.reasons  # a CP949-only syllable survived the decoding


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("request-html-only.eml", ["https://t.me/room/15"]),
        ("request-forwarded-rfc822.eml", ["https://t.me/room/16"]),
        (
            "request-forwarded-inline.eml",
            ["https://t.me/room/17", "https://x.com/i/status/9"],
        ),
    ],
)
def test_urls_are_found_in_html_and_forwarded_messages(
    smtp: Mailer, name: str, expected: list[str]
) -> None:
    assert urls(filed(smtp.send(corpus(name)))) == expected


def test_an_rfc2231_attachment_name_is_recorded_and_its_bytes_are_not(smtp: Mailer) -> None:
    row = smtp.send(corpus("request-rfc2231-attachment.eml"))
    assert urls(filed(row)) == ["https://t.me/room/18"]
    assert row.subject == "증거 자료 — 삭제 요청"
    [attachment] = row.attachments
    assert attachment["name"] == "증거 자료.pdf"
    assert attachment["content_type"] == "application/pdf" and not attachment["media"]
    assert b"synthetic test document" not in bytes(row.redacted)
    assert b"JVBERi0xLjQg" not in bytes(row.redacted)  # nor its base64
    assert "증거 자료.pdf" in receipt(row).body


def test_an_unknown_sender_is_quarantined_and_not_answered(smtp: Mailer) -> None:
    row = smtp.send(corpus("unknown-sender.eml"))
    assert row.status == InboundStatus.QUARANTINED
    assert "unknown sender someone@elsewhere.example" in row.reason
    assert not TakedownRequest.objects.exists()
    assert not Delivery.objects.filter(payload__inbound_id=row.pk).exists()


def test_a_registered_sender_with_nothing_to_file_is_told_so(smtp: Mailer) -> None:
    row = smtp.send(corpus("registered-no-urls.eml"))
    assert row.status == InboundStatus.QUARANTINED and "no URL" in row.reason
    assert not TakedownRequest.objects.exists()
    assert "could not file" in receipt(row).body


def test_the_same_email_twice_files_one_request(smtp: Mailer) -> None:
    first = filed(smtp.send(corpus("request-plain-en.eml")))
    second = smtp.send(corpus("request-plain-en.eml"))
    assert filed(second) == first
    assert TakedownRequest.objects.count() == 1
    assert Delivery.objects.filter(kind="receipt").count() == 1


def test_forwarded_words_are_not_passed_on_as_the_reasons(smtp: Mailer) -> None:
    inline = filed(smtp.send(corpus("request-forwarded-inline.eml")))
    attached = filed(smtp.send(corpus("request-forwarded-rfc822.eml")))
    assert "Forwarding a victim's message." in inline.reasons
    assert "victim@mail.example" not in inline.reasons + attached.reasons
    assert "제 사진이" not in attached.reasons


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("request-plain-en.eml", "Audit checkpoint: hotline's record as it stood"),
        ("request-euc-kr-qp.eml", "감사 기록 체크포인트: 이 요청을 접수한 때의"),
    ],
)
def test_the_receipt_carries_a_signed_checkpoint_covering_the_filing(
    smtp: Mailer, name: str, heading: str
) -> None:
    from hotline.audit.checkpoints import checkpoint_from_json, checkpoint_signature_problem
    from hotline.audit.keys import trusted_public_keys
    from hotline.audit.models import Event

    row = smtp.send(corpus(name))
    request = filed(row)
    body = receipt(row).body
    lines = body.splitlines()
    assert heading in body and "hotline audit verify --checkpoint" in body
    line = lines[lines.index(next(x for x in lines if x.startswith(heading))) + 1]
    checkpoint = checkpoint_from_json(line)
    assert checkpoint_signature_problem(checkpoint, trusted_public_keys()) is None
    filing = Event.objects.get(tag="inbound:request_filed", subject=f"inbound:{row.pk}")
    created = Event.objects.get(tag="request:submit", subject=f"request:{request.pk}")
    assert checkpoint.seq >= max(filing.seq, created.seq)  # it covers the filing itself
    verified = Event.objects.get(seq=checkpoint.seq)
    assert verified.hash == checkpoint.head_hash


@pytest.mark.parametrize("name", ["request-euc-kr-qp.eml", "registered-no-urls-ko.eml"])
def test_a_korean_answer_is_korean_throughout_and_threads_under_the_reporters_mail(
    smtp: Mailer, name: str
) -> None:
    raw = corpus(name) if name != "registered-no-urls-ko.eml" else korean_with_nothing_to_file()
    row = smtp.send(raw)
    mail = build_email(outbound_message(receipt(row)))
    assert mail["In-Reply-To"] == row.message_id
    assert mail["References"] == row.message_id
    assert english_words(mail) == []


def korean_with_nothing_to_file() -> bytes:
    return (
        "From: KCSC Analyst <analyst@kcsc.example>\r\n"
        "To: hotline@hotline.example\r\n"
        "Subject: =?utf-8?b?7IKt7KCcIOyalOyyrQ==?=\r\n"
        "Message-ID: <nothing-ko@kcsc.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "링크를 곧 보내겠습니다.\r\n"
    ).encode()
