"""The outbox: writing to it in the caller's transaction, and the relay that empties it.

The relay claims one due row at a time under a lease, sends it outside any transaction and
records the attempt in a transaction. A worker killed mid-send leaves a lease that expires, so
another worker resends the row under the same idempotency key: at-least-once, never lost. A
row that kills its worker again and again is given up after HOTLINE_WORKER_MAX_CLAIMS claims.
"""

import logging
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q

from hotline.audit.services import audit_record
from hotline.core import clock
from hotline.delivery.backoff import gives_up, next_attempt_delay
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
    subscription_id: int | None = None,
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
        subscription_id=subscription_id,
        created_at=now,
        next_attempt_at=now,
        retrying_since=now,
    )


@dataclass(frozen=True)
class RelayReport:
    attempted: int = 0
    sent: int = 0
    failed: int = 0  # failed for good
    retried: int = 0  # failed this time, due again after a backoff


@dataclass(frozen=True)
class UnrecordedOutcome:
    """A send whose outcome could not be written (the database went away meanwhile)."""

    delivery_id: int
    owner: str
    result: SendResult


def delivery_relay_once(
    *,
    now: datetime | None = None,
    limit: int = 100,
    worker_id: str = "",
    should_stop: Callable[[], bool] = lambda: False,
    unrecorded: list[UnrecordedOutcome] | None = None,
) -> RelayReport:
    """Send up to `limit` due deliveries, one claim at a time; returns what happened.

    When `should_stop()` turns true (SIGTERM) between a claim and its send, the claim is
    released instead, so another worker can send the row at once. A caller that keeps an
    `unrecorded` list across calls (`hotline worker`) gets the outcome of a send cut off by a
    database outage recorded once the database is back, instead of a resend.
    """
    attempted = sent = failed = 0
    owner = f"{worker_id or 'relay'}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    while unrecorded:
        held = unrecorded[0]
        _record_outcome(delivery_id=held.delivery_id, owner=held.owner, result=held.result)
        unrecorded.pop(0)
    while attempted < limit and not should_stop():
        delivery = _claim_next(owner=owner, now=now or clock.now())
        if delivery is None:
            break
        if should_stop():
            _release(delivery_id=delivery.pk, owner=owner)
            break
        result = _send(delivery)
        try:
            status = _record_outcome(delivery_id=delivery.pk, owner=owner, result=result)
        except (OperationalError, InterfaceError):
            if unrecorded is not None:
                unrecorded.append(UnrecordedOutcome(delivery.pk, owner, result))
            raise
        attempted += 1
        sent += status == DeliveryStatus.SENT
        failed += status == DeliveryStatus.FAILED
    retried = attempted - sent - failed
    return RelayReport(attempted=attempted, sent=sent, failed=failed, retried=retried)


def delivery_relay_until_idle(*, now: datetime | None = None, worker_id: str = "") -> int:
    """Relay until nothing is due (tests, the demo, `hotline worker`); how many were tried.

    A failed attempt is due again only after its backoff, so this always ends.
    """
    return delivery_relay_once(now=now, limit=10**9, worker_id=worker_id).attempted


def _claim_next(*, owner: str, now: datetime) -> Delivery | None:
    """Lease the oldest due row. PostgreSQL skips rows another worker is claiming; SQLite's
    IMMEDIATE transactions already let one writer in at a time."""
    lease = timedelta(seconds=settings.HOTLINE_DELIVERY_LEASE_SECONDS)
    while True:
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
            if delivery.unfinished_claims >= settings.HOTLINE_WORKER_MAX_CLAIMS:
                _give_up_crashing(delivery)
                continue
            delivery.claimed_by, delivery.claimed_until = owner, now + lease
            delivery.unfinished_claims += 1
            delivery.save(update_fields=["claimed_by", "claimed_until", "unfinished_claims"])
        return delivery


def _give_up_crashing(delivery: Delivery) -> None:
    """Every claim of this row ended with its worker dead (kill -9, OOM, a crash in a
    library): sending it again would only kill the next worker. Fail it like a final answer."""
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = (
        f"given up: {delivery.unfinished_claims} workers died while sending it "
        "(HOTLINE_WORKER_MAX_CLAIMS); see the worker logs, then `hotline delivery retry`"
    )
    delivery.claimed_by, delivery.claimed_until = "", None
    delivery.save()
    logger.error("delivery %s: %s", delivery.pk, delivery.last_error)
    _audit(delivery, "delivery:failed", detail=delivery.last_error)


@transaction.atomic
def _release(*, delivery_id: int, owner: str) -> None:
    """Hand a claimed row back unsent (the worker is stopping): not a crash, not an attempt."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.claimed_by == owner:
        delivery.claimed_by, delivery.claimed_until = "", None
        delivery.unfinished_claims = max(delivery.unfinished_claims - 1, 0)
        delivery.save(update_fields=["claimed_by", "claimed_until", "unfinished_claims"])


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
        subscription_id=delivery.subscription_id,
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
    delivery.unfinished_claims = 0  # this claim finished: the worker survived the send
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
    elif result.permanent or gives_up(
        retrying_since=delivery.retrying_since or delivery.created_at,
        now=now,
        window=timedelta(hours=settings.HOTLINE_DELIVERY_GIVE_UP_HOURS),
    ):
        delivery.status = DeliveryStatus.FAILED
    else:
        delay = next_attempt_delay(delivery.attempts, result.retry_after)
        delivery.next_attempt_at = now + delay


def _audit_attempt(delivery: Delivery, result: SendResult) -> None:
    if result.ok:
        tag = "delivery:sent"
    elif delivery.status == DeliveryStatus.FAILED:
        tag = "delivery:failed"
    else:
        tag = "delivery:failed_attempt"
    _audit(delivery, tag, detail=result.detail, proof=result.proof)


def _audit(
    delivery: Delivery,
    tag: str,
    *,
    detail: str,
    actor: str = "hotline",
    proof: dict[str, Any] | None = None,
) -> None:
    audit_record(
        tag=tag,
        actor=actor,
        subject=delivery.about,
        organisation_id=delivery.organisation_id,
        payload={
            "delivery": delivery.pk,
            "kind": delivery.kind,
            "recipient": delivery.recipient,
            "attempt": delivery.attempts,
            "status": delivery.status,
            "detail": detail[:500],
            "proof": proof or {},  # signed with the event: the receiver's answer as evidence
            "next_attempt_at": (
                delivery.next_attempt_at.isoformat()
                if delivery.status == DeliveryStatus.PENDING
                else None
            ),
        },
    )


class NotRetryable(ValueError):
    """The delivery asked for does not exist or has not failed."""


@transaction.atomic
def delivery_retry(
    *,
    actor: str,
    delivery_ids: Sequence[int] = (),
    about: str | None = None,
    all_failed: bool = False,
) -> list[Delivery]:
    """Put failed deliveries back in the outbox, due now, with a fresh retry window.

    Named deliveries must exist and be failed (NotRetryable otherwise, and nothing changes);
    `about` ("notice:12") and `all_failed` retry whatever failed among theirs. Each retry is
    audited as `delivery:retry`, with the error it failed with.
    """
    chosen = Delivery.objects.select_for_update().order_by("pk")
    if delivery_ids:
        rows = list(chosen.filter(pk__in=delivery_ids))
        missing = sorted(set(delivery_ids) - {row.pk for row in rows})
        if missing:
            raise NotRetryable(f"no delivery {', '.join(map(str, missing))}")
        settled = [row for row in rows if row.status != DeliveryStatus.FAILED]
        if settled:
            names = ", ".join(f"{row.pk} is {row.status}" for row in settled)
            raise NotRetryable(f"only failed deliveries are retried: {names}")
    elif about is not None:
        rows = list(chosen.filter(about=about, status=DeliveryStatus.FAILED))
    elif all_failed:
        rows = list(chosen.filter(status=DeliveryStatus.FAILED))
    else:
        raise NotRetryable("name deliveries, what they are about, or all failed ones")
    now = clock.now()
    for delivery in rows:
        previous_error = delivery.last_error
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = delivery.retrying_since = now
        delivery.unfinished_claims = 0
        delivery.claimed_by, delivery.claimed_until = "", None
        delivery.save()
        _audit(delivery, "delivery:retry", detail=previous_error, actor=actor)
    return rows
