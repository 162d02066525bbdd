"""Index snapshots: each bank's built PDQ index in files that every process memory-maps.

`hotline bank snapshot` (and the worker, every HOTLINE_INDEX_SNAPSHOT_INTERVAL_SECONDS) writes
`bank-<id>-v<version>/` under HOTLINE_INDEX_SNAPSHOT_DIR: the index's arrays as .npy files
(HammingIndex.save_tables) and a `bank-<id>` link that is swapped to the newest one at once.
A process opens the files read-only with numpy's mmap (no table building, no private copy),
so every server worker and the task worker share one copy in the page cache, and each keeps
only the changes since the snapshot's version, read from the database (banks.index_cache).

A snapshot names the bank it was made from (id, name, creation time) and the shard it holds:
files left by another database under the same directory are ignored, never matched against.
A shard matcher (HOTLINE_MATCH_SHARD=i/n, docs/scaling.md) writes and maps its own shard's
snapshot, `bank-<id>-s<i>of<n>`, holding only the entries of its residue; the whole bank's
snapshot is never opened by a shard, nor a shard's by a whole-bank process.
"""

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from hotline.banks import shards
from hotline.banks.models import Bank, BankEntry, SignalType
from hotline.hashing.index import HammingIndex, hashes_from_hex

# PDQ hashes of lower quality are kept in the bank but never matched (Meta's convention).
MIN_MATCH_QUALITY = 50
# The worker leaves banks this small to be built from the database: that takes milliseconds.
WORKER_MIN_ENTRIES = 10_000
_CHUNK = 50_000


@dataclass(frozen=True)
class Snapshot:
    version: int
    index: HammingIndex
    path: Path


@dataclass(frozen=True)
class SnapshotWritten:
    bank: str
    version: int
    entries: int
    path: Path
    seconds: float


def snapshot_root() -> Path | None:
    """The configured directory, or None when snapshots are off (setting empty)."""
    value = str(getattr(settings, "HOTLINE_INDEX_SNAPSHOT_DIR", "") or "")
    return Path(value) if value else None


def _identity(bank: Bank) -> dict[str, str | int | None]:
    shard = shards.this_shard()
    return {
        "bank": bank.pk,
        "name": bank.name,
        "created_at": bank.created_at.isoformat(),
        # Absent from whole-bank snapshots written before shards had their own.
        "shard": f"{shard.index}/{shard.count}" if shard is not None else None,
    }


def _link_name(bank_id: int) -> str:
    """The name of the link to this process's current snapshot of the bank."""
    shard = shards.this_shard()
    return f"bank-{bank_id}" if shard is None else f"bank-{bank_id}-s{shard.index}of{shard.count}"


def snapshot_version(bank: Bank) -> int | None:
    """The version of the bank's current snapshot, from the link's name alone (no file read)."""
    root = snapshot_root()
    if root is None:
        return None
    try:
        target = os.readlink(root / _link_name(bank.pk))
    except OSError:
        return None
    try:
        return int(Path(target).name.rsplit("-v", 1)[1].split("-", 1)[0])
    except (IndexError, ValueError):
        return None


def snapshot_open(bank: Bank) -> Snapshot | None:
    """The bank's current snapshot, memory-mapped; None when there is none or it is unusable."""
    root = snapshot_root()
    if root is None:
        return None
    try:
        folder = (root / _link_name(bank.pk)).resolve(strict=True)
        index = HammingIndex.open_tables(folder, mmap=True)
    except (OSError, ValueError, KeyError):
        return None  # absent, being replaced this instant, or not ours: build from the rows
    extra = index.extra
    if {k: extra.get(k) for k in ("bank", "name", "created_at", "shard")} != _identity(bank):
        return None
    return Snapshot(version=int(extra["version"]), index=index, path=folder)


def snapshot_write(bank: Bank) -> SnapshotWritten:
    """Write the bank's index as of its current version and point the bank's link at it
    (this process's shard of it, when it serves one)."""
    root = snapshot_root()
    if root is None:
        raise ValueError("HOTLINE_INDEX_SNAPSHOT_DIR is empty: index snapshots are off")
    if transaction.get_connection().in_atomic_block:
        # Rows seen inside a transaction may roll back; files every process trusts must not
        # hold them.
        raise RuntimeError("snapshot_write must run outside a transaction")
    started = time.monotonic()
    bank = Bank.objects.get(pk=bank.pk)
    version = bank.version
    ids, hashes = _live_pdq(bank, version)
    index = HammingIndex(expected_size=len(ids))
    index.add(ids, hashes)
    del ids, hashes
    root.mkdir(parents=True, exist_ok=True)
    link_name = _link_name(bank.pk)
    name = f"{link_name}-v{version}-{time.time_ns()}"
    index.save_tables(root / name, extra={**_identity(bank), "version": version})
    link = root / link_name
    tmp_link = root / f".{name}.link"
    os.symlink(name, tmp_link)
    os.replace(tmp_link, link)  # atomic: a reader sees the old snapshot or the new one
    for old in root.glob(f"{link_name}-v*"):
        if old.name != name and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)  # processes that mapped it keep their pages
    return SnapshotWritten(
        bank=bank.name,
        version=version,
        entries=len(index),
        path=root / name,
        seconds=time.monotonic() - started,
    )


def snapshot_discard(bank_id: int) -> None:
    """Delete a bank's snapshot files, every shard's too (a purge committed: the files hold
    the purged values). Processes that mapped them keep their pages until they drop the index
    (index_cache's refresh), and the worker writes a new snapshot from the rows left."""
    root = snapshot_root()
    if root is None:
        return
    (root / f"bank-{bank_id}").unlink(missing_ok=True)
    for old in root.glob(f"bank-{bank_id}-*"):  # shards' links, then every version's files
        if old.is_symlink():
            old.unlink(missing_ok=True)
    for old in root.glob(f"bank-{bank_id}-*"):
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def snapshots_refresh(*, min_entries: int = WORKER_MIN_ENTRIES) -> list[SnapshotWritten]:
    """Snapshot every bank that changed since its snapshot (the worker's periodic round)."""
    if snapshot_root() is None:
        return []
    written = []
    for bank in Bank.objects.order_by("pk"):
        current = snapshot_version(bank)
        if current is not None and current >= bank.version:
            continue
        if current is None and (
            BankEntry.objects.filter(bank=bank, signal_type=SignalType.PDQ)[
                min_entries - 1 : min_entries
            ].count()
            == 0
        ):
            continue  # small: every process builds it from the rows in no time
        written.append(snapshot_write(bank))
    return written


def _live_pdq(bank: Bank, version: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Ids and hashes of the PDQ entries matchable as of `version`, read in chunks."""
    return matchable_pdq(
        shards.in_shard(
            BankEntry.objects.filter(
                bank=bank, signal_type=SignalType.PDQ, added_version__lte=version
            )
        ),
        version,
    )


def matchable_pdq(
    entries: "QuerySet[BankEntry]", version: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Ids and (N, 32) hashes of these entries that are live and matchable as of `version`,
    streamed in chunks so no list of every row is ever held."""
    rows = entries.values_list("pk", "value", "quality", "removed_version")
    ids: list[npt.NDArray[np.int64]] = []
    hashes: list[npt.NDArray[np.uint8]] = []
    chunk_ids: list[int] = []
    chunk_values: list[str] = []
    for pk, value, quality, removed in rows.iterator(chunk_size=_CHUNK):
        if (removed is None or removed > version) and (
            quality is None or quality >= MIN_MATCH_QUALITY
        ):
            chunk_ids.append(pk)
            chunk_values.append(value)
            if len(chunk_ids) >= _CHUNK:
                ids.append(np.array(chunk_ids, np.int64))
                hashes.append(hashes_from_hex(chunk_values))
                chunk_ids, chunk_values = [], []
    ids.append(np.array(chunk_ids, np.int64))
    hashes.append(hashes_from_hex(chunk_values))
    return np.concatenate(ids), np.concatenate(hashes)
