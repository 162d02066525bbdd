"""Compile the index's numba kernels into numba's on-disk cache, once, at install.

numba compiles a kernel on its first call for each combination of argument types and keeps
the machine code in `__pycache__` (`cache=True`). Without this step the first process after
an install pays every compilation (about 10 s at 10M: the 3-byte postings, the sorted batch
search and the read-only arrays of a memory-mapped snapshot are each their own signature),
which is most of a fresh server's first match. `make install` runs
`python -m hotline.hashing.warm`; afterwards a fresh process only loads the cached code.

The layouts a big bank uses are forced on a small one by setting, for the duration of the
warm-up, the thresholds that choose them (`posting_width` and the batch search's minimum rows
and queries); the kernels' argument types, which are all numba keys on, are the same at any
size.
"""

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from hotline.hashing import _index_tables, index

_ROWS = 20_000  # enough that the tables beat a scan (and above the bit statistics' 4,096)
_QUERIES = 600  # the batch search's minimum while warming up (a big bank's is higher)


@contextmanager
def _big_bank_layout(width: int) -> Iterator[None]:
    real_width, real_rows = _index_tables.posting_width, index.BATCH_MIN_ROWS
    real_queries, real_chunk = index.BATCH_MIN_QUERIES, index.BATCH_MIN_CHUNK
    _index_tables.posting_width = lambda n_rows: width
    index.BATCH_MIN_ROWS = 0
    index.BATCH_MIN_QUERIES = index.BATCH_MIN_CHUNK = _QUERIES
    try:
        yield
    finally:
        _index_tables.posting_width = real_width
        index.BATCH_MIN_ROWS = real_rows
        index.BATCH_MIN_QUERIES, index.BATCH_MIN_CHUNK = real_queries, real_chunk


def _exercise(built: index.HammingIndex, queries: np.ndarray, directory: Path) -> None:
    """Every query path on the built index, then on its tables memory-mapped read-only."""
    built.query_batch_arrays(queries[:3])  # per query
    built.query_batch_arrays(queries)  # sorted batch search
    built.query_batch_arrays(queries[:3], radius=120)  # a scan is cheaper at this radius
    built.add(np.array([_ROWS + 1]), queries[:1])  # the delta
    built.query_batch_arrays(queries[:3])
    built.remove(np.array([_ROWS + 1]))
    built.save_tables(directory)
    mapped = index.HammingIndex.open_tables(directory)
    mapped.query_batch_arrays(queries[:3])
    mapped.query_batch_arrays(queries)


def compile_kernels() -> float:
    """Call each kernel once with every argument layout a bank can give it; seconds taken."""
    started = time.perf_counter()
    rng = np.random.default_rng(0)
    hashes = rng.integers(0, 256, (_ROWS, 32), dtype=np.uint8)
    queries = hashes[:_QUERIES].copy()
    with tempfile.TemporaryDirectory(prefix="hotline-warm-") as scratch:
        for width in (4, 3):
            with _big_bank_layout(width):
                built = index.HammingIndex(expected_size=_ROWS)
                built.add(np.arange(_ROWS), hashes)
                _exercise(built, queries, Path(scratch) / f"width-{width}")
    return time.perf_counter() - started


def main() -> None:
    seconds = compile_kernels()
    sys.stdout.write(f"index kernels compiled and cached in {seconds:.1f} s\n")


if __name__ == "__main__":
    main()
