"""Purging hash values for good (consent withdrawn): rows deleted, not marked removed.

`bank_remove` keeps removed entries for the record; a victim who withdraws consent is owed
more: her hash values must not stay anywhere. The purge deletes the rows, bumps each bank's
version (so every process's index notices the change, see index_cache), and audits only
counts and versions — never the values, which would otherwise live on in the audit chain.
"""

from dataclasses import dataclass

from django.db import transaction

from hotline.audit.services import audit_record
from hotline.banks.index_cache import PURGE_TAG
from hotline.banks.models import Bank, BankEntry


@dataclass(frozen=True)
class PurgedBank:
    bank: str
    entries: int
    version: int


@transaction.atomic
def bank_purge_items(*, item_ids: list[int], actor: str, reason: str) -> list[PurgedBank]:
    """Delete every entry, in every bank, that came from one of these items."""
    purged = []
    bank_ids = (
        BankEntry.objects.filter(item_id__in=item_ids).values_list("bank_id", flat=True).distinct()
    )
    for bank in Bank.objects.select_for_update().filter(pk__in=list(bank_ids)).order_by("pk"):
        count, _ = BankEntry.objects.filter(bank=bank, item_id__in=item_ids).delete()
        bank.version += 1
        bank.save(update_fields=["version"])
        audit_record(
            tag=PURGE_TAG,
            actor=actor,
            subject=f"bank:{bank.pk}",
            payload={"entries": count, "version": bank.version, "reason": reason},
        )
        purged.append(PurgedBank(bank=bank.name, entries=count, version=bank.version))
    return purged
