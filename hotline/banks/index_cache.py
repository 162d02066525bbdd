"""One exact PDQ index per bank per process, updated by delta and never rebuilt per change.

A process starts from the bank's snapshot when there is one (banks.snapshots: the index's
arrays in files that every process memory-maps, so a machine holds one copy) and keeps only
the changes since in a small index of its own; without a snapshot it builds from the rows.

The shared index only ever absorbs committed changes: a query made inside a transaction (which
may still roll back) answers from the shared index plus a brute-force overlay of the changes
since, without mutating anything, so a rolled-back bank change can never poison the cache.

Database reads happen outside the cache's lock, and a read never locks a row, so a match
never waits on a bank write in another transaction: it answers as of the last committed
version it can see.

A purge (consent withdrawn, banks.purge) deletes rows, which a delta cannot name: the bank's
tombstones (`PurgedEntry`) say which versions purged. The purging process drops its index of
the bank when the purge commits; every other process drops its own within
HOTLINE_BANK_INDEX_REFRESH_SECONDS, from a daemon thread started with its first index
(`refresh` is the same check, callable directly), and at the latest at its next query.
"""

import logging
import threading
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import connection, transaction

from hotline.banks import shards, snapshots
from hotline.banks.models import Bank, BankEntry, PurgedEntry, SignalType
from hotline.hashing.index import HammingIndex, hashes_from_hex

# PDQ hashes of lower quality are kept in the bank but never matched (Meta's convention).
MIN_MATCH_QUALITY = snapshots.MIN_MATCH_QUALITY
# The audit tag of banks.purge (counts and the version it made, never a value).
PURGE_TAG = "bank:purge"

log = logging.getLogger(__name__)

Matches = list[tuple[int, int]]


@dataclass
class _Cached:
    version: int
    index: HammingIndex  # every change since the snapshot (or every row, without one)
    base: HammingIndex | None = None  # the snapshot, memory-mapped and read-only
    base_version: int = 0
    base_removed: set[int] = field(default_factory=set)  # snapshot rows removed since

    def query(self, queries: npt.NDArray[np.uint8], radius: int) -> list[Matches]:
        if self.base is None:
            return self.index.query_batch(queries, radius)
        # Until something is added after the snapshot the small index is empty: not searched.
        answers = (
            self.index.query_batch(queries, radius) if len(self.index) else [[]] * len(queries)
        )
        gone = self.base_removed
        return [
            sorted([p for p in b if p[0] not in gone] + a, key=_by_distance)
            for b, a in zip(self.base.query_batch(queries, radius), answers, strict=True)
        ]

    def absorb(self, delta: "_Delta") -> None:
        if delta.removed:
            if self.base is not None:
                self.base_removed |= delta.removed
            self.index.remove(np.array(sorted(delta.removed), np.int64))
        if len(delta.added_ids):
            self.index.add(delta.added_ids, delta.added)
        self.version = max(self.version, delta.version)


@dataclass(frozen=True)
class _Delta:
    since: int
    version: int
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
        cached = _cache.get(bank.pk)
    if cached is None or cached.version < bank.version:
        cached = _refresh(bank, cached)
    # Only inside a transaction is the cache left behind `bank.version` (see _refresh).
    delta = _delta(bank, cached.version) if cached.version < bank.version else None
    with _lock:
        answers = cached.query(queries, radius)
    return (
        answers
        if delta is None
        else [_overlay(a, q, delta, radius) for a, q in zip(answers, queries, strict=True)]
    )


def _refresh(bank: Bank, cached: _Cached | None) -> _Cached:
    """Bring the bank's cached index to `bank.version`, reading the database outside the lock.

    Inside a transaction the cache absorbs nothing (changes seen there may roll back); the
    caller overlays the delta instead."""
    start = cached
    if start is not None and _purged_since(bank, start.version):
        start = None  # a purge deleted rows a delta cannot name: start again
    # A shard matcher maps its own shard's snapshot (banks.snapshots), never the whole bank's.
    on_disk = snapshots.snapshot_version(bank)
    if on_disk is not None and (start is None or on_disk > start.base_version):
        snapshot = snapshots.snapshot_open(bank)
        if (
            snapshot is not None
            and snapshot.version <= bank.version
            and not _purged_since(bank, snapshot.version)
        ):
            # A fresh start, or a newer snapshot than the one in use: the small index restarts.
            base = snapshot.index
            start = _Cached(
                snapshot.version, HammingIndex(), base=base, base_version=snapshot.version
            )
    if start is None:
        start = _Cached(0, HammingIndex())
    if transaction.get_connection().in_atomic_block:
        if start is not cached:  # a committed state, safe to keep
            with _lock:
                _cache[bank.pk] = start
        return start
    delta = _delta(bank, start.version)
    with _lock:
        current = _cache.get(bank.pk)
        if current is not None and current is not cached and current.version >= delta.version:
            return current  # another thread got there first
        start.absorb(delta)
        _cache[bank.pk] = start
        return start


def _purged_since(bank: Bank, version: int) -> bool:
    """Whether rows this index holds were deleted since it was built (banks.purge): a delta
    cannot name deleted rows, so the index is rebuilt. Each tombstone carries the bank version
    its purge made (indexed by bank and version); looked up only when the version moved."""
    return PurgedEntry.objects.filter(bank_id=bank.pk, version__gt=version).exists()


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
    stale = [b.pk for b in moved if _purged_since(b, held[b.pk])]
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
    """The PDQ changes in (since, bank.version]: two range reads on the version indexes,
    streamed in chunks, so their cost follows the number of changes, not the bank's size."""
    version = bank.version
    entries = shards.in_shard(BankEntry.objects.filter(bank=bank, signal_type=SignalType.PDQ))
    added_ids, added = snapshots.matchable_pdq(
        entries.filter(added_version__gt=since, added_version__lte=version), version
    )
    removed_ids = frozenset(
        entries.filter(removed_version__gt=since, removed_version__lte=version).values_list(
            "pk", flat=True
        )
    )
    return _Delta(
        since=since,
        version=version,
        added_ids=added_ids,
        added=added,
        removed=removed_ids,
    )


def _by_distance(pair: tuple[int, int]) -> tuple[int, int]:
    return pair[1], pair[0]


def _overlay(base: Matches, query: npt.NDArray[np.uint8], delta: _Delta, radius: int) -> Matches:
    added = set(delta.added_ids.tolist())
    kept = [(i, d) for i, d in base if i not in delta.removed and i not in added]
    if len(delta.added_ids):
        distances = np.unpackbits(np.bitwise_xor(delta.added, query), axis=1).sum(axis=1)
        near = np.flatnonzero(distances <= radius)
        kept += [(int(delta.added_ids[i]), int(distances[i])) for i in near]
    return sorted(kept, key=_by_distance)


def forget_all() -> None:
    """Drop every cached index (tests start from an empty database)."""
    with _lock:
        _cache.clear()
