"""Benchmark hotline's HammingIndex against FAISS binary indexes, on one core, radius 31.

Run from the repository root:  .venv/bin/python -m bench.bench_index [--sizes 100k,1m,10m]
"""

import os

# Single core for everyone; must be set before numba or faiss start their thread pools.
os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import ctypes
import multiprocessing as mp
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import faiss
import numpy as np
import numpy.typing as npt

from hotline.hashing.index import BatchResult, HammingIndex

RADIUS = 31
Hits = set[tuple[int, int]]  # one query's (id, distance) pairs
_R = TypeVar("_R")
U64 = npt.NDArray[np.uint64]
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def flip_bits(rows: U64, rng: np.random.Generator, most: int) -> U64:
    """Flip up to `most` random bits (uniform count 0..most) of each row, in place."""
    idx = np.arange(rows.shape[0])
    k = rng.integers(0, most + 1, rows.shape[0])
    for j in range(most):
        bit = rng.integers(0, 256, rows.shape[0]).astype(np.uint64)
        val = np.where(j < k, np.uint64(1) << (bit & np.uint64(63)), np.uint64(0))
        rows[idx, (bit >> np.uint64(6)).astype(np.intp)] ^= val
    return rows


class ClusteredSource:
    """PDQ-like skew: biased bits (p ~ U(0.25, 0.75)), neighbouring bits correlated (0.5),
    and clusters of ~10 near-duplicates within 8 bits of a centre."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.p = rng.uniform(0.25, 0.75, 256)

    def centres(self, n: int, chunk: int = 1 << 19) -> U64:
        out = np.empty((n, 4), np.uint64)
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            bits = self.rng.random((e - s, 256)) < self.p
            copy = self.rng.random((e - s, 128)) < 0.5
            bits[:, 1::2] = np.where(copy, bits[:, ::2], bits[:, 1::2])
            out[s:e] = np.packbits(bits, axis=1).view(np.uint64)
        return out

    def bank(self, n: int) -> U64:
        centres = self.centres(max(1, n // 10))
        return flip_bits(centres[self.rng.integers(0, centres.shape[0], n)], self.rng, 8)


def make_data(kind: str, n: int, nq: int, seed: int) -> tuple[U64, U64]:
    """Bank and queries: half near-copies of bank rows (<= 24 bits off), half unrelated."""
    rng = np.random.default_rng(seed)
    if kind == "random":
        bank = rng.integers(0, 2**64, (n, 4), dtype=np.uint64)
        unrelated = rng.integers(0, 2**64, (nq - nq // 2, 4), dtype=np.uint64)
    else:
        source = ClusteredSource(rng)
        bank = source.bank(n)
        unrelated = source.bank(nq - nq // 2)
    near = flip_bits(bank[rng.integers(0, n, nq // 2)].copy(), rng, 24)
    queries = np.concatenate([near, unrelated])
    return bank, queries[rng.permutation(nq)]


@dataclass
class Row:
    method: str
    build_s: float
    mem_mb: float
    qps: float
    cpu_qps: float
    note: str = ""


def in_child(fn: Callable[[], _R]) -> _R:
    """Run fn in a forked child, so that its RSS growth is its own memory, then free it all."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def target() -> None:
        # Hand the parent's freed heap back to the OS, so that new allocations show in RSS.
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        child.send(fn())

    proc = ctx.Process(target=target)
    proc.start()
    out: _R = parent.recv()
    proc.join()
    return out


def best_of(runs: int, fn: Callable[[], _R]) -> tuple[_R, float, float]:
    """Result, best wall time and best CPU time of `runs` calls."""
    walls, cpus, outs = [], [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        outs.append(fn())
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return outs[-1], min(walls), min(cpus)


def as_sets(lims: Any, ids: Any, dist: Any) -> list[Hits]:
    return [
        set(
            zip(
                ids[lims[i] : lims[i + 1]].tolist(),
                np.asarray(dist[lims[i] : lims[i + 1]]).astype(int).tolist(),
                strict=True,
            )
        )
        for i in range(len(lims) - 1)
    ]


def bench_hotline(
    bank: U64, queries: U64, sample: U64, n_single: int
) -> tuple[list[Row], list[Hits]]:
    before = rss_bytes()
    index = HammingIndex(expected_size=bank.shape[0])
    _, build, _ = best_of(1, lambda: index.add(np.arange(bank.shape[0]), bank))
    mem = (rss_bytes() - before) / 1e6
    index.query_batch_arrays(queries[:10], RADIUS)  # loads the cached compiled code
    res, wall, cpu = best_of(3, lambda: index.query_batch_arrays(queries, RADIUS))
    assert isinstance(res, BatchResult)
    nq = queries.shape[0]
    cand = index.last_candidates / nq
    note = (
        f"bits={index.design.bits} tables={index.design.tables}, {cand:.0f} cand/q, "
        f"{res.ids.shape[0] / nq:.1f} hits/q, arrays {index.nbytes / 1e6:.0f} MB"
    )
    rows = [Row("hotline batch", build, mem, nq / wall, nq / cpu, note)]
    single = queries[:n_single]
    _, wall, cpu = best_of(1, lambda: [index.query(q, RADIUS) for q in single])
    rows.append(
        Row("hotline query()", build, mem, n_single / wall, n_single / cpu, "one call per hash")
    )
    off, ids, dist = index.query_batch_arrays(sample, RADIUS)
    return rows, as_sets(off, ids, dist)


def bench_faiss(
    name: str, make: Callable[[], Any], bank: U64, sample: U64, nflips: tuple[int, ...] = ()
) -> tuple[list[Row], list[list[Hits]]]:
    faiss.omp_set_num_threads(1)
    before = rss_bytes()
    index = make()
    _, build, _ = best_of(1, lambda: index.add(bank.view(np.uint8)))
    mem = (rss_bytes() - before) / 1e6
    rows: list[Row] = []
    found: list[list[Hits]] = []
    for nflip in nflips or (None,):
        label = name
        if nflip is not None:
            index.nflip = nflip
            label = f"{name} nflip={nflip}"
        # faiss keeps distances strictly below the radius it is given.
        out, wall, cpu = best_of(1, lambda: index.range_search(sample.view(np.uint8), RADIUS + 1))
        lims, dist, ids = out
        rows.append(Row(label, build, mem, sample.shape[0] / wall, sample.shape[0] / cpu))
        found.append(as_sets(lims, ids, dist))
    return rows, found


def run_case(kind: str, n: int, args: argparse.Namespace) -> list[Row]:
    bank, queries = make_data(kind, n, args.queries, args.seed)
    sample = queries[: args.faiss_queries]
    rows, mine = in_child(lambda: bench_hotline(bank, queries, sample, args.single))
    (flat,), (truth,) = in_child(
        lambda: bench_faiss("faiss BinaryFlat", lambda: faiss.IndexBinaryFlat(256), bank, sample)
    )
    if mine != truth:
        raise SystemExit(f"MISMATCH: hotline differs from FAISS flat on {kind} {n}")
    flat.note = f"hotline results == these on all {len(truth)} queries"
    rows.append(flat)
    if not args.no_multihash:
        mh_rows, found = in_child(
            lambda: bench_faiss(
                "faiss MultiHash(16x16)",
                lambda: faiss.IndexBinaryMultiHash(256, 16, 16),
                bank,
                sample,
                (0, 1),
            )
        )
        want = sum(len(t) for t in truth)
        for row, got in zip(mh_rows, found, strict=True):
            recall = sum(len(g & t) for g, t in zip(got, truth, strict=True)) / max(want, 1)
            # HMA's PDQMultiHashIndex sets nflip = threshold // nhash = 31 // 16 = 1 (exact).
            row.note = f"recall {recall:.4f}" + (
                " (as HMA configures it)" if row.method.endswith("=1") else " (not exact)"
            )
        rows.extend(mh_rows)
    return rows


def print_rows(kind: str, n: int, rows: list[Row]) -> None:
    base = rows[0].qps  # speed-up column: wall-clock hotline batch over this row
    print(f"\n## {kind} bank, N = {n:,}")
    print("| method | build s | memory MB | queries/s | queries/CPU-s | hotline batch is | note |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        print(
            f"| {r.method} | {r.build_s:.1f} | {r.mem_mb:,.0f} | {r.qps:,.0f} | {r.cpu_qps:,.0f} | "
            f"{base / r.qps:.1f}x | {r.note} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100k,1m,10m", help=f"comma list of {list(SIZES)}")
    parser.add_argument("--banks", default="random,clustered")
    parser.add_argument("--queries", type=int, default=5000, help="hotline batch queries")
    parser.add_argument("--single", type=int, default=1000, help="hotline one-at-a-time queries")
    parser.add_argument(
        "--faiss-queries", type=int, default=200, help="FAISS queries (also verified)"
    )
    parser.add_argument("--no-multihash", action="store_true")
    parser.add_argument("--seed", type=int, default=20240901)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    print(
        f"# {platform.processor() or platform.machine()}, python {platform.python_version()}, "
        f"faiss {faiss.__version__}, radius {RADIUS} (faiss range_search radius {RADIUS + 1})"
    )
    warm = HammingIndex()  # load numba's cached code before forking, so children share it
    warm.add(np.arange(5000), make_data("random", 5000, 10, 0)[0])
    warm.add([-1], np.zeros((1, 4), np.uint64))
    warm.query_batch_arrays(np.zeros((1, 4), np.uint64), RADIUS)
    warm.query_batch_arrays(np.zeros((1, 4), np.uint64), 200)
    for size in args.sizes.split(","):
        for kind in args.banks.split(","):
            t0 = time.perf_counter()
            rows = run_case(kind, SIZES[size.strip().lower()], args)
            print_rows(kind, SIZES[size.strip().lower()], rows)
            print(f"(case took {time.perf_counter() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
