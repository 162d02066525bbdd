"""Storing a received message before it is acknowledged: hashes kept, attachment bytes dropped."""

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

# Parts hashed as media; anything else (PDF, archives) is recorded and dropped unread.
_MEDIA_TYPES = ("image/", "video/", "application/octet-stream")


@dataclass(frozen=True)
class Envelope:
    source: str  # "smtp" or "imap"
    envelope_from: str = ""
    envelope_to: tuple[str, ...] = ()
    peer: str = ""
    source_key: str | None = None  # IMAP: host/user/folder/UIDVALIDITY/UID


def inbound_store(*, raw: bytes, envelope: Envelope) -> InboundMessage:
    """Parse, hash attachments, drop their bytes, verify DKIM, and commit the row.

    The caller acknowledges the message (SMTP 250, IMAP \\Seen) only after this returns.
    """
    if envelope.source_key:
        existing = InboundMessage.objects.filter(source_key=envelope.source_key).first()
        if existing is not None:
            return existing
    message = mime.parse(raw)
    auth = authentication(raw, message, verify_dkim=settings.HOTLINE_INBOUND_DKIM_VERIFY)
    attachments = [_attachment(part) for part in mime.attachment_parts(message)]
    try:
        return _create(raw, message, envelope, attachments, auth)
    except IntegrityError:
        # The same IMAP message stored by a concurrent poller: it is there, which is the point.
        existing = InboundMessage.objects.filter(source_key=envelope.source_key).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _create(
    raw: bytes,
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
        redacted=_redacted(message),
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


def _attachment(attachment: mime.AttachmentPart) -> dict[str, Any]:
    """Hash a media attachment, then replace its bytes in the message with a note."""
    data = attachment.data
    record: dict[str, Any] = {
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "media": attachment.content_type.startswith(_MEDIA_TYPES),
    }
    if record["media"]:
        record.update(_hashed(data, attachment.name or "attachment"))
    mime.replace_with_note(
        attachment.part,
        f"[hotline stored no bytes of this attachment: {attachment.name or '(no name)'}, "
        f"{attachment.content_type}, {len(data)} bytes, sha256 {record['sha256']}]",
    )
    return record


def _hashed(data: bytes, label: str) -> dict[str, Any]:
    limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    if len(data) > limit:
        return {"error": f"{len(data)} bytes, over the media limit of {limit} bytes"}
    try:
        return {"signals": media_signals(data=data, label=label)}
    except DomainError as error:
        return {"error": error.message}


def _redacted(message: Message) -> bytes:
    try:
        return message.as_bytes()
    except Exception:
        # A message too broken to serialise again: keep its headers and readable text only.
        headers = "".join(f"{k}: {v}\r\n" for k, v in message.items())
        body = "\n\n".join(p.text for p in mime.text_parts(message))
        return (headers + "\r\n" + body).encode("utf-8", errors="replace")
