"""The email channel against a real SMTP server on loopback (STARTTLS, AUTH)."""

import email
import hashlib
import re
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from hotline.audit.models import Event
from hotline.cases.models import Notice
from hotline.cases.tokens import notice_action_token, notice_reply_token
from hotline.core import clock
from hotline.delivery.email import build_email
from hotline.delivery.models import Delivery
from hotline.delivery.services import (
    delivery_enqueue,
    delivery_relay_until_idle,
    outbound_message,
)
from hotline.platforms.models import Platform
from tests.conftest import ApiCaller, request_body
from tests.delivery.conftest import MAIL_DOMAIN, PUBLIC_URL
from tests.delivery.servers import Inbox

URLS = ["https://t.me/room/1", "https://t.me/room/2", "https://t.me/room/3"]


def file_notice(call_api: ApiCaller, platform: str = "Telegram", **overrides: Any) -> Notice:
    urls = URLS if platform == "Telegram" else ["https://x.com/a/status/1"]
    status, receipt = call_api("analyst", "post", "/requests", request_body(*urls, **overrides))
    assert status == 201, receipt
    return Notice.objects.get(pk=receipt["notices"][0]["id"])


def parsed(inbox: Inbox, index: int = -1) -> EmailMessage:
    message = email.message_from_bytes(inbox.messages[index].content, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = (part for part in message.iter_parts())
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    return text.get_content(), html.get_content()  # type: ignore[attr-defined]


def test_a_korean_notice_arrives_as_well_formed_mime_over_starttls_and_auth(
    call_api: ApiCaller, inbox: Inbox
) -> None:
    Platform.objects.filter(name="Telegram").update(language="ko")
    notice = file_notice(call_api, urgent=True)
    assert delivery_relay_until_idle() == 1
    (arrived,) = inbox.messages
    assert arrived.tls and arrived.authenticated
    assert arrived.rcpt_tos == ["hotline@telegram.example"]
    message = parsed(inbox)
    assert message.get_content_type() == "multipart/alternative"
    case_id, token = notice.request.case_id, notice_reply_token(notice)
    assert message["Subject"] == f"[hotline {case_id} N{notice.pk}] [긴급] 삭제 요청"
    assert message["Message-ID"] == f"<notice-{notice.pk}@{MAIL_DOMAIN}>"
    assert message["Reply-To"] == f"reply+n{notice.pk}-{token}@{MAIL_DOMAIN}"
    assert message["From"] == f"hotline@{MAIL_DOMAIN}"
    # Korean headers travel as RFC 2047 encoded words, never raw bytes.
    raw_headers = arrived.content.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" in raw_headers and raw_headers.isascii()
    text, html = parts(message)
    deadline = notice.deadline_at.astimezone(ZoneInfo("Asia/Seoul"))
    shown = f"{deadline:%Y-%m-%d %H:%M} KST (Asia/Seoul)"
    link = f"{PUBLIC_URL}/act/{notice.pk}/{notice_action_token(notice)}"
    for body in (text, html):
        assert "삭제 요청" in body and "처리 기한" in body
        assert shown in body
        assert f"참조 번호: N{notice.pk}-{token}" in body
        assert link in body
    assert all(url in text for url in URLS)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td></tr>", html)
    assert rows == [(str(n), url) for n, url in enumerate(URLS, start=1)]


def test_an_english_platform_gets_english_and_its_own_time_zone(
    call_api: ApiCaller, inbox: Inbox
) -> None:
    notice = file_notice(call_api, platform="X")
    delivery_relay_until_idle()
    message = parsed(inbox)
    assert message["Subject"] == f"[hotline {notice.request.case_id} N{notice.pk}] takedown notice"
    text, html = parts(message)
    assert "Takedown notice" in text and "Deadline:" in text
    assert f"{notice.deadline_at:%Y-%m-%d %H:%M} UTC (UTC)" in text
    assert html.count("<tr><td>") == 1


def test_other_kinds_use_the_generic_template_and_thread_under_the_notice(
    call_api: ApiCaller, inbox: Inbox
) -> None:
    Platform.objects.filter(name="Telegram").update(language="ko")
    notice = file_notice(call_api)
    with transaction.atomic():
        delivery_enqueue(
            idempotency_key=f"receipt-{notice.pk}",
            kind="receipt",
            channel="email",
            recipient="hotline@telegram.example",
            subject=f"[hotline {notice.request.case_id} N{notice.pk}] receipt",
            body="We received your answer about item 1.",
            about=f"notice:{notice.pk}",
            organisation_id=notice.request.organisation_id,
            payload={
                "notice_id": notice.pk,
                "case_id": notice.request.case_id,
                "reply_token": notice_reply_token(notice),
                "language": "ko",
            },
        )
    delivery_relay_until_idle()
    message = parsed(inbox)
    assert message["Subject"] == f"[hotline {notice.request.case_id} N{notice.pk}] 접수 확인"
    assert message["In-Reply-To"] == f"<notice-{notice.pk}@{MAIL_DOMAIN}>"
    text, html = parts(message)
    for body in (text, html):
        assert "접수 확인" in body and "We received your answer about item 1." in body
        assert f"참조 번호: N{notice.pk}-{notice_reply_token(notice)}" in body


def test_a_resend_is_byte_identical(call_api: ApiCaller, inbox: Inbox) -> None:
    notice = file_notice(call_api)
    delivery = Delivery.objects.get(idempotency_key=f"notice-{notice.pk}")
    first = build_email(outbound_message(delivery)).as_bytes()
    assert build_email(outbound_message(delivery)).as_bytes() == first


def test_a_refused_recipient_fails_permanently_and_is_shown_to_both_sides(
    call_api: ApiCaller, inbox: Inbox
) -> None:
    inbox.refuse["hotline@telegram.example"] = "550 5.1.1 no such mailbox"
    notice = file_notice(call_api)
    delivery_relay_until_idle()
    delivery = Delivery.objects.get(idempotency_key=f"notice-{notice.pk}")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "550" in delivery.last_error
    assert Event.objects.filter(tag="delivery:failed", subject=f"notice:{notice.pk}").exists()
    for who in ("analyst", "telegram_mod"):
        _, shown = call_api(who, "get", f"/notices/{notice.pk}")
        (row,) = shown["deliveries"]
        assert row["kind"] == "notice" and row["status"] == "failed" and row["attempts"] == 1
        assert "no such mailbox" in row["last_error"]


def test_a_temporary_refusal_is_retried_after_a_backoff(call_api: ApiCaller, inbox: Inbox) -> None:
    inbox.refuse["hotline@telegram.example"] = "451 4.3.0 try again later"
    notice = file_notice(call_api)
    before = clock.now()
    delivery_relay_until_idle()
    delivery = Delivery.objects.get(idempotency_key=f"notice-{notice.pk}")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert before + timedelta(seconds=15) <= delivery.next_attempt_at
    assert Event.objects.filter(tag="delivery:failed_attempt").count() == 1
    del inbox.refuse["hotline@telegram.example"]
    assert delivery_relay_until_idle() == 0  # not due yet
    delivery_relay_until_idle(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(inbox.messages) == 1


def test_an_unreachable_server_is_retried(call_api: ApiCaller, inbox: Inbox, settings: Any) -> None:
    settings.HOTLINE_SMTP_PORT = 1  # nothing listens there
    notice = file_notice(call_api)
    delivery_relay_until_idle()
    delivery = Delivery.objects.get(idempotency_key=f"notice-{notice.pk}")
    assert delivery.status == "pending" and "SMTP" in delivery.last_error


def test_wrong_credentials_are_retried_not_dropped(
    call_api: ApiCaller, inbox: Inbox, settings: Any
) -> None:
    settings.HOTLINE_SMTP_PASSWORD = "wrong"
    notice = file_notice(call_api)
    delivery_relay_until_idle()
    delivery = Delivery.objects.get(idempotency_key=f"notice-{notice.pk}")
    assert delivery.status == "pending" and "authentication" in delivery.last_error
    assert inbox.messages == []


def test_credentials_never_travel_in_clear_to_a_remote_relay(settings: Any) -> None:
    from hotline.delivery.email import credentials_allowed

    settings.HOTLINE_SMTP_USER = "relay"
    settings.HOTLINE_SMTP_STARTTLS = settings.HOTLINE_SMTP_SSL = False
    settings.HOTLINE_SMTP_HOST = "mail.example.org"
    assert not credentials_allowed()
    settings.HOTLINE_SMTP_STARTTLS = True
    assert credentials_allowed()
    settings.HOTLINE_SMTP_STARTTLS, settings.HOTLINE_SMTP_HOST = False, "127.0.0.1"
    assert credentials_allowed()


def test_a_reporter_without_an_email_address_is_a_permanent_failure(
    call_api: ApiCaller, inbox: Inbox
) -> None:
    notice = file_notice(call_api)
    with transaction.atomic():
        delivery_enqueue(
            idempotency_key="message-x",
            kind="message:answer",
            channel="email",
            recipient="Centre A",
            subject="s",
            body="b",
            about=f"notice:{notice.pk}",
            organisation_id=None,
        )
    delivery_relay_until_idle()
    assert Delivery.objects.get(idempotency_key="message-x").status == "failed"


def test_the_smtp_servers_reply_and_message_id_are_kept_as_signed_proof(
    call_api: ApiCaller, inbox: Inbox
) -> None:
    from hotline.delivery.models import DeliveryAttempt

    notice = file_notice(call_api)
    delivery_relay_until_idle()
    attempt = DeliveryAttempt.objects.get(delivery__idempotency_key=f"notice-{notice.pk}")
    assert attempt.proof["message_id"] == f"<notice-{notice.pk}@{MAIL_DOMAIN}>"
    assert attempt.proof["smtp_reply"].startswith("250 ")  # the loopback server's own words
    assert attempt.proof["message_sha256"] == hashlib.sha256(inbox.messages[0].content).hexdigest()
    event = Event.objects.get(tag="delivery:sent", subject=f"notice:{notice.pk}")
    assert event.payload["proof"] == attempt.proof


def test_every_notice_carries_a_signed_checkpoint_in_both_languages(
    call_api: ApiCaller, inbox: Inbox
) -> None:
    from hotline.audit.checkpoints import checkpoint_from_json, checkpoint_signature_problem
    from hotline.audit.keys import trusted_public_keys

    Platform.objects.filter(name="Telegram").update(language="ko")
    file_notice(call_api)
    file_notice(call_api, platform="X")
    delivery_relay_until_idle()
    for index, heading in ((0, "감사 기록 체크포인트"), (1, "Audit checkpoint")):
        text, html = parts(parsed(inbox, index))
        line = next(x for x in text.splitlines() if x.startswith('{"created_at"'))
        checkpoint = checkpoint_from_json(line)
        assert checkpoint_signature_problem(checkpoint, trusted_public_keys()) is None
        assert checkpoint.seq <= Event.objects.count()
        assert heading in text and heading in html
        assert line.replace('"', "&quot;") in html
