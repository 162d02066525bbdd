"""The webhook channel against a real HTTP receiver on loopback that verifies signatures with
the snippet documented for platforms."""

import hashlib
import json
import time
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from hotline.audit.models import Event
from hotline.cases.models import Notice
from hotline.core import clock
from hotline.delivery.models import Delivery, WebhookSecret
from hotline.delivery.selectors import webhook_signing_secrets
from hotline.delivery.services import delivery_relay_until_idle
from hotline.delivery.signing import signature_header, verify_signature
from hotline.delivery.webhook_secrets import secret_fingerprint, webhook_secret_rotate
from hotline.platforms.models import Platform
from tests.conftest import ApiCaller, request_body
from tests.delivery.servers import WebhookReceiver, documented_verifier

Receiver = tuple[WebhookReceiver, str]


def webhook_platform(url: str) -> Platform:
    Platform.objects.filter(name="X").update(channel="webhook", webhook_url=url)
    return Platform.objects.get(name="X")


def file_notice(call_api: ApiCaller, *paths: str) -> Notice:
    urls = [f"https://x.com/a/status/{p}" for p in paths or ("1",)]
    status, receipt = call_api("analyst", "post", "/requests", request_body(*urls))
    assert status == 201, receipt
    return Notice.objects.get(pk=receipt["notices"][0]["id"])


def delivery_of(notice: Notice) -> Delivery:
    return Delivery.objects.get(idempotency_key=f"notice-{notice.pk}")


def test_a_notice_is_posted_signed_and_verifies_with_the_documented_snippet(
    call_api: ApiCaller, receiver: Receiver
) -> None:
    hook, url = receiver
    platform = webhook_platform(url)
    hook.secrets = [webhook_secret_rotate(platform=platform, actor="test").secret]
    notice = file_notice(call_api, "1", "2")
    delivery_relay_until_idle()
    (request,) = hook.requests
    assert request["verified"]
    headers = request["headers"]
    assert headers["hotline-idempotency-key"] == f"notice-{notice.pk}"
    assert headers["hotline-event"] == "notice"
    assert headers["content-type"].startswith("application/json")
    document = json.loads(request["body"])
    assert document["id"] == f"notice-{notice.pk}" and document["event"] == "notice"
    assert document["data"]["notice_id"] == notice.pk
    assert [i["url"] for i in document["data"]["items"]] == [
        "https://x.com/a/status/1",
        "https://x.com/a/status/2",
    ]
    assert delivery_of(notice).status == "sent"
    attempt = delivery_of(notice).attempt_log.get()
    assert attempt.proof["http_status"] == 200
    assert attempt.proof["response_sha256"] == hashlib.sha256(b"").hexdigest()  # it sent no body
    assert attempt.proof["request_sha256"] == hashlib.sha256(request["body"]).hexdigest()
    assert document["data"]["checkpoint"]["format"] == "hotline-audit-checkpoint/1"


def test_during_a_rotation_both_secrets_verify_and_afterwards_only_the_new_one(
    call_api: ApiCaller, receiver: Receiver
) -> None:
    hook, url = receiver
    platform = webhook_platform(url)
    old = webhook_secret_rotate(platform=platform, actor="test").secret
    new = webhook_secret_rotate(platform=platform, actor="test").secret
    assert webhook_signing_secrets(platform_id=platform.pk, now=clock.now()) == [new, old]
    verify = documented_verifier()
    hook.secrets = [old]  # a platform that has not switched yet
    file_notice(call_api, "1")
    delivery_relay_until_idle()
    hook.secrets = [new]  # one that has
    file_notice(call_api, "2")
    delivery_relay_until_idle()
    assert [r["verified"] for r in hook.requests] == [True, True]
    signature = hook.requests[0]["headers"]["hotline-signature"]
    assert signature.count("v1=") == 2
    # The overlap ends: the old secret no longer signs, so its holder rejects the request.
    retiring = WebhookSecret.objects.filter(platform=platform).exclude(retired_at=None)
    retiring.update(retired_at=clock.now() - timedelta(seconds=1))  # the old one (encrypted)
    hook.secrets = [old]
    notice = file_notice(call_api, "3")
    delivery_relay_until_idle()
    last = hook.requests[-1]
    assert not last["verified"] and last["headers"]["hotline-signature"].count("v1=") == 1
    assert verify(last["body"], last["headers"]["hotline-signature"], new)
    assert delivery_of(notice).status == "failed"  # the receiver answered 401


def test_the_signature_is_only_good_within_the_tolerance_window() -> None:
    verify = documented_verifier()
    body, secret = b'{"id":"notice-1"}', "whsec_test"
    now = int(time.time())
    fresh = signature_header(body, [secret], now - 299)
    stale = signature_header(body, [secret], now - 301)
    assert verify(body, fresh, secret) and verify_signature(body, fresh, secret)
    assert not verify(body, stale, secret) and not verify_signature(body, stale, secret)
    assert not verify(body + b" ", fresh, secret)
    assert not verify(body, fresh, "whsec_other")
    assert not verify(body, "v1=" + "0" * 64, secret)
    assert verify_signature(body, stale, secret, now=now - 300)


@pytest.mark.parametrize("status", [400, 404, 410, 301])
def test_a_client_error_is_a_permanent_failure(
    call_api: ApiCaller, receiver: Receiver, status: int
) -> None:
    hook, url = receiver
    platform = webhook_platform(url)
    hook.secrets = [webhook_secret_rotate(platform=platform, actor="test").secret]
    hook.statuses = [status]
    notice = file_notice(call_api)
    delivery_relay_until_idle()
    delivery = delivery_of(notice)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "failed",
        1,
        f"HTTP {status}",
    )
    assert Event.objects.filter(tag="delivery:failed", subject=f"notice:{notice.pk}").exists()


@pytest.mark.parametrize("status", [500, 503, 408, 429])
def test_a_server_error_is_retried_with_backoff_under_the_same_key_and_bytes(
    call_api: ApiCaller, receiver: Receiver, status: int
) -> None:
    hook, url = receiver
    platform = webhook_platform(url)
    hook.secrets = [webhook_secret_rotate(platform=platform, actor="test").secret]
    hook.statuses = [status]
    notice = file_notice(call_api)
    before = clock.now()
    delivery_relay_until_idle()
    delivery = delivery_of(notice)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    # First retry: full jitter between half and all of the 30 s base.
    assert before + timedelta(seconds=15) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= clock.now() + timedelta(seconds=30)
    delivery_relay_until_idle(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    first, second = hook.requests
    assert first["body"] == second["body"]
    key = "hotline-idempotency-key"
    assert first["headers"][key] == second["headers"][key] == f"notice-{notice.pk}"
    assert [a.ok for a in delivery.attempt_log.order_by("pk")] == [False, True]


def test_a_connection_failure_is_retried(call_api: ApiCaller, settings: Any) -> None:
    settings.HOTLINE_CHANNEL_BACKEND = "real"
    platform = webhook_platform("http://127.0.0.1:1/hook")
    webhook_secret_rotate(platform=platform, actor="test")
    notice = file_notice(call_api)
    delivery_relay_until_idle()
    delivery = delivery_of(notice)
    assert delivery.status == "pending" and "ConnectError" in delivery.last_error


def test_plain_http_is_refused_except_to_loopback(call_api: ApiCaller, settings: Any) -> None:
    settings.HOTLINE_CHANNEL_BACKEND = "real"
    platform = webhook_platform("http://hooks.example.org/hotline")
    webhook_secret_rotate(platform=platform, actor="test")
    notice = file_notice(call_api)
    delivery_relay_until_idle()
    delivery = delivery_of(notice)
    assert delivery.status == "failed" and "must be https" in delivery.last_error


def test_without_a_secret_the_notice_waits_instead_of_going_unsigned(
    call_api: ApiCaller, receiver: Receiver
) -> None:
    hook, url = receiver
    webhook_platform(url)
    notice = file_notice(call_api)
    delivery_relay_until_idle()
    delivery = delivery_of(notice)
    assert delivery.status == "pending" and "webhook rotate" in delivery.last_error
    assert hook.requests == []


def test_the_rotate_command_prints_the_secret_once_and_show_only_fingerprints(
    directory: Any,
) -> None:
    out, err = StringIO(), StringIO()
    call_command("webhook", "rotate", "--platform", "X", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("whsec_") and len(secret) == 70
    call_command("webhook", "rotate", "--platform", "X", stdout=StringIO(), stderr=StringIO())
    shown = StringIO()
    call_command("webhook", "show", "--platform", "X", stdout=shown)
    text = shown.getvalue()
    assert secret not in text and secret_fingerprint(secret) in text
    assert "active" in text and "retiring at" in text
    rotations = Event.objects.filter(tag="webhook:rotate")
    assert rotations.count() == 2 and all(secret not in json.dumps(e.payload) for e in rotations)
