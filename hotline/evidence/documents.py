"""The machine-readable files of a package: items.json and audit-events.json.

Only facts and digests go in: URLs, hashes of media, deadlines, each delivery with the
receiver's answer, each action with its actor and reason, each check with its body digest.
Never media bytes, and not the requester's legal elements (signature, contact details).
"""

from datetime import datetime
from typing import Any

from hotline.audit.models import Event
from hotline.cases.models import Item, Message, Notice, TakedownRequest
from hotline.delivery.models import Delivery
from hotline.evidence.scope import EvidenceScope
from hotline.evidence.selectors import EvidenceRecords

ITEMS_FORMAT = "hotline-evidence-items/1"
# Audit tags of the actions taken on an item (moderation, verification, deadlines).
ACTION_TAG_PREFIX = "item:"


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def items_document(
    records: EvidenceRecords, *, scope: EvidenceScope, exported_at: datetime, exported_by: str
) -> dict[str, Any]:
    actions = _actions_by_item(records.events)
    return {
        "format": ITEMS_FORMAT,
        "scope": scope.as_dict(),
        "exported_at": exported_at.isoformat(),
        "exported_by": exported_by,
        "requests": [_request(r) for r in records.requests],
        "notices": [_notice(n, records.deliveries) for n in records.notices],
        "items": [_item(i, actions.get(f"item:{i.pk}", [])) for i in records.items],
        "messages": [_message(m) for m in records.messages],
    }


def _request(request: TakedownRequest) -> dict[str, Any]:
    return {
        "case_id": request.case_id,
        "organisation": request.organisation.name,
        "filed_by": request.filed_by,
        "created_at": _at(request.created_at),
        "jurisdiction": request.jurisdiction,
        "category": request.category,
        "reasons": request.reasons,
        "urgent": request.urgent,
        "involves_minor": request.involves_minor,
        "legal_bases": request.legal_bases,
    }


def _notice(notice: Notice, deliveries: list[Delivery]) -> dict[str, Any]:
    about = f"notice:{notice.pk}"
    return {
        "id": notice.pk,
        "case_id": notice.request.case_id,
        "platform": notice.platform.name,
        "urgent": notice.urgent,
        "created_at": _at(notice.created_at),
        "deadline_at": _at(notice.deadline_at),
        "deadline_basis": notice.deadline_basis,
        "acknowledged_at": _at(notice.acknowledged_at),
        "escalated_at": _at(notice.escalated_at),
        "closed_at": _at(notice.closed_at),
        "deliveries": [_delivery(d) for d in deliveries if d.about == about],
    }


def _delivery(delivery: Delivery) -> dict[str, Any]:
    return {
        "kind": delivery.kind,
        "channel": delivery.channel,
        "recipient": delivery.recipient,
        "status": delivery.status,
        "created_at": _at(delivery.created_at),
        "sent_at": _at(delivery.sent_at),
        "attempts": [
            {
                "attempted_at": _at(a.attempted_at),
                "ok": a.ok,
                "detail": a.detail,
                "proof": a.proof,
            }
            for a in delivery.attempt_log.all()
        ],
    }


def _item(item: Item, actions: list[dict[str, Any]]) -> dict[str, Any]:
    notice = item.notice
    return {
        "id": item.pk,
        "case_id": item.request.case_id,
        "position": item.position,
        "url": item.url,
        "normalised_url": item.normalised_url,
        "host": item.host,
        "platform": item.platform.name if item.platform else None,
        "notice_id": item.notice_id,
        "deadline_at": _at(notice.deadline_at) if notice else None,
        "state": item.state,
        # Hashes of the media only (PDQ, MD5, SHA-256): the media itself is never kept.
        "signals": [
            {k: s.get(k) for k in ("type", "value", "quality") if k in s} for s in item.signals
        ],
        # Another organisation's item is never named: only that there is one (decision 22).
        "duplicate_of": item.duplicate_of_id if not _elsewhere(item) else None,
        "duplicate_of_another_organisation": _elsewhere(item),
        "location_kind": item.location_kind,
        "room_item": item.room_item_id,
        "rejection_reason": item.rejection_reason,
        "outcome_note": item.outcome_note,
        "acted_at": _at(item.acted_at),
        "removal_reported_at": _at(item.removal_reported_at),
        "confirmed_removed_at": _at(item.confirmed_removed_at),
        "reopen_count": item.reopen_count,
        "actions": actions,
        "checks": [
            {
                "checked_at": _at(c.checked_at),
                "url": c.url,
                "final_url": c.final_url,
                "http_status": c.http_status,
                "body_sha256": c.body_sha256,
                "error": c.error,
                "verdict": c.verdict,
                "reason": c.reason,
            }
            for c in item.checks.all()
        ],
    }


def _elsewhere(item: Item) -> bool:
    original = item.duplicate_of
    return original is not None and original.request.organisation_id != item.request.organisation_id


def _actions_by_item(events: list[Event]) -> dict[str, list[dict[str, Any]]]:
    """Each item's actions from the signed record: who, when, what, and why."""
    actions: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if not (event.tag.startswith(ACTION_TAG_PREFIX) and event.subject.startswith("item:")):
            continue
        payload = event.payload
        actions.setdefault(event.subject, []).append(
            {
                "event_seq": event.seq,
                "at": _at(event.created_at),
                "action": event.tag.removeprefix(ACTION_TAG_PREFIX),
                "actor": event.actor,
                "from": payload.get("from"),
                "to": payload.get("to"),
                "reason": payload.get("reason", ""),
                "note": payload.get("note", ""),
            }
        )
    return actions


def _message(message: Message) -> dict[str, Any]:
    return {
        "notice_id": message.notice_id,
        "item_id": message.item_id,
        "kind": message.kind,
        "author": message.author,
        "body": message.body,
        "reply_to": message.reply_to_id,
        "created_at": _at(message.created_at),
    }


def event_document(event: Event) -> dict[str, Any]:
    """An audit event exactly as hashed and signed, so a reader can recompute both."""
    return {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "tag": event.tag,
        "actor": event.actor,
        "organisation_id": event.organisation_id,
        "subject": event.subject,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "key_id": event.key_id,
        "signature": event.signature,
    }
