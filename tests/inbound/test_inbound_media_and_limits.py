"""Media attachments become hash-only items; the bytes are never stored; limits have reasons."""

import base64
from email.message import EmailMessage
from typing import Any

import pytest

from hotline.cases.models import TakedownRequest
from hotline.delivery.models import Delivery
from hotline.inbound.models import InboundMessage, InboundStatus
from tests.conftest import Directory
from tests.hashing.media_factory import jpeg_bytes
from tests.inbound.conftest import Mailer, start_server


@pytest.fixture
def image() -> bytes:
    """A generated, photo-like test image (never real imagery)."""
    return jpeg_bytes(320, 240, seed=7)


def with_attachment(data: bytes, *, urls: str = "", name: str = "증거 사진.jpg") -> bytes:
    message = EmailMessage()
    message["From"] = "analyst@kcsc.example"
    message["To"] = "hotline@hotline.example"
    message["Subject"] = "Media to block"
    message["Message-ID"] = f"<media-{len(data)}-{len(urls)}@kcsc.example>"
    message.set_content(f"Please block this image. {urls}")
    message.add_attachment(data, maintype="image", subtype="jpeg", filename=name)
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def test_an_image_becomes_a_hash_only_item_and_its_bytes_are_not_stored(
    smtp: Mailer, image: bytes
) -> None:
    row = smtp.send(with_attachment(image))
    assert row.status == InboundStatus.PROCESSED, row.reason
    request = TakedownRequest.objects.get(pk=row.outcome["request"])
    [item] = request.items.all()
    assert item.url == "" and item.state == "triage"
    types = {s["type"] for s in item.signals}
    assert types == {"pdq", "md5", "sha256"}
    [attachment] = row.attachments
    assert attachment["name"] == "증거 사진.jpg" and attachment["size"] == len(image)
    assert attachment["signals"] == item.signals
    stored = bytes(row.redacted)
    assert image[:64] not in stored and base64.b64encode(image)[:76] not in stored
    assert "hashes of 증거 사진.jpg" in Delivery.objects.get(kind="receipt").body


def test_an_attachment_over_the_media_limit_is_refused_with_a_reason(
    smtp: Mailer, image: bytes, settings: Any
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    row = smtp.send(with_attachment(image, urls="https://t.me/room/5"))
    request = TakedownRequest.objects.get(pk=row.outcome["request"])
    assert [i.url for i in request.items.all()] == ["https://t.me/room/5"]
    assert "over the media limit of 1000 bytes" in row.attachments[0]["error"]
    assert "refused:" in Delivery.objects.get(kind="receipt").body


def test_an_attachment_that_is_not_an_image_is_refused_with_the_engines_reason(
    smtp: Mailer,
) -> None:
    row = smtp.send(with_attachment(b"\xff\xd8 this is not a jpeg", name="broken.jpg"))
    assert row.status == InboundStatus.QUARANTINED and "nothing filed" in row.reason
    assert row.attachments[0]["error"]
    assert "refused:" in Delivery.objects.get(kind="receipt").body


def test_a_message_over_the_size_limit_is_refused_at_data_with_552(
    transactional_db: None, people: Directory, settings: Any, image: bytes
) -> None:
    settings.HOTLINE_INBOUND_MAX_BYTES = 4096
    server, stop = start_server()
    try:
        code, reply = Mailer(server).send_raw(
            with_attachment(image), mail_from="analyst@kcsc.example", to=("h@hotline.example",)
        )
        server.wait_idle()
    finally:
        stop()
    assert (code, reply) == (552, b"Error: Too much mail data")
    assert not InboundMessage.objects.exists()
