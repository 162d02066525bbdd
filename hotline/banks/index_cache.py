"""One exact PDQ index per bank per process, updated by delta and never rebuilt per change.

The shared index only ever absorbs committed changes: a query made inside a transaction (which
may still roll back) answers from the shared index plus a brute-force overlay of the changes
since, without mutating anything, so a rolled-back bank change can never poison the cache.

A purge (consent withdrawn, banks.purge) deletes rows, which a delta cannot name: the bank's
tombstones (`PurgedEntry`) say which versions purged. The purging process drops its index of
the bank when the purge commits; every other process drops its own within
HOTLINE_BANK_INDEX_REFRESH_SECONDS, from a daemon thread started with its first index
(`refresh` is the same check, callable directly), and at the latest at its next query.
"""

import logging
import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import connection, transaction

from hotline.banks.models import Bank, BankEntry, PurgedEntry, SignalType
from hotline.hashing.index import HammingIndex, hashes_from_hex

# PDQ hashes of lower quality are kept in the bank but never matched (Meta's convention).
MIN_MATCH_QUALITY = 50
# The audit tag of banks.purge (counts and the version it made, never a value).
PURGE_TAG = "bank:purge"

log = logging.getLogger(__name__)

Matches = list[tuple[int, int]]


@dataclass
class _Cached:
    version: int
    index: HammingIndex


@dataclass(frozen=True)
class _Delta:
    added_ids: npt.NDArray[np.int64]
    added: npt.NDArray[np.uint8]
    removed: frozenset[int]


_cache: dict[int, _Cached] = {}
_lock = threading.Lock()
_refresher: threading.Thread | None = None
_stop = threading.Event()


def pdq_query(bank: Bank, hexes: list[str], radius: int) -> list[Matches]:
    """(entry id, distance) pairs within `radius` for each query, as of `bank.version`."""
    queries = hashes_from_hex(hexes)
    _ensure_refresher()
    with _lock:
        cached = _cache.setdefault(bank.pk, _Cached(0, HammingIndex()))
        if cached.version < bank.version and _purged_since(bank, cached):
            cached = _cache[bank.pk] = _Cached(0, HammingIndex())  # rebuilt from the rows left
        delta = _delta(bank, cached.version) if cached.version < bank.version else None
        if delta is not None and not transaction.get_connection().in_atomic_block:
            _absorb(cached, delta, bank.version)
            delta = None
        answers = cached.index.query_batch(queries, radius)
    return (
        answers
        if delta is None
        else [_overlay(a, q, delta, radius) for a, q in zip(answers, queries, strict=True)]
    )


def _purged_since(bank: Bank, cached: _Cached) -> bool:
    """Whether rows this index holds were deleted since it was built (banks.purge): a delta
    cannot name deleted rows, so the index is rebuilt. Each tombstone carries the bank version
    its purge made (indexed by bank and version); looked up only when the version moved."""
    return PurgedEntry.objects.filter(bank_id=bank.pk, version__gt=cached.version).exists()


def forget(bank_id: int) -> None:
    """Drop this process's index of one bank (its purge committed); the next query rebuilds."""
    with _lock:
        _cache.pop(bank_id, None)


def refresh() -> list[int]:
    """Drop every index of this process that holds purged rows; the ids of the banks dropped.

    Reads only when a cached bank's version moved: one query for the versions, then one per
    moved bank. Runs outside the lock, so matching is never held up by it.
    """
    with _lock:
        held = {pk: cached.version for pk, cached in _cache.items()}
    if not held:
        return []
    moved = [
        Bank(pk=pk, version=version)
        for pk, version in Bank.objects.filter(pk__in=held).values_list("pk", "version")
        if version > held[pk]
    ]
    stale = [b.pk for b in moved if _purged_since(b, _Cached(held[b.pk], HammingIndex()))]
    with _lock:
        for pk in stale:
            cached = _cache.get(pk)
            if cached is not None and cached.version <= held[pk]:
                del _cache[pk]
    return stale


def _ensure_refresher() -> None:
    """Start this process's refresh thread with its first index (not when the setting is 0)."""
    global _refresher
    interval = float(settings.HOTLINE_BANK_INDEX_REFRESH_SECONDS)
    if interval <= 0 or (_refresher is not None and _refresher.is_alive()):
        return
    with _lock:
        if _refresher is None or not _refresher.is_alive():
            _stop.clear()
            _refresher = threading.Thread(
                target=_refresh_forever, args=(interval,), name="bank-index-refresh", daemon=True
            )
            _refresher.start()


def stop_refresher() -> None:
    """End the refresh thread at its next tick (tests; a process's thread dies with it)."""
    global _refresher
    _stop.set()
    if _refresher is not None:
        _refresher.join(timeout=60)
    _refresher = None


def _refresh_forever(interval: float) -> None:
    while not _stop.wait(interval):
        try:
            dropped = refresh()
            if dropped:
                log.info("bank indexes dropped after a purge", extra={"banks": dropped})
        except Exception:  # a database outage: try again at the next tick
            log.warning("bank index refresh failed", exc_info=True)
        finally:
            connection.close()  # this thread's own connection; none is held between ticks


def _delta(bank: Bank, since: int) -> _Delta:
    changed = BankEntry.objects.filter(bank=bank, signal_type=SignalType.PDQ).filter(
        added_version__gt=since, added_version__lte=bank.version
    ) | BankEntry.objects.filter(
        bank=bank,
        signal_type=SignalType.PDQ,
        removed_version__gt=since,
        removed_version__lte=bank.version,
    )
    rows = list(changed.values_list("pk", "value", "quality", "removed_version"))
    live = [
        (pk, value)
        for pk, value, quality, removed in rows
        if removed is None and (quality is None or quality >= MIN_MATCH_QUALITY)
    ]
    return _Delta(
        added_ids=np.array([pk for pk, _ in live], np.int64),
        added=hashes_from_hex([value for _, value in live]),
        removed=frozenset(pk for pk, _, _, removed in rows if removed is not None),
    )


def _absorb(cached: _Cached, delta: _Delta, version: int) -> None:
    if delta.removed:
        cached.index.remove(np.array(sorted(delta.removed), np.int64))
    if len(delta.added_ids):
        cached.index.add(delta.added_ids, delta.added)
    cached.version = version


def _overlay(base: Matches, query: npt.NDArray[np.uint8], delta: _Delta, radius: int) -> Matches:
    kept = [(i, d) for i, d in base if i not in delta.removed]
    if len(delta.added_ids):
        distances = np.unpackbits(np.bitwise_xor(delta.added, query), axis=1).sum(axis=1)
        near = np.flatnonzero(distances <= radius)
        kept += [(int(delta.added_ids[i]), int(distances[i])) for i in near]
    return sorted(kept, key=lambda pair: (pair[1], pair[0]))


def forget_all() -> None:
    """Drop every cached index (tests start from an empty database)."""
    with _lock:
        _cache.clear()
