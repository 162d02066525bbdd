"""Purging hash values for good (consent withdrawn): rows deleted, not marked removed.

`bank_remove` keeps removed entries for the record; a victim who withdraws consent is owed
more: her hash values must not stay anywhere. The purge deletes the rows and leaves a
tombstone per row (`PurgedEntry`: entry id, bank, signal type, item, version, time, reason —
never the value), so a bank's export feed can tell whoever synced it which entries to delete.
It bumps each bank's version, drops this process's index of the bank once the purge commits,
and every other process drops its own from the tombstones (index_cache.refresh). The audit
records only counts and versions — never the values, which would live on in the chain.
"""

from dataclasses import dataclass, field
from functools import partial

from django.db import transaction

from hotline.audit.services import audit_record
from hotline.banks import index_cache, snapshots
from hotline.banks.index_cache import PURGE_TAG
from hotline.banks.models import Bank, BankEntry, PurgedEntry
from hotline.core import clock


@dataclass(frozen=True)
class PurgedBank:
    bank: str
    entries: int
    version: int
    # (item id, entry id) of each deleted entry: what others are told to delete, by id.
    entry_ids: list[tuple[int | None, int]] = field(default_factory=list)


@transaction.atomic
def bank_purge_items(*, item_ids: list[int], actor: str, reason: str) -> list[PurgedBank]:
    """Delete every entry, in every bank, that came from one of these items."""
    purged = []
    now = clock.now()
    bank_ids = (
        BankEntry.objects.filter(item_id__in=item_ids).values_list("bank_id", flat=True).distinct()
    )
    for bank in Bank.objects.select_for_update().filter(pk__in=list(bank_ids)).order_by("pk"):
        rows = BankEntry.objects.filter(bank=bank, item_id__in=item_ids)
        doomed = list(rows.order_by("pk").values_list("pk", "signal_type", "item_id"))
        bank.version += 1
        bank.save(update_fields=["version"])
        PurgedEntry.objects.bulk_create(
            [
                PurgedEntry(
                    entry_id=pk,
                    bank=bank,
                    signal_type=signal_type,
                    item_id=item_id,
                    version=bank.version,
                    deleted_at=now,
                    reason=reason[:100],
                )
                for pk, signal_type, item_id in doomed
            ]
        )
        rows.delete()  # false-match reports about them go too (CASCADE)
        audit_record(
            tag=PURGE_TAG,
            actor=actor,
            subject=f"bank:{bank.pk}",
            payload={"entries": len(doomed), "version": bank.version, "reason": reason},
        )
        transaction.on_commit(partial(index_cache.forget, bank.pk))
        if doomed:  # the bank's snapshot files hold the purged values too
            transaction.on_commit(partial(snapshots.snapshot_discard, bank.pk))
        purged.append(
            PurgedBank(
                bank=bank.name,
                entries=len(doomed),
                version=bank.version,
                entry_ids=[(item_id, pk) for pk, _, item_id in doomed],
            )
        )
    return purged
