"""The install-time warm-up reaches every kernel layout a big bank uses (hotline.hashing.warm)."""

from typing import Any

from hotline.hashing import _index_batch, _index_tables, index, warm


def _signatures(kernel: Any) -> int:
    return len(kernel.signatures)  # numba's Dispatcher: the argument types compiled so far


def test_warm_up_compiles_the_big_bank_layouts_and_restores_the_thresholds() -> None:
    width, min_rows = _index_tables.posting_width, index.BATCH_MIN_ROWS
    min_queries, min_chunk = index.BATCH_MIN_QUERIES, index.BATCH_MIN_CHUNK

    assert warm.compile_kernels() > 0

    # 4-byte and 3-byte postings, each built in memory and memory-mapped read-only.
    assert _signatures(_index_batch.query_tables_batch) >= 4
    assert _signatures(_index_tables.query_tables) >= 4
    assert _index_tables.posting_width is width
    assert min_rows == index.BATCH_MIN_ROWS and min_queries == index.BATCH_MIN_QUERIES
    assert min_chunk == index.BATCH_MIN_CHUNK
    assert _index_tables.posting_width(1 << 23) == 3 and _index_tables.posting_width(1000) == 4
