"""Every write to hash banks; each change bumps the bank's version and is audited."""

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from hotline.audit.services import audit_record
from hotline.banks.models import Bank, BankEntry, SignalType
from hotline.core import clock
from hotline.core.errors import Conflict, InvalidInput, NotFound

HEX_LENGTH = {SignalType.PDQ: 64, SignalType.MD5: 32, SignalType.SHA256: 64}
_HEX = re.compile(r"^[0-9a-f]+$")
# Values per IN (...) lookup: well under SQLite's limit on query parameters.
LOOKUP_CHUNK = 5000
KNOWN_CONTENT_BANK = "known-content"
REPORTED_ITEMS_BANK = "reported-items"
# Made by migration banks 0002 on a fresh install; the docs' examples use them.
BUILT_IN_BANKS = {
    KNOWN_CONTENT_BANK: "Content confirmed removed; platforms match uploads against it",
    REPORTED_ITEMS_BANK: "Hashes of every reported item",
}


@dataclass(frozen=True)
class Signal:
    type: str
    value: str
    quality: int | None = None


def signal_problem(signal: Signal) -> str | None:
    """Why a signal is unusable as given, or None."""
    length = HEX_LENGTH.get(signal.type)  # type: ignore[call-overload]
    if length is None:
        return f"unknown signal type {signal.type!r}; use pdq, md5 or sha256"
    value = signal.value.lower()
    if len(value) != length or not _HEX.match(value):
        return f"{signal.type} must be {length} hex characters, got {signal.value[:80]!r}"
    if signal.quality is not None and not 0 <= signal.quality <= 100:
        return f"quality must be 0-100, got {signal.quality}"
    return None


# The built-in banks platforms may fetch (GET /api/banks/{name}/feed) from the start.
PLATFORM_FEED_BUILT_IN = {KNOWN_CONTENT_BANK}


@transaction.atomic
def bank_create(
    *,
    name: str,
    description: str = "",
    threshold: int = 31,
    platform_feed: bool = False,
    actor: str,
) -> Bank:
    if not 0 <= threshold <= 64:
        raise InvalidInput("a PDQ threshold is between 0 and 64 bits")
    if Bank.objects.filter(name=name).exists():
        raise Conflict(f"a bank named {name!r} already exists")
    bank = Bank.objects.create(
        name=name,
        description=description,
        threshold=threshold,
        platform_feed=platform_feed,
        created_at=clock.now(),
    )
    audit_record(
        tag="bank:create",
        actor=actor,
        subject=f"bank:{bank.pk}",
        payload={"name": name, "threshold": threshold, "platform_feed": platform_feed},
    )
    return bank


def bank_ensure(*, name: str, description: str, actor: str) -> Bank:
    """The named bank, created on first use (inside the caller's transaction)."""
    bank = Bank.objects.filter(name=name).first()
    return bank or bank_create(
        name=name,
        description=description,
        platform_feed=name in PLATFORM_FEED_BUILT_IN,
        actor=actor,
    )


@transaction.atomic
def banks_ensure_built_in(*, actor: str) -> None:
    """Recreate the built-in banks after the database was emptied (`flush`, `demo --reset`)."""
    for name, description in BUILT_IN_BANKS.items():
        bank_ensure(name=name, description=description, actor=actor)


@transaction.atomic
def bank_share(*, bank: Bank, platform_feed: bool, actor: str) -> Bank:
    """Let every platform fetch the bank's hashes through its feed, or stop letting them."""
    locked = Bank.objects.select_for_update().get(pk=bank.pk)
    if locked.platform_feed != platform_feed:
        locked.platform_feed = platform_feed
        locked.save(update_fields=["platform_feed"])
        audit_record(
            tag="bank:share",
            actor=actor,
            subject=f"bank:{locked.pk}",
            payload={"name": locked.name, "platform_feed": platform_feed},
        )
    bank.platform_feed = platform_feed
    return locked


@transaction.atomic
def bank_add(
    *, bank: Bank, signals: list[Signal], source: str, item_id: int | None = None, actor: str
) -> list[BankEntry]:
    """Add signals; a value already live in the bank is not added twice."""
    for signal in signals:
        problem = signal_problem(signal)
        if problem:
            raise InvalidInput(problem)
    locked = Bank.objects.select_for_update().get(pk=bank.pk)
    version = locked.version + 1
    existing = live_keys(locked, [(s.type, s.value.lower()) for s in signals])
    now, added = clock.now(), []
    for s in signals:
        key = (s.type, s.value.lower())
        if key in existing:
            continue
        existing.add(key)
        added.append(
            BankEntry(
                bank=locked,
                signal_type=s.type,
                value=key[1],
                quality=s.quality,
                source=source,
                item_id=item_id,
                added_version=version,
                created_at=now,
            )
        )
    if added:
        BankEntry.objects.bulk_create(added)
        Bank.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        audit_record(
            tag="bank:add",
            actor=actor,
            subject=f"bank:{locked.pk}",
            payload={"source": source, "count": len(added), "version": version},
        )
    bank.version = version if added else locked.version
    return added


def live_keys(bank: Bank, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (type, value) pairs are live in the bank: indexed lookups of just these
    values (bank, signal_type, value), never a scan of the bank, so a write costs the same at
    any bank size."""
    found: set[tuple[str, str]] = set()
    by_type: dict[str, list[str]] = {}
    for kind, value in keys:
        by_type.setdefault(kind, []).append(value)
    for kind, values in by_type.items():
        unique = sorted(set(values))
        for start in range(0, len(unique), LOOKUP_CHUNK):
            found.update(
                BankEntry.objects.filter(
                    bank=bank,
                    signal_type=kind,
                    value__in=unique[start : start + LOOKUP_CHUNK],
                    removed_version=None,
                ).values_list("signal_type", "value")
            )
    return found


@transaction.atomic
def bank_remove(*, bank: Bank, entry_ids: list[int], actor: str) -> int:
    locked = Bank.objects.select_for_update().get(pk=bank.pk)
    version = locked.version + 1
    # One indexed UPDATE by primary key; nothing else of the bank is read.
    count = BankEntry.objects.filter(bank=locked, pk__in=entry_ids, removed_version=None).update(
        removed_version=version
    )
    if count == 0:
        raise NotFound(f"no live entries {entry_ids} in bank {bank.name}")
    Bank.objects.filter(pk=locked.pk).update(version=version)
    audit_record(
        tag="bank:remove",
        actor=actor,
        subject=f"bank:{locked.pk}",
        payload={"entries": sorted(entry_ids), "version": version},
    )
    bank.version = version
    return count


def bank_remove_item(*, item_id: int, actor: str) -> int:
    """Remove every entry that came from an item, in every bank (consent withdrawn, error)."""
    removed = 0
    for bank in Bank.objects.filter(
        entries__item_id=item_id, entries__removed_version=None
    ).distinct():
        ids = list(
            bank.entries.filter(item_id=item_id, removed_version=None).values_list("pk", flat=True)
        )
        removed += bank_remove(bank=bank, entry_ids=ids, actor=actor)
    return removed
