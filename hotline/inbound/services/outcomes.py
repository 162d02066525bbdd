"""How a processed message ends: quarantined for a person, or recorded and ignored."""

from typing import Any

from hotline.audit.services import audit_record
from hotline.inbound.models import InboundKind, InboundMessage, InboundStatus


def quarantine(
    row: InboundMessage, reason: str, kind: str = InboundKind.OTHER, **outcome: Any
) -> None:
    """Hold the message for a person: never dropped, never acted on."""
    row.status, row.kind, row.reason = InboundStatus.QUARANTINED, kind, reason
    row.outcome = {**row.outcome, **outcome}
    audit_record(
        tag="inbound:quarantined",
        actor="hotline",
        subject=f"inbound:{row.pk}",
        organisation_id=row.organisation_id,
        payload={"reason": reason, "from": row.from_address, "kind": kind},
    )


def ignore(row: InboundMessage, kind: str, why: str, outcome: dict[str, Any]) -> None:
    row.status, row.kind, row.reason, row.outcome = InboundStatus.IGNORED, kind, why, outcome
    audit_record(
        tag="inbound:ignored",
        actor="hotline",
        subject=f"inbound:{row.pk}",
        payload={"kind": kind, "why": why, "from": row.from_address, **outcome},
    )
