"""Queries/s of one checkout's HammingIndex alone (no FAISS), to compare two versions.

The machine is shared, so compare versions in the same minutes, alternating them:

    for r in ../main . ../main .; do
        .venv/bin/python bench/bench_index_ab.py $r 10m random,clustered
    done
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
CHECKOUT = Path(sys.argv[1]).resolve()
sys.path.insert(0, str(CHECKOUT))  # that checkout's hotline
sys.path.append(str(Path(__file__).resolve().parent.parent))  # this one's bench data

import numpy as np  # noqa: E402

from bench.bench_index import SIZES, make_data  # noqa: E402
from hotline.hashing.index import HammingIndex  # noqa: E402


def main() -> None:
    n = SIZES[sys.argv[2].lower()]
    for kind in sys.argv[3].split(","):
        bank, queries = make_data(kind, n, 4000, 20240901)
        index = HammingIndex(expected_size=n)
        t0 = time.perf_counter()
        index.add(np.arange(n), bank)
        build = time.perf_counter() - t0
        index.query_batch_arrays(queries[:5])
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            index.query_batch_arrays(queries)
            best = min(best, time.perf_counter() - t0)
        d = index.design
        print(
            f"{CHECKOUT.name} {kind} {n:,}: {d.bits} bits x {d.tables} tables, build {build:.1f} s,"
            f" {index.last_candidates / len(queries):.0f} candidates/query,"
            f" {len(queries) / best:,.0f} queries/s, arrays {index.nbytes / 1e6:,.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
