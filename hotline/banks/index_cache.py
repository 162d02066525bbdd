"""One exact PDQ index per bank per process, updated by delta and never rebuilt per change."""

import threading
from dataclasses import dataclass

import numpy as np

from hotline.banks.models import Bank, BankEntry, SignalType
from hotline.hashing.index import HammingIndex, hashes_from_hex

# PDQ hashes of lower quality are kept in the bank but never matched (Meta's convention).
MIN_MATCH_QUALITY = 50


@dataclass
class _Cached:
    version: int
    index: HammingIndex


_cache: dict[int, _Cached] = {}
_lock = threading.Lock()


def pdq_index(bank: Bank) -> HammingIndex:
    """The bank's index as of `bank.version` (the caller's fresh read of the bank row)."""
    with _lock:
        cached = _cache.get(bank.pk)
        if cached is None:
            cached = _Cached(0, HammingIndex())
            _cache[bank.pk] = cached
        if cached.version < bank.version:
            _apply_delta(bank, cached)
        return cached.index


def _apply_delta(bank: Bank, cached: _Cached) -> None:
    changed = BankEntry.objects.filter(bank=bank, signal_type=SignalType.PDQ).filter(
        added_version__gt=cached.version, added_version__lte=bank.version
    ) | BankEntry.objects.filter(
        bank=bank,
        signal_type=SignalType.PDQ,
        removed_version__gt=cached.version,
        removed_version__lte=bank.version,
    )
    rows = list(changed.values_list("pk", "value", "quality", "removed_version"))
    live = [
        (pk, value)
        for pk, value, quality, removed in rows
        if removed is None and (quality is None or quality >= MIN_MATCH_QUALITY)
    ]
    gone = [pk for pk, _, _, removed in rows if removed is not None]
    if gone:
        cached.index.remove(np.array(gone, np.int64))
    if live:
        ids = np.array([pk for pk, _ in live], np.int64)
        cached.index.add(ids, hashes_from_hex([value for _, value in live]))
    cached.version = bank.version


def forget_all() -> None:
    """Drop every cached index (tests start from an empty database)."""
    with _lock:
        _cache.clear()
