"""Processing a stored message: ignore, file, apply or quarantine; idempotent and re-runnable."""

import logging

from django.db import transaction

from hotline.core import clock
from hotline.inbound import mime
from hotline.inbound.classify import (
    ThreadRef,
    automatic,
    bounced_notice,
    reply_tokens,
    thread_refs,
)
from hotline.inbound.models import InboundKind, InboundMessage, InboundStatus
from hotline.inbound.senders import platform_of, reporter_for
from hotline.inbound.services.outcomes import ignore, quarantine
from hotline.inbound.services.replies import reply_process
from hotline.inbound.services.requests import request_process

logger = logging.getLogger(__name__)
# Statuses processing picks up by itself; a quarantined message is re-run only on request.
PENDING = (InboundStatus.RECEIVED, InboundStatus.FAILED)
# Where a reply address can be found when there is no SMTP envelope (IMAP).
_RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")


def inbound_process(*, message_id: int, retry_quarantined: bool = False) -> InboundMessage:
    """Process one message once. A crash rolls everything back and leaves it pending."""
    try:
        return _process(message_id, retry_quarantined)
    except Exception as error:
        logger.exception("processing inbound message %s failed", message_id)
        _mark_failed(message_id, error)
        raise


@transaction.atomic
def _process(message_id: int, retry_quarantined: bool) -> InboundMessage:
    row = InboundMessage.objects.select_for_update().get(pk=message_id)
    allowed = (*PENDING, InboundStatus.QUARANTINED) if retry_quarantined else PENDING
    if row.status not in allowed:
        return row  # already done: running it again changes nothing
    row.attempts += 1
    row.last_error = ""
    _dispatch(row)
    row.processed_at = clock.now()
    row.save()
    return row


def _dispatch(row: InboundMessage) -> None:
    message = mime.parse(bytes(row.redacted))
    envelope_from = row.envelope_from if row.source == "smtp" else None
    auto = automatic(message, envelope_from)
    if auto is not None and not (auto.weak and reporter_for(row.from_address) is not None):
        notice = bounced_notice(message) if auto.kind == InboundKind.BOUNCE else None
        ignore(row, auto.kind, auto.why, {"notice": notice} if notice else {})
        return
    headers = [mime.header_all(message, h) for h in _RECIPIENT_HEADERS]
    recipients = [*row.envelope_to, *mime.all_addresses([v for vs in headers for v in vs])]
    refs = thread_refs(message, [r.lower() for r in recipients])
    if refs:
        reply_process(row, message, refs, recipients)
        return
    reporter = reporter_for(row.from_address)
    if reporter is not None:
        request_process(row, message, reporter)
        return
    # A reply that names its notice only by the `Reference: N12-<token>` line in its text,
    # its own or the quoted notice's (no reply address, In-Reply-To or subject tag left).
    text = "\n".join(part.text for part in mime.text_parts(message))
    refs = [ThreadRef(n, "reference") for n, _ in reply_tokens([], text)]
    if refs:
        reply_process(row, message, refs, recipients)
        return
    platform = platform_of(row.from_address)
    if platform is not None:
        quarantine(row, f"a message from {platform.name} that names no notice", InboundKind.REPLY)
        return
    quarantine(row, f"unknown sender {row.from_address or '(none)'}: not a registered address")


def _mark_failed(message_id: int, error: Exception) -> None:
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if row is None or row.status not in PENDING:
            return
        row.status = InboundStatus.FAILED
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        row.save(update_fields=["status", "attempts", "last_error"])


def inbound_pending_ids() -> list[int]:
    return list(
        InboundMessage.objects.filter(status__in=PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
