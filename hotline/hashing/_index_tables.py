"""Numba kernels for the index's substring tables: a CSR base, a chained delta, and probing.

Every probe loop first gathers independent loads into buffers and only then compacts them,
so that the CPU overlaps the cache misses of many buckets instead of waiting on each.
"""

import functools
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hotline.hashing._index_kernels import (
    GOLDEN,
    I32,
    I64,
    U8,
    U64,
    distance_rows,
    emit,
    grow,
    jit,
    substring_keys,
)

DEFAULT_RADIUS = 31  # PDQ's match threshold; the layout is tuned for it
_MIN_BITS, _MAX_BITS = 8, 26
_HEAD_BYTES_PER_HASH = 40  # bucket heads may take this much per hash ...
_HEAD_BYTES_FLOOR = 192 << 20  # ... or this much in all, but never over 256 bytes per hash
CANDIDATE_COST = 4.0  # measured: a verified candidate costs about four empty-bucket probes
BLOCK_SHIFT = 5  # bucket offsets are stored per block of 32 buckets (one 64-byte line)
_BLOCK = 1 << BLOCK_SHIFT
_STATS_MIN_ROWS = 4096  # below this, bit statistics are noise: keep the random permutation
_STATS_SAMPLE = 16384  # rows sampled (evenly spaced) to estimate bit balance and correlation


@functools.cache
def table_radii(radius: int, tables: int) -> I64:
    """Per-table probe radius of the exact MIH bound: sum over tables of (r_t + 1) = radius + 1.

    If every table t differed by more than r_t bits the total would exceed `radius`, so a hash
    within `radius` shares some table's substring to within r_t; r_t = -1 skips a table.
    """
    q, extra = divmod(radius, tables)
    radii = np.array([q if t <= extra else q - 1 for t in range(tables)], np.int64)
    radii.setflags(write=False)  # shared by the cache
    return radii


@functools.cache
def probe_count(bits: int, radius: int, tables: int) -> int:
    """Number of bucket probes one query makes."""
    return sum(sum(math.comb(bits, j) for j in range(r + 1)) for r in table_radii(radius, tables))


@dataclass(frozen=True)
class Design:
    """Substring layout: `tables` disjoint substrings of `bits` bits each (after permutation)."""

    bits: int
    tables: int

    @staticmethod
    def for_size(n: int) -> "Design":
        """Substring width minimising the estimated query cost at radius 31, memory-capped.

        Measured here, verifying a candidate costs about four bucket probes, so wider
        substrings (fewer candidates, more probes) win until the head arrays hit the budget.
        """
        budget = max(_HEAD_BYTES_PER_HASH * n, min(_HEAD_BYTES_FLOOR, 256 * n))
        best: tuple[float, Design] | None = None
        for bits in range(_MIN_BITS, _MAX_BITS + 1):
            tables = 256 // bits
            if bits > _MIN_BITS and tables * ((2 << bits) + (4 << bits) // _BLOCK) > budget:
                break
            probes = probe_count(bits, DEFAULT_RADIUS, tables)
            cost = probes * (1 + CANDIDATE_COST * n / (1 << bits))
            if best is None or cost < best[0]:
                best = (cost, Design(bits, tables))
        assert best is not None
        return best[1]


def flip_masks(bits: int, max_weight: int) -> tuple[U64, I64]:
    """All `bits`-bit flip masks ordered by weight, and how many have weight <= w."""
    masks: list[int] = []
    counts: list[int] = []
    for w in range(max_weight + 1):
        masks.extend(sum(1 << b for b in c) for c in itertools.combinations(range(bits), w))
        counts.append(len(masks))
    return np.array(masks, np.uint64), np.array(counts, np.int64)


def choose_positions(hashes: U64, n_rows: int, design: Design, perm: U64) -> U64:
    """Bit positions of each table's substring, chosen from the bank's own bit statistics.

    Skewed banks (biased or correlated bits) fill a few buckets and leave most empty; the
    probes then verify many more candidates. So the most balanced bits (highest entropy) are
    used, the least balanced left out, and each bit goes to the table whose bits it is least
    correlated with (ties: the table with the least entropy so far), which keeps every table's
    buckets about as even as the data allows. Any disjoint choice is exact (docs/matching.md);
    this one only makes it faster. Small banks keep the seeded random permutation.
    """
    used = design.bits * design.tables
    if n_rows < _STATS_MIN_ROWS:
        return np.ascontiguousarray(perm[:used].reshape(design.tables, design.bits))
    rows = np.linspace(0, n_rows - 1, min(n_rows, _STATS_SAMPLE)).astype(np.int64)
    sample = np.ascontiguousarray(hashes[rows]).view(np.uint8)
    bits = np.unpackbits(sample, axis=1, bitorder="little").astype(np.float32)  # bit p = col p
    p = bits.mean(axis=0)
    q = np.clip(p, 1e-9, 1 - 1e-9)
    entropy = -(q * np.log2(q) + (1 - q) * np.log2(1 - q))
    centred = bits - p
    sd = np.sqrt((centred * centred).mean(axis=0)) + 1e-9
    corr = np.abs(centred.T @ centred / bits.shape[0] / np.outer(sd, sd))
    np.fill_diagonal(corr, 0.0)
    order = perm[np.argsort(-entropy[perm], kind="stable")][:used]  # ties keep the permutation
    members: list[list[int]] = [[] for _ in range(design.tables)]
    load = [0.0] * design.tables
    for bit in order.tolist():
        best: tuple[tuple[float, float], int] | None = None
        for t in range(design.tables):
            if len(members[t]) == design.bits:
                continue
            worst = float(corr[bit, members[t]].max()) if members[t] else 0.0
            key = (round(worst * 50) / 50, load[t])  # correlation first, to 0.02 (the noise)
            if best is None or key < best[0]:
                best = (key, t)
        assert best is not None
        members[best[1]].append(bit)
        load[best[1]] += float(entropy[bit])
    return np.array(members, np.uint64)


def posting_width(n_rows: int) -> int:
    """Bytes a posting (row number) takes: 3 from 2^22 rows (4.2 million) to 2^24 (16.7
    million), where it saves 11 bytes a hash; else 4, a plain load, which is faster while the
    tables fit in the caches (measured: 15-25 % at 100k)."""
    return 3 if 1 << 22 <= n_rows <= 1 << 24 else 4


def build_tables(
    hashes: U64, n_rows: int, pos: U64
) -> tuple[I32, npt.NDArray[Any], npt.NDArray[Any]]:
    """CSR base tables: (block starts, bucket ends within their block, postings).

    A bucket's rows are postings[t, lo:hi] with lo = blocks[t, b >> 5] + (cum[t, b - 1] if
    b % 32 else 0) and hi = blocks[t, b >> 5] + cum[t, b]: 2 bytes a bucket instead of 4, and
    the keys one low bit apart share a cache line. `cum` is uint16 unless some block of 32
    buckets holds more than 65,535 rows (a bank of many equal hashes); then it is uint32.
    Postings are (tables, rows) int32 row numbers, or for banks of 4.2 to 16.7 million rows
    3 little-endian bytes each, (tables, 3 * rows) uint8.
    Allocated by numpy so that large arrays get transparent huge pages (numpy advises them;
    numba's allocator does not)."""
    n_tables, bits = pos.shape
    width = 3 if posting_width(n_rows) == 3 else 1  # array elements a posting takes
    postings: npt.NDArray[Any] = np.empty(
        (n_tables, width * n_rows), np.uint8 if width == 3 else np.int32
    )
    flat = np.empty((1 << bits) + 1, np.int64)
    keys = np.empty(n_rows, np.int64)
    blocks = np.empty((n_tables, max(1, (1 << bits) >> BLOCK_SHIFT)), np.int32)
    cum: npt.NDArray[Any] = np.empty((n_tables, 1 << bits), np.uint16)
    t = 0
    while t < n_tables:
        _build_table(hashes, n_rows, pos[t], keys, flat, postings[t], width)
        if _compact_offsets(flat, blocks[t], cum[t]):
            t += 1
        else:  # a block over 65,535 rows: start again with 4-byte ends
            cum, t = np.empty((n_tables, 1 << bits), np.uint32), 0
    return blocks, cum, postings


def compact_offsets(offsets: I32) -> tuple[I32, npt.NDArray[Any]]:
    """(blocks, cum) of `build_tables` from flat (tables, 2^bits + 1) offsets (tables v1)."""
    n_tables, n_buckets = offsets.shape[0], offsets.shape[1] - 1
    blocks = np.empty((n_tables, max(1, n_buckets >> BLOCK_SHIFT)), np.int32)
    for dtype in (np.uint16, np.uint32):
        cum = np.empty((n_tables, n_buckets), dtype)
        flats = (offsets[t].astype(np.int64) for t in range(n_tables))
        if all(_compact_offsets(f, blocks[t], cum[t]) for t, f in enumerate(flats)):
            break
    return blocks, cum


def _compact_offsets(flat: I64, blocks: I32, cum: npt.NDArray[Any]) -> bool:
    """Fill one table's blocks and cum from its flat offsets; False when cum overflows."""
    return bool(_compact_kernel(flat, blocks, cum, int(np.iinfo(cum.dtype).max)))


@jit
def _compact_kernel(flat: I64, blocks: I32, cum: npt.NDArray[Any], limit: int) -> bool:
    n_buckets = cum.shape[0]
    for blk in range(blocks.shape[0]):
        start = flat[blk << BLOCK_SHIFT]
        blocks[blk] = start
        for b in range(blk << BLOCK_SHIFT, min(n_buckets, (blk + 1) << BLOCK_SHIFT)):
            within = flat[b + 1] - start
            if within > limit:
                return False
            cum[b] = within
    return True


@jit
def _build_table(
    hashes: U64, n_rows: int, pos_t: U64, keys: I64, flat: I64, post: npt.NDArray[Any], width: int
) -> None:
    """One table's flat bucket offsets (2^bits + 1) and rows grouped by bucket (counting sort)."""
    _table_keys(hashes, n_rows, pos_t, keys)
    flat[:] = 0
    for i in range(n_rows):
        flat[keys[i] + 1] += 1
    for b in range(flat.shape[0] - 1):
        flat[b + 1] += flat[b]
    cursor = flat[:-1].copy()
    for i in range(n_rows):
        at = cursor[keys[i]] * width
        if width == 1:
            post[at] = i
        else:
            for j in range(width):
                post[at + j] = (i >> (8 * j)) & 0xFF
        cursor[keys[i]] += 1


@jit
def posting(postings: npt.NDArray[Any], t: int, j: int, width: int) -> int:
    """Row number of table t's j-th posting (width 1: int32 postings; 3: bytes)."""
    if width == 1:
        return int(postings[t, j])
    at = j * 3
    row = np.int64(postings[t, at]) | (np.int64(postings[t, at + 1]) << 8)
    return int(row | (np.int64(postings[t, at + 2]) << 16))


@jit
def bucket_range(blocks: I32, cum: npt.NDArray[Any], t: int, b: int) -> tuple[int, int]:
    """[lo, hi) of bucket b of table t in its postings."""
    start = np.int64(blocks[t, b >> BLOCK_SHIFT])
    lo = start + np.int64(cum[t, b - 1]) if b & (_BLOCK - 1) else start
    return int(lo), int(start + np.int64(cum[t, b]))


@jit
def _table_keys(hashes: U64, n_rows: int, pos_t: U64, out: I64) -> None:
    one = np.uint64(1)
    for row in range(n_rows):
        k = np.uint64(0)
        for j in range(pos_t.shape[0]):
            p = pos_t[j]
            k |= ((hashes[row, p >> np.uint64(6)] >> (p & np.uint64(63))) & one) << np.uint64(j)
        out[row] = np.int64(k)


@jit
def _slot(key: int, shift: int) -> int:
    return int(np.int64((np.uint64(key) * GOLDEN) >> np.uint64(shift)))


@jit
def insert_delta(
    hashes: U64, start: int, stop: int, base: int, pos: U64, dheads: I32, dnext: I32, shift: int
) -> None:
    """Push rows [start, stop) onto their delta chains (heads are hashed substring keys)."""
    keys = np.empty(pos.shape[0], np.int64)
    for row in range(start, stop):
        substring_keys(hashes[row], pos, keys)
        for t in range(pos.shape[0]):
            s = _slot(keys[t], shift)
            dnext[t, row - base] = dheads[t, s]
            dheads[t, s] = row


@jit
def _base_candidates(
    keys: I64, tradii: I64, masks: U64, counts: I64, blocks: I32, cum: npt.NDArray[Any],
    postings: npt.NDArray[Any], width: int, lo: I64, hi: I64, tabs: I64, cand: I64,
) -> tuple[I64, int]:  # fmt: skip
    n = 0
    for t in range(keys.shape[0]):
        if tradii[t] < 0:
            continue
        for j in range(counts[tradii[t]]):
            lo[n], hi[n] = bucket_range(blocks, cum, t, keys[t] ^ np.int64(masks[j]))
            tabs[n] = t
            n += 1
    c = 0
    total = 0
    for i in range(n):
        lo[c], hi[c], tabs[c] = lo[i], hi[i], tabs[i]
        total += hi[i] - lo[i]
        c += hi[i] > lo[i]
    cand = grow(cand, total)
    # First entries in a tight loop of independent loads; the rest share their cache lines.
    for i in range(c):
        cand[i] = posting(postings, tabs[i], lo[i], width)
    nc = c
    for i in range(c):
        for j in range(lo[i] + 1, hi[i]):
            cand[nc] = posting(postings, tabs[i], j, width)
            nc += 1
    return cand, nc


@jit
def _delta_candidates(
    keys: I64, tradii: I64, masks: U64, counts: I64, dheads: I32, dnext: I32, shift: int,
    base: int, rows: I64, tabs: I64, follow: I64, cand: I64, nc: int,
) -> tuple[I64, int]:  # fmt: skip
    n = 0
    for t in range(keys.shape[0]):
        if tradii[t] < 0:
            continue
        for j in range(counts[tradii[t]]):
            rows[n] = dheads[t, _slot(keys[t] ^ np.int64(masks[j]), shift)]
            tabs[n] = t
            n += 1
    while n > 0:
        c = 0
        for i in range(n):
            rows[c], tabs[c] = rows[i], tabs[i]
            c += rows[i] >= 0
        n = c
        cand = grow(cand, nc + n)
        for i in range(n):
            cand[nc + i] = rows[i]
            follow[i] = dnext[tabs[i], rows[i] - base]
        nc += n
        rows[:n] = follow[:n]
    return cand, nc


@jit
def query_tables(
    queries: U64, radius: int, tradii: I64, masks: U64, counts: I64, pos: U64,
    blocks: I32, cum: npt.NDArray[Any], postings: npt.NDArray[Any], dheads: I32, dnext: I32,
    shift: int, base: int, n_rows: int,
    hashes: U64, alive: U8, ids: I64,
) -> tuple[I64, I64, I64, int]:  # fmt: skip
    """Multi-index-hashing range search: (offsets, ids, distances, candidates verified)."""
    width = postings.shape[1] // base if base > 0 else 1
    n_probes = 0
    for t in range(tradii.shape[0]):
        n_probes += counts[tradii[t]] if tradii[t] >= 0 else 0
    lo, hi = np.empty(n_probes, np.int64), np.empty(n_probes, np.int64)
    tabs, follow = np.empty(n_probes, np.int64), np.empty(n_probes, np.int64)
    cand, cdist = np.empty(4096, np.int64), np.empty(4096, np.int64)
    matches, dists = np.empty(64, np.int64), np.empty(64, np.int64)
    keys = np.empty(pos.shape[0], np.int64)
    result = np.zeros(queries.shape[0] + 1, np.int64)
    out_ids = np.empty(max(16, 4 * queries.shape[0]), np.int64)
    out_d = np.empty(out_ids.shape[0], np.int64)
    nout = 0
    ncand = 0
    for qi in range(queries.shape[0]):
        q = queries[qi]
        substring_keys(q, pos, keys)
        cand, nc = _base_candidates(
            keys, tradii, masks, counts, blocks, cum, postings, width, lo, hi, tabs, cand
        )
        if n_rows > base:
            cand, nc = _delta_candidates(
                keys, tradii, masks, counts, dheads, dnext, shift, base, lo, tabs, follow, cand, nc
            )
        ncand += nc
        cdist = grow(cdist, nc)
        for i in range(nc):  # branch-free, so that many candidates' loads are in flight
            cdist[i] = distance_rows(q, hashes, cand[i])
        nm = 0
        for i in range(nc):
            if cdist[i] <= radius and alive[cand[i]] != 0:
                matches, dists = grow(matches, nm + 1), grow(dists, nm + 1)
                matches[nm], dists[nm] = cand[i], cdist[i]
                nm += 1
        out_ids, out_d, nout = emit(matches, dists, nm, ids, out_ids, out_d, nout)
        result[qi + 1] = nout
    return result, out_ids[:nout], out_d[:nout], ncand
