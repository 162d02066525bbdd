"""Outbound mail DKIM-signed with the key from the environment, verified by dkimpy on the
bytes the loopback SMTP server received."""

import base64
import hashlib
from pathlib import Path
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hotline.delivery.dkim import dkim_problem
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_relay_until_idle
from tests.conftest import ApiCaller
from tests.delivery.conftest import MAIL_DOMAIN
from tests.delivery.servers import Inbox
from tests.delivery.test_email import file_notice

SELECTOR = "hotline2026"


@pytest.fixture(scope="module")
def key_pair() -> tuple[bytes, bytes]:
    """An RSA private key (PEM) and its DNS TXT record, made for this test run."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


@pytest.fixture
def signing(settings: Any, tmp_path: Path, key_pair: tuple[bytes, bytes]) -> bytes:
    private, record = key_pair
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(private)
    settings.HOTLINE_DKIM_SELECTOR = SELECTOR
    settings.HOTLINE_DKIM_DOMAIN = MAIL_DOMAIN
    settings.HOTLINE_DKIM_PRIVATE_KEY_FILE = str(key_file)
    return record


def dns_serving(record: bytes) -> Any:
    asked: list[bytes] = []

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        asked.append(name)
        return record if name == f"{SELECTOR}._domainkey.{MAIL_DOMAIN}.".encode() else None

    dnsfunc.asked = asked  # type: ignore[attr-defined]
    return dnsfunc


def test_a_notice_arrives_signed_and_the_signature_verifies(
    call_api: ApiCaller, inbox: Inbox, signing: bytes
) -> None:
    notice = file_notice(call_api)
    assert delivery_relay_until_idle() == 1
    raw = inbox.messages[-1].content
    assert raw.startswith(b"DKIM-Signature:")
    dns = dns_serving(signing)
    assert dkim.verify(raw, dnsfunc=dns)
    assert dns.asked == [f"{SELECTOR}._domainkey.{MAIL_DOMAIN}.".encode()]
    signature = dkim.DKIM(raw)
    assert signature.verify(dnsfunc=dns)
    assert (signature.domain, signature.selector) == (MAIL_DOMAIN.encode(), SELECTOR.encode())
    for header in (b"from", b"subject", b"message-id", b"date", b"reply-to"):
        assert header in [h.lower() for h in signature.include_headers]
    # What the signature covers cannot change on the way.
    assert not dkim.verify(raw.replace(f"N{notice.pk}]".encode(), b"N999]", 1), dnsfunc=dns)
    # The proof kept for the delivery is of the signed bytes that were sent.
    (attempt,) = Delivery.objects.get(kind="notice").attempt_log.all()
    assert attempt.proof["message_sha256"] == hashlib.sha256(raw).hexdigest()


def test_a_partial_dkim_setting_holds_mail_with_the_reason(
    call_api: ApiCaller, inbox: Inbox, settings: Any
) -> None:
    settings.HOTLINE_DKIM_SELECTOR = SELECTOR
    assert dkim_problem() == (
        "DKIM signing needs all of HOTLINE_DKIM_* set; missing: HOTLINE_DKIM_DOMAIN, "
        "HOTLINE_DKIM_PRIVATE_KEY_FILE"
    )
    file_notice(call_api)
    delivery_relay_until_idle()
    assert inbox.messages == []  # never sent unsigned when signing was asked for
    delivery = Delivery.objects.get(kind="notice")
    assert delivery.status != "sent" and "HOTLINE_DKIM_DOMAIN" in delivery.last_error


def test_without_dkim_settings_mail_is_sent_unsigned(call_api: ApiCaller, inbox: Inbox) -> None:
    assert dkim_problem() is None
    file_notice(call_api)
    assert delivery_relay_until_idle() == 1
    assert b"DKIM-Signature" not in inbox.messages[-1].content
