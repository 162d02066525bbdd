"""DKIM is verified on the received bytes (test key served in place of DNS); SPF/DMARC recorded."""

import base64
import subprocess
from collections.abc import Iterator

import dkim
import pytest

from hotline.cases.models import TakedownRequest
from hotline.inbound import authn
from hotline.inbound.models import InboundStatus
from tests.inbound.conftest import Mailer, corpus


@pytest.fixture(scope="module")
def test_key() -> tuple[bytes, bytes]:
    """A freshly generated RSA key: (private PEM, the DNS TXT record publishing it)."""
    private = subprocess.run(["openssl", "genrsa", "2048"], check=True, capture_output=True).stdout
    public = subprocess.run(
        ["openssl", "rsa", "-pubout", "-outform", "DER"],
        input=private,
        check=True,
        capture_output=True,
    ).stdout
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


@pytest.fixture
def dns(test_key: tuple[bytes, bytes]) -> Iterator[None]:
    def lookup(name: bytes | str, timeout: int = 5) -> bytes | None:
        wanted = "sel._domainkey.kcsc.example."
        return (
            test_key[1] if (name.decode() if isinstance(name, bytes) else name) == wanted else None
        )

    authn.set_dns_function(lookup)
    yield
    authn.set_dns_function(None)


def signed(raw: bytes, private: bytes) -> bytes:
    signature = dkim.sign(
        raw,
        b"sel",
        b"kcsc.example",
        private,
        include_headers=[b"from", b"to", b"subject", b"message-id"],
    )
    return signature + raw


def test_a_signed_request_verifies_and_is_filed(
    smtp: Mailer, dns: None, test_key: tuple[bytes, bytes]
) -> None:
    row = smtp.send(signed(corpus("request-plain-en.eml"), test_key[0]))
    assert row.authentication["dkim"] == {
        "result": "pass",
        "domain": "kcsc.example",
        "selector": "sel",
    }
    assert row.status == InboundStatus.PROCESSED


def test_a_message_altered_after_signing_fails_dkim_and_is_quarantined(
    smtp: Mailer, dns: None, test_key: tuple[bytes, bytes]
) -> None:
    raw = signed(corpus("request-plain-en.eml"), test_key[0])
    row = smtp.send(raw.replace(b"t.me/room/2", b"t.me/room/3"))
    assert row.authentication["dkim"]["result"] == "fail"
    assert row.status == InboundStatus.QUARANTINED
    assert "DKIM signature does not verify" in row.reason
    assert not TakedownRequest.objects.exists()


def test_a_signature_whose_key_cannot_be_found_is_recorded_not_trusted(
    smtp: Mailer, test_key: tuple[bytes, bytes]
) -> None:
    row = smtp.send(signed(corpus("request-plain-en.eml"), test_key[0]))
    assert row.authentication["dkim"]["result"] in ("fail", "temperror")


UPSTREAM = (
    b"Authentication-Results: mx.hotline.example; spf=pass smtp.mailfrom=kcsc.example;\r\n"
    b" dkim=none; dmarc=VERDICT header.from=kcsc.example\r\n"
    b"Received-SPF: pass (mx.hotline.example: domain of kcsc.example designates 192.0.2.1"
    b" as permitted sender)\r\n"
)


def test_upstream_spf_and_dmarc_results_are_recorded(smtp: Mailer) -> None:
    row = smtp.send(UPSTREAM.replace(b"VERDICT", b"pass") + corpus("request-plain-en.eml"))
    assert row.authentication["results"] == {"spf": "pass", "dkim": "none", "dmarc": "pass"}
    assert row.authentication["received_spf"][0].startswith("pass (mx.hotline.example")
    assert row.status == InboundStatus.PROCESSED


def test_a_recorded_dmarc_failure_quarantines_the_message(smtp: Mailer) -> None:
    row = smtp.send(UPSTREAM.replace(b"VERDICT", b"fail") + corpus("request-plain-en.eml"))
    assert row.status == InboundStatus.QUARANTINED and "dmarc=fail" in row.reason
