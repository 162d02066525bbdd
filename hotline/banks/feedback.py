"""Platforms' "not the same content" feedback on matches, and the quarantine it can trigger.

Kept apart from services.py so that bank writes about feedback never touch the add/remove
paths: a quarantined entry stays in the index and the bank; matching just skips it.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from hotline.audit.services import audit_record
from hotline.banks.models import BankEntry, FalseMatch
from hotline.banks.services import bank_remove
from hotline.core import clock
from hotline.core.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class FalseMatchResult:
    entry: BankEntry
    counted: bool  # False when this platform had already said so about this upload
    quarantined_now: bool


@transaction.atomic
def entry_false_match(
    *,
    entry_id: int,
    organisation_id: int,
    upload_ref: str,
    note: str,
    quarantine_after: int,
    actor: str,
) -> FalseMatchResult:
    """Count one platform's "not the same content" for one upload; at `quarantine_after`
    distinct reports the entry leaves matching until it is reviewed."""
    if not upload_ref.strip():
        raise InvalidInput("upload_ref names the upload that matched; it is required")
    entry = BankEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"no bank entry {entry_id}")
    try:
        with transaction.atomic():
            FalseMatch.objects.create(
                entry=entry,
                organisation_id=organisation_id,
                upload_ref=upload_ref.strip(),
                note=note,
                created_at=clock.now(),
            )
    except IntegrityError:
        return FalseMatchResult(entry=entry, counted=False, quarantined_now=False)
    BankEntry.objects.filter(pk=entry.pk).update(false_matches=F("false_matches") + 1)
    entry.refresh_from_db()
    quarantine = entry.quarantined_at is None and entry.false_matches >= quarantine_after
    if quarantine:
        entry.quarantined_at = clock.now()
        entry.save(update_fields=["quarantined_at"])
    audit_record(
        tag="bank:false_match",
        actor=actor,
        subject=f"bank:{entry.bank_id}",
        payload={
            "entry": entry.pk,
            "false_matches": entry.false_matches,
            "quarantined": quarantine,
        },
    )
    return FalseMatchResult(entry=entry, counted=True, quarantined_now=quarantine)


@transaction.atomic
def entry_review(*, entry_id: int, restore: bool, actor: str) -> BankEntry:
    """A reporter's verdict on a quarantined entry: back into matching, or out of the bank."""
    entry = BankEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"no bank entry {entry_id}")
    if entry.quarantined_at is None or entry.removed_version is not None:
        raise Conflict(f"bank entry {entry_id} is not in quarantine")
    if restore:
        # A fresh count: the same number of new reports quarantines it again.
        entry.quarantined_at, entry.false_matches = None, 0
        entry.save(update_fields=["quarantined_at", "false_matches"])
        audit_record(
            tag="bank:restore",
            actor=actor,
            subject=f"bank:{entry.bank_id}",
            payload={"entry": entry.pk},
        )
    else:
        bank_remove(bank=entry.bank, entry_ids=[entry.pk], actor=actor)
        entry.refresh_from_db()
    return entry
