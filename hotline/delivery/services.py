"""Writing to the outbox and recording delivery attempts."""

from typing import Any

from django.db import transaction

from hotline.audit.services import audit_record
from hotline.core import clock
from hotline.delivery.backoff import MAX_ATTEMPTS
from hotline.delivery.channels import OutboundMessage, SendResult, channel_for
from hotline.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus


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
) -> Delivery:
    """Put a message in the outbox, in the caller's transaction; the worker sends it."""
    from hotline.delivery.tasks import deliver  # tasks import services; break the cycle here

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("delivery_enqueue must run inside the transaction of the change")
    existing = Delivery.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    delivery = Delivery.objects.create(
        idempotency_key=idempotency_key,
        kind=kind,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        payload=payload or {},
        about=about,
        organisation_id=organisation_id,
        created_at=clock.now(),
    )
    # The task row lives in the same database and transaction: both exist or neither.
    deliver.enqueue(delivery_id=delivery.pk)
    return delivery


def delivery_attempt(*, delivery_id: int) -> tuple[Delivery, SendResult | None]:
    """Try to send once and record the attempt. Returns None when there was nothing to do."""
    delivery = Delivery.objects.get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return delivery, None
    message = OutboundMessage(
        idempotency_key=delivery.idempotency_key,
        kind=delivery.kind,
        recipient=delivery.recipient,
        subject=delivery.subject,
        body=delivery.body,
        payload=delivery.payload,
    )
    result = channel_for(delivery.channel).send(message)
    with transaction.atomic():
        _record_attempt(delivery, result)
    return delivery, result


def _record_attempt(delivery: Delivery, result: SendResult) -> None:
    now = clock.now()
    DeliveryAttempt.objects.create(
        delivery=delivery, attempted_at=now, ok=result.ok, detail=result.detail
    )
    delivery.attempts += 1
    if result.ok:
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
    elif result.permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    delivery.last_error = "" if result.ok else result.detail
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    audit_record(
        tag="delivery:sent" if result.ok else "delivery:failed_attempt",
        actor="hotline",
        subject=delivery.about,
        organisation_id=delivery.organisation_id,
        payload={
            "delivery": delivery.pk,
            "kind": delivery.kind,
            "recipient": delivery.recipient,
            "attempt": delivery.attempts,
            "status": delivery.status,
            "detail": result.detail,
        },
    )
