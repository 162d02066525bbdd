"""She may have her case number and PIN emailed: sent once, the address never stored.

The mail goes straight through the email channel, not the outbox, so no row keeps her
address or the PIN (decision 0024); the page still shows both, and says whether it went.
"""

import json
import secrets
from typing import Any

import pytest
from django.test import Client

from hotline.audit.models import Event
from hotline.cases.models import TakedownRequest
from hotline.delivery.channels import RecordingChannel
from hotline.delivery.loopback_smtp import loopback_mail
from hotline.delivery.models import Delivery
from tests.inbound.wild import database_bytes

# Transactional: the mail is sent after the filing committed, as in a live request.
pytestmark = pytest.mark.django_db(transaction=True)


def submit(email: object, **headers: Any) -> tuple[int, dict[str, Any]]:
    body = {
        "category": "sexual_deepfake",
        "items": [{"signals": [{"type": "md5", "value": secrets.token_hex(16)}]}],
        "email": email,
    }
    response = Client().post(
        "/self/submit", json.dumps(body), content_type="application/json", **headers
    )
    return response.status_code, response.json()


def test_the_pin_is_emailed_once_and_neither_address_nor_pin_is_kept() -> None:
    address = f"her-{secrets.token_hex(4)}@example.org"
    status, answer = submit(address)
    assert status == 201, answer
    assert answer["emailed"] is True
    [mail] = RecordingChannel.sent.values()
    assert mail.recipient == address and mail.kind == "self_case:pin"
    assert answer["case_id"] in mail.body and answer["pin"] in mail.body
    assert answer["case_id"] in mail.subject
    assert "did not keep your email address" in mail.body
    dump = database_bytes()
    assert address.encode() not in dump and answer["pin"].encode() not in dump
    assert not Delivery.objects.exists()
    [event] = Event.objects.filter(tag="self_case:pin_emailed")
    assert event.payload == {"case_id": answer["case_id"], "sent": True}


def test_in_korean_and_over_real_smtp(settings: Any) -> None:
    with loopback_mail() as caught:
        status, answer = submit("her@example.org", HTTP_ACCEPT_LANGUAGE="ko")
    assert status == 201 and answer["emailed"] is True
    [(recipients, mail)] = caught.messages
    assert recipients == ["her@example.org"]
    text = mail.get_body(("plain",)).get_content()
    assert answer["pin"] in text and "사건 번호" in text
    assert "이메일 주소를 보관하지 않았습니다" in text


def test_without_an_email_nothing_is_sent() -> None:
    status, answer = submit("")
    assert status == 201 and "emailed" not in answer
    assert RecordingChannel.sent == {}
    assert not Event.objects.filter(tag="self_case:pin_emailed").exists()


def test_a_mail_that_cannot_be_sent_still_shows_the_pin(settings: Any) -> None:
    settings.HOTLINE_CHANNEL_BACKEND = "failing"
    status, answer = submit("her@example.org")
    assert status == 201 and answer["emailed"] is False and answer["pin"]
    [event] = Event.objects.filter(tag="self_case:pin_emailed")
    assert event.payload["sent"] is False


@pytest.mark.parametrize("bad", ["not an address", "a@b", 42])
def test_a_bad_address_is_refused_before_anything_is_filed(bad: object) -> None:
    status, answer = submit(bad)
    assert status in (400, 422), answer
    if status == 422:
        assert answer["details"][0]["element"] == "email"
    assert not TakedownRequest.objects.exists()
    assert RecordingChannel.sent == {}
