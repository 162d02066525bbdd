"""The outbox: writing to it in the caller's transaction, and the relay that empties it.

The relay claims one due row at a time under a lease, sends it outside any transaction and
records the attempt in a transaction. A worker killed mid-send leaves a lease that expires, so
another worker resends the row under the same idempotency key: at-least-once, never lost.
"""

import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from hotline.audit.services import audit_record
from hotline.core import clock
from hotline.delivery.backoff import MAX_ATTEMPTS, retry_delay
from hotline.delivery.channels import channel_for
from hotline.delivery.messages import OutboundMessage, SendResult
from hotline.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus

logger = logging.getLogger(__name__)


def delivery_enqueue(
    *,
    idempotency_key: str,
    kind: str,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    about: str,
    organisation_id: int | None,
    payload: dict[str, Any] | None = None,
    platform_id: int | None = None,
) -> Delivery:
    """Put a message in the outbox, in the caller's transaction; the relay sends it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("delivery_enqueue must run inside the transaction of the change")
    existing = Delivery.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    now = clock.now()
    return Delivery.objects.create(
        idempotency_key=idempotency_key,
        kind=kind,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        payload=payload or {},
        about=about,
        organisation_id=organisation_id,
        platform_id=platform_id,
        created_at=now,
        next_attempt_at=now,
    )


@dataclass(frozen=True)
class RelayReport:
    attempted: int = 0
    sent: int = 0
    failed: int = 0


def delivery_relay_once(
    *, now: datetime | None = None, limit: int = 100, worker_id: str = ""
) -> RelayReport:
    """Send up to `limit` due deliveries, one claim at a time; returns what happened."""
    attempted = sent = failed = 0
    owner = f"{worker_id or 'relay'}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    while attempted < limit:
        delivery = _claim_next(owner=owner, now=now or clock.now())
        if delivery is None:
            break
        result = _send(delivery)
        status = _record_outcome(delivery_id=delivery.pk, owner=owner, result=result)
        attempted += 1
        sent += status == DeliveryStatus.SENT
        failed += status == DeliveryStatus.FAILED
    return RelayReport(attempted=attempted, sent=sent, failed=failed)


def delivery_relay_until_idle(*, now: datetime | None = None, worker_id: str = "") -> int:
    """Relay until nothing is due (tests, the demo, `hotline worker`); how many were tried.

    A failed attempt is due again only after its backoff, so this always ends.
    """
    return delivery_relay_once(now=now, limit=10**9, worker_id=worker_id).attempted


def _claim_next(*, owner: str, now: datetime) -> Delivery | None:
    """Lease the oldest due row. PostgreSQL skips rows another worker is claiming; SQLite's
    IMMEDIATE transactions already let one writer in at a time."""
    lease = timedelta(seconds=settings.HOTLINE_DELIVERY_LEASE_SECONDS)
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until=None) | Q(claimed_until__lte=now))
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if delivery is None:
            return None
        delivery.claimed_by, delivery.claimed_until = owner, now + lease
        delivery.save(update_fields=["claimed_by", "claimed_until"])
    return delivery


def outbound_message(delivery: Delivery) -> OutboundMessage:
    """Everything a channel renders from: stored fields only, so a resend is byte-identical."""
    return OutboundMessage(
        idempotency_key=delivery.idempotency_key,
        kind=delivery.kind,
        recipient=delivery.recipient,
        subject=delivery.subject,
        body=delivery.body,
        payload=delivery.payload,
        about=delivery.about,
        platform_id=delivery.platform_id,
        created_at=delivery.created_at,
    )


def _send(delivery: Delivery) -> SendResult:
    try:
        return channel_for(delivery.channel).send(outbound_message(delivery))
    except Exception as error:  # a broken channel must not stop the relay for everyone
        logger.exception("delivery %s: channel %s raised", delivery.pk, delivery.channel)
        return SendResult(ok=False, detail=f"channel error {type(error).__name__}: {error}")


@transaction.atomic
def _record_outcome(*, delivery_id: int, owner: str, result: SendResult) -> str:
    """Record the attempt; the outcome applies only while the row is still pending."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    now = clock.now()
    DeliveryAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        ok=result.ok,
        detail=result.detail[:2000],
        proof=result.proof,
    )
    delivery.attempts += 1
    if delivery.status == DeliveryStatus.PENDING:
        _apply(delivery, result, now)
    if delivery.claimed_by == owner:
        delivery.claimed_by, delivery.claimed_until = "", None
    delivery.save()
    _audit_attempt(delivery, result)
    return delivery.status


def _apply(delivery: Delivery, result: SendResult, now: datetime) -> None:
    delivery.last_error = "" if result.ok else result.detail[:2000]
    if result.ok:
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
    elif result.permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)


def _audit_attempt(delivery: Delivery, result: SendResult) -> None:
    if result.ok:
        tag = "delivery:sent"
    elif delivery.status == DeliveryStatus.FAILED:
        tag = "delivery:failed"
    else:
        tag = "delivery:failed_attempt"
    audit_record(
        tag=tag,
        actor="hotline",
        subject=delivery.about,
        organisation_id=delivery.organisation_id,
        payload={
            "delivery": delivery.pk,
            "kind": delivery.kind,
            "recipient": delivery.recipient,
            "attempt": delivery.attempts,
            "status": delivery.status,
            "detail": result.detail[:500],
            "proof": result.proof,  # signed with the event: the receiver's answer as evidence
            "next_attempt_at": (
                delivery.next_attempt_at.isoformat()
                if delivery.status == DeliveryStatus.PENDING
                else None
            ),
        },
    )
