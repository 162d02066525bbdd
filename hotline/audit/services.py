"""Writing to the audit record; called inside the transaction of the change it records."""

from typing import Any

from django.db import transaction

from hotline.audit.chain import ChainLink, ChainReport, link_hash, verify_links
from hotline.audit.models import ChainHead, Event
from hotline.core import clock


def audit_record(
    *,
    tag: str,
    actor: str,
    subject: str,
    organisation_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    fields: dict[str, Any] = {
        "seq": head.last_seq + 1,
        "created_at": clock.now(),
        "tag": tag,
        "actor": actor,
        "organisation_id": organisation_id,
        "subject": subject,
        "payload": payload or {},
        "prev_hash": head.last_hash,
    }
    event = Event.objects.create(**fields, hash=link_hash(**fields))
    head.last_seq, head.last_hash = event.seq, event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return event


def audit_verify_chain() -> ChainReport:
    """Check every event's hash and link, oldest first."""
    links = (
        ChainLink(
            seq=e.seq,
            created_at=e.created_at,
            tag=e.tag,
            actor=e.actor,
            organisation_id=e.organisation_id,
            subject=e.subject,
            payload=e.payload,
            prev_hash=e.prev_hash,
            hash=e.hash,
        )
        for e in Event.objects.order_by("seq").iterator(chunk_size=2000)
    )
    return verify_links(links)
