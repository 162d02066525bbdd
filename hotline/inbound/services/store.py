"""Storing a received message before it is acknowledged: its own bytes, less media (hashed)."""

import hashlib
from dataclasses import dataclass
from email.message import Message
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from hotline.audit.services import audit_record
from hotline.cases.services.media import media_signals
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.inbound import mime
from hotline.inbound.authn import authentication
from hotline.inbound.models import InboundMessage
from hotline.inbound.strip import Removed, looks_like_media, strip_media

# Parts hashed as media (also any part whose bytes start like media); anything else (PDF,
# archives) is recorded and dropped unread.
_MEDIA_TYPES = ("image/", "video/", "application/octet-stream")


@dataclass(frozen=True)
class Envelope:
    source: str  # "smtp" or "imap"
    envelope_from: str = ""
    envelope_to: tuple[str, ...] = ()
    peer: str = ""
    source_key: str | None = None  # IMAP: host/user/folder/UIDVALIDITY/UID


def inbound_store(*, raw: bytes, envelope: Envelope) -> InboundMessage:
    """Store a message (see inbound_store_once); the row, new or already there."""
    return inbound_store_once(raw=raw, envelope=envelope)[0]


def inbound_store_once(*, raw: bytes, envelope: Envelope) -> tuple[InboundMessage, bool]:
    """Cut the media out (hashing it), verify DKIM on the raw bytes, and commit the row.

    The row keeps the message exactly as received less its media (hotline.inbound.strip), so
    processing parses it once, under its own headers. Returns the row and whether it is new:
    a message whose source key is stored already (IMAP fetched again after a crash) is not
    stored twice. The caller acknowledges the message (SMTP 250, IMAP \\Seen) only after
    this returns.
    """
    if envelope.source_key:
        existing = InboundMessage.objects.filter(source_key=envelope.source_key).first()
        if existing is not None:
            return existing, False
    stripped = strip_media(raw)
    message = mime.parse(stripped.raw)  # the headers are the raw message's own
    auth = authentication(raw, message, verify_dkim=settings.HOTLINE_INBOUND_DKIM_VERIFY)
    attachments = [_attachment(item) for item in stripped.removed]
    try:
        return _create(raw, stripped.raw, message, envelope, attachments, auth), True
    except IntegrityError:
        # The same IMAP message stored by a concurrent poller: it is there, which is the point.
        existing = InboundMessage.objects.filter(source_key=envelope.source_key).first()
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def _create(
    raw: bytes,
    stored: bytes,
    message: Message,
    envelope: Envelope,
    attachments: list[dict[str, Any]],
    auth: dict[str, Any],
) -> InboundMessage:
    row = InboundMessage.objects.create(
        received_at=clock.now(),
        source=envelope.source,
        source_key=envelope.source_key,
        peer=envelope.peer[:100],
        envelope_from=envelope.envelope_from[:320],
        envelope_to=list(envelope.envelope_to),
        message_id=mime.header_text(message, "Message-ID")[:998],
        from_address=mime.first_address(mime.header_text(message, "From"))[:320],
        subject=mime.header_text(message, "Subject"),
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        redacted=stored,
        attachments=attachments,
        authentication=auth,
    )
    audit_record(
        tag="inbound:received",
        actor="hotline",
        subject=f"inbound:{row.pk}",
        payload={
            "source": row.source,
            "from": row.from_address,
            "size": row.size,
            "sha256": row.sha256,
            "attachments": len(attachments),
            "dkim": auth.get("dkim", {}).get("result"),
        },
    )
    return row


def _attachment(item: Removed) -> dict[str, Any]:
    """What is kept of a part cut from the message: its name, type, size and hashes."""
    data = item.data
    record: dict[str, Any] = {
        "name": item.name,
        "content_type": item.content_type,
        "where": item.where,
        "size": len(data),
        "sha256": item.sha256,
        "media": item.content_type.startswith(_MEDIA_TYPES) or looks_like_media(data),
    }
    if record["media"]:
        record.update(_hashed(data, item.name or "attachment"))
    return record


def _hashed(data: bytes, label: str) -> dict[str, Any]:
    limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    if len(data) > limit:
        return {"error": f"{len(data)} bytes, over the media limit of {limit} bytes"}
    try:
        return {"signals": media_signals(data=data, label=label)}
    except DomainError as error:
        return {"error": error.message}
