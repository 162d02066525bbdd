"""Numba kernels for the index's substring tables: a CSR base, a chained delta, and probing.

Every probe loop first gathers independent loads into buffers and only then compacts them,
so that the CPU overlaps the cache misses of many buckets instead of waiting on each.
"""

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

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
_STATS_MIN_ROWS = 4096  # below this, bit statistics are noise: keep the random permutation
_STATS_SAMPLE = 65536  # rows sampled (evenly spaced) to estimate bit balance and correlation


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
            if bits > _MIN_BITS and tables * (4 << bits) > budget:
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
            key = (round(worst, 2), load[t])  # correlation first, to 0.01 (sampling noise)
            if best is None or key < best[0]:
                best = (key, t)
        assert best is not None
        members[best[1]].append(bit)
        load[best[1]] += float(entropy[bit])
    return np.array(members, np.uint64)


def build_tables(hashes: U64, n_rows: int, pos: U64) -> tuple[I32, I32]:
    """CSR base tables; allocated by numpy so that large arrays get transparent huge pages
    (numpy advises them; numba's allocator does not), which halves the TLB misses of probing."""
    offsets = np.zeros((pos.shape[0], (1 << pos.shape[1]) + 1), np.int32)
    postings = np.empty((pos.shape[0], n_rows), np.int32)
    build_csr(hashes, n_rows, pos, offsets, postings)
    return offsets, postings


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
def build_csr(hashes: U64, n_rows: int, pos: U64, offsets: I32, postings: I32) -> None:
    """Per table: bucket offsets (2^bits + 1, zeroed) and the rows of each bucket, by counting
    sort, into the given arrays."""
    n_buckets = 1 << pos.shape[1]
    keys = np.empty(n_rows, np.int64)
    for t in range(pos.shape[0]):
        _table_keys(hashes, n_rows, pos[t], keys)
        off = offsets[t]
        for i in range(n_rows):
            off[keys[i] + 1] += 1
        for b in range(n_buckets):
            off[b + 1] += off[b]
        cursor = off[:-1].copy()
        for i in range(n_rows):
            postings[t, cursor[keys[i]]] = i
            cursor[keys[i]] += 1


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
    keys: I64, tradii: I64, masks: U64, counts: I64, offsets: I32, postings: I32,
    lo: I64, hi: I64, tabs: I64, cand: I64,
) -> tuple[I64, int]:  # fmt: skip
    n = 0
    for t in range(keys.shape[0]):
        if tradii[t] < 0:
            continue
        for j in range(counts[tradii[t]]):
            k = keys[t] ^ np.int64(masks[j])
            lo[n] = offsets[t, k]
            hi[n] = offsets[t, k + 1]
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
        cand[i] = postings[tabs[i], lo[i]]
    nc = c
    for i in range(c):
        for j in range(lo[i] + 1, hi[i]):
            cand[nc] = postings[tabs[i], j]
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
    offsets: I32, postings: I32, dheads: I32, dnext: I32, shift: int, base: int, n_rows: int,
    hashes: U64, alive: U8, ids: I64,
) -> tuple[I64, I64, I64, int]:  # fmt: skip
    """Multi-index-hashing range search: (offsets, ids, distances, candidates verified)."""
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
            keys, tradii, masks, counts, offsets, postings, lo, hi, tabs, cand
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
