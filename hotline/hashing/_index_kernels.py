"""Numba kernels behind `hotline.hashing.index`: popcount, keys, the id map, result lists, scans."""

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from numba import types
from numba.extending import intrinsic

_F = TypeVar("_F", bound=Callable[..., Any])

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]

EMPTY = -1  # end of a chain / empty id-map slot
DELETED = -2  # id-map slot whose id was removed; probing must continue past it
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def jit(fn: _F) -> _F:
    # numba is untyped; this keeps mypy --strict from losing the kernels' signatures.
    return cast(_F, numba.njit(cache=True, nogil=True)(fn))


def _ctpop_intrinsic(typingctx: Any, x: Any) -> Any:
    # LLVM's ctpop becomes one POPCNT instruction; numba has no popcount of its own.
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


_popcount = cast(Callable[[np.uint64], np.uint64], intrinsic(_ctpop_intrinsic))


@jit
def distance_rows(q: U64, hashes: U64, row: int) -> int:
    """Hamming distance between query words `q` and stored row `row`."""
    d = _popcount(q[0] ^ hashes[row, 0]) + _popcount(q[1] ^ hashes[row, 1])
    d += _popcount(q[2] ^ hashes[row, 2]) + _popcount(q[3] ^ hashes[row, 3])
    return int(d)


@jit
def substring_keys(h: U64, pos: U64, out: I64) -> None:
    """Gather each table's (permuted) bits of one hash into its integer key."""
    one = np.uint64(1)
    for t in range(pos.shape[0]):
        k = np.uint64(0)
        for j in range(pos.shape[1]):
            p = pos[t, j]
            bit = (h[p >> np.uint64(6)] >> (p & np.uint64(63))) & one
            k |= bit << np.uint64(j)
        out[t] = np.int64(k)


@jit
def _slot_of(idmap: I32, ids: I64, key: int) -> tuple[int, int]:
    """Linear-probe for `key`: (slot holding it or -1, first reusable slot)."""
    mask = idmap.shape[0] - 1
    shift = np.uint64(64 - int(np.log2(idmap.shape[0])))
    i = int(np.int64((np.uint64(key) * GOLDEN) >> shift))
    reuse = -1
    while True:
        r = idmap[i]
        if r == EMPTY:
            return -1, i if reuse < 0 else reuse
        if r == DELETED:
            if reuse < 0:
                reuse = i
        elif ids[r] == key:
            return i, i
        i = (i + 1) & mask


@jit
def find_rows(idmap: I32, ids: I64, keys: I64) -> I64:
    """Row of each id in `keys`, or -1 when absent."""
    out = np.full(keys.shape[0], -1, np.int64)
    for i in range(keys.shape[0]):
        slot, _ = _slot_of(idmap, ids, keys[i])
        if slot >= 0:
            out[i] = idmap[slot]
    return out


@jit
def add_rows(
    new_ids: I64, new_hashes: U64, ids: I64, hashes: U64, alive: U8, n_rows: int, idmap: I32
) -> tuple[int, int, int]:
    """Append rows, replacing an id already present; returns (rows, killed, new_map_slots).

    Tables are updated separately by `insert_rows` on the appended range.
    """
    killed = 0
    fresh_slots = 0
    for i in range(new_ids.shape[0]):
        slot, free = _slot_of(idmap, ids, new_ids[i])
        if slot >= 0:
            old = idmap[slot]
            same = True
            for w in range(4):
                same = same and hashes[old, w] == new_hashes[i, w]
            if same:
                continue  # re-adding an identical (id, hash) pair changes nothing
            alive[old] = 0
            killed += 1
            free = slot
        elif idmap[free] == EMPTY:
            fresh_slots += 1
        hashes[n_rows] = new_hashes[i]
        ids[n_rows] = new_ids[i]
        alive[n_rows] = 1
        idmap[free] = n_rows
        n_rows += 1
    return n_rows, killed, fresh_slots


@jit
def remove_ids(idmap: I32, ids: I64, alive: U8, keys: I64) -> int:
    """Tombstone the rows of `keys`; returns how many ids were present."""
    removed = 0
    for i in range(keys.shape[0]):
        slot, _ = _slot_of(idmap, ids, keys[i])
        if slot >= 0:
            alive[idmap[slot]] = 0
            idmap[slot] = DELETED
            removed += 1
    return removed


@jit
def emit(
    rows: I64, dists: I64, nm: int, ids: I64, out_ids: I64, out_d: I64, nout: int
) -> tuple[I64, I64, int]:
    """Append one query's matches, de-duplicated by row and sorted by (distance, id)."""
    if nm > 1:
        order = np.argsort(rows[:nm], kind="mergesort")
        u_rows = np.empty(nm, np.int64)
        u_d = np.empty(nm, np.int64)
        nu = 0
        for k in range(nm):
            r = rows[order[k]]
            if nu == 0 or u_rows[nu - 1] != r:
                u_rows[nu] = r
                u_d[nu] = dists[order[k]]
                nu += 1
        u_ids = np.empty(nu, np.int64)
        for k in range(nu):
            u_ids[k] = ids[u_rows[k]]
        by_id = np.argsort(u_ids, kind="mergesort")
        final = by_id[np.argsort(u_d[by_id], kind="mergesort")]
    else:
        nu = nm
        u_ids = np.empty(nm, np.int64)
        u_d = dists[:nm].copy()
        for k in range(nm):
            u_ids[k] = ids[rows[k]]
        final = np.arange(nm)
    if nout + nu > out_ids.shape[0]:
        size = max(2 * out_ids.shape[0], nout + nu)
        grown_ids = np.empty(size, np.int64)
        grown_d = np.empty(size, np.int64)
        grown_ids[:nout] = out_ids[:nout]
        grown_d[:nout] = out_d[:nout]
        out_ids, out_d = grown_ids, grown_d
    for k in range(nu):
        out_ids[nout + k] = u_ids[final[k]]
        out_d[nout + k] = u_d[final[k]]
    return out_ids, out_d, nout + nu


@jit
def grow(a: I64, need: int) -> I64:
    if need <= a.shape[0]:
        return a
    b = np.empty(max(need, 2 * a.shape[0]), np.int64)
    b[: a.shape[0]] = a
    return b


@jit
def query_scan(
    queries: U64, radius: int, n_rows: int, hashes: U64, alive: U8, ids: I64
) -> tuple[I64, I64, I64, int]:
    """Linear range search over every stored row (used when probing would cost more)."""
    nq = queries.shape[0]
    offsets = np.zeros(nq + 1, np.int64)
    out_ids = np.empty(max(16, 4 * nq), np.int64)
    out_d = np.empty(out_ids.shape[0], np.int64)
    rows = np.empty(64, np.int64)
    dists = np.empty(64, np.int64)
    nout = 0
    for qi in range(nq):
        q = queries[qi]
        nm = 0
        for row in range(n_rows):
            d = distance_rows(q, hashes, row)
            if d <= radius and alive[row] != 0:
                rows = grow(rows, nm + 1)
                dists = grow(dists, nm + 1)
                rows[nm] = row
                dists[nm] = d
                nm += 1
        out_ids, out_d, nout = emit(rows, dists, nm, ids, out_ids, out_d, nout)
        offsets[qi + 1] = nout
    return offsets, out_ids[:nout], out_d[:nout], nq * n_rows


@jit
def map_rows(idmap: I32, ids: I64, alive: U8, n_rows: int) -> int:
    """Fill an empty id map with every live row; returns the slots used."""
    used = 0
    for row in range(n_rows):
        if alive[row] != 0:
            _, free = _slot_of(idmap, ids, ids[row])
            idmap[free] = row
            used += 1
    return used
