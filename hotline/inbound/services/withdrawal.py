"""Consent withdrawn: the hash values in the emails her request was filed from are deleted.

A stored email keeps, for each attachment cut out of it, its name, type, size and hashes (the
`attachments` list) and a note with its SHA-256 where the attachment stood (inbound.strip).
When the request those emails filed is withdrawn, every such hash goes: the list keeps name,
type and size only, and each value in the stored message is replaced where it stands. The
audit records counts only.
"""

from collections.abc import Iterable

from hotline.audit.services import audit_record
from hotline.inbound.models import InboundMessage
from hotline.inbound.strip import forget_values

_HASH_KEYS = ("sha256", "signals")


def inbound_forget_request_hashes(*, request_id: int, values: Iterable[str], actor: str) -> int:
    """Delete the hashes of every stored email that filed this request; how many changed.

    `values` are the request's own hash values (read before its items were emptied); the
    emails' attachment hashes are deleted too, whatever they are. Run inside the withdrawal's
    transaction.
    """
    wanted = {v.lower() for v in values if v}
    changed = 0
    for row in InboundMessage.objects.select_for_update().filter(outcome__request=request_id):
        found = set(wanted)
        attachments = []
        for attachment in row.attachments:
            if not isinstance(attachment, dict):
                attachments.append(attachment)
                continue
            kept = {k: v for k, v in attachment.items() if k not in _HASH_KEYS}
            found |= _values_in(attachment)
            if len(kept) != len(attachment):
                kept["hashes_deleted"] = True
            attachments.append(kept)
        redacted = forget_values(bytes(row.redacted), found)
        if attachments == row.attachments and redacted == bytes(row.redacted):
            continue
        row.attachments, row.redacted = attachments, redacted
        row.save(update_fields=["attachments", "redacted"])
        changed += 1
        audit_record(
            tag="inbound:hashes_deleted",
            actor=actor,
            subject=f"inbound:{row.pk}",
            organisation_id=row.organisation_id,
            payload={"request": request_id, "attachments": len(attachments)},
        )
    return changed


def _values_in(attachment: dict[str, object]) -> set[str]:
    values = {str(attachment["sha256"])} if attachment.get("sha256") else set()
    signals = attachment.get("signals")
    if isinstance(signals, list):
        values |= {str(s["value"]) for s in signals if isinstance(s, dict) and s.get("value")}
    return values
