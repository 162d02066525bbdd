"""A receiver's Retry-After is honoured: webhooks' 429 and 503 (seconds and HTTP-date), and an
SMTP 4xx that names its wait; real servers on loopback."""

from datetime import timedelta
from email.utils import format_datetime

import pytest

from hotline.core import clock
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_relay_until_idle
from hotline.delivery.webhook_secrets import webhook_secret_rotate
from tests.conftest import ApiCaller
from tests.delivery.servers import Inbox
from tests.delivery.test_email import file_notice as file_email_notice
from tests.delivery.test_webhook import Receiver, delivery_of, file_notice, webhook_platform


@pytest.mark.parametrize("status", [429, 503])
def test_a_webhook_retry_after_in_seconds_sets_the_next_attempt(
    call_api: ApiCaller, receiver: Receiver, status: int
) -> None:
    hook, url = receiver
    hook.secrets = [webhook_secret_rotate(platform=webhook_platform(url), actor="test").secret]
    hook.statuses, hook.answer_headers = [status], [{"Retry-After": "900"}]
    notice = file_notice(call_api)
    before = clock.now()
    delivery_relay_until_idle()
    delivery = delivery_of(notice)
    assert delivery.status == "pending"
    assert before + timedelta(seconds=900) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= clock.now() + timedelta(seconds=900)
    assert delivery.last_error == f"HTTP {status}, Retry-After 900"
    assert delivery_relay_until_idle(now=before + timedelta(seconds=899)) == 0  # not before
    delivery_relay_until_idle(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and len(hook.requests) == 2


def test_a_webhook_retry_after_as_an_http_date_is_honoured(
    call_api: ApiCaller, receiver: Receiver
) -> None:
    hook, url = receiver
    hook.secrets = [webhook_secret_rotate(platform=webhook_platform(url), actor="test").secret]
    come_back = (clock.now() + timedelta(hours=2)).replace(microsecond=0)
    hook.statuses = [503]
    hook.answer_headers = [{"Retry-After": format_datetime(come_back, usegmt=True)}]
    notice = file_notice(call_api)
    delivery_relay_until_idle()
    delivery = delivery_of(notice)
    assert delivery.status == "pending"
    assert come_back - timedelta(seconds=1) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= come_back + timedelta(seconds=1)


def test_an_smtp_greylisting_wait_is_honoured(call_api: ApiCaller, inbox: Inbox) -> None:
    inbox.refuse["hotline@telegram.example"] = "451 4.7.1 Greylisted, try again in 10 minutes"
    notice = file_email_notice(call_api)
    before = clock.now()
    delivery_relay_until_idle()
    delivery = Delivery.objects.get(idempotency_key=f"notice-{notice.pk}")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert before + timedelta(minutes=10) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= clock.now() + timedelta(minutes=10)
