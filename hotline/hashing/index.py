"""Exact Hamming-radius index for 256-bit PDQ hashes, by multi-index hashing (docs/matching.md)."""

import json
import math
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple, Self, TypeVar

import numpy as np
import numpy.typing as npt

from hotline.hashing import _index_batch as batch
from hotline.hashing import _index_kernels as k
from hotline.hashing import _index_tables as tables
from hotline.hashing._index_tables import (
    CANDIDATE_COST,
    Design,
    flip_masks,
    probe_count,
    table_radii,
)
from hotline.hashing._index_tables import DEFAULT_RADIUS as DEFAULT_RADIUS

__all__ = [
    "DEFAULT_RADIUS",
    "BatchResult",
    "Design",
    "HammingIndex",
    "HexParseError",
    "as_bytes",
    "as_words",
    "brute_force_range",
    "hashes_from_hex",
    "hashes_to_hex",
    "probe_count",
    "table_radii",
]

HEX_CHARS = 64
FORMAT_NAME = "hotline-hamming-index"
FORMAT_VERSION = 1  # of `save`'s .npz (ids and hashes only)
# of `save_tables`' directory: 1 took the substring bits from the seeded permutation and held
# flat offsets; 2 stores the bits (positions.npy, chosen from the bank's bit statistics) and
# offsets per block of 32 buckets (blocks.npy, cum.npy), postings int32 or 3 bytes. Both read.
# 3 stores ids as int32 while every id fits (ids.npy "<i4"), else int64. All three read.
TABLES_VERSION = 3
DEFAULT_SEED = 0x5EED_DA7A

U64 = npt.NDArray[np.uint64]
_T = TypeVar("_T", bound=np.generic)
I64 = npt.NDArray[np.int64]

_MAX_TABLE_RADIUS = 5  # beyond this, probing costs more than a linear scan at any size
_MIN_DELTA = 4096  # rows the delta may hold before a rebuild, however small the base
_MAP_MAX_LOAD = 0.7
# Batches of at least this many queries on a base of at least this many rows take the
# sorted batch search (`_index_batch`) when its chunks hold at least BATCH_MIN_CHUNK queries;
# others take the per-query kernel. A chunk streams every table once, so chunks of under about
# 1,000 queries are slower than the per-query kernel (measured at 1M and 10M, decision 32).
BATCH_MIN_QUERIES = 1536
BATCH_MIN_CHUNK = 1000
BATCH_MIN_ROWS = 1_000_000  # measured at 1M and 10M (decision 32); below, not measured
BATCH_CHUNK = 2048  # queries sorted together, fewer when their candidates would pass ...
BATCH_SCRATCH_BYTES = 160 << 20  # ... this much scratch (two int64 words per candidate)
_HEX_LUT = np.full(256, 255, np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX_LUT[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _HEX_LUT[_c] = 10 + _i


class HexParseError(ValueError):
    """A hash that is not exactly 64 hex characters; `index` is its 0-based position."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(f"hash {index}: {reason}")
        self.index = index
        self.reason = reason


class BatchResult(NamedTuple):
    """Flat batch answer: query i's matches are ids/distances[offsets[i]:offsets[i+1]]."""

    offsets: I64
    ids: I64
    distances: I64


def hashes_from_hex(lines: Sequence[str]) -> npt.NDArray[np.uint8]:
    """Parse 64-char hex strings into an (N, 32) uint8 array, vectorised; HexParseError if bad."""
    n = len(lines)
    try:
        # C's own parser, ~15x faster for one hash (a platform's upload check) and ~5x for a
        # thousand. It skips whitespace between digit pairs, so the byte count is the proof
        # that every line held 64 digits; anything else is found and named below.
        parsed = bytearray.fromhex("".join(lines))
    except ValueError:
        parsed = None
    if parsed is not None and len(parsed) == 32 * n and all(len(x) == HEX_CHARS for x in lines):
        return np.frombuffer(parsed, np.uint8).reshape(n, 32)
    lengths = np.fromiter(map(len, lines), np.int64, count=n)
    wrong = np.flatnonzero(lengths != HEX_CHARS)
    if wrong.size:
        i = int(wrong[0])
        raise HexParseError(i, f"expected {HEX_CHARS} hex characters, got {lengths[i]}")
    # 'replace' keeps one byte per character, so a bad character's offset still names its line.
    raw = np.frombuffer("".join(lines).encode("ascii", errors="replace"), np.uint8)
    nibbles = _HEX_LUT[raw]
    bad = np.flatnonzero(nibbles == 255)
    if bad.size:
        i, col = divmod(int(bad[0]), HEX_CHARS)
        raise HexParseError(i, f"character {col + 1} is not a hex digit: {lines[i][col]!r}")
    packed = (nibbles[0::2] << 4) | nibbles[1::2]
    return packed.astype(np.uint8, copy=False).reshape(n, 32)


def hashes_to_hex(hashes: npt.NDArray[np.uint8] | U64) -> list[str]:
    """Inverse of `hashes_from_hex`: lowercase 64-char hex per row."""
    raw = as_bytes(hashes)
    flat = raw.tobytes().hex()
    return [flat[i : i + HEX_CHARS] for i in range(0, len(flat), HEX_CHARS)]


def as_bytes(hashes: npt.NDArray[np.uint8] | U64) -> npt.NDArray[np.uint8]:
    """(N, 32) uint8 view of hashes given as (N, 32) uint8 or (N, 4) uint64 (or one row)."""
    a = np.asarray(hashes)
    if a.dtype == np.uint64 and a.shape[-1] == 4:
        return np.ascontiguousarray(a).reshape(-1, 4).view(np.uint8).reshape(-1, 32)
    if a.dtype == np.uint8 and a.shape[-1] == 32:
        return np.ascontiguousarray(a).reshape(-1, 32)
    raise ValueError(f"hashes must be (N, 32) uint8 or (N, 4) uint64, got {a.dtype} {a.shape}")


def as_words(hashes: npt.NDArray[np.uint8] | U64) -> U64:
    """(N, 4) native uint64 words, the layout the index stores and popcounts."""
    if hashes.dtype == np.uint64 and hashes.shape[-1:] == (4,) and hashes.flags.c_contiguous:
        return hashes.reshape(-1, 4)  # type: ignore[return-value]  # fast path for queries
    return as_bytes(hashes).view(np.uint64).reshape(-1, 4)


def brute_force_range(
    hashes: npt.NDArray[np.uint8] | U64, query: npt.NDArray[np.uint8] | U64, r: int
) -> tuple[I64, I64]:
    """Oracle: (row indices, distances) of all rows within distance r, by (distance, row)."""
    bank = as_bytes(hashes)
    q = as_bytes(query)[0]
    d = np.bitwise_count(np.bitwise_xor(bank, q)).sum(axis=1, dtype=np.int64)
    rows = np.flatnonzero(d <= r)
    order = np.lexsort((rows, d[rows]))
    return rows[order].astype(np.int64), d[rows[order]].astype(np.int64)


def _as_ids(ids: npt.ArrayLike) -> I64:
    a = np.asarray(ids)
    if a.ndim != 1 or not (np.issubdtype(a.dtype, np.integer) or a.size == 0):
        raise ValueError(f"ids must be a 1-D integer array, got {a.dtype} {a.shape}")
    if a.dtype == np.uint64 and a.size and int(a.max()) > np.iinfo(np.int64).max:
        raise ValueError("ids must fit in int64")
    return np.ascontiguousarray(a, np.int64)


def _as_queries(hashes: npt.NDArray[np.uint8] | U64 | str | Sequence[str]) -> U64:
    if isinstance(hashes, str):
        return as_words(hashes_from_hex([hashes]))
    if isinstance(hashes, np.ndarray):
        return as_words(hashes)
    return as_words(hashes_from_hex(list(hashes)))


def _check_radius(radius: int) -> None:
    if not 0 <= radius <= 256:
        raise ValueError(f"radius must be between 0 and 256, got {radius}")


class HammingIndex:
    """Exact range search over 256-bit hashes keyed by caller-supplied int64 ids.

    Adding an id that is already present replaces its hash (re-adding the identical pair is a
    no-op). New rows go to a small chained delta; removed rows are tombstoned. Both are folded
    into the compact tables by a rebuild once the delta passes 1/8 of the base or tombstones
    pass 1/4 of the rows, so each change costs amortised O(1) table work.
    """

    _design: Design
    _pos: U64  # (tables, bits) bit positions of each substring, after the permutation
    _masks: U64  # flip masks ordered by weight; _counts[w] of them have weight <= w
    _counts: I64
    _blocks: npt.NDArray[np.int32]  # base: (tables, 2^bits / 32) start of each 32 buckets
    _cum: npt.NDArray[Any]  # base: (tables, 2^bits) uint16 end of each bucket in its block
    _postings: npt.NDArray[Any]  # base: (tables, rows) int32 or (tables, 3 * rows) uint8 rows
    _dheads: npt.NDArray[np.int32]  # delta: (tables, slots) newest row of each hashed slot
    _dnext: npt.NDArray[np.int32]  # delta: (tables, capacity) next-older row in the chain
    _dshift: int
    _ids: npt.NDArray[Any]  # int32 while every id fits in 32 bits (40 MB less at 10M), else int64

    def __init__(self, *, expected_size: int | None = None, seed: int = DEFAULT_SEED) -> None:
        self._seed = seed
        # A fixed random bit permutation spreads PDQ's correlated neighbouring bits over tables.
        self._perm = np.random.default_rng(seed).permutation(256).astype(np.uint64)
        self._expected = max(0, expected_size or 0)
        self._rows = self._live = self._base = 0
        self._hashes = np.empty((0, 4), np.uint64)
        self._ids = np.empty(0, np.int32)
        self._alive = np.empty(0, np.uint8)
        self._idmap = np.full(16, k.EMPTY, np.int32)
        self._map_used = 0
        self.last_candidates = 0  # candidates verified by the latest query call, for benchmarks
        self._batch_candidates = 0.0  # per query at radius 31, last seen: sizes batch scratch
        self._frozen = False  # opened read-only from files (open_tables)
        self.extra: dict[str, Any] = {}  # what the caller saved with the tables (save_tables)
        self._rebuild()

    def __len__(self) -> int:
        return self._live

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, int | np.integer):
            return False
        if not _fits(np.array([item]), self._ids.dtype):
            return False
        if self._frozen:  # no id map in the files: a scan, which nothing hot calls
            return bool((self._ids == item).any())
        return bool(k.find_rows(self._idmap, self._ids, np.array([item], np.int64))[0] >= 0)

    @property
    def design(self) -> Design:
        """The current substring layout (chosen from the bank size at the last rebuild)."""
        return self._design

    @property
    def nbytes(self) -> int:
        """Bytes held by the index's arrays."""
        arrays = (self._hashes, self._ids, self._alive, self._idmap, self._blocks, self._cum)
        return sum(a.nbytes for a in (*arrays, self._postings, self._dheads, self._dnext))

    def items(self) -> tuple[I64, npt.NDArray[np.uint8]]:
        """Live (ids, (N, 32) uint8 hashes), in insertion order until a rebuild."""
        live = np.flatnonzero(self._alive[: self._rows])
        return self._ids[live].astype(np.int64), as_bytes(self._hashes[live]).copy()

    def add(self, ids: npt.ArrayLike, hashes: npt.NDArray[np.uint8] | U64) -> None:
        """Add (id, hash) pairs; an id already present gets the new hash (last one wins)."""
        self._check_writable()
        keys = _as_ids(ids)
        words = as_words(hashes)
        if keys.shape[0] != words.shape[0]:
            raise ValueError(f"{keys.shape[0]} ids for {words.shape[0]} hashes")
        if keys.shape[0] == 0:
            return
        if not _fits(keys, self._ids.dtype):
            self._ids = self._ids.astype(np.int64)  # from now on, whatever is removed
        self._reserve(keys.shape[0])
        start = self._rows
        rows, killed, fresh = k.add_rows(
            keys, words, self._ids, self._hashes, self._alive, self._rows, self._idmap
        )
        self._rows = rows
        self._map_used += fresh
        self._live += rows - start - killed
        if self._rows - self._base > max(_MIN_DELTA, self._base // 8) or self._too_dead():
            self._rebuild()
        else:
            self._insert_delta(start)

    def remove(self, ids: npt.ArrayLike) -> int:
        """Remove ids; returns how many were present (absent ids are ignored)."""
        self._check_writable()
        removed = int(k.remove_ids(self._idmap, self._ids, self._alive, _as_ids(ids)))
        self._live -= removed
        if self._too_dead():
            self._rebuild()
        return removed

    def query(
        self, hash: npt.NDArray[np.uint8] | U64 | str, radius: int = DEFAULT_RADIUS
    ) -> list[tuple[int, int]]:
        """(id, distance) of every hash within `radius`, sorted by distance then id."""
        q = _as_queries(hash)
        if q.shape[0] != 1:
            raise ValueError(f"query takes one hash, got {q.shape[0]}; use query_batch")
        res = self.query_batch_arrays(q, radius)
        return list(zip(res.ids.tolist(), res.distances.tolist(), strict=True))

    def query_batch(
        self, hashes: npt.NDArray[np.uint8] | U64 | Sequence[str], radius: int = DEFAULT_RADIUS
    ) -> list[list[tuple[int, int]]]:
        """`query` for each row of `hashes`, in one compiled call."""
        res = self.query_batch_arrays(hashes, radius)
        pairs = list(zip(res.ids.tolist(), res.distances.tolist(), strict=True))
        off = res.offsets.tolist()
        return [pairs[off[i] : off[i + 1]] for i in range(len(off) - 1)]

    def query_batch_arrays(
        self, hashes: npt.NDArray[np.uint8] | U64 | Sequence[str], radius: int = DEFAULT_RADIUS
    ) -> BatchResult:
        """Batch query without Python objects per match (see `BatchResult`)."""
        _check_radius(radius)
        q = _as_queries(hashes)
        tradii = table_radii(radius, self._design.tables)
        if self._scan_is_cheaper(radius, tradii):
            off, ids, dist, cand = k.query_scan(
                q, radius, self._rows, self._hashes, self._alive, self._ids
            )
        else:
            if self._counts.shape[0] <= int(tradii[0]):
                self._masks, self._counts = flip_masks(self._design.bits, int(tradii[0]))
            plan = self._batch_plan(q.shape[0], tradii)
            if plan is not None:
                off, ids, dist, cand = self._query_batched(q, radius, tradii, *plan)
            else:
                off, ids, dist, cand = tables.query_tables(
                    q, radius, tradii, self._masks, self._counts, self._pos, self._blocks,
                    self._cum, self._postings, self._dheads, self._dnext, self._dshift,
                    self._base, self._rows, self._hashes, self._alive, self._ids,
                )  # fmt: skip
            if q.shape[0] and radius == DEFAULT_RADIUS:
                self._batch_candidates = int(cand) / q.shape[0]
        self.last_candidates = int(cand)
        return BatchResult(off, ids, dist)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write live ids and hashes as a versioned .npz (no pickle), atomically."""
        ids, hashes = self.items()
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        with tmp.open("wb") as f:
            np.savez(
                f, format=np.array(FORMAT_NAME), version=np.array(FORMAT_VERSION),
                seed=np.array(self._seed, np.int64), ids=ids.astype("<i8"), hashes=hashes,
            )  # fmt: skip
        tmp.replace(target)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """Read a file written by `save`; the tables are rebuilt from the hashes."""
        with np.load(path, allow_pickle=False) as z:
            if "format" not in z.files or str(z["format"]) != FORMAT_NAME:
                raise ValueError(f"{path}: not a {FORMAT_NAME} file")
            if int(z["version"]) != FORMAT_VERSION:
                raise ValueError(f"{path}: unsupported index version {int(z['version'])}")
            ids = z["ids"].astype(np.int64)
            hashes = z["hashes"]
            index = cls(expected_size=ids.shape[0], seed=int(z["seed"]))
        index.add(ids, hashes)
        return index

    def save_tables(
        self, directory: str | os.PathLike[str], *, extra: dict[str, Any] | None = None
    ) -> None:
        """Write the built index (hashes, ids and the compact tables) as plain .npy arrays in
        `directory`, so `open_tables` can memory-map it without rebuilding: every process that
        opens the same files shares one copy in the page cache. The directory is written
        beside its final name and renamed into place, so a reader never sees half of it."""
        if self._rows > self._base or self._live < self._rows:
            self._rebuild()  # fold the delta and drop tombstones: the files hold tables only
        target = Path(directory)
        tmp = target.with_name(target.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        arrays = {
            "hashes": self._hashes[: self._rows],
            "ids": self._ids[: self._rows],
            "blocks": self._blocks,
            "cum": self._cum,
            "postings": self._postings,
            "positions": self._pos,
        }
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        meta = {
            "format": FORMAT_NAME + "-tables",
            "version": TABLES_VERSION,
            "seed": self._seed,
            "bits": self._design.bits,
            "tables": self._design.tables,
            "rows": self._rows,
            "extra": extra or {},
        }
        (tmp / "meta.json").write_text(json.dumps(meta))
        if target.exists():
            old = target.with_name(target.name + ".old")
            if old.exists():
                shutil.rmtree(old)
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old)
        else:
            tmp.rename(target)

    @classmethod
    def open_tables(cls, directory: str | os.PathLike[str], *, mmap: bool = True) -> Self:
        """A read-only index over files written by `save_tables`, memory-mapped by default:
        opening costs no table building and no private copy of the arrays. Queries work as
        on any index; `add` and `remove` raise (keep changes in a second, small index)."""
        folder = Path(directory)
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("format") != FORMAT_NAME + "-tables":
            raise ValueError(f"{folder}: not a {FORMAT_NAME} tables directory")
        version = meta.get("version")
        if version not in (1, 2, TABLES_VERSION):
            raise ValueError(f"{folder}: unsupported index version {version}")
        mode: Literal["r"] | None = "r" if mmap else None

        def load(name: str) -> npt.NDArray[Any]:
            array: npt.NDArray[Any] = np.load(
                folder / f"{name}.npy", mmap_mode=mode, allow_pickle=False
            )
            return array

        index = cls(seed=int(meta["seed"]))
        rows = int(meta["rows"])
        index._hashes, index._ids = load("hashes"), load("ids")
        index._postings = load("postings")
        if version == 1:  # flat int32 offsets: compacted in memory (the rest stays mapped)
            index._blocks, index._cum = tables.compact_offsets(load("offsets"))
        else:
            index._blocks, index._cum = load("blocks"), load("cum")
        if index._ids.dtype not in (np.dtype("<i8"), np.dtype("<i4")):
            raise ValueError(f"{folder}: ids are {index._ids.dtype}, not int32 or int64")
        if index._hashes.shape != (rows, 4) or index._ids.shape != (rows,):
            raise ValueError(f"{folder}: arrays do not match meta.json")
        n_tables, n_buckets = int(meta["tables"]), 1 << int(meta["bits"])
        postings = index._postings.dtype, index._postings.shape
        widths = {(np.dtype(np.uint8), (n_tables, 3 * rows)), (np.dtype("<i4"), (n_tables, rows))}
        if index._cum.shape != (n_tables, n_buckets) or postings not in widths:
            raise ValueError(f"{folder}: tables do not match meta.json")
        index._alive = np.ones(rows, np.uint8)
        index._rows = index._live = index._base = rows
        index._design = design = Design(int(meta["bits"]), int(meta["tables"]))
        if version == 1:
            used = index._perm[: design.bits * design.tables]
            index._pos = np.ascontiguousarray(used.reshape(design.tables, design.bits))
        else:
            index._pos = np.ascontiguousarray(load("positions"), np.uint64)
        if index._pos.shape != (design.tables, design.bits) or index._pos.max() > 255:
            raise ValueError(f"{folder}: positions do not match meta.json")
        if np.unique(index._pos).shape[0] != index._pos.size:
            raise ValueError(f"{folder}: substring bits overlap, results would not be exact")
        index._masks, index._counts = flip_masks(design.bits, 2)
        index._reset_delta(16)
        index._frozen = True
        index.extra = dict(meta.get("extra") or {})
        return index

    def _query_batched(
        self, q: U64, radius: int, tradii: I64, chunk: int, per_query: float
    ) -> tuple[I64, I64, I64, int]:
        """The sorted batch search, `chunk` queries at a time, with its scratch arrays allocated
        here by numpy (huge pages) and sized for `per_query` candidates a query."""
        most = max(int(self._counts[r]) for r in tradii if r >= 0)
        scratch = np.empty((4, chunk * most), np.int64)
        pairs = np.empty((2, int(chunk * per_query) + 1024), np.int64)
        off, ids, dist, cand = batch.query_tables_batch(
            q, radius, tradii, self._masks, self._counts, self._pos, self._blocks, self._cum,
            self._postings, self._dheads, self._dnext, self._dshift, self._base, self._rows,
            self._hashes, self._alive, self._ids, chunk, scratch, pairs,
        )  # fmt: skip
        return off, ids, dist, int(cand)

    def _batch_plan(self, nq: int, tradii: I64) -> tuple[int, float] | None:
        """(queries per chunk, candidates per query to size the scratch for) when a batch of nq
        takes the sorted search, else None. Chunks hold at most BATCH_CHUNK queries and what
        BATCH_SCRATCH_BYTES holds, all of one size (no short, costly last one), and at least
        BATCH_MIN_CHUNK (the candidates per query are those the last batch saw, at first a
        random bank's)."""
        if nq < BATCH_MIN_QUERIES or self._base < BATCH_MIN_ROWS:
            return None
        per_query = 1.25 * (self._batch_candidates or self._expected_candidates(tradii)) + 1
        cap = max(256, int(BATCH_SCRATCH_BYTES / (16 * per_query)))
        n = max(1, nq)
        chunks = -(-n // min(BATCH_CHUNK, cap, n))  # ceiling divisions
        chunk = -(-n // chunks)
        return (chunk, per_query) if chunk >= BATCH_MIN_CHUNK else None

    def _expected_candidates(self, tradii: I64) -> float:
        """Candidates per query of a random bank (skewed ones have more)."""
        probes = sum(int(self._counts[r]) for r in tradii if r >= 0)
        return probes * max(1.0, self._rows / (1 << self._design.bits))

    def _scan_is_cheaper(self, radius: int, tradii: I64) -> bool:
        if int(tradii[0]) > _MAX_TABLE_RADIUS:
            return True
        bits, n_tables = self._design.bits, self._design.tables
        per_probe = 1.0 + CANDIDATE_COST * self._rows / (1 << bits)
        # An empty-bucket probe costs about as much as streaming 16 rows through popcount.
        return probe_count(bits, radius, n_tables) * per_probe * 16.0 > self._rows

    def _check_writable(self) -> None:
        if self._frozen:
            raise ValueError("this index was opened read-only from files (open_tables)")

    def _too_dead(self) -> bool:
        return self._rows - self._live > max(_MIN_DELTA, self._rows // 4)

    def _reserve(self, extra: int) -> None:
        need = self._rows + extra
        if need > self._hashes.shape[0]:
            cap = max(need, self._hashes.shape[0] * 3 // 2, 1024)
            self._hashes = _resized(self._hashes, cap)
            self._ids = _resized(self._ids, cap)
            self._alive = _resized(self._alive, cap)
        if self._map_used + extra > _MAP_MAX_LOAD * self._idmap.shape[0]:
            self._rebuild_map(self._live + extra)

    def _rebuild_map(self, n: int) -> None:
        size = 1 << max(4, math.ceil(math.log2(n / 0.6 + 1)))
        self._idmap = np.full(size, k.EMPTY, np.int32)
        self._map_used = int(k.map_rows(self._idmap, self._ids, self._alive, self._rows))

    def _rebuild(self) -> None:
        """Drop tombstones, re-choose the layout for the size, and rebuild the base tables."""
        live = np.flatnonzero(self._alive[: self._rows])
        if live.shape[0] < self._rows:
            self._hashes, self._ids = self._hashes[live], self._ids[live]
            self._alive = np.ones(live.shape[0], np.uint8)
            self._rows = live.shape[0]
            self._rebuild_map(self._rows)
        self._design = design = Design.for_size(max(1, self._rows, self._expected))
        self._pos = tables.choose_positions(self._hashes, self._rows, design, self._perm)
        self._masks, self._counts = flip_masks(design.bits, 2)
        built = tables.build_tables(self._hashes, self._rows, self._pos)
        self._blocks, self._cum, self._postings = built
        self._base = self._rows
        self._reset_delta(_MIN_DELTA)

    def _reset_delta(self, capacity: int) -> None:
        slot_bits = max(4, math.ceil(math.log2(capacity)))
        self._dheads = np.full((self._design.tables, 1 << slot_bits), k.EMPTY, np.int32)
        self._dnext = np.empty((self._design.tables, capacity), np.int32)
        self._dshift = 64 - slot_bits

    def _insert_delta(self, start: int) -> None:
        if self._rows - self._base > self._dnext.shape[1]:
            self._reset_delta(max(self._rows - self._base, 2 * self._dnext.shape[1]))
            start = self._base
        tables.insert_delta(
            self._hashes, start, self._rows, self._base, self._pos, self._dheads, self._dnext,
            self._dshift,
        )  # fmt: skip


def _fits(ids: I64, dtype: np.dtype[Any]) -> bool:
    """Whether every id is representable in the id array's dtype."""
    if dtype == np.int64 or ids.size == 0:
        return True
    info = np.iinfo(np.int32)
    return bool(info.min <= int(ids.min()) and int(ids.max()) <= info.max)


def _resized(a: npt.NDArray[_T], rows: int) -> npt.NDArray[_T]:
    out = np.empty((rows, *a.shape[1:]), a.dtype)
    out[: a.shape[0]] = a
    return out
