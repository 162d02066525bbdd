"""Consent withdrawn: a request's hash values are purged everywhere hotline keeps them.

Deleted, not flagged: bank entries from its items (every bank), the items' own signals, and
the copies in notice payloads. The audit record keeps counts only, never a value. Each item
gets an `item:consent_withdrawn` event, which the platform's pull feed carries, so platforms
that took the hashes from a notice delete them too. URLs stay: their takedown goes on.
"""

from dataclasses import dataclass

from django.db import transaction

from hotline.banks.purge import PurgedBank, bank_purge_items
from hotline.cases.models import Item, TakedownRequest
from hotline.cases.services.common import record
from hotline.delivery.redaction import delivery_redact_item_signals

WITHDRAWN_TAG = "item:consent_withdrawn"


@dataclass(frozen=True)
class Withdrawal:
    items: int
    signals: int
    banks: list[PurgedBank]
    notices: int


@transaction.atomic
def request_withdraw_consent(*, request: TakedownRequest, actor: str) -> Withdrawal:
    """Purge every hash value of the request; the same call again purges nothing new."""
    items = list(Item.objects.select_for_update().filter(request=request).order_by("position"))
    ids = [item.pk for item in items]
    purged = bank_purge_items(item_ids=ids, actor=actor, reason="consent withdrawn")
    signals = 0
    for item in items:
        if not item.signals:
            continue
        count, item.signals = len(item.signals), []
        item.save(update_fields=["signals"])
        signals += count
        record(
            tag=WITHDRAWN_TAG,
            actor=actor,
            subject=item,
            organisation_id=request.organisation_id,
            payload={"signals_deleted": count},
        )
    notices = {item.notice_id for item in items if item.notice_id is not None}
    redacted = delivery_redact_item_signals(
        abouts=[f"notice:{pk}" for pk in sorted(notices)], item_ids=set(ids)
    )
    record(
        tag="request:consent_withdrawn",
        actor=actor,
        subject=request,
        organisation_id=request.organisation_id,
        payload={
            "signals_deleted": signals,
            "bank_entries_deleted": sum(b.entries for b in purged),
        },
    )
    return Withdrawal(items=len(items), signals=signals, banks=purged, notices=redacted)
