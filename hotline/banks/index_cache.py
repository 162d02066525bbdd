"""One exact PDQ index per bank per process, updated by delta and never rebuilt per change.

The shared index only ever absorbs committed changes: a query made inside a transaction (which
may still roll back) answers from the shared index plus a brute-force overlay of the changes
since, without mutating anything, so a rolled-back bank change can never poison the cache.
"""

import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db import transaction

from hotline.audit.models import Event
from hotline.banks.models import Bank, BankEntry, SignalType
from hotline.hashing.index import HammingIndex, hashes_from_hex

# PDQ hashes of lower quality are kept in the bank but never matched (Meta's convention).
MIN_MATCH_QUALITY = 50
# The audit tag of banks.purge; its event's payload names the bank version the purge made.
PURGE_TAG = "bank:purge"

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


def pdq_query(bank: Bank, hexes: list[str], radius: int) -> list[Matches]:
    """(entry id, distance) pairs within `radius` for each query, as of `bank.version`."""
    queries = hashes_from_hex(hexes)
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
    cannot name deleted rows, so the index is rebuilt. The purge's audit event carries the
    bank version it made; looked up by subject, which is indexed, only when the version moved."""
    latest = (
        Event.objects.filter(subject=f"bank:{bank.pk}", tag=PURGE_TAG)
        .order_by("-seq")
        .values_list("payload", flat=True)
        .first()
    )
    return latest is not None and int(latest["version"]) > cached.version


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
