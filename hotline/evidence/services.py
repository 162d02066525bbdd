"""Exporting an evidence package: gather, record the export in the audit record, sign, zip."""

from dataclasses import dataclass

from django.db import transaction

from hotline.accounts.actors import Actor
from hotline.audit.keys import signing_key
from hotline.audit.selectors import current_checkpoint
from hotline.audit.services import audit_record
from hotline.core import clock
from hotline.evidence.documents import event_document, items_document
from hotline.evidence.package import build_package, canonical_json, sha256_hex
from hotline.evidence.pdf import summary_pdf
from hotline.evidence.readme import README
from hotline.evidence.scope import EvidenceScope
from hotline.evidence.selectors import evidence_records
from hotline.evidence.verify import (
    CHECKPOINT_FILE,
    EVENTS_FILE,
    ITEMS_FILE,
    README_FILE,
    SUMMARY_FILE,
)


@dataclass(frozen=True)
class EvidencePackage:
    filename: str
    data: bytes
    items: int
    events: int


@transaction.atomic
def evidence_export(*, actor: Actor | None, scope: EvidenceScope) -> EvidencePackage:
    """One package for the scope, as the actor may see it (`None`: the operator's command).

    The export itself is an audit event, and the checkpoint in the package covers it: who
    took which evidence, and when, is part of the record it came from.
    """
    records = evidence_records(actor=actor, scope=scope)
    now = clock.now()
    exported_by = actor.label if actor else "operator (hotline evidence export)"
    document = items_document(records, scope=scope, exported_at=now, exported_by=exported_by)
    items_json = canonical_json(document)
    events_json = canonical_json({"events": [event_document(e) for e in records.events]})
    audit_record(
        tag="evidence:export",
        actor=exported_by,
        subject=f"evidence:{scope.kind}",
        organisation_id=actor.organisation_id if actor else None,
        payload={
            "scope": scope.as_dict(),
            "items": len(records.items),
            "events": len(records.events),
            "items_sha256": sha256_hex(items_json),
        },
    )
    checkpoint = current_checkpoint()
    files = {
        ITEMS_FILE: items_json,
        EVENTS_FILE: events_json,
        CHECKPOINT_FILE: (checkpoint.to_json() + "\n").encode(),
        SUMMARY_FILE: summary_pdf(document, checkpoint, len(records.events)),
        README_FILE: README.encode(),
    }
    data = build_package(
        files,
        about={"scope": scope.as_dict(), "exported_at": now.isoformat()},
        private_key=signing_key().private_key,
        date_time=(now.year, now.month, now.day, now.hour, now.minute, now.second),
    )
    return EvidencePackage(
        filename=f"{scope.file_stem}.zip",
        data=data,
        items=len(records.items),
        events=len(records.events),
    )
