"""Batched multi-index-hashing search for large bases: each table's probes are radix-sorted
by address and all the candidates are bucketed by their row's high bits, so that the bucket
offsets, the postings and the candidates' hashes are each read in one forward pass over memory
(which the hardware prefetches) instead of one cache miss per probe and per candidate
(docs/matching.md, decisions 0029 and 0032).
"""

from typing import Any

import numpy as np
import numpy.typing as npt

from hotline.hashing._index_kernels import (
    I32,
    I64,
    U8,
    U64,
    _popcount,
    emit,
    grow,
    jit,
    substring_keys,
)
from hotline.hashing._index_tables import _delta_candidates, bucket_range, posting

Q_BITS = 16  # probes and candidates are packed as (key or row << 16) | query within a chunk
_Q_MASK = (1 << Q_BITS) - 1
_DIGIT_BITS = 12  # radix digits: 4,096 counters (32 KiB)
_LINE_ROWS = 2  # hashes per 64-byte cache line (32 bytes each)


@jit
def _digits(n_bits: int) -> tuple[int, int]:
    """(passes, bits per pass) of a radix sort on n_bits bits."""
    passes = max(1, (n_bits + _DIGIT_BITS - 1) // _DIGIT_BITS)
    return passes, (n_bits + passes - 1) // passes


@jit
def _count(v: int, counts: I64, lo_bit: int, passes: int, width: int) -> None:
    """Count value v's digits, for `radix_sort`."""
    v >>= lo_bit
    mask = (1 << width) - 1
    for p in range(passes):
        counts[(p << width) + ((v >> (p * width)) & mask)] += 1


@jit
def radix_sort(a: I64, tmp: I64, n: int, lo_bit: int, n_bits: int, counts: I64) -> I64:
    """Stable LSD radix sort of a[:n] by bits [lo_bit, lo_bit + n_bits), whose digits
    `counts` already holds (`_count` of each value); returns the buffer (a or tmp) holding
    the result."""
    passes, width = _digits(n_bits)
    size = 1 << width
    digit_mask = size - 1
    src, dst = a, tmp
    for p in range(passes):
        total = 0
        for d in range(p * size, (p + 1) * size):
            c = counts[d]
            counts[d] = total
            total += c
        shift = lo_bit + p * width
        base = p * size
        for i in range(n):
            v = src[i]
            d = base + ((v >> shift) & digit_mask)
            dst[counts[d]] = v
            counts[d] += 1
        src, dst = dst, src
    return src


@jit
def _bit_length(n: int) -> int:
    b = 0
    while (1 << b) < n:
        b += 1
    return max(b, 1)


@jit
def query_tables_batch(
    queries: U64, radius: int, tradii: I64, masks: U64, counts: I64, pos: U64,
    blocks: I32, cum: npt.NDArray[Any], postings: npt.NDArray[Any], dheads: I32, dnext: I32,
    shift: int, base: int, n_rows: int,
    hashes: U64, alive: U8, ids: I64, chunk: int, scratch: I64, pairs_2: I64,
) -> tuple[I64, I64, I64, int]:  # fmt: skip
    """`query_tables`' answer, computed `chunk` (< 65,536) queries at a time.

    Per table, the chunk's (probe key, query) pairs are sorted by key, so its offsets and
    postings are read in order. The (row, query) candidates of every table are then bucketed
    by the row's top 12 bits (one radix pass): each bucket's rows, a window of at most 4,096
    hashes (128 KiB), are first streamed into the cache in order, then its candidates are
    verified in any order against the cached window."""
    nq = queries.shape[0]
    n_tables, bits = pos.shape[0], pos.shape[1]
    width = postings.shape[1] // base if base > 0 else 1
    row_bits = _bit_length(n_rows)
    row_sort = min(row_bits, _DIGIT_BITS)  # the candidates are sorted by these top bits ...
    row_lo = Q_BITS + row_bits - row_sort  # ... of the packed pair, from this bit
    window_shift = row_bits - row_sort  # rows per window: 1 << window_shift
    touched = np.uint64(0)
    n_probes = 0
    most = 0
    for t in range(n_tables):
        here = counts[tradii[t]] if tradii[t] >= 0 else 0
        n_probes += here
        most = max(most, here)
    lo, tabs = np.empty(n_probes, np.int64), np.empty(n_probes, np.int64)
    follow = np.empty(n_probes, np.int64)
    dcand = np.empty(256, np.int64)
    keys = np.empty((chunk, n_tables), np.int64)
    # Scratch allocated by the caller through numpy, which gives large arrays huge pages
    # (numba's allocator does not): the sorts' scattered writes then take fewer TLB misses.
    probes, probes_tmp, p_lo, p_hi = scratch[0], scratch[1], scratch[2], scratch[3]
    digit_counts = np.empty(4 << _DIGIT_BITS, np.int64)
    row_counts = np.empty(4 << _DIGIT_BITS, np.int64)
    pairs, pairs_tmp = pairs_2[0], pairs_2[1]
    m_q, m_row, m_d = np.empty(64, np.int64), np.empty(64, np.int64), np.empty(64, np.int64)
    qcount = np.zeros(chunk + 1, np.int64)
    result = np.zeros(nq + 1, np.int64)
    out_ids = np.empty(max(16, 4 * nq), np.int64)
    out_d = np.empty(out_ids.shape[0], np.int64)
    nout = 0
    ncand = 0
    for c0 in range(0, nq, chunk):
        m = min(nq, c0 + chunk) - c0
        for i in range(m):
            substring_keys(queries[c0 + i], pos, keys[i])
        npairs = 0
        rpasses, rwidth = _digits(row_sort)
        row_counts[: rpasses << rwidth] = 0
        for t in range(n_tables):
            if tradii[t] < 0:
                continue
            n = 0
            kpasses, kwidth = _digits(bits)
            digit_counts[: kpasses << kwidth] = 0
            for i in range(m):
                kt = keys[i, t]
                for j in range(counts[tradii[t]]):
                    v = ((kt ^ np.int64(masks[j])) << Q_BITS) | i
                    probes[n] = v
                    _count(v, digit_counts, Q_BITS, kpasses, kwidth)
                    n += 1
            ordered = radix_sort(probes, probes_tmp, n, Q_BITS, bits, digit_counts)
            total = 0
            for e in range(n):  # offsets, in key order
                p_lo[e], p_hi[e] = bucket_range(blocks, cum, t, ordered[e] >> Q_BITS)
                total += p_hi[e] - p_lo[e]
            if npairs + total > pairs.shape[0]:
                pairs = _grown(pairs, npairs, npairs + total)
                pairs_tmp = np.empty(pairs.shape[0], np.int64)
            for e in range(n):  # postings, in the same (memory) order
                qi = ordered[e] & _Q_MASK
                for j in range(p_lo[e], p_hi[e]):
                    v = (np.int64(posting(postings, t, j, width)) << Q_BITS) | qi
                    pairs[npairs] = v
                    _count(v, row_counts, row_lo, rpasses, rwidth)
                    npairs += 1
        if n_rows > base:  # rows added since the last rebuild: the chained delta, per query
            for i in range(m):
                dcand, nd = _delta_candidates(
                    keys[i], tradii, masks, counts, dheads, dnext, shift, base, lo, tabs,
                    follow, dcand, 0,
                )  # fmt: skip
                if npairs + nd > pairs.shape[0]:
                    pairs = _grown(pairs, npairs, npairs + nd)
                    pairs_tmp = np.empty(pairs.shape[0], np.int64)
                for j in range(nd):
                    v = (dcand[j] << Q_BITS) | i
                    pairs[npairs] = v
                    _count(v, row_counts, row_lo, rpasses, rwidth)
                    npairs += 1
        ncand += npairs
        cands = radix_sort(pairs, pairs_tmp, npairs, row_lo, row_sort, row_counts)
        # row_counts[w] is now the end of window w's candidates in `cands`.
        nm = 0
        qcount[:] = 0
        window = 0
        window_end = 0
        for e in range(npairs):  # distances, window by window in row order
            if e == window_end:  # the next non-empty window: read its rows in memory order
                while row_counts[window] <= e:
                    window += 1
                window_end = row_counts[window]
                stop = min(n_rows, (window + 1) << window_shift)
                for r in range(window << window_shift, stop, _LINE_ROWS):
                    touched ^= hashes[r, 0]
                window += 1
            if e > 0 and cands[e] == cands[e - 1]:
                continue  # the same row found for the same query by another table (a repeat
                # that is not adjacent is verified twice, and `emit` drops it)
            row = cands[e] >> Q_BITS
            qi = cands[e] & _Q_MASK
            qq = c0 + qi
            d = _popcount(queries[qq, 0] ^ hashes[row, 0]) + _popcount(
                queries[qq, 1] ^ hashes[row, 1]
            )
            d += _popcount(queries[qq, 2] ^ hashes[row, 2]) + _popcount(
                queries[qq, 3] ^ hashes[row, 3]
            )
            if d <= radius and alive[row] != 0:
                if nm == m_q.shape[0]:
                    m_q, m_row, m_d = grow(m_q, nm + 1), grow(m_row, nm + 1), grow(m_d, nm + 1)
                m_q[nm], m_row[nm], m_d[nm] = qi, row, d
                qcount[qi + 1] += 1
                nm += 1
        for i in range(m):  # matches grouped by query, then each query's answer as usual
            qcount[i + 1] += qcount[i]
        g_row, g_d = np.empty(nm, np.int64), np.empty(nm, np.int64)
        fill = qcount[:m].copy()
        for e in range(nm):
            at = fill[m_q[e]]
            g_row[at], g_d[at] = m_row[e], m_d[e]
            fill[m_q[e]] += 1
        for i in range(m):
            s, f = qcount[i], qcount[i + 1]
            out_ids, out_d, nout = emit(g_row[s:f], g_d[s:f], f - s, ids, out_ids, out_d, nout)
            result[c0 + i + 1] = nout
    p_hi[0] = np.int64(touched)  # a store the compiler must keep, so it keeps the reads
    return result, out_ids[:nout], out_d[:nout], ncand


@jit
def _grown(a: I64, used: int, need: int) -> I64:
    b = np.empty(max(need, a.shape[0] + a.shape[0] // 2), np.int64)
    b[:used] = a[:used]
    return b
